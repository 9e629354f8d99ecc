/// JSON text for the few places that write it by hand (diagnostics, ndjson
/// output), where a generic encoder would cost more than the value it adds.
public enum JSON {
    /// `value` as a JSON string literal (RFC 8259): quotes, backslashes and
    /// control characters escaped; everything else as UTF-8.
    public static func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal, as `quoted` writes it.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: quotedBound(utf8.count)))
            let written = out.withUnsafeMutableBufferPointer { writeQuoted(utf8, to: $0.baseAddress! + start) }
            out.removeLast(out.count - start - written)
        }
    }

    /// The most bytes `writeQuoted` writes for `count` bytes of UTF-8.
    static func quotedBound(_ count: Int) -> Int { 6 * count + 2 }

    /// Writes `utf8` as a JSON string literal to `out`, which has room for
    /// `quotedBound(utf8.count)` bytes; returns how many it wrote. Most
    /// strings need no escape and are copied whole.
    static func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        out[n] = 0x22
        n += 1
        var start = 0
        for i in utf8.indices {
            let byte = utf8[i]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            (out + n).update(from: utf8.baseAddress! + start, count: i - start)
            n += i - start
            start = i + 1
            out[n] = 0x5C
            switch byte {
            case 0x22, 0x5C: out[n + 1] = byte
            case 0x0A: out[n + 1] = UInt8(ascii: "n")
            case 0x0D: out[n + 1] = UInt8(ascii: "r")
            case 0x09: out[n + 1] = UInt8(ascii: "t")
            default:
                let digits: StaticString = "0123456789abcdef"
                (out[n + 1], out[n + 2], out[n + 3]) = (UInt8(ascii: "u"), 0x30, 0x30)
                (out[n + 4], out[n + 5]) = (digits.utf8Start[Int(byte >> 4)], digits.utf8Start[Int(byte & 15)])
                n += 4
            }
            n += 2
        }
        if start < utf8.count { (out + n).update(from: utf8.baseAddress! + start, count: utf8.count - start) }
        n += utf8.count - start
        out[n] = 0x22
        return n + 1
    }
}
