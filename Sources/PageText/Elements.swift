internal import CLibXML2

/// The HTML elements extraction treats specially, recognised from libxml2's
/// (lower-case) names without building strings.
enum ElementKind: Equatable {
    case a, area, img, input, meta, title, br, iframe, embed, video, audio, source, object
    case script, style, template, head
    /// Read for what they say about the page (`Segment.Origin.structure`).
    case article, time
    case block
    case other

    static let table: [String: ElementKind] = {
        var t: [String: ElementKind] = [
            "a": .a, "area": .area, "img": .img, "input": .input, "meta": .meta, "title": .title, "br": .br,
            "iframe": .iframe, "embed": .embed, "video": .video, "audio": .audio, "source": .source, "object": .object,
            "script": .script, "style": .style, "template": .template, "head": .head, "article": .article, "time": .time,
        ]
        for name in ["address", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
                     "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4",
                     "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol",
                     "optgroup", "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td", "textarea",
                     "tfoot", "th", "thead", "tr", "ul", "xmp", "noscript", "button", "label"] {
            t[name] = .block
        }
        return t
    }()

    /// Names of up to 16 bytes packed into two integers, so lookup needs no
    /// string.
    struct Key: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        /// Adds lower-cased byte `b` at position `i` (< 16).
        @inline(__always) mutating func add(_ b: UInt8, at i: Int) {
            let lower = UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            if i < 8 { low |= lower << UInt64(8 * i) } else { high |= lower << UInt64(8 * (i - 8)) }
        }

        init(_ name: String) {
            for (i, b) in name.utf8.enumerated() { add(b, at: i) }
        }

        /// The key of a NUL-terminated name, or nil if it is longer than 16.
        init?(_ name: UnsafePointer<xmlChar>) {
            var i = 0
            while name[i] != 0 {
                guard i < 16 else { return nil }
                add(name[i], at: i)
                i += 1
            }
        }
    }

    static let packed = KeyTable(table.map { (Key($0.key), $0.value) })

    init(_ name: UnsafePointer<xmlChar>?) {
        guard let name, let key = Key(name) else { self = .other; return }
        self = Self.packed[key] ?? .other
    }

    /// A block boundary: text on either side never joins. (`br` is not:
    /// a line break inside running text reads as a space, as a hard-wrapped
    /// line does.)
    var isBlock: Bool {
        switch self {
        case .block, .article, .iframe, .video, .audio, .object, .title, .head: true
        default: false
        }
    }

    /// Contents not shown to readers at all (scripts, styles, templates and
    /// the head, apart from the title, whose text is read separately).
    var isExcluded: Bool {
        switch self {
        case .script, .style, .template, .head: true
        default: false
        }
    }
}

/// The attributes extraction reads.
enum AttributeName: Equatable {
    case alt, title, href, src, data, poster, name, property, content, style, hidden, ariaHidden
    case type, rel, itemprop, itemtype, `class`
    case other

    static let packed = KeyTable<AttributeName>([
        (.init("alt"), .alt), (.init("title"), .title), (.init("href"), .href), (.init("src"), .src), (.init("data"), .data),
        (.init("poster"), .poster), (.init("name"), .name), (.init("property"), .property), (.init("content"), .content),
        (.init("style"), .style), (.init("hidden"), .hidden), (.init("aria-hidden"), .ariaHidden),
        (.init("type"), .type), (.init("rel"), .rel), (.init("itemprop"), .itemprop), (.init("itemtype"), .itemtype), (.init("class"), .class),
    ])

    init(_ name: UnsafePointer<xmlChar>) {
        guard let key = ElementKind.Key(name) else { self = .other; return }
        self = Self.packed[key] ?? .other
    }
}

/// A small open-addressing table from packed names to values: one multiply
/// and usually one comparison per lookup, which matters at one lookup per
/// element and attribute of every page (a `Dictionary` hashes with SipHash).
struct KeyTable<Value>: Sendable where Value: Sendable {
    private var keys: [ElementKind.Key?]
    private var values: [Value?]
    private let mask: Int

    init(_ entries: [(ElementKind.Key, Value)]) {
        var size = 16
        while size < entries.count * 4 { size *= 2 }
        mask = size - 1
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        for (key, value) in entries {
            var slot = Self.hash(key) & mask
            while keys[slot] != nil { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }

    @inline(__always)
    static func hash(_ key: ElementKind.Key) -> Int {
        Int(truncatingIfNeeded: ((key.low ^ (key.high &* 0x2545_F491_4F6C_DD1D)) &* 0x9E37_79B9_7F4A_7C15) >> 40)
    }

    subscript(key: ElementKind.Key) -> Value? {
        var slot = Self.hash(key) & mask
        while let candidate = keys[slot] {
            if candidate == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}

/// Element and attribute kinds by name pointer, for one parse.
///
/// libxml2 interns every element and attribute name in its parser's
/// dictionary, so within one parse a name is always the same pointer: after
/// its first sight, looking a name up is a pointer hash and one comparison
/// instead of reading and packing its bytes. Direct-mapped: a collision
/// replaces the older entry. Debug builds check every hit against the name's
/// bytes.
struct NameCache {
    private static let size = 256
    private let names: UnsafeMutablePointer<UnsafeRawPointer?>
    private let kinds: UnsafeMutablePointer<(element: ElementKind, attribute: AttributeName)>

    init() {
        names = .allocate(capacity: Self.size)
        names.initialize(repeating: nil, count: Self.size)
        kinds = .allocate(capacity: Self.size)
        kinds.initialize(repeating: (.other, .other), count: Self.size)
    }

    /// Frees the table (the owner calls this once, when it is done).
    func deallocate() {
        names.deallocate()
        kinds.deallocate()
    }

    @inline(__always)
    private func entry(_ name: UnsafePointer<xmlChar>) -> (element: ElementKind, attribute: AttributeName) {
        let address = UInt(bitPattern: name)
        let slot = Int(truncatingIfNeeded: (address >> 3) ^ (address >> 11)) & (Self.size - 1)
        if names[slot] == UnsafeRawPointer(name) {
            assert(kinds[slot].element == ElementKind(name) && kinds[slot].attribute == AttributeName(name),
                   "libxml2 gave one name pointer two names")
            return kinds[slot]
        }
        let kind = (ElementKind(name), AttributeName(name))
        names[slot] = UnsafeRawPointer(name)
        kinds[slot] = kind
        return kind
    }

    @inline(__always)
    func element(_ name: UnsafePointer<xmlChar>?) -> ElementKind {
        guard let name else { return .other }
        return entry(name).element
    }

    @inline(__always)
    func attribute(_ name: UnsafePointer<xmlChar>) -> AttributeName { entry(name).attribute }
}
