import TextNormalizer

/// What a page says, as the scanner should see it: the text a reader sees
/// and the text around it (title, metadata, alt text, link targets, media
/// sources), each part marked with where it came from and whether it was
/// hidden from readers, and a map from every byte back to the page.
public struct PageText: Sendable {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case html
        case text
        /// Not text at all (an image, a PDF, an archive…), whatever it was
        /// labelled: classified, not parsed.
        case binary(String)

        public var description: String {
            switch self {
            case .html: "html"
            case .text: "text"
            case let .binary(type): "binary (\(type))"
            }
        }
    }

    public let kind: Kind
    /// How the bytes were decoded (nil for binary input).
    public let charset: CharsetDecision?
    /// Every segment's text, one after another, separated by line feeds so
    /// that phrases never join across blocks. UTF-8.
    public let text: [UInt8]
    /// Per byte of `text`: the page bytes it came from (separators map to
    /// an empty range at the boundary they stand for).
    public let map: SourceMap
    public let segments: [Segment]
    /// Anything the extractor had to do about the input: limits reached,
    /// fallbacks taken.
    public let notes: [String]
}

/// A run of `PageText.text` with one origin.
public struct Segment: Sendable, Equatable {
    public enum Origin: String, Sendable, CaseIterable {
        /// Text in the page body (or plain text input).
        case body
        /// The `<title>`.
        case title
        /// `<meta>` description, keywords and Open Graph text.
        case meta
        /// Image `alt` and `title` text.
        case alt
        /// A link target (`href`); its anchor text is body text.
        case link
        /// An `iframe`, `embed`, `video`, `audio` or `source` address.
        case media
        /// A `title` attribute on any other element: shown as a tooltip.
        case tooltip
        /// What the page's markup says it is, as `structure:` tokens mapped
        /// to the markup they come from: `structure:og-type-article`
        /// (Open Graph), `structure:schema-newsarticle` (a schema.org type in
        /// JSON-LD or microdata), `structure:element-article`,
        /// `structure:element-time`, `structure:byline` (an author link or
        /// byline). Context rules read them; like all page text they are
        /// the page's own claims, so context only ever lowers a score within
        /// the policy's cap.
        case structure
    }

    public let origin: Origin
    /// Bytes of `PageText.text`.
    public let range: Range<Int>
    /// Hidden from readers (`hidden`, `aria-hidden="true"`, inline
    /// `display:none` or `visibility:hidden` on it or an ancestor).
    public let hidden: Bool
}

/// Builds `PageText.text`, its map and segments. The text is in a buffer
/// it manages itself (appending a byte is a bounds check and a store, with no
/// per-append uniqueness or capacity bookkeeping); the map is run-length, so
/// a text run copied from the page costs one map entry.
///
/// Its state is touched only by the one extractor that owns it, on one
/// thread, so dynamic exclusivity checks (a runtime call per access to a
/// class's stored property, measurable here) are off for it.
final class SegmentBuilder {
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var map = SourceMap()
    @exclusivity(unchecked) private(set) var segments: [Segment] = []
    /// The segment being built: origin, hidden, first byte.
    @exclusivity(unchecked) private var open: (origin: Segment.Origin, hidden: Bool, from: Int)?

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        bytes = .allocate(capacity: self.capacity)
    }

    deinit {
        bytes.deallocate()
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(count + extra, capacity * 2)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.moveInitialize(from: bytes, count: count)
        bytes.deallocate()
        bytes = new
        capacity = newCapacity
    }

    /// Starts (or continues) a segment of this origin and visibility,
    /// closing the open one if it differs, then runs `fill`.
    func append(_ origin: Segment.Origin, hidden: Bool, _ fill: (SegmentBuilder) -> Void) {
        if let current = open, current.origin != origin || current.hidden != hidden { close() }
        if open == nil {
            if count > 0 && bytes[count - 1] != 0x0A { separator(at: map.lastEnd) }
            open = (origin, hidden, count)
        }
        fill(self)
    }

    /// Whether text of this origin and visibility would continue the open segment.
    func isOpen(_ origin: Segment.Origin, hidden: Bool) -> Bool {
        open.map { $0.origin == origin && $0.hidden == hidden } ?? false
    }

    @inline(__always)
    func byte(_ b: UInt8, from: Int, to: Int) {
        reserve(1)
        bytes[count] = b
        map.append(from: from, to: to)
        count += 1
    }

    /// `length` bytes copied from consecutive source bytes from `sourceStart`.
    func appendRun(_ source: UnsafePointer<UInt8>, count length: Int, sourceStart: Int) {
        reserve(length)
        (bytes + count).update(from: source, count: length)
        map.appendLinear(count: length, from: sourceStart)
        count += length
    }

    /// `length` bytes, each from the source bytes `from..<to` (an attribute
    /// value, mapped to its tag).
    func appendSpan(_ source: UnsafePointer<UInt8>, count length: Int, from: Int, to: Int) {
        reserve(length)
        (bytes + count).update(from: source, count: length)
        map.appendSpan(count: length, from: from, to: to)
        count += length
    }

    /// Ends the open segment: the next text starts a new one, after a line
    /// feed (a block boundary). Inside a segment, tabs, line feeds, form
    /// feeds and carriage returns read as spaces, as a browser shows them:
    /// the line feed between segments is then the only one in the text, and
    /// a phrase wrapped across source lines reads as one. (Byte for byte, so
    /// the map is unchanged.)
    func close() {
        guard let current = open else { return }
        open = nil
        var k = current.from
        // Eight bytes at a time while none is a control character.
        while k + 8 <= count, SWAR.rangeMask(UnsafeRawPointer(bytes + k).loadUnaligned(as: UInt64.self), 0x00, 0x1F) == 0 { k += 8 }
        while k < count {
            let b = bytes[k]
            if b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C { bytes[k] = 0x20 }
            k += 1
        }
        if count > current.from {
            segments.append(Segment(origin: current.origin, range: current.from..<count, hidden: current.hidden))
        }
    }

    private func separator(at offset: Int) {
        byte(0x0A, from: offset, to: offset)
    }

    func finish() -> (text: [UInt8], map: SourceMap, segments: [Segment]) {
        close()
        let text = Array(UnsafeBufferPointer(start: bytes, count: count))
        return (text, map, segments)
    }
}
