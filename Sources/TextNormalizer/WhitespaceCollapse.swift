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
    public static func of(_ text: NormalizedText) -> NormalizedText {
        let n = text.bytes.count
        let first: Int? = text.bytes.withUnsafeBufferPointer { bytes in
            var k = 0
            while k < n {
                let w = width(bytes, k)
                if w > 0 && ((bytes[k] != 0x20 && bytes[k] != 0x0A) || (k + w < n && width(bytes, k + w) > 0)) { return k }
                k += 1
            }
            return nil
        }
        guard let first else { return text }
        var out = ViewBuilder(capacity: n)
        text.bytes.withUnsafeBufferPointer { bytes in
            out.appendMapped(n) { target, map in
                // Bytes before the first run are copied as they are.
                for k in 0..<first { target[k] = bytes[k] }
                map.appendLinear(count: first, from: 0)
                var written = first, k = first, copyFrom = first
                @inline(__always) func copy(to end: Int) {
                    guard end > copyFrom else { return }
                    for j in copyFrom..<end { target[written + j - copyFrom] = bytes[j] }
                    map.appendLinear(count: end - copyFrom, from: copyFrom)
                    written += end - copyFrom
                }
                while k < n {
                    let w = width(bytes, k)
                    guard w > 0 else { k += 1; continue }
                    copy(to: k)
                    let start = k
                    var lineFeed = false
                    while k < n, case let more = width(bytes, k), more > 0 {
                        lineFeed = lineFeed || bytes[k] == 0x0A
                        k += more
                    }
                    target[written] = lineFeed ? 0x0A : 0x20
                    if k - start == 1 {
                        map.appendLinear(count: 1, from: start)
                    } else {
                        map.appendSpan(count: 1, from: start, to: k)
                    }
                    written += 1
                    copyFrom = k
                }
                copy(to: n)
                return written
            }
        }
        return NormalizedText(bytes: out.bytes, map: out.map.composed(with: text.map), expansionCapped: text.expansionCapped)
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

extension TextNormalizer {
    /// The views patterns are matched in, made the same way for a page and
    /// for a rule's literal (so the two always agree): the normalised view
    /// with white space collapsed, and when `leet` is true the leet view,
    /// derived from the normalised text before collapsing (so a wide gap
    /// between spaced-out words, `a t t a c k  p l a n`, still separates
    /// them), then collapsed.
    public func views(of text: [UInt8], leet: Bool) -> (normalized: NormalizedText, leet: NormalizedText) {
        let folded = normalize(text)
        return (WhitespaceCollapse.of(folded), leet ? WhitespaceCollapse.of(LeetView.of(folded)) : .empty)
    }
}
