import Testing
@testable import TriageRules

/// One row: strings, condition, text, whether the rule should hold.
struct ConditionCase: CustomTestStringConvertible, Sendable {
    let name: String
    let strings: String
    let condition: String
    let text: String
    let holds: Bool
    var testDescription: String { name }
}

let conditionCases: [ConditionCase] = [
    .init(name: "single pattern", strings: #"$a = "attack plan""#, condition: "$a", text: "the ATTACK PLAN", holds: true),
    .init(name: "nocase is the default", strings: #"$a = "Attack Plan""#, condition: "$a", text: "attack plan", holds: true),
    .init(name: "exact is case-sensitive", strings: #"$a = "EMF" exact"#, condition: "$a", text: "emf", holds: false),
    .init(name: "exact matches raw case", strings: #"$a = "EMF" exact"#, condition: "$a", text: "the EMF release", holds: true),
    .init(name: "exact fullword beside a typographic apostrophe", strings: #"$a = "PKK" exact fullword"#, condition: "$a",
          text: "the PKK’s statement", holds: true),
    .init(name: "exact fullword beside an em dash", strings: #"$a = "PKK" exact fullword"#, condition: "$a", text: "—PKK—", holds: true),
    .init(name: "exact fullword inside a word", strings: #"$a = "PKK" exact fullword"#, condition: "$a", text: "xPKK’s", holds: false),
    .init(name: "fullword beside typographic quotes", strings: #"$a = "hamas" fullword"#, condition: "$a", text: "“Hamas”", holds: true),
    .init(name: "exact nocase", strings: #"$a = "EMF" exact nocase"#, condition: "$a", text: "emf", holds: true),
    .init(name: "fullword rejects inside a word", strings: #"$a = "plan" fullword"#, condition: "$a", text: "planet", holds: false),
    .init(name: "fullword accepts punctuation", strings: #"$a = "plan" fullword"#, condition: "$a", text: "the plan.", holds: true),
    .init(name: "fullword treats non-ASCII as letters", strings: #"$a = "plan" fullword"#, condition: "$a", text: "éplan", holds: false),
    .init(name: "list", strings: #"$a = ["one", "two"]"#, condition: "$a", text: "two", holds: true),
    .init(name: "and", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a and $b", text: "alpha only", holds: false),
    .init(name: "or", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a or $b", text: "bravo", holds: true),
    .init(name: "not", strings: #"$a = "alpha""#, condition: "not $a", text: "bravo", holds: true),
    .init(name: "precedence: and binds tighter", strings: "$a = \"alpha\"\n        $b = \"bravo\"\n        $c = \"charlie\"",
          condition: "$a or $b and $c", text: "alpha", holds: true),
    .init(name: "parentheses", strings: "$a = \"alpha\"\n        $b = \"bravo\"\n        $c = \"charlie\"",
          condition: "($a or $b) and $c", text: "alpha", holds: false),
    .init(name: "count", strings: #"$a = "alpha""#, condition: "#a >= 3", text: "alpha alpha alpha", holds: true),
    .init(name: "count below", strings: #"$a = "alpha""#, condition: "#a >= 3", text: "alpha alpha", holds: false),
    .init(name: "count equal zero", strings: #"$a = "alpha""#, condition: "#a == 0", text: "bravo", holds: true),
    .init(name: "any of them", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "any of them", text: "bravo", holds: true),
    .init(name: "all of them", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "all of them", text: "bravo", holds: false),
    .init(name: "N of set", strings: "$a = \"alpha\"\n        $b = \"bravo\"\n        $c = \"charlie\"",
          condition: "2 of ($a, $b, $c)", text: "charlie alpha", holds: true),
    .init(name: "wildcard set", strings: "$org_one = \"alpha\"\n        $org_two = \"bravo\"\n        $other = \"zulu\"",
          condition: "all of ($org*) and $other or not $other", text: "alpha bravo", holds: true),
    .init(name: "near within", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a near $b within 2 words",
          text: "alpha x bravo", holds: true),
    .init(name: "near too far", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a near $b within 2 words",
          text: "alpha x y z bravo", holds: false),
    .init(name: "normalised view drops invisible characters", strings: #"$a = "attack""#, condition: "$a", text: "at\u{200B}tack", holds: true),
    .init(name: "normalised view reads look-alikes as Latin", strings: #"$a = "attack""#, condition: "$a", text: "АТТАСК", holds: true),
    .init(name: "normalised literals fold like the text", strings: #"$a = "CAFÉ""#, condition: "$a", text: "cafe", holds: true),
    .init(name: "noleet keeps digits", strings: #"$a = "attack" noleet"#, condition: "$a", text: "4tt4ck", holds: false),
    // Issue 19, item 5: every pattern sees through spelling tricks by default.
    .init(name: "leet by default", strings: #"$a = "attack plan""#, condition: "$a", text: "the 4tt4ck p1an", holds: true),
    .init(name: "spaced out by default", strings: #"$a = "attack plan""#, condition: "$a", text: "a t t a c k  p l a n", holds: true),
    .init(name: "1 reads as l", strings: #"$a = "target list""#, condition: "$a", text: "target 1ist", holds: true),
    .init(name: "1 reads as i", strings: #"$a = "join us""#, condition: "$a", text: "jo1n us", holds: true),
    .init(name: "| reads as l or i", strings: #"$a = "list""#, condition: "$a", text: "|ist", holds: true),
    .init(name: "numbers in patterns fold like text", strings: #"$a = "Combat 18""#, condition: "$a", text: "combat 18 gig", holds: true),
    .init(name: "leet reads digits as letters", strings: #"$a = "attack" leet"#, condition: "$a", text: "4tt4ck", holds: true),
    .init(name: "leet joins spaced-out letters", strings: #"$a = "attack" leet fullword"#, condition: "$a", text: "a.t.t.a.c.k now", holds: true),
    .init(name: "leet literals fold like the text", strings: #"$a = "4tt4ck" leet"#, condition: "$a", text: "ATTACK", holds: true),
    .init(name: "exact sees the raw text", strings: #"$a = "attack" exact"#, condition: "$a", text: "4tt4ck", holds: false),
    .init(name: "near either order", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a near $b within 1 words",
          text: "bravo alpha", holds: true),
    // `and` and `or` try their cheapest operands first: the value is the same.
    .init(name: "near or a pattern", strings: "$a = \"alpha\"\n        $b = \"bravo\"", condition: "$a near $b within 1 words or $b",
          text: "alpha x y z bravo", holds: true),
    .init(name: "near and any of them", strings: "$a = \"alpha\"\n        $b = \"bravo\"",
          condition: "$a near $b within 1 words and any of them", text: "alpha x y z bravo", holds: false),
    .init(name: "not near and a pattern", strings: "$a = \"alpha\"\n        $b = \"bravo\"",
          condition: "not ($a near $b within 1 words) and $a", text: "alpha bravo", holds: false),
]

@Suite("Condition evaluation")
struct EvaluationTests {
    func holds(_ source: String, rule: String = "r", on text: String) throws -> Bool {
        let (compiled, diagnostics) = compile(source)
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        let hits = RuleScanner(rules).scan(TextViews(Array(text.utf8)))
        // The pipeline makes the leet view only for rule sets that scan it:
        // the same hits either way.
        #expect(RuleScanner(rules).scan(TextViews(Array(text.utf8), leet: rules.scansLeetView)) == hits)
        let id = try #require(rules.rule(named: rule)).id
        return hits.contains { $0.rule == id }
    }

    @Test func leetEvidenceMapsToTheRawText() throws {
        let (compiled, diagnostics) = compile(ruleSource(strings: #"        $a = "attack plan" leet"#, condition: "$a"))
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        let text = Array("Go: 4-t-t-4-c-k  p.l.4.n tonight".utf8)
        let views = TextViews(text)
        let hit = try #require(RuleScanner(rules).scan(views).first)
        let span = try #require(hit.evidence.first?.spans.first)
        #expect(span.view == .leet)
        #expect(String(decoding: text[views.source(of: span)], as: UTF8.self) == "4-t-t-4-c-k  p.l.4.n")
    }

    @Test func onlyLeetPatternsNeedTheLeetView() throws {
        let plain = try #require(compile(ruleSource(strings: #"        $a = "attack" noleet"#, condition: "$a")).0)
        let leet = try #require(compile(ruleSource(strings: "        $a = \"attack\" noleet\n        $b = \"plan\"", condition: "$a or $b")).0)
        #expect(!plain.scansLeetView)
        #expect(leet.scansLeetView)
        #expect(TextViews(Array("4tt4ck".utf8), leet: false).leet.bytes.isEmpty)
    }

    @Test(arguments: conditionCases)
    func condition(_ row: ConditionCase) throws {
        let source = ruleSource(strings: "        " + row.strings, condition: row.condition)
        #expect(try holds(source, on: row.text) == row.holds)
    }

    @Test func ruleReferencesAcrossNamespaces() throws {
        let context = "namespace ctx\n" + ruleSource("news", strings: #"        $n = "court heard""#, condition: "$n")
        let main = "namespace main\n" + ruleSource("support", strings: #"        $s = "we stand with""#, condition: "$s and not ctx.news")
        let (compiled, diagnostics) = RuleCompiler(reader: { throw MissingFile(path: $0) })
            .compile(sources: [SourceFile(path: "ctx.rules", text: context), SourceFile(path: "main.rules", text: main)])
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        let scanner = RuleScanner(rules)
        let support = try #require(rules.rule(named: "main.support")).id
        #expect(scanner.scan(TextViews(Array("we stand with them".utf8))).contains { $0.rule == support })
        #expect(!scanner.scan(TextViews(Array("the court heard: we stand with them".utf8))).contains { $0.rule == support })
    }

    @Test func evidenceCarriesSpans() throws {
        let (compiled, _) = compile(ruleSource(strings: "        $a = \"attack plan\" noleet\n        $b = \"target\"", condition: "$a and $b"))
        let rules = try #require(compiled)
        let text = "An attack plan, a target, another Attack Plan."
        let hit = try #require(RuleScanner(rules).scan(TextViews(Array(text.utf8))).first)
        let a = try #require(hit.evidence.first { rules.patterns[$0.pattern.index].name == "a" })
        #expect(a.count == 2)
        #expect(a.spans.map { [$0.start, $0.end] } == [[3, 14], [34, 45]])
        #expect(a.spans.allSatisfy { $0.view == .normalized })
    }

    @Test func cheapOperandsComeFirst() {
        let a = PatternID(rawValue: 0), b = PatternID(rawValue: 1)
        let operands: [Condition] = [.near(a, b, words: 1), .all([.pattern(a), .near(a, b, words: 2)]), .atLeast(1, [a, b]), .pattern(b),
                                     .count(a, .greater, 1), .pattern(a)]
        // Equal costs (the count and the set) keep their written order.
        #expect(ConditionProgram.cheapestFirst(operands) == [.pattern(b), .pattern(a), .atLeast(1, [a, b]), .count(a, .greater, 1),
                                                             .near(a, b, words: 1), .all([.pattern(a), .near(a, b, words: 2)])])
    }

    /// Patterns whose hit alone decides a rule (held without running its
    /// program): through `or`, sets of one, and counts every hit satisfies;
    /// never through `and`, `not`, larger sets or other counts.
    @Test(arguments: [
        ("$a", ["a"]),
        ("$a or $b", ["a", "b"]),
        ("$a or ($b and $c)", ["a"]),
        ("($a or $b) and $c", []),
        ("not $a or $b", ["b"]),
        ("any of them", ["a", "b", "c"]),
        ("any of ($a, $b) or $c near $a within 2 words", ["a", "b"]),
        ("2 of them", []),
        ("#a >= 1 or #b > 0 or #c != 0", ["a", "b", "c"]),
        ("#a >= 2 or #b > 1 or #c == 1", []),
        ("#a < 3 or $b", ["b"]),
        ("$a near $b within 3 words", []),
    ])
    func patternsThatDecideTheirRule(_ condition: String, _ deciding: [String]) throws {
        let strings = "        $a = \"alpha\"\n        $b = \"bravo\"\n        $c = \"charlie\""
        let (compiled, diagnostics) = compile(ruleSource(strings: strings, condition: condition))
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        let decided = rules.patterns.filter { rules.tables.candidateRule[$0.id.index] & ScanTables.decidesRule != 0 }.map(\.name)
        #expect(decided == deciding)
    }

    /// How many distinct read patterns must hit before a rule's program
    /// runs, when no deciding pattern hit; and which patterns count.
    @Test(arguments: [
        ("$a", 255, ["a"]),                                  // only `$a` can make it true, and it decides
        ("$a and $b", 2, ["a", "b"]),
        ("$a and ($b or $c)", 2, ["a", "b", "c"]),
        ("$a and ($b and $c or $b near $c within 2 words)", 3, ["a", "b", "c"]),
        ("$a and ($a or $b)", 1, ["a", "b"]),                // operands share `$a`: the neediest
        ("2 of them or $a", 2, ["a", "b", "c"]),
        ("#a >= 2 or $b", 1, ["a", "b"]),                    // `$c` is not read
        ("$a near $b within 3 words", 2, ["a", "b"]),
        ("$a near $a within 3 words", 1, ["a"]),
        ("not $a", 0, ["a"]),                                // holds with no hits
        ("#a == 0 or $b", 0, ["a", "b"]),
        ("4 of them", 255, ["a", "b", "c"]),                 // never holds
        ("all of them and not $a", 3, ["a", "b", "c"]),
    ])
    func hitsNeededBeforeAProgramRuns(_ condition: String, _ needed: Int, _ read: [String]) throws {
        let strings = "        $a = \"alpha\"\n        $b = \"bravo\"\n        $c = \"charlie\""
        let (compiled, diagnostics) = compile(ruleSource(strings: strings, condition: condition))
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        #expect(Int(rules.tables.hitsNeeded[0]) == needed)
        #expect(rules.patterns.filter { rules.tables.candidateRule[$0.id.index] & ScanTables.readByRule != 0 }.map(\.name) == read)
    }

    @Test func disabledRulesAreNotDecidedByAHit() throws {
        let (compiled, _) = compile(ruleSource(strings: #"        $a = "alpha""#, condition: "$a", status: "disabled"))
        let rules = try #require(compiled)
        #expect(rules.tables.candidateRule[0] & ScanTables.decidesRule == 0)
        #expect(RuleScanner(rules).scan(TextViews(Array("alpha".utf8))).isEmpty)
    }

    @Test func shadowRulesAreReportedAsShadow() throws {
        let (compiled, _) = compile(ruleSource(strings: #"        $a = "alpha""#, condition: "$a", status: "shadow"))
        let hits = RuleScanner(try #require(compiled)).scan(TextViews(Array("alpha".utf8)))
        #expect(hits.count == 1 && hits[0].shadow)
    }

    @Test func disabledRulesNeverMatch() throws {
        let (compiled, _) = compile(ruleSource(strings: #"        $a = "alpha""#, condition: "$a", status: "disabled"))
        #expect(RuleScanner(try #require(compiled)).scan(TextViews(Array("alpha".utf8))).isEmpty)
    }

    @Test func rulesThatHoldWithoutHitsStillFire() throws {
        // `not $a` holds on a page without `alpha`: the baseline path.
        #expect(try holds(ruleSource(strings: #"        $a = "alpha""#, condition: "not $a"), on: "nothing here"))
    }

    @Test func identicalLiteralsShareOnePattern() throws {
        let source = ruleSource("one", strings: #"        $a = "shared phrase""#, condition: "$a")
            + ruleSource("two", strings: #"        $b = "Shared Phrase""#, condition: "$b")
        let rules = try #require(compile(source).0)
        #expect(rules.literalCount == 1)
        #expect(RuleScanner(rules).scan(TextViews(Array("a shared phrase".utf8))).count == 2)
    }
}

@Suite("Source fingerprint")
struct FingerprintTests {
    let a = SourceFile(path: "a.rules", text: "rule a {\n  condition: true\n}\n")
    let b = SourceFile(path: "b.rules", text: "rule b {\n  condition: false\n}\n")

    @Test func knownDigestOfNothing() {
        // SHA-256 of the empty string: no files, nothing framed.
        #expect(Fingerprint(sources: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func orderLocationAndLineEndingsDoNotMatter() {
        let moved = SourceFile(path: "/elsewhere/b.rules", text: "rule b {   \r\n  condition: false\r\n}\r\n")
        #expect(Fingerprint(sources: [a, b]) == Fingerprint(sources: [moved, a]))
    }

    @Test func contentDoes() {
        let changed = SourceFile(path: "b.rules", text: "rule b {\n  condition: true\n}\n")
        #expect(Fingerprint(sources: [a, b]) != Fingerprint(sources: [a, changed]))
        // Framing: splitting the same text across files differs from one file.
        let joined = SourceFile(path: "ab.rules", bytes: a.bytes + b.bytes)
        #expect(Fingerprint(sources: [a, b]) != Fingerprint(sources: [joined]))
    }
}

extension EvaluationTests {
    /// Counts are exact even past the cap on kept positions and spans (a
    /// regression: counts were once read from the capped position list).
    @Test func countsAreExactBeyondTheCaps() throws {
        let source = ruleSource(strings: "        $a = \"alpha\"\n        $b = \"bravo\"", condition: "#a >= 5 and $a near $b within 1 words")
        let rules = try #require(compile(source).0)
        let scanner = RuleScanner(rules)
        scanner.maxPositionsPerPattern = 2
        scanner.maxSpansPerPattern = 3
        // `near` sees only the first two positions, so bravo sits next to the first alpha.
        let text = Array("alpha bravo alpha alpha alpha alpha".utf8)
        let hits = scanner.scan(TextViews(text))
        let a = try #require(hits.first?.evidence.first { rules.patterns[$0.pattern.index].name == "a" })
        #expect(a.count == 5)
        #expect(a.spans.count == 3)
        // The same scanner, reused, gives the same answer (scratch is reset).
        #expect(scanner.scan(TextViews(text)) == hits)
        #expect(scanner.scan(TextViews(Array("alpha bravo".utf8))).isEmpty)
    }
}

extension EvaluationTests {
    /// A `match` example that fails still shows which of the rule's patterns
    /// matched, so the analyst sees that the condition, not the text, is off.
    @Test func failingExampleShowsThePatternsThatMatched() throws {
        let source = """
            rule r {
            \(completeMeta)
                strings:
                    $a = "alpha"
                    $b = "bravo"
                condition:
                    $a and $b
                examples:
                    match "alpha without the other one"
            }
            """
        let rules = try #require(compile(source).0)
        let outcome = try #require(RuleTester.run(rules).first)
        #expect(!outcome.passed)
        #expect(outcome.evidence.map { rules.patterns[$0.pattern.index].name } == ["a"])
        #expect(outcome.evidence.first?.spans.map(\.start) == [0])
    }
}

extension EvaluationTests {
    /// A page with more matches than a scan keeps (issue 18, item 6: 10 MB of
    /// `a` held 10 million matches of `aaaa` in memory): what is kept stops
    /// at the limit, counts go on exactly, and the result says so.
    @Test func matchesPastTheLimitAreCountedNotKept() throws {
        let source = ruleSource(strings: "        $a = \"aaaa\"\n        $b = \"bee\"", condition: "#a >= 90 and $b")
        let rules = try #require(compile(source).0)
        let text = Array((String(repeating: "a", count: 100) + " bee").utf8)
        let unlimited = RuleScanner(rules)
        let whole = unlimited.scan(TextViews(text))
        #expect(!whole.matchLimitReached)

        for limit in [1, 5, 50, 96, 97] {
            let scanner = RuleScanner(rules)
            scanner.maxMatchesPerView = limit
            let capped = scanner.scan(TextViews(text))
            // `bee` lies past the limit: counted all the same, so the rule holds.
            let hit = try #require(capped.first, "limit \(limit)")
            let a = try #require(hit.evidence.first { rules.patterns[$0.pattern.index].name == "a" })
            #expect(a.count == 97, "limit \(limit)")
            #expect(a.spans.count <= limit, "limit \(limit)")
            // The spans kept are the first ones, as an unlimited scan shows them.
            let all = try #require(whole.first?.evidence.first { rules.patterns[$0.pattern.index].name == "a" })
            #expect(Array(a.spans) == Array(all.spans.prefix(a.spans.count)), "limit \(limit)")
            #expect(capped.matchLimitReached, "limit \(limit)")
            // The scanner's scratch is clean for the next page.
            let small = scanner.scan(TextViews(Array("aaaa bee aaaa".utf8)))
            #expect(small.matchLimitReached == (limit < 3), "limit \(limit)")
            #expect(small.isEmpty)
        }
    }

    /// Whole-word patterns and `near` past the limit see only the matches kept.
    @Test func nearAndFullwordPastTheLimitReadOnlyWhatIsKept() throws {
        let source = ruleSource(strings: "        $a = \"alpha\" fullword\n        $b = \"bravo\"", condition: "$a near $b within 1 words")
        let rules = try #require(compile(source).0)
        let text = Array(("alpha bravo " + String(repeating: "x ", count: 10) + "alpha bravo").utf8)
        let scanner = RuleScanner(rules)
        scanner.maxMatchesPerView = 1
        let capped = scanner.scan(TextViews(text))
        #expect(capped.matchLimitReached)
        // Only the first `alpha` is kept; `bravo` counted but none kept: no pair.
        #expect(capped.isEmpty)
        scanner.maxMatchesPerView = 2
        #expect(scanner.scan(TextViews(text)).count == 1)
    }
}
