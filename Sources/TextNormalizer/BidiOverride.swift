/// Text inside a right-to-left override (U+202E RLO … U+202C PDF, or to the
/// end of the line) is shown reversed: `‮kcatta‬` displays `attack`. A
/// reader reads the display, so the views read such a span in display
/// order, each character mapped to its own bytes.
///
/// Only spans without right-to-left letters (Hebrew, Arabic and their
/// presentation forms) are reversed: those letters are shown right to left
/// whether overridden or not, and read in their own order, so a span that
/// holds them is left as written. The override characters stay in place
/// (the normaliser drops them as invisible).
public enum BidiOverride {
    /// Whether `text` holds a right-to-left override (one scan, no copy).
    public static func overrides(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { find(rlo, in: $0, from: 0) } != nil
    }

    /// `text` with each overridden span in display order, and a map back to
    /// `text`; nil when nothing is overridden (the common case costs one
    /// scan for the override's lead bytes).
    public static func displayOrder(_ text: [UInt8]) -> (bytes: [UInt8], map: SourceMap)? {
        let n = text.count
        guard let first = text.withUnsafeBufferPointer({ find(rlo, in: $0, from: 0) }) else { return nil }
        var out = ViewBuilder(capacity: n)
        text.withUnsafeBufferPointer { bytes in
            out.appendMapped(n) { target, map in
                var written = 0, copyFrom = 0
                var next: Int? = first
                func copy(_ from: Int, _ to: Int) {
                    guard to > from else { return }
                    for k in from..<to { target[written + k - from] = bytes[k] }
                    map.appendLinear(count: to - from, from: from)
                    written += to - from
                }
                while let start = next {
                    // The override character itself, then the span.
                    copy(copyFrom, start + 3)
                    var end = start + 3
                    while end < n && bytes[end] != 0x0A && !matches(pdf, bytes, end) { end += 1 }
                    var scalars: [Range<Int>] = []
                    var k = start + 3, rightToLeft = false
                    while k < end {
                        let length = Swift.min(sequenceLength(bytes[k]), end - k)
                        rightToLeft = rightToLeft || isRightToLeft(bytes, k, length)
                        scalars.append(k..<(k + length))
                        k += length
                    }
                    if rightToLeft {
                        copy(start + 3, end)
                    } else {
                        for scalar in scalars.reversed() { copy(scalar.lowerBound, scalar.upperBound) }
                    }
                    copyFrom = end
                    next = find(rlo, in: bytes, from: end)
                }
                copy(copyFrom, n)
                return written
            }
        }
        return (out.bytes, out.map)
    }

    /// Bytes in the UTF-8 sequence a byte leads (1 for ASCII and for a
    /// byte that leads none: invalid bytes are taken one at a time).
    @inline(__always)
    static func sequenceLength(_ b: UInt8) -> Int {
        switch b {
        case 0xC0...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF7: 4
        default: 1
        }
    }

    static let rlo: (UInt8, UInt8, UInt8) = (0xE2, 0x80, 0xAE)
    static let pdf: (UInt8, UInt8, UInt8) = (0xE2, 0x80, 0xAC)

    @inline(__always)
    static func matches(_ c: (UInt8, UInt8, UInt8), _ bytes: UnsafeBufferPointer<UInt8>, _ k: Int) -> Bool {
        k + 2 < bytes.count && bytes[k] == c.0 && bytes[k + 1] == c.1 && bytes[k + 2] == c.2
    }

    static func find(_ c: (UInt8, UInt8, UInt8), in bytes: UnsafeBufferPointer<UInt8>, from k: Int) -> Int? {
        var k = k
        while true {
            // Eight bytes at a time without the lead byte (see `SWAR`).
            while k + 8 <= bytes.count,
                  SWAR.equalMask(UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + k).loadUnaligned(as: UInt64.self)), c.0) == 0 {
                k += 8
            }
            guard k + 2 < bytes.count else { return nil }
            let stop = Swift.min(k + 8, bytes.count - 2)
            while k < stop {
                if bytes[k] == c.0 && matches(c, bytes, k) { return k }
                k += 1
            }
        }
    }

    /// Whether the UTF-8 sequence at `k` is a Hebrew or Arabic letter
    /// (U+0590-U+08FF, U+FB1D-U+FDFF, U+FE70-U+FEFF).
    static func isRightToLeft(_ bytes: UnsafeBufferPointer<UInt8>, _ k: Int, _ length: Int) -> Bool {
        var value: UInt32
        switch length {
        case 2: value = UInt32(bytes[k] & 0x1F) << 6 | UInt32(bytes[k + 1] & 0x3F)
        case 3: value = UInt32(bytes[k] & 0x0F) << 12 | UInt32(bytes[k + 1] & 0x3F) << 6 | UInt32(bytes[k + 2] & 0x3F)
        default: return false
        }
        return (0x0590...0x08FF).contains(value) || (0xFB1D...0xFDFF).contains(value) || (0xFE70...0xFEFF).contains(value)
    }
}
