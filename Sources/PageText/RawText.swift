#if canImport(Glibc)
import Glibc
#endif

/// Text read from markup without a parser: what is outside `<…>`, with
/// comments, scripts and styles skipped. The fallback when libxml2 stops
/// before the end of a page, so text after the point where it gave up is
/// still seen. Iterative and linear; never recurses.
enum RawText {
    static func strip(_ html: UnsafeRawBufferPointer, base: Int, into out: SegmentBuilder) {
        let n = html.count
        var i = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        func starts(_ word: String, at k: Int) -> Bool {
            var j = k
            for w in word.utf8 {
                guard j < n, lower(html[j]) == w else { return false }
                j += 1
            }
            return true
        }
        func skip(to closing: String, from k: Int) -> Int {
            var j = k
            while j < n && !starts(closing, at: j) { j += 1 }
            return min(j + closing.utf8.count, n)
        }
        out.close()
        while i < n {
            let b = html[i]
            if b == 0x3C {
                if starts("<!--", at: i) { i = skip(to: "-->", from: i + 4); continue }
                if starts("<script", at: i) { i = skip(to: "</script", from: i + 7); continue }
                if starts("<style", at: i) { i = skip(to: "</style", from: i + 6); continue }
                // A tag: skip to its end; a block boundary either way.
                var j = i + 1
                while j < n && html[j] != 0x3E { j += 1 }
                i = min(j + 1, n)
                out.close()
                continue
            }
            out.append(.body, hidden: false) { out in out.byte(b, from: base + i, to: base + i + 1) }
            i += 1
        }
        out.close()
    }
}

/// Binary content served as a page: recognised from its first bytes, so it
/// is reported rather than parsed as text.
enum ContentSniffer {
    static let signatures: [(prefix: [UInt8], type: String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        (Array("GIF87a".utf8), "image/gif"), (Array("GIF89a".utf8), "image/gif"),
        (Array("%PDF-".utf8), "application/pdf"),
        ([0x1F, 0x8B], "application/gzip"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x42, 0x5A, 0x68], "application/x-bzip2"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "application/x-xz"),
        ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "application/x-7z-compressed"),
        (Array("Rar!".utf8), "application/vnd.rar"),
        ([0x7F, 0x45, 0x4C, 0x46], "application/x-elf"),
        ([0x4D, 0x5A], "application/x-msdownload"),
        ([0x00, 0x00, 0x01, 0x00], "image/x-icon"),
        (Array("OggS".utf8), "audio/ogg"),
        (Array("ID3".utf8), "audio/mpeg"),
        ([0x1A, 0x45, 0xDF, 0xA3], "video/webm"),
    ]

    /// The binary type of `bytes`, or nil if they may be text.
    static func binaryType(_ bytes: UnsafeRawBufferPointer) -> String? {
        for (prefix, type) in signatures where bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix) {
            return type
        }
        if bytes.count >= 12 && bytes[4..<8].elementsEqual(Array("ftyp".utf8)) { return "video/mp4" }
        if bytes.count >= 12 && bytes[0..<4].elementsEqual(Array("RIFF".utf8)) && bytes[8..<12].elementsEqual(Array("WEBP".utf8)) {
            return "image/webp"
        }
        // UTF-16 text has NUL bytes but a byte-order mark; anything else
        // with NULs, or mostly control bytes, in its first 4 KiB is not text.
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) { return nil }
        let head = bytes.prefix(4096)
        var nuls = 0, controls = 0
        for b in head {
            if b == 0 { nuls += 1 } else if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0C && b != 0x0D && b != 0x1B { controls += 1 }
        }
        // A few NULs in markup are noise (and a test of the parser), not a
        // sign of binary content; many are.
        if (nuls > 16 && nuls * 100 > head.count) || nuls * 10 > head.count || controls * 10 > head.count {
            return "application/octet-stream"
        }
        return nil
    }
}

