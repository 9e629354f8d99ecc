import Encoders

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

    /// The JSON with its case members left out, where they go, and where
    /// the fetch record stands (`AssessedReferral.serialize()`).
    func jsonWithoutCase() -> (bytes: [UInt8], caseAt: Int, fetch: Range<Int>?) {
        var out = JSONWriter(reservingCapacity: jsonCapacity)
        writeHead(to: &out)
        let at = out.byteCount
        let fetch = writeTail(to: &out)
        return (out.finish(), at, fetch)
    }

    /// The members before the case's (keys sorted: `band`, `canonical_url`).
    private func writeHead(to out: inout JSONWriter) {
        out.beginObject()
        out.member("band", string: band.rawValue)
        out.member("canonical_url", string: canonicalURL)
    }

    static func writeCase(_ id: String?, size: Int, to out: inout JSONWriter) {
        out.member("case", string: id)
        out.member("case_size", int: size)
    }

    /// Returns where the fetch record was written, if there is one.
    @discardableResult
    private func writeTail(to out: inout JSONWriter) -> Range<Int>? {
        var fetchAt: Range<Int>?
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
            let start = out.byteCount
            fetch.write(to: &out)
            fetchAt = start..<out.byteCount
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
        return fetchAt
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
