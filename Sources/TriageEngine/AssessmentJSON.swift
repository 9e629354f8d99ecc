import TriageRules

/// Assessments as JSON, written by hand: keys sorted (the same order
/// `JSONEncoder` with `.sortedKeys` gives, checked by a test), no spaces, one
/// line. A batch writes one per referral, and Foundation's encoder cost a
/// tenth of a core at a thousand referrals a second.
extension Assessment {
    public func json() -> String {
        var out = JSONObject()
        out.add("band", string: band.rawValue)
        out.add("canonical_url", string: canonicalURL)
        out.add("case", string: caseID)
        out.add("case_size", int: caseSize)
        out.add("categories", raw: "[" + categories.map(JSON.quoted).joined(separator: ",") + "]")
        out.add("charset", string: charset)
        out.add("content_fingerprint", string: contentFingerprint)
        out.add("content_kind", string: contentKind)
        out.add("contributions", raw: "[" + contributions.map(\.json).joined(separator: ",") + "]")
        out.add("hits", raw: "[" + hits.map(\.json).joined(separator: ",") + "]")
        out.add("notes", raw: "[" + notes.map(JSON.quoted).joined(separator: ",") + "]")
        out.add("page_bytes", int: pageBytes)
        out.add("policy", string: policy)
        out.add("primary_category", string: primaryCategory)
        out.add("referral", string: referral)
        out.add("rules", string: rules)
        out.add("score", int: score)
        out.add("shadow_hits", raw: "[" + shadowHits.map(\.json).joined(separator: ",") + "]")
        out.add("source", string: source)
        if let timings {
            var t = JSONObject()
            t.add("extract_us", int: timings.extractMicroseconds)
            t.add("scan_us", int: timings.scanMicroseconds)
            out.add("timings", raw: t.text)
        }
        out.add("url", string: url)
        return out.text
    }
}

extension Assessment.Contribution {
    var json: String {
        var out = JSONObject()
        out.add("kind", string: kind)
        out.add("points", int: points)
        out.add("reason", string: reason)
        out.add("rule", string: rule)
        return out.text
    }
}

extension Assessment.Hit {
    var json: String {
        var out = JSONObject()
        out.add("category", string: category)
        out.add("evidence", raw: "[" + evidence.map(\.json).joined(separator: ",") + "]")
        out.add("matches", int: matches)
        out.add("rule", string: rule)
        out.add("severity", int: severity)
        out.add("weight", int: weight)
        return out.text
    }
}

extension Assessment.Snippet {
    var json: String {
        var out = JSONObject()
        out.add("after", string: after)
        out.add("before", string: before)
        out.add("end", int: end)
        out.add("hidden", raw: hidden ? "true" : "false")
        out.add("match", string: match)
        out.add("origin", string: origin)
        out.add("pattern", string: pattern)
        out.add("start", int: start)
        out.add("view", string: view)
        return out.text
    }
}

/// Members added in key order; nil values are left out, as `JSONEncoder`
/// leaves out nil optionals.
public struct JSONObject {
    private var members: [String] = []

    public init() {}

    public mutating func add(_ key: String, raw value: String) { members.append(JSON.quoted(key) + ":" + value) }
    public mutating func add(_ key: String, string value: String?) { if let value { add(key, raw: JSON.quoted(value)) } }
    public mutating func add(_ key: String, int value: Int?) { if let value { add(key, raw: String(value)) } }

    public var text: String { "{" + members.joined(separator: ",") + "}" }
}
