import Testing
import TestSupport
@testable import TextNormalizer

/// Builds a run-length map and, beside it, the plain per-byte ranges it
/// must read back as.
private struct Reference {
    var map = SourceMap()
    var ranges: [Range<Int>] = []

    mutating func randomAppend(_ rng: inout SeededRandom, source: inout Int) {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:  // a copied run
            let length = Int.random(in: 0...20, using: &rng)
            map.appendLinear(count: length, from: source)
            ranges += (0..<length).map { (source + $0)..<(source + $0 + 1) }
            source += length
        case 1:  // one byte from one byte, sometimes the same byte again
            if Bool.random(using: &rng) { source += 1 }
            map.append(from: source, to: source + 1)
            ranges.append(source..<(source + 1))
        case 2:  // a character folded to several bytes
            let width = Int.random(in: 1...4, using: &rng), length = Int.random(in: 1...5, using: &rng)
            map.appendSpan(count: length, from: source, to: source + width)
            ranges += Array(repeating: source..<(source + width), count: length)
            source += width
        case 3:  // a separator: an empty range
            map.append(from: source, to: source)
            ranges.append(source..<source)
        case 4:  // skipped source bytes (markup, dropped characters)
            source += Int.random(in: 1...6, using: &rng)
        default:  // bytes one at a time, as a slow path would append them
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                map.append(from: source, to: source + 1)
                ranges.append(source..<(source + 1))
                source += 1
            }
        }
    }
}

@Suite("Source maps")
struct SourceMapTests {
    @Test func runsReadBackAsPerByteRanges() {
        var rng = SeededRandom(seed: 1)
        for _ in 0..<300 {
            var reference = Reference()
            var source = 0
            for _ in 0..<Int.random(in: 0...60, using: &rng) { reference.randomAppend(&rng, source: &source) }
            #expect(reference.map.count == reference.ranges.count)
            #expect(Array(reference.map) == reference.ranges)
            #expect(reference.map == SourceMap(start: reference.ranges.map { UInt32($0.lowerBound) },
                                               end: reference.ranges.map { UInt32($0.upperBound) }))
            // Any range of output bytes: the smallest range holding every
            // byte's source (from its first byte's start to its last byte's
            // end where the map runs forwards).
            if !reference.ranges.isEmpty {
                let a = Int.random(in: 0..<reference.ranges.count, using: &rng)
                let b = Int.random(in: a..<reference.ranges.count, using: &rng)
                let low = reference.ranges[a...b].map(\.lowerBound).min()!, high = reference.ranges[a...b].map(\.upperBound).max()!
                let expected = low..<max(low, high)
                #expect(reference.map.source(of: a..<(b + 1)) == expected)
            }
        }
    }

    @Test func composingMatchesComposingByteByByte() {
        var rng = SeededRandom(seed: 2)
        for _ in 0..<300 {
            var inner = Reference(), outer = Reference()
            var source = 0
            for _ in 0..<Int.random(in: 1...40, using: &rng) { inner.randomAppend(&rng, source: &source) }
            // The outer map's source is the inner map's output.
            var position = 0
            while true {
                var candidate = outer
                var next = position
                candidate.randomAppend(&rng, source: &next)
                guard next <= inner.ranges.count, candidate.ranges.allSatisfy({ $0.upperBound <= inner.ranges.count }) else { break }
                outer = candidate
                position = next
            }
            let composed = outer.map.composed(with: inner.map)
            let expected = outer.ranges.map { inner.map.source(of: $0) }
            #expect(Array(composed) == expected)
        }
    }

    @Test func copiedTextIsOneRun() {
        var map = SourceMap()
        map.appendLinear(count: 1000, from: 40)
        map.appendLinear(count: 500, from: 1040)
        for k in 0..<10 { map.append(from: 1540 + k, to: 1541 + k) }
        #expect(map.runCount == 1 && map.count == 1510)
        #expect(map[1509] == 1549..<1550)
        // A two-byte character from one source byte, then an entity's bytes.
        map.append(from: 1600, to: 1601)
        map.append(from: 1600, to: 1601)
        map.appendSpan(count: 2, from: 1601, to: 1609)
        #expect(map.runCount == 3)
        #expect(Array(map[1510...]) == [1600..<1601, 1600..<1601, 1601..<1609, 1601..<1609])
        map.truncate(to: 1511)
        #expect(map.runCount == 2 && map.count == 1511 && map.lastEnd == 1601)
    }

    @Test func anEmptyMapPointsAtZero() {
        let map = SourceMap()
        #expect(map.source(of: 0..<0) == 0..<0)
        #expect(map.composed(with: SourceMap()).isEmpty)
    }
}

