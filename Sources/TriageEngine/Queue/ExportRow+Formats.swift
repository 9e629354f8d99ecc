import Encoders
import TriageModel

// Export lines, the same for `triage queue export` and the server's
// `GET /api/v1/export`.

extension ExportRow {
    /// The CSV header row, with its line break.
    public static let csvHeader = "case,state,band,score,primary_category,referrals,url,opened_at,decision,duplicate_of,decided_at,decided_by,reason,rules\n"

    /// One CSV row (RFC 4180, spreadsheet formulas defused), with its line break.
    public var csvLine: String {
        let c = queueCase
        let fields: [String?] = [c.id, c.state.rawValue, c.band.rawValue, String(c.score), c.primaryCategory, String(c.referrals),
                                 c.url, Timestamp(milliseconds: c.openedAt).iso8601, c.decision?.rawValue, c.duplicateOf,
                                 c.decidedAt.map { Timestamp(milliseconds: $0).iso8601 }, c.decidedBy, reason, rules]
        return fields.map { Self.csv($0 ?? "") }.joined(separator: ",") + "\n"
    }

    /// One NDJSON line, with its line break.
    public var jsonLine: String {
        var object = JSONObject()
        object.add("case", object: queueCase.jsonObject)
        object.add("reason", string: reason)
        object.add("rules", string: rules)
        return object.text + "\n"
    }

    /// An aggregate count as a CSV row or an NDJSON line (`triage queue export --aggregate`).
    public static func aggregateLine(group: String, key: String, count: Int, csv: Bool) -> String {
        csv ? "\(Self.csv(group)),\(Self.csv(key)),\(count)\n" : "{\"count\":\(count),\"group\":\(JSON.quoted(group)),\"key\":\(JSON.quoted(key))}\n"
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break; a
    /// leading = + - @ is prefixed with ' so a spreadsheet shows it as text.
    public static func csv(_ field: String) -> String {
        var field = field
        if let first = field.first, "=+-@".contains(first) { field = "'" + field }
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
