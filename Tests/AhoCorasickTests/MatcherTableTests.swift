import Testing
@testable import AhoCorasick

/// One row of a matcher table: patterns, haystack, the matches expected.
struct MatcherCase: CustomTestStringConvertible, Sendable {
    let name: String
    let patterns: [String]
    let haystack: String
    let expected: [(Int, Int, Int)]
    var caseInsensitive = false
    var testDescription: String { name }

    init(_ name: String, _ patterns: [String], _ haystack: String, _ expected: [(Int, Int, Int)], caseInsensitive: Bool = false) {
        self.name = name
        self.patterns = patterns
        self.haystack = haystack
        self.expected = expected
        self.caseInsensitive = caseInsensitive
    }
}

/// Rows whose answer is the same for every match kind.
let basicCases: [MatcherCase] = [
    MatcherCase("no patterns", [], "abc", []),
    MatcherCase("empty haystack", ["a"], "", []),
    MatcherCase("single", ["a"], "a", [(0, 0, 1)]),
    MatcherCase("repeated", ["a"], "aaa", [(0, 0, 1), (0, 1, 2), (0, 2, 3)]),
    MatcherCase("no match", ["xyz"], "abcdef", []),
    MatcherCase("disjoint", ["foo", "bar"], "foo bar foo", [(0, 0, 3), (1, 4, 7), (0, 8, 11)]),
    MatcherCase("at end", ["def"], "abcdef", [(0, 3, 6)]),
    MatcherCase("failure link to shorter suffix", ["abcd", "cef"], "abcef", [(1, 2, 5)]),
    MatcherCase("non-ASCII exact", ["é", "ß"], "café Straße", [(0, 3, 5), (1, 10, 12)]),
    MatcherCase("case folding", ["attack"], "An ATTACK, an Attack", [(0, 3, 9), (0, 14, 20)], caseInsensitive: true),
    MatcherCase("case folding leaves non-ASCII exact", ["é"], "É é", [(0, 3, 5)], caseInsensitive: true),
    MatcherCase("case-sensitive by default", ["Plan"], "plan Plan PLAN", [(0, 5, 9)]),
]

let standardCases: [MatcherCase] = [
    MatcherCase("Sam and Samwise", ["Sam", "Samwise"], "Samwise", [(0, 0, 3), (1, 0, 7)]),
    MatcherCase("classic he/she/his/hers", ["he", "she", "his", "hers"], "ushers",
                [(1, 1, 4), (0, 2, 4), (3, 2, 6)]),
    MatcherCase("overlapping repeats", ["aa"], "aaaa", [(0, 0, 2), (0, 1, 3), (0, 2, 4)]),
    MatcherCase("suffix chain", ["abcd", "bcd", "cd", "d"], "abcd", [(0, 0, 4), (1, 1, 4), (2, 2, 4), (3, 3, 4)]),
    MatcherCase("duplicates each reported", ["ab", "ab"], "ab", [(0, 0, 2), (1, 0, 2)]),
    MatcherCase("empty pattern at every position", [""], "ab", [(0, 0, 0), (0, 1, 1), (0, 2, 2)]),
    MatcherCase("empty pattern after longer", ["a", ""], "a", [(1, 0, 0), (0, 0, 1), (1, 1, 1)]),
    MatcherCase("case-insensitive duplicates", ["ABC", "abc"], "aBc", [(0, 0, 3), (1, 0, 3)], caseInsensitive: true),
]

