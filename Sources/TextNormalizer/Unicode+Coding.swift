import CICUShim

/// UTF-8 decoding that never fails: an invalid or truncated sequence reads
/// as U+FFFD and consumes its maximal valid prefix (at least one byte), the
/// way browsers and the WHATWG decoder do, so the same bytes always give the
/// same text.
public enum UTF8Decoding {
    public static let replacement: UInt32 = 0xFFFD

    /// The scalar at `i` (whose byte is not ASCII) and how many bytes it takes.
    @inlinable @inline(__always)
    public static func scalar(in bytes: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int) {
        let b0 = bytes[i]
        let n = bytes.count
        @inline(__always) func continuation(_ k: Int) -> UInt32? {
            guard i + k < n, bytes[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[i + k] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = continuation(1) else { return (replacement, 1) }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            guard let c1 = continuation(1) else { return (replacement, 1) }
            // Overlong (E0 80..9F) and surrogates (ED A0..BF) are invalid.
            if (b0 == 0xE0 && c1 < 0x20) || (b0 == 0xED && c1 >= 0x20) { return (replacement, 1) }
            guard let c2 = continuation(2) else { return (replacement, 2) }
            return (UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2, 3)
        case 0xF0...0xF4:
            guard let c1 = continuation(1) else { return (replacement, 1) }
            // Overlong (F0 80..8F) and beyond U+10FFFF (F4 90..BF).
            if (b0 == 0xF0 && c1 < 0x10) || (b0 == 0xF4 && c1 >= 0x10) { return (replacement, 1) }
            guard let c2 = continuation(2) else { return (replacement, 2) }
            guard let c3 = continuation(3) else { return (replacement, 3) }
            return (UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
        default:
            return (replacement, 1)
        }
    }

    public static func encode(_ scalar: UInt32) -> [UInt8] {
        switch scalar {
        case ..<0x80: [UInt8(scalar)]
        case ..<0x800: [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
        case ..<0x10000: [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        default: [UInt8(0xF0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        }
    }
}

enum UTF16 {
    static func units(of scalar: UInt32) -> [UInt16] {
        if scalar < 0x10000 { return [UInt16(scalar)] }
        let v = scalar - 0x10000
        return [UInt16(0xD800 | v >> 10), UInt16(0xDC00 | v & 0x3FF)]
    }

    static func units(of scalars: [UInt32]) -> [UInt16] { scalars.flatMap(units(of:)) }

    static func scalars(of units: [UInt16]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0
        while i < units.count {
            let u = UInt32(units[i])
            if u & 0xFC00 == 0xD800, i + 1 < units.count, units[i + 1] & 0xFC00 == 0xDC00 {
                out.append(0x10000 + ((u & 0x3FF) << 10 | UInt32(units[i + 1]) & 0x3FF))
                i += 2
            } else {
                out.append(u & 0xF800 == 0xD800 ? UTF8Decoding.replacement : u)
                i += 1
            }
        }
        return out
    }
}

/// The ICU calls, with output buffers grown until the result fits. On an
/// ICU error the input comes back unchanged (folding is best effort; the
/// raw view always has the original).
enum ICU {
    typealias Call = (UnsafePointer<UInt16>?, Int32, UnsafeMutablePointer<UInt16>?, Int32) -> Int32

    private static func run(_ call: Call, _ units: [UInt16]) -> [UInt16] {
        var capacity = max(units.count * 4, 16)
        for _ in 0..<3 {
            var out = [UInt16](repeating: 0, count: capacity)
            let written = units.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { call(source.baseAddress, Int32(units.count), $0.baseAddress, Int32(capacity)) }
            }
            if written >= 0 && written <= capacity { return Array(out[0..<Int(written)]) }
            capacity *= 4
        }
        return units
    }

    static func nfkcCasefold(_ units: [UInt16]) -> [UInt16] { run(triage_icu_nfkc_casefold, units) }
    static func nfkcCasefold(_ scalars: [UInt32]) -> [UInt16] { nfkcCasefold(UTF16.units(of: scalars)) }
    static func nfd(_ units: [UInt16]) -> [UInt16] { run(triage_icu_nfd, units) }
    static func nfkc(_ units: [UInt16]) -> [UInt16] { run(triage_icu_nfkc, units) }
}
