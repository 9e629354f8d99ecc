import TextNormalizer

/// How a page's bytes become text: which charset, and why.
///
/// The decision, in order (the first that applies wins):
/// 1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
/// 2. the charset the transport gave (`Content-Type: …; charset=…`);
/// 3. a `<meta charset>` or `<meta http-equiv="content-type">` in the first
///    1024 bytes;
/// 4. UTF-8, if the bytes are valid UTF-8;
/// 5. windows-1252.
///
/// Labels are matched like the WHATWG Encoding Standard's, so `latin1`,
/// `iso-8859-1` and `ascii` all mean windows-1252. Labels that could smuggle
/// markup past a decoder (UTF-7, the ISO-2022 and HZ families) and labels
/// nobody can decode are not honoured: the next step decides.
public struct CharsetDecision: Sendable, Equatable {
    public enum Source: String, Sendable {
        case byteOrderMark = "byte-order-mark", transport, meta, validUTF8 = "valid-utf-8", fallback
    }
    /// The charset's canonical name (`utf-8`, `windows-1252`, `shift_jis`, …).
    public let name: String
    public let source: Source
}

enum Charset {
    /// Labels never honoured, whatever the page says.
    static let refused: Set<String> = ["utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode20utf7",
                                       "iso-2022-kr", "iso-2022-cn", "iso-2022-cn-ext", "csiso2022kr", "hz-gb-2312",
                                       "iso-2022-jp", "csiso2022jp", "replacement", "x-user-defined"]
    /// WHATWG label aliases for the charsets decoded here without ICU.
    static let aliases: [String: String] = [
        "utf-8": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
        "utf-16le": "utf-16le", "utf-16": "utf-16le", "ucs-2": "utf-16le", "unicode": "utf-16le", "utf-16be": "utf-16be",
        "windows-1252": "windows-1252", "cp1252": "windows-1252", "x-cp1252": "windows-1252", "iso-8859-1": "windows-1252",
        "iso8859-1": "windows-1252", "iso_8859-1": "windows-1252", "latin1": "windows-1252", "l1": "windows-1252",
        "ascii": "windows-1252", "us-ascii": "windows-1252", "iso-ir-100": "windows-1252", "cp819": "windows-1252",
        "ibm819": "windows-1252", "csisolatin1": "windows-1252", "iso_8859-1:1987": "windows-1252",
    ]

    /// The canonical name for `label`, or nil if it is refused or unknown.
    static func canonical(_ label: String) -> String? {
        let key = label.trimmingASCIIWhitespace().lowercased()
        if key.isEmpty || refused.contains(key) { return nil }
        if let known = aliases[key] { return known }
        // Anything else ICU can decode (shift_jis, gbk, big5, koi8-r, …).
        return ICUCharsets.knows(key) ? key : nil
    }

