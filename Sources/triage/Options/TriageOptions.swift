import ArgumentParser
import Foundation
import Logging
import TriageModel
import PageFetch
import TriageEngine
import TriageRules

/// Options shared by `check` and `batch`: which rules, which policy, and how
/// to write assessments.
struct TriageOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A compiled rule set, or rule files and folders (compiled in memory).", valueName: "PATH"))
    var rules: [String] = ["Rules"]

    @Option(name: .long, help: ArgumentHelp("A scoring policy file (default: the built-in policy, identical to Rules/scoring-policy.json).",
                                            valueName: "FILE"))
    var policy: String?

    @Flag(name: .long, help: "Leave timings out, so the same input gives byte-identical output.")
    var noTimings = false

    @Flag(name: .long, help: ArgumentHelp("Accept a rule set with no active rule (every page is then NFA): for tests.", visibility: .hidden))
    var allowNoActiveRules = false

    @Option(name: .long, help: ArgumentHelp("Matches a scan keeps per view of a page; past it matches are counted, not kept, "
                                            + "and the assessment is marked incomplete.", valueName: "N"))
    var maxMatches = ScanLimits.default.matchesPerView

    /// The per-scan limits these options set.
    var scanLimits: ScanLimits { ScanLimits(matchesPerView: maxMatches) }

    func validate() throws {
        guard maxMatches >= 1 else { throw ValidationError("--max-matches must be at least 1 (got \(maxMatches))") }
    }

    /// The rule set, or exit 2 with its diagnostics. A rule set with no
    /// active rule (an empty file, folder or compiled file, or only shadow
    /// and disabled rules) is refused: it would call every page NFA.
    func loadRules(command: String) throws -> CompiledRules {
        let (compiled, diagnostics) = try RuleSourceOptions.compile(rules, command: command, exitCode: 2)
        guard let compiled else {
            printError(DiagnosticRenderer.text(diagnostics), newline: false)
            printError("triage \(command): the rules in \(rules.joined(separator: ", ")) have errors")
            throw ExitCode(2)
        }
        if compiled.activeRuleCount == 0 && !allowNoActiveRules {
            printError(DiagnosticRenderer.text(diagnostics), newline: false)
            printError("triage \(command): \(rules.joined(separator: ", ")) has no active rule (\(compiled.rules.count) rules in all): "
                + "every page would be NFA; nothing was assessed")
            throw ExitCode(2)
        }
        Logger(label: "triage.rules").info("rules loaded", metadata: [
            "from": "\(rules.joined(separator: ","))", "fingerprint": "\(compiled.fingerprint)", "rules": "\(compiled.rules.count)",
            "active": "\(compiled.activeRuleCount)", "patterns": "\(compiled.patterns.count)", "literals": "\(compiled.literalCount)",
            "warnings": "\(diagnostics.warningCount)"])
        return compiled
    }

    /// The scoring policy, or exit 2 naming the problem.
    func loadPolicy(command: String) throws -> ScoringPolicy {
        guard let policy else { return .default }
        do { return try ScoringPolicy.load(path: policy) } catch {
            printError("triage \(command): \(error)")
            throw ExitCode(2)
        }
    }
}

enum AssessmentFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ndjson
}
