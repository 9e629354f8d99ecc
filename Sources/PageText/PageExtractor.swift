import TextNormalizer

/// Turns page bytes into `PageText`: binary content is classified, text is
/// decoded (see `CharsetDecision` for the order of evidence), and HTML is
/// streamed through libxml2 (`HTMLExtractor`). Deterministic: the same bytes
/// and labels always give the same result.
///
/// One extractor per task; it holds no state between pages.
public struct PageExtractor: Sendable {
    /// Pages above this size are cut here (and a note says so).
    public var maxBytes = 64 << 20

    public init() {}

    /// What kind of content `contentType` (a `Content-Type` value) claims.
    public enum Declared: Sendable {
        case html, text, unknown
    }

    public func extract(_ page: [UInt8], contentType: String? = nil) -> PageText {
        var notes: [String] = []
        var bytes = page
        if bytes.count > maxBytes {
            notes.append("the page is \(bytes.count) bytes; only the first \(maxBytes) were read")
            bytes.removeLast(bytes.count - maxBytes)
        }
        let (mediaType, transportCharset) = Self.parse(contentType)
        if let type = bytes.withUnsafeBytes({ ContentSniffer.binaryType($0) }) {
            return PageText(kind: .binary(type), charset: nil, text: [], map: SourceMap(), segments: [],
                            notes: notes + ["binary content (\(type))" + (mediaType.map { " labelled \($0)" } ?? "") + ": not parsed as text"])
        }
        let decision = bytes.withUnsafeBytes { Charset.decide($0, transport: transportCharset) }
        // Valid UTF-8 without a byte-order mark (most pages) is its own text:
        // no copy, and offsets into it are offsets into the page.
        let identity = decision.name == "utf-8" && !(bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            && (decision.source == .validUTF8 || bytes.withUnsafeBytes { Charset.isValidUTF8($0) })
        let decoded = identity ? nil : bytes.withUnsafeBytes { Charset.decode($0, as: decision.name) }
        let utf8 = decoded?.bytes ?? bytes
        let isHTML = Self.looksLikeHTML(mediaType: mediaType, utf8)
        guard isHTML else {
            let out = SegmentBuilder(capacity: utf8.count)
            out.append(.body, hidden: false) { out in
                utf8.withUnsafeBufferPointer { if let base = $0.baseAddress { out.appendRun(base, count: $0.count, sourceStart: 0) } }
            }
            let (text, map, segments) = out.finish()
            return PageText(kind: .text, charset: decision, text: text, map: decoded.map { map.composed(with: $0.map) } ?? map,
                            segments: segments, notes: notes)
        }
        // HTML: guard against quadratic attribute lists, then parse the
        // UTF-8 text; offsets into it are then mapped to the page's bytes.
        var html = utf8
        let cut = AttributeGuard.apply(&html, limit: HTMLExtractor.maxAttributes)
        if cut > 0 { notes.append("\(cut) tag(s) with more than \(HTMLExtractor.maxAttributes) attributes were cut short before parsing") }
        let builder = html.withUnsafeBytes { buffer in
            let extractor = HTMLExtractor(html: buffer)
            let out = extractor.run()
            notes += extractor.notes
            return out
        }
        let (text, utf8Map, segments) = builder.finish()
        let map = decoded.map { utf8Map.composed(with: $0.map) } ?? utf8Map
        return PageText(kind: .html, charset: decision, text: text, map: map, segments: segments, notes: notes)
    }

    /// The media type and charset parameter of a `Content-Type` value.
    static func parse(_ contentType: String?) -> (String?, String?) {
        guard let contentType else { return (nil, nil) }
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        let type = parts.first.map { String($0).trimmingASCIIWhitespace().lowercased() }
        return (type?.isEmpty == true ? nil : type, MetaPrescan.charsetParameter(contentType))
    }

    /// HTML if labelled so, or unlabelled and starting (after space) with a
    /// tag; `text/plain` is never parsed as markup.
    static func looksLikeHTML(mediaType: String?, _ text: [UInt8]) -> Bool {
        switch mediaType {
        case "text/html", "application/xhtml+xml": return true
        case "text/plain": return false
        default:
            guard let first = text.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C }) else { return false }
            return text[first] == 0x3C
        }
    }
}
