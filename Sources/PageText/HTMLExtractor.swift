internal import CLibXML2
import TextNormalizer
#if canImport(Glibc)
import Glibc
#endif

/// Streams UTF-8 HTML through libxml2's SAX parser and collects what a
/// reader sees (see `PageText`). No tree is built: memory is the output plus
/// libxml2's stack of open elements.
///
/// Offsets: libxml2 is given UTF-8 (our decoder's output), so its read
/// position is an offset into that buffer. Each text event is aligned with
/// the raw bytes between the previous event and this one (entities and CR LF
/// pairs account for the differences); attribute text maps to its whole tag.
final class HTMLExtractor {
    /// Attributes per start tag beyond which the rest of the tag is blanked
    /// before parsing (libxml2's duplicate-attribute check is quadratic).
    static let maxAttributes = 1_000

    private let html: UnsafeRawBufferPointer
    private let out: SegmentBuilder
    @exclusivity(unchecked) private var context: htmlParserCtxtPtr?
    /// Where the previous event ended in `html`.
    @exclusivity(unchecked) private var last = 0
    /// The furthest position any event saw.
    @exclusivity(unchecked) private var furthest = 0
    @exclusivity(unchecked) private var stack: [Element] = []
    private let names = NameCache()
    @exclusivity(unchecked) private var excludedDepth = 0
    @exclusivity(unchecked) private var hiddenDepth = 0
    @exclusivity(unchecked) private var inTitle = 0
    private(set) var notes: [String] = []
    /// Attribute text waiting for its block to end (see `attributeText`).
    private var deferred: [(bytes: [UInt8], origin: Segment.Origin, hidden: Bool, tag: Range<Int>)] = []
    /// Structure tokens already given (each is said once per page).
    private var structureSeen: Set<[UInt8]> = []
    /// Where the content of an open JSON-LD script starts.
    private var jsonLDStart: Int?
    static let maxStructureTokens = 32
    /// JSON-LD read per script, from its start.
    static let maxJSONLD = 256 << 10

    struct Element {
        let kind: ElementKind
        let hidden: Bool
    }

    init(html: UnsafeRawBufferPointer) {
        self.html = html
        out = SegmentBuilder(capacity: html.count / 2)
    }

    deinit {
        names.deallocate()
    }

