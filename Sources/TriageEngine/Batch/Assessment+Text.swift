import Foundation
import TriageModel

extension Assessment {
    /// One line of a batch's text listing: band, score, referral, category,
    /// case (and its size when it has more than one), URL.
    public func listingLine() -> String {
        let band = band.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        let score = String(score)
        var line = band + String(repeating: " ", count: max(0, 3 - score.count)) + score + "  " + referral
        if let primaryCategory { line += "  " + primaryCategory }
        if let caseID { line += "  " + caseID + (caseSize > 1 ? " (\(caseSize))" : "") }
        if let url { line += "  " + url }
        return line + "\n"
    }

    /// For a person: band and score first, then the reasons, then the evidence.
    public func explanation() -> String {
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