/// Blanks start tags with absurd numbers of attributes before libxml2 sees
/// them (its duplicate-attribute check is quadratic: 40,000 attributes take
/// seconds). Keeps the first `HTMLExtractor.maxAttributes` and replaces the
/// rest of the tag with spaces, so every offset stays where it was.
enum AttributeGuard {
    /// Returns the number of tags cut. Reads without copying; `html` is
    /// written (and so copied, if shared) only when a tag is cut.
    static func apply(_ html: inout [UInt8], limit: Int) -> Int {
        // No tag can have more attributes than the page has `=` signs: most
        // pages are ruled out by one counting pass.
        guard count(of: 0x3D, in: html) > limit else { return 0 }
        let cuts = html.withUnsafeBufferPointer { tagsToCut(UnsafeRawBufferPointer($0), limit: limit) }
        for range in cuts { html.replaceSubrange(range, with: repeatElement(0x20, count: range.count)) }
        return cuts.count
    }

    /// How many bytes of `bytes` equal `byte`, 16 at a time.
    static func count(of byte: UInt8, in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var total = 0, i = 0
            let target = SIMD16<UInt8>(repeating: byte)
            while i + 16 <= n {
                // Lane counts in bytes, flushed before they can overflow.
                var lanes = SIMD16<UInt8>(repeating: 0)
                let stop = min(n - 16, i + 16 * 253)
                while i <= stop {
                    let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                    lanes &+= SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: v .== target)
                    i += 16
                }
                for k in 0..<16 { total += Int(lanes[k]) }  // each lane at most 254
            }
            while i < n {
                if raw[i] == byte { total += 1 }
                i += 1
            }
            return total
        }
    }

    /// What `tagsToCut` stops at inside a tag: 1 a quote, 2 the tag's end
    /// (`>`, or `<` starting another), 3 `=`; 0 everything else.
    private static let classes: [UInt8] = (0...255).map { b in
        switch UInt8(b) {
        case 0x22, 0x27: 1
        case 0x3E, 0x3C: 2
        case 0x3D: 3
        default: 0
        }
    }

    /// Byte ranges to blank: the rest of each start tag past `limit` attributes.
    static func tagsToCut(_ b: UnsafeRawBufferPointer, limit: Int) -> [Range<Int>] {
        var cuts: [Range<Int>] = []
        guard let base = b.baseAddress else { return cuts }
        let n = b.count
        classes.withUnsafeBufferPointer { classes in
            var i = 0
            while i < n {
                // Straight to the next `<`.
                guard let found = memchr(base + i, 0x3C, n - i) else { break }
                i = UnsafeRawPointer(found) - base
                guard i + 1 < n, (b[i + 1] | 0x20) >= 0x61 && (b[i + 1] | 0x20) <= 0x7A else {
                    i += 1
                    continue
                }
                // Inside a start tag: count attributes with values (`=`
                // outside quotes); prose that merely looks like a tag has
                // few of those. Quoted values are skipped whole.
                var j = i + 1
                var attributes = 0
                scan: while j < n {
                    switch classes[Int(b[j])] {
                    case 0:
                        j += 1
                    case 1:
                        guard let close = memchr(base + j + 1, Int32(b[j]), n - j - 1) else {
                            j = n
                            break scan
                        }
                        j = UnsafeRawPointer(close) - base + 1
                    case 2:
                        break scan
                    default:
                        attributes += 1
                        j += 1
                    }
                }
                if attributes > limit, let from = cutPoint(b, tag: i..<j, limit: limit) { cuts.append(from..<j) }
                i = j + 1
            }
        }
        return cuts
    }

    /// Where the attribute after the first `limit` starts in a tag that has
    /// more (the rare slow path: whitespace matters here, not above).
    private static func cutPoint(_ b: UnsafeRawBufferPointer, tag: Range<Int>, limit: Int) -> Int? {
        var quote: UInt8 = 0
        var attributes = 0
        var tokenStart = tag.lowerBound + 1
        for j in (tag.lowerBound + 1)..<tag.upperBound {
            let c = b[j]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == 0x22 || c == 0x27 {
                quote = c
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                tokenStart = j + 1
            } else if c == 0x3D {
                attributes += 1
                if attributes > limit { return tokenStart }
            }
        }
        return nil
    }
}
