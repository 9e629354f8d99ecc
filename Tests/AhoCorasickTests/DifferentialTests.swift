import Testing
import TestSupport
@testable import AhoCorasick

@Suite("Differential against the naive matcher")
struct DifferentialTests {
    /// A small alphabet makes overlaps, shared prefixes and failure chains
    /// common; upper case and high bytes exercise folding and exactness.
    static let alphabet: [UInt8] = Array("abcAB".utf8) + [0x00, 0xC3, 0xFF]

    static func randomCase(_ rng: inout SeededRandom) -> (patterns: [[UInt8]], haystack: [UInt8]) {
        let patternCount = Int.random(in: 0...8, using: &rng)
        let patterns = (0..<patternCount).map { _ in
            (0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        }
        let haystack = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        // Mostly avoid the empty pattern: it matches everywhere and would
        // hide other differences. Keep it in a fraction of cases.
        let kept = Int.random(in: 0..<8, using: &rng) == 0 ? patterns : patterns.filter { !$0.isEmpty }
        return (kept, haystack)
    }

    static func chunks(_ haystack: [UInt8], _ rng: inout SeededRandom) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var i = 0
        while i < haystack.count {
            let n = Int.random(in: 0...7, using: &rng)
            chunks.append(Array(haystack[i..<min(haystack.count, i + n)]))
            i += n
        }
        if Bool.random(using: &rng) { chunks.insert([], at: 0) }
        return chunks
    }

    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func randomized(kind: MatchKind, automaton: AutomatonKind) throws {
        var rng = SeededRandom(seed: 0x5EED_0000 &+ UInt64(kind.rawValue) &* 31 &+ UInt64(automaton.rawValue))
        for iteration in 0..<1500 {
            let (patterns, haystack) = Self.randomCase(&rng)
            let caseInsensitive = Bool.random(using: &rng)
            let ac = try AhoCorasickBuilder.make(kind, automaton, caseInsensitive: caseInsensitive).build(patterns)
            let want = NaiveMatcher.matches(patterns, in: haystack, kind: kind, asciiCaseInsensitive: caseInsensitive)
            let context = "iteration \(iteration): patterns \(patterns) haystack \(haystack) ci \(caseInsensitive)"

            #expect(ac.matches(in: haystack) == want, "\(context)")
            var appended: [Match] = [Match(pattern: PatternID(99), start: 0, end: 0)]
            haystack.withUnsafeBytes { ac.appendMatches(in: $0, to: &appended) }
            #expect(Array(appended.dropFirst()) == want, "appendMatches: \(context)")

            // With a limit: a prefix of the same matches, stopped at the end
            // of the byte where the limit was reached, and false only when
            // matches were left out.
            let limit = Int.random(in: 0...max(want.count, 1), using: &rng)
            var limited: [Match] = []
            let complete = haystack.withUnsafeBytes { ac.appendMatches(in: $0, to: &limited, limit: limit) }
            #expect(limited == Array(want.prefix(limited.count)), "limited: \(context) limit \(limit)")
            #expect(!complete || limited.count == want.count, "limited complete: \(context) limit \(limit)")
            #expect(complete || limited.count >= limit, "limited stopped early: \(context) limit \(limit)")
            if kind == .standard, let last = limited.last, limited.count > limit {
                // Past the limit only by matches that end where the last kept one does.
                #expect(limited[limit...].allSatisfy { $0.end == last.end } || limit == 0, "limited overshoot: \(context)")
            }

            // Stream search over random chunks finds exactly the same.
            var stream = StreamSearcher(ac)
            var streamed: [Match] = []
            for chunk in Self.chunks(haystack, &rng) { stream.feed(chunk) { streamed.append($0) } }
            stream.finish { streamed.append($0) }
            #expect(streamed == want, "stream: \(context)")

            // A serialised and reloaded automaton is the same automaton.
            if iteration % 5 == 0 {
                let reloaded = try AhoCorasick(serialized: ac.serialized())
                #expect(reloaded.matches(in: haystack) == want, "reloaded: \(context)")
            }
        }
    }

    /// Larger sets over a realistic alphabet: deep tries, long failure
    /// chains, many classes, dense and sparse NFA states.
    @Test(arguments: MatchKind.allCases)
    func largerSets(kind: MatchKind) throws {
        var rng = SeededRandom(seed: 0xB16 &+ UInt64(kind.rawValue))
        let letters = Array("etaoinshrdlu ".utf8)
        for _ in 0..<20 {
            let patterns = (0..<Int.random(in: 20...200, using: &rng)).map { _ in
                (0..<Int.random(in: 1...9, using: &rng)).map { _ in letters.randomElement(using: &rng)! }
            }
            let haystack = (0..<2000).map { _ in letters.randomElement(using: &rng)! }
            let want = NaiveMatcher.matches(patterns, in: haystack, kind: kind, asciiCaseInsensitive: false)
            for automaton in AutomatonKind.allCases {
                let ac = try AhoCorasickBuilder.make(kind, automaton).build(patterns)
                #expect(ac.matches(in: haystack) == want, "\(automaton)")
            }
        }
    }
}
