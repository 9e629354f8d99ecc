import Foundation
import Testing
import TriageModel
import TestSupport
import TriageRules
@testable import TriageEngine

/// A batch run as a library value: the same referrals through `BatchRun`
/// on several threads as through one pipeline and a `CaseBook`, in order,
/// each sink getting the same assessments; and a filing that fails stops
/// the run without losing what was filed or hanging on the pool.
@Suite("Batch run")
struct BatchRunTests {
    /// What a sink was given, in order.
    final class Collecting: AssessmentSink {
        var items: [AssessedReferral] = []
        var finished: BatchSummary?
        let wantsJSON: Bool

        init(wantsJSON: Bool) { self.wantsJSON = wantsJSON }

        var preparation: SinkPreparation { SinkPreparation(serialize: wantsJSON) }
        func write(_ item: AssessedReferral) { items.append(item) }
        func finish(_ summary: BatchSummary) { finished = summary }
    }

    /// Bytes, as a file would get them.
    final class Bytes: ByteOutput {
        var bytes: [UInt8] = []
        var flushes = 0
        func write(_ more: [UInt8]) { bytes += more }
        func write(_ text: String) { bytes += Array(text.utf8) }
        func flush() { flushes += 1 }
    }

    static func referrals() throws -> [ReferralReader.Record] {
        let reader = try ReferralReader(path: packageRoot.appendingPathComponent("Samples/referrals.ndjson").path)
        return Array(reader)
    }

    @Test func aRunMatchesOnePipelineAndACaseBook() throws {
        let records = try Self.referrals()
        let accepted = records.compactMap { record -> Referral? in
            if case let .referral(referral, _) = record { return referral }
            return nil
        }
        #expect(accepted.count >= 40 && accepted.count < records.count, "the samples hold good and bad records")

        let collecting = Collecting(wantsJSON: true)
        let output = Bytes()
        let run = BatchRun(rules: shippedRules, policy: .default, options: BatchRun.Options(jobs: 3, noTimings: true),
                           sinks: [collecting, NDJSONSink(output)])
        let summary = try run.run(records)

        // One pipeline, one case book, in input order: the same assessments and cases.
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        var book = CaseBook()
        var expected: [Assessment] = []
        for referral in accepted {
            var assessment = pipeline.assess(referral)
            assessment.timings = nil
            if let filed = book.file(canonicalURL: assessment.canonicalURL, contentFingerprint: assessment.contentFingerprint) {
                (assessment.caseID, assessment.caseSize) = (filed.id, filed.size)
            }
            expected.append(assessment)
        }
        #expect(collecting.items.map(\.assessment) == expected)
        let serialized = collecting.items.allSatisfy { $0.isSerialized }
        #expect(serialized)

        // The NDJSON sink wrote each assessment's own JSON, with its case, a line each.
        let lines = output.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        #expect(lines.map(Array.init) == expected.map { $0.jsonBytes() })
        #expect(output.flushes == 1)

        // The summary: what was accepted, rejected and filed.
        #expect(collecting.finished?.assessed == accepted.count)
        #expect(summary.assessed == accepted.count && summary.rejectedCount == records.count - accepted.count)
        #expect(summary.cases == book.caseCount && summary.joined == expected.count { $0.caseSize > 1 })
        #expect(summary.bands.values.reduce(0, +) == accepted.count)
    }

    /// A filing that throws on its 11th assessment: the run throws, the
    /// sinks have the ten filed before it and no more, and the pool's
    /// threads are drained (the call returns, rather than waiting for an
    /// assessment that was already taken).
    @Test func aFailingFilingStopsTheRunCleanly() throws {
        final class Failing: CaseFiling {
            struct Refused: Error {}
            var filed = 0
            var preparation: SinkPreparation { .none }
            var casesOpened: Int { filed }
            var location: String? { "test" }
            func file(_ item: AssessedReferral) throws -> [Filed] {
                guard filed < 10 else { throw Refused() }
                filed += 1
                return [.filed(item)]
            }
            func flush() -> [Filed] { [] }
        }
        let records = try Self.referrals()
        let collecting = Collecting(wantsJSON: false)
        let run = BatchRun(rules: shippedRules, policy: .default, options: BatchRun.Options(jobs: 2), filing: Failing(),
                           sinks: [collecting])
        #expect(throws: Failing.Refused.self) { try run.run(records) }
        #expect(collecting.items.count == 10)
        #expect(collecting.finished == nil)
    }

    /// Rules swapped while a run is under way: every assessment names one
    /// of the two rule sets, none is lost or out of order, and every
    /// referral submitted after the swap (past the window) uses the new one.
    @Test func rulesSwappedUnderLoad() throws {
        let source = """
            rule swapped {
                meta:
                    description = "a synthetic rule for the swap"
                    category = "attack-planning"
                    severity = 5
                    weight = 10
                strings:
                    $a = "synthetic"
                condition:
                    $a
            }
            """
        let second = try #require(RuleCompiler().compile(sources: [SourceFile(path: "swap.rules", bytes: Array(source.utf8))]).rules)
        #expect(second.fingerprint != shippedRules.fingerprint)
        let accepted = try Self.referrals().compactMap { record -> Referral? in
            if case let .referral(referral, _) = record { return referral }
            return nil
        }
        let referrals = (0..<400).map { i in
            let r = accepted[i % accepted.count]
            return Referral(id: "S-\(i)", url: r.url, content: r.content, contentType: r.contentType, source: r.source)
        }
        final class Swapping: AssessmentSink {
            let live: LiveRules, to: CompiledRules, at: Int
            var items: [AssessedReferral] = []
            init(live: LiveRules, to: CompiledRules, at: Int) { (self.live, self.to, self.at) = (live, to, at) }
            var preparation: SinkPreparation { .none }
            func write(_ item: AssessedReferral) {
                items.append(item)
                if items.count == at { live.swap(rules: to) }
            }
            func finish(_ summary: BatchSummary) {}
        }
        let live = LiveRules(rules: shippedRules, policy: .default)
        let sink = Swapping(live: live, to: second, at: 50)
        let options = BatchRun.Options(jobs: 2)
        let summary = try BatchRun(live: live, options: options, sinks: [sink])
            .run(referrals.enumerated().map { ReferralReader.Record.referral($0.element, line: $0.offset + 1) })
        #expect(summary.assessed == referrals.count)
        #expect(sink.items.map(\.referral.id) == referrals.map(\.id))
        let names = [shippedRules.fingerprint.description, second.fingerprint.description]
        #expect(sink.items.allSatisfy { names.contains($0.assessment.rules) })
        #expect(sink.items.prefix(50).allSatisfy { $0.assessment.rules == names[0] })
        #expect(sink.items.dropFirst(50 + options.window).allSatisfy { $0.assessment.rules == names[1] })
        #expect(live.snapshot.generation == 1)
    }
}
