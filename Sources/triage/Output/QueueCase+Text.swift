import Encoders
import TriageModel
import TriageEngine

extension QueueCase {
    /// One line of `queue list`.
    func line(now: Int64) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        let age = Timestamp.age(now - openedAt)
        var line = pad(band.rawValue, 8) + pad(String(score), 6) + pad(id, 22) + pad(state.rawValue, 10) + pad(age, 6)
            + pad(String(referrals), 5) + pad(overdue ? "overdue" : "", 8) + pad(primaryCategory ?? "-", 34)
        if let officer { line += officer + "  " }
        if let decision { line += decision.rawValue + (duplicateOf.map { " " + $0 } ?? "") + "  " }
        line += url ?? ""
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    static let header = "BAND    SCORE CASE                  STATE     AGE   REFS SLA     CATEGORY"

}
