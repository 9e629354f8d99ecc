/// The leet view: the normalised text with obfuscation undone, for rules
/// that ask for it.
///
/// 1. Digits and symbols that stand in for letters become those letters:
///    `0`→o, `3`→e, `4`→a, `5`→s, `7`→t, `8`→b, `9`→g, `@`→a, `$`→s,
///    `+`→t; and `1`, `|`, `l` and `i`, which stand in for each other, all
///    read `i` (so `1ist` and `jo1n` both match). `!` is left alone, because
///    in ordinary text it ends sentences, not spells words.
/// 2. A run of at least `minimumSpacedLetters` single letters, each separated
///    from the next by one or two separator characters (space, `.`, `-`, `_`,
///    `*`, `/`, `·`-free ASCII only), is joined: `a t t a c k`, `a.t.t.a.c.k`
///    and `a-t-t-a-c-k` all read `attack`; gaps wider than the run's
///    narrowest are word breaks (`j o i n  t h e` reads `join the`), and so
///    is a gap with a space in a run whose letters are also joined by
///    punctuation alone (`a.t.t.a.c.k p.l.a.n` reads `attack plan`). Shorter
///    runs (`U S A`) are left alone.
///
/// Every output byte keeps the source range of the normalised byte it came
/// from, so spans found in this view map back to the original bytes.
public enum LeetView {
    public static let minimumSpacedLetters = 4