    /// Parses the whole buffer.
    func run() -> SegmentBuilder {
        var sax = htmlSAXHandler()
        sax.startElement = { ctx, name, attributes in HTMLExtractor.with(ctx) { $0.start(name, attributes) } }
        sax.endElement = { ctx, name in HTMLExtractor.with(ctx) { $0.end(name) } }
        sax.characters = { ctx, ch, length in HTMLExtractor.with(ctx) { $0.characters(ch, Int(length)) } }
        sax.ignorableWhitespace = sax.characters
        sax.cdataBlock = { ctx, _, _ in HTMLExtractor.with(ctx) { $0.skip() } }
        sax.comment = { ctx, _ in HTMLExtractor.with(ctx) { $0.skip() } }
        sax.processingInstruction = { ctx, _, _ in HTMLExtractor.with(ctx) { $0.skip() } }
        let unmanaged = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = htmlCreatePushParserCtxt(&sax, unmanaged, nil, 0, nil, XML_CHAR_ENCODING_UTF8) else {
            notes.append("the HTML parser could not be created")
            return out
        }
        context = ctxt
        defer {
            htmlFreeParserCtxt(ctxt)
            context = nil
        }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_HUGE.rawValue)
        htmlCtxtUseOptions(ctxt, options)
        // Fed in chunks, so libxml2 never holds more than a chunk ahead.
        let chunk = 1 << 16
        var offset = 0
        while offset < html.count {
            let size = min(chunk, html.count - offset)
            let base = html.baseAddress!.assumingMemoryBound(to: CChar.self) + offset
            offset += size
            if htmlParseChunk(ctxt, base, Int32(size), offset >= html.count ? 1 : 0) != 0 && ctxt.pointee.disableSAX != 0 { break }
            if ctxt.pointee.disableSAX != 0 { break }
        }
        if html.isEmpty { htmlParseChunk(ctxt, nil, 0, 1) }
        position()
        closeBlock()
        // A parse that stopped early (libxml2's depth limit, a fatal error)
        // leaves text unseen: read the rest as raw text.
        if ctxt.pointee.disableSAX != 0 || furthest < html.count - 1 {
            let from = furthest
            if from < html.count {
                notes.append("the HTML parser stopped at byte \(from) of \(html.count); the rest was read as raw text")
                RawText.strip(UnsafeRawBufferPointer(rebasing: html[from...]), base: from, into: out)
            }
        }
        return out
    }

    /// Runs `body` on the extractor behind a callback's context pointer,
    /// without retaining it (`run` holds it for the whole parse).
    @inline(__always)
    private static func with(_ ctx: UnsafeMutableRawPointer?, _ body: (HTMLExtractor) -> Void) {
        guard let ctx else { return }
        Unmanaged<HTMLExtractor>.fromOpaque(ctx)._withUnsafeGuaranteedRef(body)
    }

    /// The parser's position in `html`.
    @discardableResult
    private func position() -> Int {
        guard let ctxt = context, let input = ctxt.pointee.input, let cur = input.pointee.cur, let base = input.pointee.base else { return last }
        let p = min(Int(input.pointee.consumed) + (cur - base), html.count)
        furthest = max(furthest, p)
        return p
    }

    private func skip() {
        last = max(last, position())
    }

    private var visibleOrigin: Segment.Origin? {
        if inTitle > 0 { return .title }
        return excludedDepth > 0 ? nil : .body
    }

    private func start(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        let tagStart = last
        var tagEnd = max(position(), tagStart)
        // libxml2 reports a start tag before it consumes the closing `>`.
        if tagEnd < html.count && html[tagEnd] == 0x3E { tagEnd += 1 }
        last = tagEnd
        let kind = names.element(name)
        var hidden = hiddenDepth > 0
        var tooltip: UnsafePointer<xmlChar>?
        let tag = tagStart..<tagEnd
        // First pass over the attributes: does this element hide its
        // content, has it a tooltip, and does it say what the page is?
        if let attributes {
            var k = 0
            while let attributeName = attributes[k] {
                let value = attributes[k + 1]
                k += 2
                switch names.attribute(attributeName) {
                case .title where kind != .img: tooltip = value
                case .hidden: hidden = true
                case .ariaHidden where value.map { Self.equalsIgnoringCase($0, "true") } ?? false: hidden = true
                case .style where value.map(Self.hidesContent) ?? false: hidden = true
                case .rel where value.map { Self.hasWord($0, "author") } ?? false,
                     .itemprop where value.map { Self.hasWord($0, "author") } ?? false,
                     .class where value.map { Self.containsIgnoringCase($0, "byline") } ?? false:
                    structure(Array("byline".utf8), at: tag)
                case .itemtype:
                    if let value, let type = Self.schemaType(Array(UnsafeBufferPointer(start: value, count: Int(xmlStrlen(value))))) {
                        structure(Array("schema-".utf8) + type, at: tag)
                    }
                case .type where kind == .script && value.map { Self.equalsIgnoringCase($0, "application/ld+json") } ?? false:
                    jsonLDStart = tagEnd
                default: break
                }
            }
        }
        if kind == .article { structure(Array("element-article".utf8), at: tag) }
        if kind == .time { structure(Array("element-time".utf8), at: tag) }
        if kind.isBlock { closeBlock() }
        stack.append(Element(kind: kind, hidden: hidden))
        if hidden { hiddenDepth += 1 }
        if kind.isExcluded { excludedDepth += 1 }
        if kind == .title { inTitle += 1 }
        // A title on any element but an image (whose title is read with its
        // alt text) is a tooltip a reader sees on hovering; not in the head.
        if let tooltip, excludedDepth == 0 { attributeText(tooltip, .tooltip, hidden: hidden, tag: tagStart..<tagEnd) }
        // Second pass, only for elements with readable attributes.
        guard kind != .other && kind != .block, let attributes else {
            if kind == .br { lineBreak(tag: tagStart..<tagEnd) }
            return
        }
        var metaName: UnsafePointer<xmlChar>?
        var metaContent: UnsafePointer<xmlChar>?
        var k = 0
        while let attributeName = attributes[k] {
            let value = attributes[k + 1]
            k += 2
            guard let value else { continue }
            switch (kind, names.attribute(attributeName)) {
            case (.img, .alt), (.img, .title), (.area, .alt), (.input, .alt):
                attributeText(value, .alt, hidden: hidden, tag: tagStart..<tagEnd)
            case (.a, .href), (.area, .href):
                attributeText(value, .link, hidden: hidden, tag: tagStart..<tagEnd)
            case (.iframe, .src), (.embed, .src), (.video, .src), (.audio, .src), (.source, .src), (.object, .data), (.video, .poster):
                attributeText(value, .media, hidden: hidden, tag: tagStart..<tagEnd)
            case (.meta, .name), (.meta, .property): metaName = value
            case (.meta, .content): metaContent = value
            default: break
            }
        }
        if kind == .meta, let metaName, let metaContent, Self.isReadableMeta(metaName) {
            attributeText(metaContent, .meta, hidden: false, tag: tagStart..<tagEnd)
        }
        if kind == .meta, let metaName, let metaContent, Self.equalsIgnoringCase(metaName, "og:type") {
            let type = Self.token(Array(UnsafeBufferPointer(start: metaContent, count: Int(xmlStrlen(metaContent)))))
            if !type.isEmpty { structure(Array("og-type-".utf8) + type, at: tag) }
        }
        if kind == .br { lineBreak(tag: tagStart..<tagEnd) }
    }

    private func end(_ name: UnsafePointer<xmlChar>?) {
        let contentEnd = last
        last = max(last, position())
        guard let element = stack.popLast() else { return }
        if element.kind == .script, let start = jsonLDStart {
            jsonLDStart = nil
            readJSONLD(start..<max(start, min(contentEnd, start + Self.maxJSONLD)))
        }
        if element.hidden { hiddenDepth -= 1 }
        if element.kind.isExcluded { excludedDepth -= 1 }
        if element.kind == .title { inTitle -= 1 }
        if element.kind.isBlock || element.kind == .title { closeBlock() }
    }

    /// Text: aligned byte by byte with the raw bytes it was parsed from.
    private func characters(_ ch: UnsafePointer<xmlChar>?, _ length: Int) {
        let from = last
        let to = max(position(), from)
        last = to
        guard let ch, length > 0, let origin = visibleOrigin else { return }
        // libxml2 hands long runs over in pieces, and its position can lag
        // a piece's end by a character or two: the next piece then starts
        // where this one's bytes ended, not at the parser's position, or
        // every offset after it drifts.
        defer { if let aligned = alignedEnd { last = max(aligned, to) } }
        alignedEnd = nil
        let hidden = hiddenDepth > 0
        // Whitespace where no text has started (between blocks) is layout.
        if !out.isOpen(origin, hidden: hidden) && Self.isWhitespace(ch, length) { return }
        out.append(origin, hidden: hidden) { out in
            var r = from
            // The `>` of a tag reported before it was consumed.
            if r < to && html[r] == 0x3E && ch[0] != 0x3E { r += 1 }
            // The text may run a character or two past the parser's reported
            // position (libxml2 hands a long run over in pieces, and its
            // position lags the piece's end): bytes are aligned as far as the
            // page goes, and only bytes nothing explains fall back to `to`.
            let end = html.count
            // Usually the text is exactly the raw bytes: copy it as a run.
            if end - r >= length && memcmp(html.baseAddress! + r, ch, length) == 0 {
                out.appendRun(ch, count: length, sourceStart: r)
                alignedEnd = droppedReferences(at: r + length, before: end, into: out)
                return
            }
            var explained = true
            out.reserve(length)
            var entity: Range<Int>?
            for o in 0..<length {
                let c = ch[o]
                // libxml2 turns CR LF and lone CR into LF.
                while r < end && html[r] == 0x0D && c != 0x0D { r += 1 }
                if c < 0x80 || c >= 0xC0 { r = droppedReferences(at: r, before: end, into: out) }
                if r < end && html[r] == c && c != 0x26 {
                    out.byte(c, from: r, to: r + 1)
                    r += 1
                    entity = nil
                } else if r < end && html[r] == 0x26 {
                    // An entity or character reference: `&name;`, `&#123;`.
                    var e = r + 1
                    while e < end && e - r < 40 && (Self.isNameByte(html[e]) || html[e] == 0x23) { e += 1 }
                    if e < end && html[e] == 0x3B { e += 1 }
                    if e == r + 1 {
                        // A bare ampersand.
                        out.byte(c, from: r, to: r + 1)
                        r += 1
                        entity = nil
                    } else {
                        out.byte(c, from: r, to: e)
                        entity = r..<e
                        r = e
                    }
                } else if let current = entity {
                    // More bytes of the character an entity produced.
                    out.byte(c, from: current.lowerBound, to: current.upperBound)
                } else {
                    // Not explained by the raw bytes: the rest of this event.
                    out.byte(c, from: min(r, to), to: to)
                    explained = false
                }
            }
            r = droppedReferences(at: r, before: end, into: out)
            if explained { alignedEnd = r }
        }
    }

    /// Character references that libxml2 drops without a trace, written as
    /// HTML reads them, each mapped to its `&#…;`: U+FFFD for `&#0;`, a
    /// surrogate or a number past U+10FFFF, the character itself for the
    /// other numbers libxml2 refuses (controls, U+FFFE), and `&#;` or `&#x;`
    /// as the literal text it is. Returns where the page's bytes go on.
    private func droppedReferences(at start: Int, before end: Int, into out: SegmentBuilder) -> Int {
        var r = start
        while r + 1 < end && html[r] == 0x26 && html[r + 1] == 0x23 {
            var e = r + 2
            let hex = e < end && (html[e] | 0x20) == 0x78
            if hex { e += 1 }
            let digitsStart = e
            var value: UInt32 = 0
            while e < end, let digit = Self.digitValue(html[e], hex: hex) {
                value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + digit
                e += 1
            }
            let digits = e > digitsStart
            if e < end && html[e] == 0x3B { e += 1 }
            let produced: [UInt8]
            if !digits {
                produced = Array(html[r..<e])
            } else if Self.libxml2Keeps(value) {
                return r
            } else if value == 0 || (0xD800...0xDFFF).contains(value) || value > 0x10FFFF {
                produced = [0xEF, 0xBF, 0xBD]
            } else {
                produced = UTF8Decoding.encode(value)
            }
            for b in produced { out.byte(b, from: r, to: e) }
            r = e
        }
        return r
    }

    @inline(__always) private static func digitValue(_ b: UInt8, hex: Bool) -> UInt32? {
        if b >= 0x30 && b <= 0x39 { return UInt32(b - 0x30) }
        guard hex else { return nil }
        let lower = b | 0x20
        return lower >= 0x61 && lower <= 0x66 ? UInt32(lower - 0x61 + 10) : nil
    }

    /// The code points libxml2 2.9's character references produce (XML's
    /// `Char`): tab, line feed, carriage return, U+0020-U+D7FF,
    /// U+E000-U+FFFD, U+10000-U+10FFFF.
    private static func libxml2Keeps(_ value: UInt32) -> Bool {
        value == 0x09 || value == 0x0A || value == 0x0D || (0x20...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value)
            || (0x10000...0x10FFFF).contains(value)
    }

    /// Where the last text event's bytes ended in the page, when every byte
    /// of it was aligned with the page's.
    private var alignedEnd: Int?

    @inline(__always)
    private static func isWhitespace(_ ch: UnsafePointer<xmlChar>, _ length: Int) -> Bool {
        for k in 0..<length {
            let c = ch[k]
            guard c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C else { return false }
        }
        return true
    }

    /// Attribute text (a link's address, an image's alt text, a meta
    /// description) is a part of its own, mapped to its tag. It waits until
    /// the block around it ends, so the running text goes on across the
    /// element: `join <a href=…>our ranks</a>` is one phrase.
    private func attributeText(_ value: UnsafePointer<xmlChar>, _ origin: Segment.Origin, hidden: Bool, tag: Range<Int>) {
        let length = Int(xmlStrlen(value))
        guard length > 0 else { return }
        deferred.append((Array(UnsafeBufferPointer(start: value, count: length)), origin, hidden, tag))
    }

    /// A `structure:` token (`Segment.Origin.structure`) for what the markup
    /// at `tag` says the page is; once per page, at most
    /// `maxStructureTokens`.
    private func structure(_ token: [UInt8], at tag: Range<Int>) {
        guard structureSeen.count < Self.maxStructureTokens, structureSeen.insert(token).inserted else { return }
        deferred.append((Array("structure:".utf8) + token, .structure, false, tag))
    }

    /// The schema.org types a JSON-LD script declares (`"@type": "NewsArticle"`
    /// or a list of them), each a structure token mapped to its value's
    /// bytes. Read from the page's bytes as they are: a script's content is
    /// not decoded by the parser.
    private func readJSONLD(_ range: Range<Int>) {
        let key = Array("\"@type\"".utf8)
        var i = range.lowerBound
        func skipSpace() { while i < range.upperBound, [0x20, 0x09, 0x0A, 0x0D].contains(html[i]) { i += 1 } }
        func string() -> Range<Int>? {
            guard i < range.upperBound, html[i] == 0x22 else { return nil }
            let start = i + 1
            var j = start
            while j < range.upperBound, html[j] != 0x22, j - start < 64 { j += 1 }
            guard j < range.upperBound, html[j] == 0x22 else { return nil }
            i = j + 1
            return start..<j
        }
        func emit(_ value: Range<Int>) {
            if let type = Self.schemaType(Array(html[value])) { structure(Array("schema-".utf8) + type, at: value) }
        }
        while i + key.count <= range.upperBound {
            guard html[i] == 0x22, html[i..<(i + key.count)].elementsEqual(key) else { i += 1; continue }
            i += key.count
            skipSpace()
            guard i < range.upperBound, html[i] == 0x3A else { continue }
            i += 1
            skipSpace()
            if let value = string() { emit(value); continue }
            guard i < range.upperBound, html[i] == 0x5B else { continue }
            i += 1
            while true {
                skipSpace()
                guard let value = string() else { break }
                emit(value)
                skipSpace()
                guard i < range.upperBound, html[i] == 0x2C else { break }
                i += 1
            }
        }
    }

    /// A schema.org type name from a type value or an `itemtype` address
    /// (`NewsArticle`, `https://schema.org/NewsArticle`, `schema:Report`):
    /// its last path segment, as a token.
    static func schemaType(_ value: [UInt8]) -> [UInt8]? {
        let last = value.split(whereSeparator: { $0 == 0x2F || $0 == 0x3A || $0 == 0x23 }).last.map(Array.init) ?? []
        let type = token(last)
        return type.isEmpty ? nil : type
    }

    /// Letters and digits of `value`, lower-cased, at most 40 (anything else
    /// ends the token): a structure token carries nothing else of the page.
    static func token(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in value.drop(while: { $0 == 0x20 }) {
            let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            guard (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39), out.count < 40 else { break }
            out.append(lower)
        }
        return out
    }

    /// Ends the running text's part at a block boundary, then adds the
    /// attribute text met inside it.
    private func closeBlock() {
        out.close()
        guard !deferred.isEmpty else { return }
        for part in deferred {
            out.append(part.origin, hidden: part.hidden) { out in
                part.bytes.withUnsafeBufferPointer { out.appendSpan($0.baseAddress!, count: $0.count, from: part.tag.lowerBound, to: part.tag.upperBound) }
            }
            out.close()
        }
        deferred.removeAll(keepingCapacity: true)
    }

    /// `<br>` inside running text: a space, mapped to the tag (the text
    /// goes on, as a reader reads on to the next line).
    private func lineBreak(tag: Range<Int>) {
        let hidden = hiddenDepth > 0
        guard let origin = visibleOrigin, out.isOpen(origin, hidden: hidden) else { return }
        out.append(origin, hidden: hidden) { out in out.byte(0x20, from: tag.lowerBound, to: tag.upperBound) }
    }

    @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func equalsIgnoringCase(_ value: UnsafePointer<xmlChar>, _ word: String) -> Bool {
        var k = 0
        for w in word.utf8 {
            let b = value[k]
            guard b != 0, (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) == w else { return false }
            k += 1
        }
        return value[k] == 0
    }

    /// An inline style that hides its element.
    /// `value` has `word` as one of its space-separated words, ignoring case.
    static func hasWord(_ value: UnsafePointer<xmlChar>, _ word: StaticString) -> Bool {
        let target = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        var start = 0
        while true {
            while value[start] == 0x20 { start += 1 }
            if value[start] == 0 { return false }
            var end = start
            while value[end] != 0 && value[end] != 0x20 { end += 1 }
            if end - start == target.count && (0..<target.count).allSatisfy({ value[start + $0] | 0x20 == target[$0] }) { return true }
            start = end
        }
    }

    /// `value` contains `needle` (lower-case ASCII), ignoring case.
    static func containsIgnoringCase(_ value: UnsafePointer<xmlChar>, _ needle: StaticString) -> Bool {
        // Without copying: this runs on every class attribute of every page.
        let target = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        var start = 0
        while value[start] != 0 {
            var k = 0
            while k < target.count, value[start + k] != 0, value[start + k] | 0x20 == target[k] { k += 1 }
            if k == target.count { return true }
            start += 1
        }
        return false
    }

    static func hidesContent(_ style: UnsafePointer<xmlChar>) -> Bool {
        var compact: [UInt8] = []
        var k = 0
        while style[k] != 0 && compact.count < 4096 {
            let b = style[k]
            if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { compact.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
            k += 1
        }
        return contains(compact, Self.displayNone) || contains(compact, Self.visibilityHidden)
    }

    private static let displayNone = Array("display:none".utf8), visibilityHidden = Array("visibility:hidden".utf8)

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// `<meta>` names whose content readers (and search engines) see.
    static func isReadableMeta(_ name: UnsafePointer<xmlChar>) -> Bool {
        ["description", "keywords", "og:title", "og:description", "twitter:title", "twitter:description"]
            .contains { equalsIgnoringCase(name, $0) }
    }
}
