import Encoders
import Foundation
import TriageEngine
import TriageModel

extension QueueStats {
    /// `triage queue stats` for a person.
    func text() -> String {
        let stats = self
        let open = stats.open.values.reduce(0) { $0 + $1.reduce(0, +) }
        var out = "\(stats.cases) cases, \(stats.referrals) referrals; \(open) open (\(stats.inReview) in review)\n"
        out += "\nopen by band and age:\n  band     " + QueueStats.ageBuckets.map { $0.label.padding(toLength: 7, withPad: " ", startingAt: 0) }
            .joined() + "overdue\n"
        for band in Band.allCases {
            guard let counts = stats.open[band] else { continue }
            out += "  " + band.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                + counts.map { String($0).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined() + "\(stats.overdue[band, default: 0])\n"
        }
        out += "\ndecisions:" + (stats.decisions.isEmpty ? " none" : "") + "\n"
        for decision in Decision.allCases { if let n = stats.decisions[decision] { out += "  \(decision.rawValue)  \(n)\n" } }
        if !stats.rechecks.isEmpty {
            let total = stats.rechecks.values.reduce(0, +)
            out += "\nrechecked cases, latest verdict: " + RecheckOutcome.allCases.map { "\($0.rawValue) \(stats.rechecks[$0, default: 0])" }
                .joined(separator: ", ") + String(format: " (%.0f%% removed)", Double(stats.rechecks[.removed, default: 0]) * 100 / Double(total)) + "\n"
        }
        out += "\nrules:" + (stats.rules.isEmpty ? " none hit" : "") + "\n"
        guard !stats.rules.isEmpty else { return out }
        let ruleWidth = stats.rules.map(\.rule.count).max()! + 2, categoryWidth = stats.rules.map(\.category.count).max()! + 2
        func row(_ rule: String, _ category: String, _ counts: [String]) -> String {
            "  " + rule.padding(toLength: ruleWidth, withPad: " ", startingAt: 0) + category.padding(toLength: categoryWidth, withPad: " ", startingAt: 0)
                + counts.map { String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined() + "\n"
        }
        out += row("RULE", "CATEGORY", ["REFERRALS", "CASES", "ACTED ON", "NFA", "PRECISION"])
        for line in stats.rules {
            let precision = line.precision.map { String(format: "%.0f%%", $0 * 100) } ?? "-"
            out += row(line.rule, line.category, [String(line.referrals), String(line.cases), String(line.actedOn), String(line.noFurtherAction),
                                                  precision])
        }
        return out
    }
}