    static func decide(_ bytes: UnsafeRawBufferPointer, transport: String?) -> CharsetDecision {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return .init(name: "utf-8", source: .byteOrderMark) }
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE { return .init(name: "utf-16le", source: .byteOrderMark) }
        if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF { return .init(name: "utf-16be", source: .byteOrderMark) }
        if let transport, let name = canonical(transport) { return .init(name: name, source: .transport) }
        if let label = MetaPrescan.charset(in: UnsafeRawBufferPointer(rebasing: bytes.prefix(1024))), var name = canonical(label) {
            // A page that says it is UTF-16 in ASCII-compatible bytes is not.
            if name.hasPrefix("utf-16") { name = "utf-8" }
            return .init(name: name, source: .meta)
        }
        if isValidUTF8(bytes) { return .init(name: "utf-8", source: .validUTF8) }
        return .init(name: "windows-1252", source: .fallback)
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            // ASCII 32, then 8 bytes at a time.
            if i + 32 <= n {
                let a = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self), b = bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                let c = bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self), d = bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                if (a | b | c | d) & 0x8080_8080_8080_8080 == 0 {
                    i += 32
                    continue
                }
            }
            if i + 8 <= n && bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            if bytes[i] < 0x80 { i += 1; continue }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: i)
            if scalar == UTF8Decoding.replacement && !(length == 3 && bytes[i] == 0xEF && bytes[i + 1] == 0xBF && bytes[i + 2] == 0xBD) {
                return false
            }
            i += length
        }
        return true
    }

    /// The page as UTF-8, with each output byte's source byte range.
    static func decode(_ bytes: UnsafeRawBufferPointer, as name: String) -> DecodedText {
        var out = DecodedText(capacity: bytes.count)
        switch name {
        case "utf-8":
            let skip = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            var i = skip
            while i < bytes.count {
                if bytes[i] < 0x80 {
                    out.append(bytes[i], from: i, to: i + 1)
                    i += 1
                    continue
                }
                let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: i)
                out.append(scalar: scalar, from: i, to: i + length)
                i += length
            }
        case "windows-1252":
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b < 0x80 { out.append(b, from: i, to: i + 1) } else { out.append(scalar: Windows1252.scalar(b), from: i, to: i + 1) }
            }
        case "utf-16le", "utf-16be":
            let little = name == "utf-16le"
            var i = bytes.count >= 2 && ((little && bytes[0] == 0xFF && bytes[1] == 0xFE) || (!little && bytes[0] == 0xFE && bytes[1] == 0xFF)) ? 2 : 0
            func unit(_ k: Int) -> UInt32 { little ? UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 : UInt32(bytes[k]) << 8 | UInt32(bytes[k + 1]) }
            while i + 1 < bytes.count {
                let u = unit(i)
                if u & 0xFC00 == 0xD800, i + 3 < bytes.count, unit(i + 2) & 0xFC00 == 0xDC00 {
                    out.append(scalar: 0x10000 + ((u & 0x3FF) << 10 | unit(i + 2) & 0x3FF), from: i, to: i + 4)
                    i += 4
                } else {
                    out.append(scalar: u & 0xF800 == 0xD800 ? UTF8Decoding.replacement : u, from: i, to: i + 2)
                    i += 2
                }
            }
            if i < bytes.count { out.append(scalar: UTF8Decoding.replacement, from: i, to: bytes.count) }
        default:
            decodeWithICU(bytes, name, into: &out)
        }
        return out
    }

    private static func decodeWithICU(_ bytes: UnsafeRawBufferPointer, _ name: String, into out: inout DecodedText) {
        guard let (units, offsets) = ICUCharsets.decode(bytes, label: name) else {
            // ICU could not decode after all: windows-1252 never fails.
            for i in 0..<bytes.count { out.append(scalar: bytes[i] < 0x80 ? UInt32(bytes[i]) : Windows1252.scalar(bytes[i]), from: i, to: i + 1) }
            return
        }
        var k = 0
        let n = units.count
        while k < n {
            let u = UInt32(units[k])
            let from = max(0, min(Int(offsets[k]), bytes.count - 1))
            var scalar = u, used = 1
            if u & 0xFC00 == 0xD800, k + 1 < n, units[k + 1] & 0xFC00 == 0xDC00 {
                scalar = 0x10000 + ((u & 0x3FF) << 10 | UInt32(units[k + 1]) & 0x3FF)
                used = 2
            } else if u & 0xF800 == 0xD800 {
                scalar = UTF8Decoding.replacement
            }
            // A character ends where the next one's source begins.
            let next = k + used < n ? max(from + 1, Int(offsets[k + used])) : bytes.count
            out.append(scalar: scalar, from: from, to: min(max(next, from + 1), bytes.count))
            k += used
        }
    }
}

/// UTF-8 bytes with, per byte, the source byte range it came from.
typealias DecodedText = ViewBuilder

extension ViewBuilder {
    mutating func append(scalar: UInt32, from: Int, to: Int) {
        for b in UTF8Decoding.encode(scalar) { append(b, from: from, to: to) }
    }
}

enum Windows1252 {
    /// 0x80-0x9F per the WHATWG index; the rest is Latin-1.
    static let high: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D,
                                 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161,
                                 0x203A, 0x153, 0x9D, 0x17E, 0x178]
    static func scalar(_ b: UInt8) -> UInt32 { b >= 0x80 && b < 0xA0 ? high[Int(b) - 0x80] : UInt32(b) }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