@Suite("Leet view")
struct LeetViewTests {
    /// The leet view's rules byte by byte, as documented on `LeetView`:
    /// the oracle for its eight-bytes-at-a-time path.
    static func reference(_ source: [UInt8]) -> [UInt8] {
        let table = LeetView.substitutions
        let n = source.count
        func letter(_ k: Int) -> Bool { k >= 0 && k < n && LeetView.isLetter(table[Int(source[k])]) }
        func nextSpaced(after k: Int) -> Int? {
            var j = k + 1
            while j < n && j - k <= 2 && LeetView.isSeparator(table[Int(source[j])]) { j += 1 }
            return j > k + 1 && j - k <= 3 && letter(j) && !letter(j + 1) ? j : nil
        }
        var out: [UInt8] = []
        var i = 0
        while i < n {
            if letter(i) && !letter(i - 1) && !letter(i + 1) {
                var run = [i], gaps: [Int] = [], spaced: [Bool] = []
                while let next = nextSpaced(after: run.last!) {
                    gaps.append(next - run.last! - 1)
                    spaced.append(source[(run.last! + 1)..<next].contains(0x20))
                    run.append(next)
                }
                if run.count >= LeetView.minimumSpacedLetters {
                    let narrowest = gaps.min()!
                    let punctuated = spaced.contains(false)
                    for (index, k) in run.enumerated() {
                        if index > 0 && (gaps[index - 1] > narrowest || (punctuated && spaced[index - 1])) { out.append(0x20) }
                        out.append(table[Int(source[k])])
                    }
                    i = run.last! + 1
                    continue
                }
            }
            out.append(table[Int(source[i])])
            i += 1
        }
        return out
    }

    @Test func matchesTheByteByByteRules() {
        var rng = SeededRandom(seed: 3)
        let alphabet = Array("abcxyz 0123456789@$|+.-_*/!?,Ee\n".utf8) + [0xC3, 0xA9]
        for round in 0..<2000 {
            let length = Int.random(in: 0...(round < 1000 ? 24 : 200), using: &rng)
            // Mostly words, sometimes spaced-out letters and digits.
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            let text = NormalizedText(bytes: bytes, map: SourceMap(start: (0..<bytes.count).map(UInt32.init),
                                                                    end: (0..<bytes.count).map { UInt32($0 + 1) }),
                                      expansionCapped: false)
            let leet = LeetView.of(text)
            #expect(leet.bytes == Self.reference(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(leet.map.count == leet.bytes.count)
        }
    }

    @Test func masksFlagExactlyTheirBytes() {
        for b in UInt8(0)...255 {
            for position in 0..<8 {
                var word = Array("qqqqqqqq".utf8)
                word[position] = b
                let x = word.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                let bit: UInt64 = 0x80 << (8 * UInt64(position))
                #expect((LeetView.letterMask(x) & bit != 0) == LeetView.isLetter(b))
                // Every byte the table changes is flagged (digits that read as
                // themselves may be too: they take the byte-by-byte path).
                // (Except `l`, which the fast path substitutes itself.)
                if LeetView.substitutions[Int(b)] != b && b != 0x6C { #expect(LeetView.substitutionMask(x) & bit != 0) }
                if !(0x30...0x39).contains(b) && LeetView.substitutions[Int(b)] == b { #expect(LeetView.substitutionMask(x) & bit == 0) }
            }
        }
    }
}
