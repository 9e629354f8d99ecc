import Artefacts
import Testing
import TestSupport
@testable import AhoCorasick

@Suite("Edge cases")
struct EdgeCaseTests {
    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func emptyPatternSet(kind: MatchKind, automaton: AutomatonKind) throws {
        let ac = try AhoCorasickBuilder.make(kind, automaton).build([String]())
        #expect(ac.patternCount == 0)
        #expect(ac.matches(in: "anything at all").isEmpty)
        #expect(ac.matches(in: "").isEmpty)
        var stream = StreamSearcher(ac)
        var found = 0
        stream.feed(Array("abc".utf8)) { _ in found += 1 }
        stream.finish { _ in found += 1 }
        #expect(found == 0)
    }

    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func emptyPatternMatchesEveryPosition(kind: MatchKind, automaton: AutomatonKind) throws {
        let ac = try AhoCorasickBuilder.make(kind, automaton).build([""])
        #expect(ac.matches(in: "abc").map(\.start) == [0, 1, 2, 3])
        #expect(ac.matches(in: "").map(M.init) == [M(0, 0, 0)])
    }

    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func allByteValues(kind: MatchKind, automaton: AutomatonKind) throws {
        // Every byte value as a pattern of its own, and one pattern of all 256.
        let singles = (0...255).map { [UInt8($0)] }
        let all = (0...255).map { UInt8($0) }
        let patterns = singles + [all]
        let ac = try AhoCorasickBuilder.make(kind, automaton).build(patterns)
        #expect(ac.byteClassCount == 256)
        let want = NaiveMatcher.matches(patterns, in: all + all, kind: kind, asciiCaseInsensitive: false)
        #expect(ac.matches(in: all + all) == want)
        #expect(!want.isEmpty)
    }

    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func pattern64KiB(kind: MatchKind, automaton: AutomatonKind) throws {
        var rng = SeededRandom(seed: 64)
        let long = (0..<65_536).map { _ in UInt8.random(in: 97...100, using: &rng) }
        let ac = try AhoCorasickBuilder.make(kind, automaton).build([long, Array(long[100..<110])])
        #expect(ac.longestPatternLength == 65_536)
        let haystack = Array("xx".utf8) + long + Array("yy".utf8)
        let want = NaiveMatcher.matches([long, Array(long[100..<110])], in: haystack, kind: kind, asciiCaseInsensitive: false)
        #expect(ac.matches(in: haystack) == want)
        #expect(want.contains { $0.pattern == PatternID(0) && $0.start == 2 && $0.end == 65_538 })
        // Streamed in 1000-byte chunks, the long match crosses 66 boundaries.
        var stream = StreamSearcher(ac)
        var streamed: [Match] = []
        var i = 0
        while i < haystack.count {
            stream.feed(Array(haystack[i..<min(i + 1000, haystack.count)])) { streamed.append($0) }
            i += 1000
        }
        stream.finish { streamed.append($0) }
        #expect(streamed == want)
    }

    /// Between chunks a stream keeps at most the longest pattern's bytes,
    /// however much is fed and however the candidates fall.
    @Test(arguments: MatchKind.allCases)
    func streamMemoryIsBoundedByTheLongestPattern(kind: MatchKind) throws {
        let patterns = ["abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcx", "abc", "cab", "b"]
        let ac = try AhoCorasickBuilder.make(kind, .dfa).build(patterns)
        var rng = SeededRandom(seed: 7)
        var stream = StreamSearcher(ac)
        var found = 0
        for _ in 0..<2000 {
            // Long runs of a near-miss keep a candidate alive across chunks.
            let chunk = (0..<Int.random(in: 1...700, using: &rng)).map { i in Array("abc".utf8)[i % 3] }
            stream.feed(chunk) { _ in found += 1 }
            #expect(stream.retainedByteCount <= ac.longestPatternLength)
        }
        stream.finish { _ in found += 1 }
        #expect(found > 0)
    }

    @Test(arguments: AutomatonKind.allCases)
    func duplicatePatternsKeepTheirIDs(automaton: AutomatonKind) throws {
        let patterns = ["plan", "attack", "plan", "PLAN"]
        let standard = try AhoCorasickBuilder.make(.standard, automaton, caseInsensitive: true).build(patterns)
        #expect(standard.patternCount == 4)
        #expect(standard.matches(in: "plan").map(\.pattern.index) == [0, 2, 3])
        let first = try AhoCorasickBuilder.make(.leftmostFirst, automaton, caseInsensitive: true).build(patterns)
        #expect(first.matches(in: "plan").map(\.pattern.index) == [0])
    }

    /// One million distinct patterns build, stay on the automatic kind's
    /// budget, and find what they should.
    @Test func oneMillionPatterns() throws {
        let patterns = (0..<1_000_000).map { n -> [UInt8] in
            var digits = Array(String(n).utf8)
            while digits.count < 6 { digits.insert(UInt8(ascii: "0"), at: 0) }
            return digits
        }
        var builder = AhoCorasickBuilder()
        builder.matchKind = .leftmostLongest
        let ac = try builder.build(patterns)
        #expect(ac.patternCount == 1_000_000)
        let found = ac.matches(in: "id 123456 and 000042, 999999.")
        #expect(found.map(M.init) == [M(123_456, 3, 9), M(42, 14, 20), M(999_999, 22, 28)])
    }

    @Test func automaticChoiceFollowsTheBudget() throws {
        let words = (0..<2000).map { "word\($0)x" }
        var builder = AhoCorasickBuilder()
        #expect(try builder.build(words).kind == .dfa)
        builder.dfaMemoryBudget = 1024
        #expect(try builder.build(words).kind == .contiguousNFA)
    }

    @Test func builtValuesAreSendable() async throws {
        func requireSendable<T: Sendable>(_: T.Type) {}
        requireSendable(AhoCorasick.self)
        requireSendable(AhoCorasickBuilder.self)
        requireSendable(StreamSearcher.self)
        requireSendable(Match.self)
        requireSendable(PatternID.self)
        requireSendable(MappedFile.self)
        requireSendable(BuildError.self)
        requireSendable(LoadError.self)
        // And in use: one automaton searched from many tasks at once.
        let ac = try AhoCorasickBuilder().build(["needle"])
        let haystack = Array(String(repeating: "hay needle ", count: 100).utf8)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { haystack.withUnsafeBytes { ac.countMatches(in: $0) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 100, count: 8))
    }
}
