import Encoders
import PageFetch
import TriageRules

/// Assessments as JSON, written by hand: keys sorted (the same order
/// `JSONEncoder` with `.sortedKeys` gives, checked by a test), no spaces, one
/// line. A batch writes one per referral, and Foundation's encoder cost a
/// tenth of a core at a thousand referrals a second. Everything goes into
/// one `JSONWriter`: with a large rule set an assessment holds dozens of
/// hits and snippets, and building each as its own object, then copying it
/// into its parent, cost a batch 8% of its time (bench-triage, 10k patterns).
extension Assessment {
    public func json() -> String { String(decoding: jsonBytes(), as: UTF8.self) }

    /// The JSON as UTF-8 bytes (what the queue stores).
    public func jsonBytes() -> [UInt8] {
        var out = JSONWriter(reservingCapacity: jsonCapacity)
        write(to: &out)
        return out.finish()
    }

    /// About 1 KiB plus 250 bytes a snippet: one allocation for most.
    private var jsonCapacity: Int {
        let snippets = hits.reduce(0) { $0 + $1.evidence.count } + shadowHits.reduce(0) { $0 + $1.evidence.count }
        return 1024 + 160 * (contributions.count + hits.count) + 256 * snippets
    }

    public func write(to out: inout JSONWriter) {
        writeHead(to: &out)
        Self.writeCase(caseID, size: caseSize, to: &out)
        writeTail(to: &out)
    }

    /// The JSON with its case left out, to be completed once the case is
    /// known: `batch` writes it on the assessing threads, and the one thread
    /// that files cases only copies it around the case's two members.
    public var jsonAwaitingCase: JSONAwaitingCase {
        var out = JSONWriter(reservingCapacity: jsonCapacity)
        writeHead(to: &out)
        let at = out.byteCount
        writeTail(to: &out)
        return JSONAwaitingCase(bytes: out.finish(), caseAt: at)
    }

    /// The members before the case's (keys sorted: `band`, `canonical_url`).
    private func writeHead(to out: inout JSONWriter) {
        out.beginObject()
        out.member("band", string: band.rawValue)
        out.member("canonical_url", string: canonicalURL)
    }

    fileprivate static func writeCase(_ id: String?, size: Int, to out: inout JSONWriter) {
        out.member("case", string: id)
        out.member("case_size", int: size)
    }

    private func writeTail(to out: inout JSONWriter) {
        out.member("categories", strings: categories)
        out.member("charset", string: charset)
        out.member("content_fingerprint", string: contentFingerprint)
        out.member("content_kind", string: contentKind)
        out.key("contributions")
        out.beginArray()
        for contribution in contributions { contribution.write(to: &out) }
        out.endArray()
        if let fetch {
            out.key("fetch")
            fetch.write(to: &out)
        }
        Self.write(hits, as: "hits", to: &out)
        if let incomplete {
            out.key("incomplete")
            out.beginArray()
            for reached in incomplete { reached.write(to: &out) }
            out.endArray()
        }
        out.member("notes", strings: notes)
        out.member("page_bytes", int: pageBytes)
        out.member("policy", string: policy)
        out.member("primary_category", string: primaryCategory)
        out.member("referral", string: referral)
        out.member("rules", string: rules)
        out.member("score", int: score)
        Self.write(shadowHits, as: "shadow_hits", to: &out)
        out.member("source", string: source)
        if let timings {
            out.key("timings")
            out.beginObject()
            out.member("extract_us", int: timings.extractMicroseconds)
            out.member("scan_us", int: timings.scanMicroseconds)
            out.endObject()
        }
        out.member("url", string: url)
        out.endObject()
    }

    private static func write(_ hits: [Hit], as key: StaticString, to out: inout JSONWriter) {
        out.key(key)
        out.beginArray()
        for hit in hits { hit.write(to: &out) }
        out.endArray()
    }
}

extension Assessment.LimitReached {
    func write(to out: inout JSONWriter) {
        out.beginObject()
        out.member("limit", string: limit)
        out.member("value", int: value)
        out.endObject()
    }
}

extension Assessment.Contribution {
    func write(to out: inout JSONWriter) {
        out.beginObject()
        out.member("kind", string: kind)
        out.member("points", int: points)
        out.member("reason", string: reason)
        out.member("rule", string: rule)
        out.endObject()
    }
}

extension Assessment.Hit {
    func write(to out: inout JSONWriter) {
        out.beginObject()
        out.member("category", string: category)
        out.key("evidence")
        out.beginArray()
        for snippet in evidence { snippet.write(to: &out) }
        out.endArray()
        out.member("matches", int: matches)
        out.member("rule", string: rule)
        out.member("severity", int: severity)
        out.member("weight", int: weight)
        out.endObject()
    }
}

extension Assessment.Snippet {
    func write(to out: inout JSONWriter) {
        out.beginObject()
        out.member("after", string: after)
        out.member("before", string: before)
        out.member("end", int: end)
        out.member("hidden", bool: hidden)
        out.member("match", string: match)
        out.member("origin", string: origin)
        out.member("pattern", string: pattern)
        out.member("start", int: start)
        out.member("view", string: view)
        out.endObject()
    }
}

/// An assessment's JSON without its case (`Assessment.jsonAwaitingCase`).
public struct JSONAwaitingCase: Sendable {
    /// The JSON with the case's members left out.
    public let bytes: [UInt8]
    /// Where they go: after the members before them, each of which ends
    /// here without a comma (the members after begin with theirs).
    let caseAt: Int

    /// The assessment's JSON, byte for byte `jsonBytes()` of the assessment
    /// with this case.
    public func completed(caseID: String?, caseSize: Int) -> [UInt8] {
        var members = JSONWriter(reservingCapacity: 64)
        members.beginObject()
        Assessment.writeCase(caseID, size: caseSize, to: &members)
        // `{"case":…,"case_size":N`: the brace gives way to a comma.
        let middle = members.finish().dropFirst()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + middle.count + 1)
        out += bytes[..<caseAt]
        out.append(UInt8(ascii: ","))
        out += middle
        out += bytes[caseAt...]
        return out
    }
}
