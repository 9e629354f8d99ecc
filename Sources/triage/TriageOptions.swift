import ArgumentParser
import Foundation
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

extension Assessment {
    /// For a person: band and score first, then the reasons, then the evidence.
    func text() -> String {
        var out = "\(band.rawValue)  score \(score)"
        if let primaryCategory { out += "  \(primaryCategory)" }
        if let caseID { out += "  (\(caseID), \(caseSize) referral\(caseSize == 1 ? "" : "s"))" }
        out += "\nreferral \(referral)" + (url.map { "  \($0)" } ?? "") + "  source \(source)\n"
        if !contributions.isEmpty {
            out += "why:\n"
            for line in contributions {
                let points = line.points >= 0 ? "+\(line.points)" : "\(line.points)"
                out += "  " + String(repeating: " ", count: max(0, 4 - points.count)) + points + "  " + (line.rule.map { "\($0): " } ?? "")
                    + line.reason + "\n"
            }
        }
        if !hits.isEmpty || !shadowHits.isEmpty {
            out += "evidence:\n"
            for (hit, shadow) in hits.map({ ($0, false) }) + shadowHits.map({ ($0, true) }) {
                out += "  \(hit.rule)\(shadow ? " (shadow: not scored)" : "")  \(hit.category), severity \(hit.severity), "
                    + "\(hit.matches) match\(hit.matches == 1 ? "" : "es")\n"
                for snippet in hit.evidence {
                    let place = snippet.origin + (snippet.hidden ? " hidden" : "") + (snippet.view == "normalized" ? "" : ", \(snippet.view) view")
                    out += "    \(snippet.pattern)  [\(place)]  bytes \(snippet.start)-\(snippet.end)  "
                        + "\"\(snippet.before)[\(snippet.match)]\(snippet.after)\"\n"
                }
            }
        }
        if let fetch {
            out += "fetched \(fetch.requestedURL)"
            for hop in fetch.hops { out += "\n  \(hop.status) -> \(hop.location)" }
            if let status = fetch.status { out += "\n  \(status)" + (fetch.contentType.map { "  \($0)" } ?? "") }
            out += "  \(fetch.bodyBytes) bytes" + (fetch.truncated ? " (cut at the limit)" : "")
                + (fetch.primaryIP.map { "  from \($0)" + (fetch.primaryPort.map { ":\($0)" } ?? "") } ?? "")
                + (fetch.tlsVerified.map { $0 ? "  TLS verified" : "  TLS NOT verified" } ?? "")
            out += "\n  sha256:\(fetch.sha256 ?? "-")  \(fetch.startedAt)\n"
        }
        for note in notes { out += "note: \(note)\n" }
        out += "rules \(rules)  policy \(policy)" + (charset.map { "  charset \($0)" } ?? "") + (contentKind.map { "  \($0)" } ?? "")
        if let timings {
            out += "  extract \(Self.milliseconds(timings.extractMicroseconds)) ms  scan \(Self.milliseconds(timings.scanMicroseconds)) ms"
        }
        return out + "\n"
    }

    static func milliseconds(_ microseconds: Int) -> String {
        let tenths = (microseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}
