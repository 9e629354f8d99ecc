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
    }

    public let origin: Origin
    /// Bytes of `PageText.text`.
    public let range: Range<Int>
    /// Hidden from readers (`hidden`, `aria-hidden="true"`, inline
    /// `display:none` or `visibility:hidden` on it or an ancestor).
    public let hidden: Bool
}

/// Builds `PageText.text`, its map and segments.
struct SegmentBuilder {
    var text: [UInt8] = []
    var start: [UInt32] = []
    var end: [UInt32] = []
    var segments: [Segment] = []
    /// The segment being built: origin, hidden, first byte.
    private var open: (origin: Segment.Origin, hidden: Bool, from: Int)?

    init(capacity: Int) {
        text.reserveCapacity(capacity)
        start.reserveCapacity(capacity)
        end.reserveCapacity(capacity)
    }

    /// Appends bytes to the segment of this origin and visibility, closing
    /// the open one if it differs.
    mutating func append(_ origin: Segment.Origin, hidden: Bool, _ fill: (inout SegmentBuilder) -> Void) {
        if let current = open, current.origin != origin || current.hidden != hidden { close() }
        if open == nil {
            if !text.isEmpty && text.last != 0x0A { separator(at: Int(end.last ?? 0)) }
            open = (origin, hidden, text.count)
        }
        fill(&self)
    }

    /// Whether text of this origin and visibility would continue the open segment.
    func isOpen(_ origin: Segment.Origin, hidden: Bool) -> Bool {
        open.map { $0.origin == origin && $0.hidden == hidden } ?? false
    }

    /// `count` bytes copied from consecutive source bytes from `sourceStart`.
    mutating func appendRun(_ bytes: UnsafePointer<UInt8>, count: Int, sourceStart: Int) {
        let old = text.count
        text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        start.append(contentsOf: repeatElement(0, count: count))
        end.append(contentsOf: repeatElement(0, count: count))
        let base = UInt32(truncatingIfNeeded: sourceStart)
        start.withUnsafeMutableBufferPointer { s in
            end.withUnsafeMutableBufferPointer { e in
                for k in 0..<count {
                    s[old + k] = base &+ UInt32(truncatingIfNeeded: k)
                    e[old + k] = base &+ UInt32(truncatingIfNeeded: k + 1)
                }
            }
        }
    }

    /// Room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        let needed = text.count + count
        if needed > text.capacity {
            let capacity = max(needed, text.capacity * 2)
            text.reserveCapacity(capacity)
            start.reserveCapacity(capacity)
            end.reserveCapacity(capacity)
        }
    }

    @inline(__always)
    mutating func byte(_ b: UInt8, from: Int, to: Int) {
        text.append(b)
        start.append(UInt32(truncatingIfNeeded: from))
        end.append(UInt32(truncatingIfNeeded: to))
    }

    /// Ends the open segment: the next text starts a new one, after a line
    /// feed (a block boundary).
    mutating func close() {
        guard let current = open else { return }
        open = nil
        if text.count > current.from {
            segments.append(Segment(origin: current.origin, range: current.from..<text.count, hidden: current.hidden))
        }
    }

    private mutating func separator(at offset: Int) {
        byte(0x0A, from: offset, to: offset)
    }

    mutating func finish() -> (text: [UInt8], map: SourceMap, segments: [Segment]) {
        close()
        return (text, SourceMap(start: start, end: end), segments)
    }
}