    static let substitutions: [UInt8] = {
        var table = (0...255).map { UInt8($0) }
        // `1`, `|`, `l` and `i` stand in for each other (`1ist`, `jo1n`,
        // `|ist`): all four read `i`, in pages and in patterns alike, so
        // either reading of `1` is tried at no cost.
        for (from, to) in [("0", "o"), ("1", "i"), ("l", "i"), ("3", "e"), ("4", "a"), ("5", "s"), ("7", "t"), ("8", "b"),
                           ("9", "g"), ("@", "a"), ("$", "s"), ("|", "i"), ("+", "t")] {
            table[Int(from.utf8.first!)] = to.utf8.first!
        }
        return table
    }()

    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) }

    /// Letters (`a`...`z`) among the eight bytes of `x` (see `SWAR`).
    @inline(__always) static func letterMask(_ x: UInt64) -> UInt64 { SWAR.rangeMask(x, 0x61, 0x7A) }

    /// Bytes of `x` the leet view may read as letters: every digit (a
    /// superset: `2` and `6` stay digits) and `@ $ | +`. (`l`, read as `i`,
    /// is substituted on the fast path itself.)
    @inline(__always) static func substitutionMask(_ x: UInt64) -> UInt64 {
        SWAR.rangeMask(x, 0x30, 0x39) | SWAR.equalMask(x, 0x40) | SWAR.equalMask(x, 0x24) | SWAR.equalMask(x, 0x7C)
            | SWAR.equalMask(x, 0x2B)
    }
    @inline(__always) static func isSeparator(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x2E || b == 0x2D || b == 0x5F || b == 0x2A || b == 0x2F
    }

    /// The leet view of a normalised text.
    public static func of(_ text: NormalizedText) -> NormalizedText {
        let n = text.bytes.count
        // Built with a map into the normalised text, then composed with
        // that text's own map.
        var out = ViewBuilder(capacity: n)
        text.bytes.withUnsafeBufferPointer { source in
            substitutions.withUnsafeBufferPointer { table in
                @inline(__always) func letter(_ k: Int) -> Bool { k >= 0 && k < n && isLetter(table[Int(source[k])]) }
                /// Where the separators after a single letter at `k` end, if
                /// another single letter follows them.
                @inline(__always) func nextSpaced(after k: Int) -> Int? {
                    var j = k + 1
                    while j < n && j - k <= 2 && isSeparator(table[Int(source[j])]) { j += 1 }
                    return j > k + 1 && j - k <= 3 && letter(j) && !letter(j + 1) ? j : nil
                }
                /// Whether the separators between letters at `k` and `j` hold a space.
                @inline(__always) func gapHasSpace(_ k: Int, _ j: Int) -> Bool {
                    (k + 1..<j).contains { source[$0] == 0x20 }
                }
                out.appendMapped(n) { bytes, map in
                    var written = 0
                    // Output from `copiedFrom` on came one to one from input
                    // from `copiedSource`: mapped as one run when that ends.
                    var copiedFrom = 0, copiedSource = 0
                    @inline(__always) func endCopy() {
                        map.appendLinear(count: written - copiedFrom, from: copiedSource)
                    }
                    // Whether the input byte before `i` reads as a letter,
                    // and byte `i` as read: carried along, so the common
                    // path reads each byte once.
                    var previousIsLetter = false
                    var current: UInt8 = n > 0 ? table[Int(source[0])] : 0
                    var i = 0
                    // Below this, bytes go one at a time (a block had work).
                    var slowUntil = 0
                    while i < n {
                        // Eight bytes at a time while there is nothing to
                        // substitute and no single letter: copied as they are.
                        if i >= slowUntil && i + 9 <= n {
                            let x = UInt64(littleEndian: UnsafeRawPointer(source.baseAddress! + i).loadUnaligned(as: UInt64.self))
                            let letters = Self.letterMask(x)
                            let after: UInt64 = isLetter(table[Int(source[i + 8])]) ? 1 << 63 : 0
                            let isolated = letters & ~(letters << 8 | (previousIsLetter ? 0x80 : 0)) & ~(letters >> 8 | after)
                            if isolated == 0 && Self.substitutionMask(x) == 0 {
                                // `l` reads `i` (0x6C ^ 0x05): the one
                                // substitution done here, a letter too common
                                // to send its blocks down the slow path.
                                let y = x ^ ((SWAR.equalMask(x, 0x6C) >> 7) &* 0x05)
                                UnsafeMutableRawPointer(bytes.baseAddress! + written).storeBytes(of: y.littleEndian, as: UInt64.self)
                                written += 8
                                i += 8
                                previousIsLetter = letters >> 63 != 0
                                current = table[Int(source[i])]
                                continue
                            }
                            slowUntil = i + 8
                        }
                        let next: UInt8 = i + 1 < n ? table[Int(source[i + 1])] : 0
                        let currentIsLetter = isLetter(current)
                        // A single letter (not part of a longer word) may
                        // start a run of spaced-out letters.
                        if currentIsLetter && !previousIsLetter && !isLetter(next) {
                            var letters = 1, last = i, narrowest = 3, punctuated = false
                            while let following = nextSpaced(after: last) {
                                letters += 1
                                narrowest = min(narrowest, following - last - 1)
                                punctuated = punctuated || !gapHasSpace(last, following)
                                last = following
                            }
                            if letters >= minimumSpacedLetters {
                                // Gaps wider than the run's narrowest are
                                // word breaks: `j o i n  t h e` reads `join the`.
                                endCopy()
                                var k = i
                                bytes[written] = table[Int(source[k])]
                                map.append(from: k, to: k + 1)
                                written += 1
                                while k < last {
                                    let following = nextSpaced(after: k)!
                                    if following - k - 1 > narrowest || (punctuated && gapHasSpace(k, following)) {
                                        bytes[written] = 0x20
                                        map.append(from: k + 1, to: following)
                                        written += 1
                                    }
                                    k = following
                                    bytes[written] = table[Int(source[k])]
                                    map.append(from: k, to: k + 1)
                                    written += 1
                                }
                                i = last + 1
                                copiedFrom = written
                                copiedSource = i
                                // The run ended on a letter.
                                previousIsLetter = true
                                current = i < n ? table[Int(source[i])] : 0
                                continue
                            }
                        }
                        bytes[written] = current
                        written += 1
                        previousIsLetter = currentIsLetter
                        current = next
                        i += 1
                    }
                    endCopy()
                    return written
                }
            }
        }
        return NormalizedText(bytes: out.bytes, map: out.map.composed(with: text.map), expansionCapped: text.expansionCapped)
    }
}
