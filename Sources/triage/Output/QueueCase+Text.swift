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


    var json: String {
        var out = JSONObject()
        out.add("band", string: band.rawValue)
        out.add("decided_at", string: decidedAt.map { Timestamp(milliseconds: $0).iso8601 })
        out.add("decided_by", string: decidedBy)
        out.add("decision", string: decision?.rawValue)
        out.add("duplicate_of", string: duplicateOf)
        out.add("id", string: id)
        out.add("lease_until", string: leaseUntil.map { Timestamp(milliseconds: $0).iso8601 })
        out.add("officer", string: officer)
        out.add("opened_at", string: Timestamp(milliseconds: openedAt).iso8601)
        out.add("overdue", raw: overdue ? "true" : "false")
        out.add("primary_category", string: primaryCategory)
        out.add("referrals", int: referrals)
        out.add("score", int: score)
        out.add("state", string: state.rawValue)
        out.add("updated_at", string: Timestamp(milliseconds: updatedAt).iso8601)
        out.add("url", string: url)
        return out.text
    }
}
