/// White space read as a reader sees it: every run of spaces, tabs,
/// carriage returns, form feeds, NEL, U+2028 and U+2029 reads as one space,
/// as a browser shows it, so a phrase spaced with two spaces, a tab or a
/// no-break space is one phrase. A run with a line feed in it reads as one
/// line feed: in page text (`PageText`) a line feed is only ever the
/// boundary between two parts (blocks, attribute text), where text never
/// joins, since white space inside a part already reads as spaces there.
///
/// The space or line feed stands for the whole run: its source range covers
/// every byte of it, so evidence still maps back to exact page bytes.
/// Collapsing twice changes nothing.
public enum WhitespaceCollapse {
    /// `text` with each white-space run as one space (`text` itself when no
    /// run needs it: the common case of single spaces costs one scan).
    public static func of(_ text: NormalizedText) -> NormalizedText { ifNeeded(text) ?? text }

    /// `text` collapsed, or nil when it has no run to collapse (then it
    /// reads as it is).
    static func ifNeeded(_ text: NormalizedText) -> NormalizedText? {
        let n = text.bytes.count
        guard let first = text.bytes.withUnsafeBufferPointer({ firstRun(in: $0, from: 0) }) else { return nil }
        var out = ViewBuilder(capacity: n)
        text.bytes.withUnsafeBufferPointer { bytes in
            out.appendMapped(n) { target, map in
                // Text between runs is copied as it is, one linear stretch
                // of the map each (a lone space stays part of its stretch).
                var written = 0, copyFrom = 0
                var next: Int? = first
                while let start = next {
                    let length = start - copyFrom
                    if length > 0 {
                        UnsafeMutableRawPointer(target.baseAddress! + written).copyMemory(from: bytes.baseAddress! + copyFrom, byteCount: length)
                        map.appendLinear(count: length, from: copyFrom)
                        written += length
                    }
                    var k = start, lineFeed = false
                    while k < n, case let w = width(bytes, k), w > 0 {
                        lineFeed = lineFeed || bytes[k] == 0x0A
                        k += w
                    }
                    target[written] = lineFeed ? 0x0A : 0x20
                    map.appendSpan(count: 1, from: start, to: k)
                    written += 1
                    copyFrom = k
                    next = firstRun(in: bytes, from: k)
                }
                if n > copyFrom {
                    UnsafeMutableRawPointer(target.baseAddress! + written).copyMemory(from: bytes.baseAddress! + copyFrom, byteCount: n - copyFrom)
                    map.appendLinear(count: n - copyFrom, from: copyFrom)
                    written += n - copyFrom
                }
                return written
            }
        }
        return NormalizedText(bytes: out.bytes, map: out.map.composed(with: text.map), expansionCapped: text.expansionCapped)
    }

    /// Where the first run from `k` on that must be rewritten starts: white
    /// space other than a lone space or a lone line feed. Most bytes are
    /// passed over by one comparison.
    @inline(__always)
    static func firstRun(in bytes: UnsafeBufferPointer<UInt8>, from k: Int) -> Int? {
        let n = bytes.count
        var k = k
        while k < n {
            // Eight bytes at a time (see `SWAR`) while none may start a run:
            // no control other than a line feed, no 0xC2 or 0xE2 lead byte,
            // no space or line feed before white space (the ninth byte
            // included). A lone line feed, which ends every part of a page,
            // is no run.
            while k + 9 <= n {
                let x = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + k).loadUnaligned(as: UInt64.self))
                let lineFeeds = SWAR.equalMask(x, 0x0A)
                let spaces = SWAR.equalMask(x, 0x20) | lineFeeds
                let others = (SWAR.rangeMask(x, 0x00, 0x1F) & ~lineFeeds) | SWAR.equalMask(x, 0xC2) | SWAR.equalMask(x, 0xE2)
                let ninth = bytes[k + 8]
                let after: UInt64 = ninth <= 0x20 || ninth == 0xC2 || ninth == 0xE2 ? 1 << 63 : 0
                if others | (spaces & ((spaces | others) >> 8 | after)) != 0 { break }
                k += 8
            }
            // Byte by byte to the end of this block, then back to the blocks
            // (a candidate is often not a run: a lone line feed, `’`).
            let stop = Swift.min(k + 8, n)
            while k < stop {
                let b = bytes[k]
                if b > 0x20 && b != 0xC2 && b != 0xE2 { k += 1; continue }
                let w = width(bytes, k)
                if w == 0 { k += 1; continue }
                if (b == 0x20 || b == 0x0A) && (k + 1 == n || width(bytes, k + 1) == 0) { k += 1; continue }
                return k
            }
        }
        return nil
    }

    /// How many bytes of white space start at `k` (0: none there).
    @inline(__always)
    static func width(_ bytes: UnsafeBufferPointer<UInt8>, _ k: Int) -> Int {
        switch bytes[k] {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return 1
        case 0xC2 where k + 1 < bytes.count && bytes[k + 1] == 0x85: return 2  // NEL
        case 0xE2 where k + 2 < bytes.count && bytes[k + 1] == 0x80 && (bytes[k + 2] == 0xA8 || bytes[k + 2] == 0xA9): return 3
        default: return 0
        }
    }
}
