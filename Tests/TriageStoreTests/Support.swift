import Foundation
import TestSupport
import TriageModel
import TriageEngine
import TriageRules
import TriageStore

/// A clock tests move by hand (milliseconds since 1970).
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64 = 1_795_000_000_000

    var read: @Sendable () -> Int64 { { [self] in lock.withLock { now } } }

    func advance(minutes: Int64) { lock.withLock { now += minutes * 60_000 } }
    func advance(days: Int64) { lock.withLock { now += days * 86_400_000 } }
}

/// A small rule set (synthetic phrases) and a pipeline over it, so queue
/// tests file real assessments with real hits.
enum Fixture {
    static let rules: CompiledRules = {
        let source = syntheticRuleSource([
            SyntheticRule("plan", phrase: "synthetic attack plan"),
            SyntheticRule("join", phrase: "join the synthetic cell", category: "recruitment", severity: 5, weight: 30),
            SyntheticRule("brand", phrase: "synthetic outlet", category: "propaganda-branding", severity: 3, weight: 12),
        ])
        let (compiled, diagnostics) = RuleCompiler().compile(sources: [SourceFile(path: "test.rules", bytes: Array(source.utf8))])
        guard let compiled else { fatalError(DiagnosticRenderer.text(diagnostics)) }
        return compiled
    }()

    nonisolated(unsafe) static let pipeline = TriagePipeline(rules: rules, policy: .default)  // used under `lock`
    private static let lock = NSLock()

    /// A referral with text content and its assessment, ready for the queue.
    static func intake(_ id: String, _ text: String, url: String? = nil, source: Referral.Source = .public) -> AssessedReferral {
        let referral = Referral(id: id, url: url, content: .text(Array(text.utf8)), source: source)
        var assessment = lock.withLock { pipeline.assess(referral) }
        assessment.timings = nil
        return AssessedReferral(assessment: assessment, referral: referral, content: Array(text.utf8), contentType: "text/plain")
    }

    static let p1Text = "A synthetic attack plan was posted."
    static let recruitText = "Come and join the synthetic cell today."
    static let brandText = "A banner of the synthetic outlet."
    static let benignText = "A recipe for bread."

    /// A fresh file path in a temporary folder.
    static func temporaryPath(_ name: String = "queue.sqlite") -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("triage-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }
}