let leftmostFirstCases: [MatcherCase] = [
    MatcherCase("Sam first", ["Sam", "Samwise"], "Samwise", [(0, 0, 3)]),
    MatcherCase("Samwise first", ["Samwise", "Sam"], "Samwise", [(0, 0, 7)]),
    MatcherCase("earlier start wins over priority", ["bcd", "abc"], "abcd", [(1, 0, 3)]),
    MatcherCase("priority breaks start ties", ["abcd", "ab"], "abcx abcd", [(1, 0, 2), (0, 5, 9)]),
    MatcherCase("no overlap", ["aa"], "aaaa", [(0, 0, 2), (0, 2, 4)]),
    MatcherCase("copied match beaten by earlier longer", ["abcde", "bc", "cd"], "abcdx", [(1, 1, 3)]),
    MatcherCase("suffix match through failure", ["abcd", "bcd", "c"], "abcx", [(2, 2, 3)]),
    MatcherCase("duplicates report the first", ["ab", "ab"], "ab", [(0, 0, 2)]),
    MatcherCase("empty pattern first shadows all", ["", "a"], "a", [(0, 0, 0), (0, 1, 1)]),
    MatcherCase("empty pattern last", ["a", ""], "ab", [(0, 0, 1), (1, 1, 1), (1, 2, 2)]),
]

let leftmostLongestCases: [MatcherCase] = [
    MatcherCase("Samwise longest", ["Sam", "Samwise"], "Samwise", [(1, 0, 7)]),
    MatcherCase("longest regardless of order", ["Samwise", "Sam"], "Samwise", [(0, 0, 7)]),
    MatcherCase("falls back to shorter", ["abcd", "ab"], "abcx", [(1, 0, 2)]),
    MatcherCase("earlier start beats longer", ["bcdef", "abc"], "abcdef", [(1, 0, 3)]),
    MatcherCase("copied match beaten by earlier longer", ["abcde", "bc", "cd"], "abcde", [(0, 0, 5)]),
    MatcherCase("duplicates report the first", ["ab", "ab"], "ab", [(0, 0, 2)]),
    MatcherCase("empty pattern loses to a longer one", ["", "a"], "ab", [(1, 0, 1), (0, 1, 1), (0, 2, 2)]),
    MatcherCase("phrases", ["attack", "attack plan", "plan"], "the attack plan is a plan",
                [(1, 4, 15), (2, 21, 25)]),
]

@Suite("Matcher tables")
struct MatcherTableTests {
    func check(_ row: MatcherCase, kind: MatchKind, automaton: AutomatonKind) throws {
        let ac = try AhoCorasickBuilder.make(kind, automaton, caseInsensitive: row.caseInsensitive).build(row.patterns)
        #expect(ac.kind == automaton)
        let got = ac.matches(in: row.haystack).map(M.init)
        let want = row.expected.map { M($0.0, $0.1, $0.2) }
        #expect(got == want, "\(row.name) [\(kind), \(automaton)]")
        // The oracle agrees with the table, so the table is what it says.
        let oracle = NaiveMatcher.matches(row.patterns.map { Array($0.utf8) }, in: Array(row.haystack.utf8),
                                          kind: kind, asciiCaseInsensitive: row.caseInsensitive).map(M.init)
        #expect(oracle == want, "oracle disagrees with row \(row.name) [\(kind)]")
        // Counting agrees with iterating.
        let count = Array(row.haystack.utf8).withUnsafeBytes { ac.countMatches(in: $0) }
        #expect(count == want.count)
    }

    @Test(arguments: basicCases, MatchKind.allCases)
    func basic(_ row: MatcherCase, kind: MatchKind) throws {
        for automaton in AutomatonKind.allCases { try check(row, kind: kind, automaton: automaton) }
    }

    @Test(arguments: standardCases, AutomatonKind.allCases)
    func standard(_ row: MatcherCase, automaton: AutomatonKind) throws {
        try check(row, kind: .standard, automaton: automaton)
    }

    @Test(arguments: leftmostFirstCases, AutomatonKind.allCases)
    func leftmostFirst(_ row: MatcherCase, automaton: AutomatonKind) throws {
        try check(row, kind: .leftmostFirst, automaton: automaton)
    }

    @Test(arguments: leftmostLongestCases, AutomatonKind.allCases)
    func leftmostLongest(_ row: MatcherCase, automaton: AutomatonKind) throws {
        try check(row, kind: .leftmostLongest, automaton: automaton)
    }
}
