import Encoders
import PageFetch
import TriageRules

/// Assessments as JSON, written by hand: keys sorted (the same order
/// `JSONEncoder` with `.sortedKeys` gives, checked by a test), no spaces, one
/// line. A batch writes one per referral, and Foundation's encoder cost a
/// tenth of a core at a thousand referrals a second.
extension Assessment {
    public func json() -> String { String(decoding: jsonBytes(), as: UTF8.self) }

    /// The JSON as UTF-8 bytes (what the queue stores).
    public func jsonBytes() -> [UInt8] {
        var out = JSONObject()
        out.add("band", string: band.rawValue)
        out.add("canonical_url", string: canonicalURL)
        out.add("case", string: caseID)
        out.add("case_size", int: caseSize)
        out.add("categories", strings: categories)
        out.add("charset", string: charset)
        out.add("content_fingerprint", string: contentFingerprint)
        out.add("content_kind", string: contentKind)
        out.add("contributions", objects: contributions.map(\.object))
        if let fetch { out.add("fetch", object: fetch.object) }
        out.add("hits", objects: hits.map(\.object))
        out.add("notes", strings: notes)
        out.add("page_bytes", int: pageBytes)
        out.add("policy", string: policy)
        out.add("primary_category", string: primaryCategory)
        out.add("referral", string: referral)
        out.add("rules", string: rules)
        out.add("score", int: score)
        out.add("shadow_hits", objects: shadowHits.map(\.object))
        out.add("source", string: source)
        if let timings {
            var t = JSONObject()
            t.add("extract_us", int: timings.extractMicroseconds)
            t.add("scan_us", int: timings.scanMicroseconds)
            out.add("timings", object: t)
        }
        out.add("url", string: url)
        return out.bytes
    }
}

extension Assessment.Contribution {
    var object: JSONObject {
        var out = JSONObject()
        out.add("kind", string: kind)
        out.add("points", int: points)
        out.add("reason", string: reason)
        out.add("rule", string: rule)
        return out
    }
}

extension Assessment.Hit {
    var object: JSONObject {
        var out = JSONObject()
        out.add("category", string: category)
        out.add("evidence", objects: evidence.map(\.object))
        out.add("matches", int: matches)
        out.add("rule", string: rule)
        out.add("severity", int: severity)
        out.add("weight", int: weight)
        return out
    }
}

extension Assessment.Snippet {
    var object: JSONObject {
        var out = JSONObject()
        out.add("after", string: after)
        out.add("before", string: before)
        out.add("end", int: end)
        out.add("hidden", bool: hidden)
        out.add("match", string: match)
        out.add("origin", string: origin)
        out.add("pattern", string: pattern)
        out.add("start", int: start)
        out.add("view", string: view)
        return out
    }
}
