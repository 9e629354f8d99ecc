import Testing
import TestSupport
import TextNormalizer
@testable import TriageRules

/// The scanner against a naive reference that searches every literal with
/// a plain loop, counts words with a table, and evaluates conditions as
/// trees: random rule sets (lists, `fullword`, shared literals, counts,
/// sets, `near`, references between rules, shadow rules) over random texts.
/// Checks which rules hold, every hit's counts, and its evidence spans.
@Suite("Scanner against a naive reference")
struct ScannerDifferentialTests {
    typealias Generator = SeededRandom

    static let words = ["al", "alpha", "Alpha", "beta", "betamax", "gam", "gamma", "ALPHA", "delta", "é", "x"]
    static let separators = [" ", " ", " ", ".", "\n", "--", ", ", "é"]

    /// One declared pattern of a generated rule.
    struct Declared {
        var name: String
        var values: [String]
        var fullword: Bool
    }

    func randomText(_ g: inout Generator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...40, using: &g) {
            text += Self.words.randomElement(using: &g)! + Self.separators.randomElement(using: &g)!
        }
        return text
    }

    func randomCondition(_ names: [String], rules: Int, self index: Int, _ g: inout Generator, depth: Int = 0) -> String {
        let a = names.randomElement(using: &g)!, b = names.randomElement(using: &g)!
        let pick = Int.random(in: 0..<(depth > 1 ? 5 : 8), using: &g)
        switch pick {
        case 0: return "$\(a)"
        case 1:
            // Every comparison, and bounds on both sides of a single hit
            // (`#a > 0` decides the rule on a hit, `#a > 1` does not).
            let op = [">=", ">", "==", "!=", "<", "<="].randomElement(using: &g)!
            return "#\(a) \(op) \(Int.random(in: 0...3, using: &g))"
        case 2: return "$\(a) near $\(b) within \(Int.random(in: 0...4, using: &g)) words"
        case 3: return "\(Int.random(in: 1...2, using: &g)) of them"
        case 4: return index > 0 && Bool.random(using: &g) ? "r\(Int.random(in: 0..<index, using: &g))" : "not $\(a)"
        case 5: return "(\(randomCondition(names, rules: rules, self: index, &g, depth: depth + 1)) and \(randomCondition(names, rules: rules, self: index, &g, depth: depth + 1)))"
        case 6: return "(\(randomCondition(names, rules: rules, self: index, &g, depth: depth + 1)) or \(randomCondition(names, rules: rules, self: index, &g, depth: depth + 1)))"
        default: return "not (\(randomCondition(names, rules: rules, self: index, &g, depth: depth + 1)))"
        }
    }

    @Test func randomRuleSetsAgreeWithTheReference() throws {
        var g = Generator(seed: 20261124)
        var ruleHits = 0, nearRules = 0
        for round in 0..<60 {
            // A rule set.
            var source = ""
            var declared: [[Declared]] = []
            let ruleCount = Int.random(in: 1...5, using: &g)
            for r in 0..<ruleCount {
                var strings: [Declared] = []
                for k in 0..<Int.random(in: 1...3, using: &g) {
                    let values = (0..<Int.random(in: 1...2, using: &g)).map { _ in
                        Bool.random(using: &g) ? Self.words.randomElement(using: &g)!.lowercased()
                            : Self.words.randomElement(using: &g)!.lowercased() + " " + Self.words.randomElement(using: &g)!.lowercased()
                    }.filter { $0.utf8.count >= 3 }
                    guard !values.isEmpty else { continue }
                    strings.append(Declared(name: "s\(k)", values: values, fullword: Bool.random(using: &g)))
                }
                if strings.isEmpty { strings = [Declared(name: "s0", values: ["alpha"], fullword: false)] }
                declared.append(strings)
                let lines = strings.map { s in
                    let list = s.values.count == 1 ? "\"\(s.values[0])\"" : "[" + s.values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
                    return "        $\(s.name) = \(list) noleet" + (s.fullword ? " fullword" : "")
                }.joined(separator: "\n")
                let condition = randomCondition(strings.map(\.name), rules: ruleCount, self: r, &g)
                let status = [nil, nil, "shadow", "disabled"].randomElement(using: &g)!
                source += ruleSource("r\(r)", strings: lines, condition: condition, status: status)
            }
            let (compiled, diagnostics) = compile(source)
            // Generated conditions can be constant (a warning) but never wrong.
            let rules = try #require(compiled, "round \(round): \(DiagnosticRenderer.text(diagnostics))\n\(source)")
            nearRules += source.components(separatedBy: " near ").count - 1
            // Span caps of 1 and 3: evidence is filled by walking chains
            // when few spans are wanted, by one pass otherwise; both run.
            let scanner = RuleScanner(rules)
            let cap = round % 2 == 0 ? 3 : 1
            scanner.maxSpansPerPattern = cap
            for _ in 0..<20 {
                let text = randomText(&g)
                let bytes = Array(text.utf8)
                let expected = Reference(rules: rules, text: bytes)
                let hits = scanner.scan(TextViews(bytes))
                ruleHits += hits.count
                #expect(hits.map(\.rule) == expected.holding, "round \(round) text \(text.debugDescription)\n\(source)")
                for hit in hits {
                    let own = rules.rules[hit.rule.index].patterns.filter { !expected.occurrences[$0.index].isEmpty }
                    let wantCounts = own.map { expected.occurrences[$0.index].count }
                    let wantStarts = own.map { Array(expected.occurrences[$0.index].prefix(cap).map(\.lowerBound)) }
                    #expect(hit.evidence.map(\.pattern) == own && hit.evidence.map(\.count) == wantCounts
                            && hit.evidence.map { $0.spans.map(\.start) } == wantStarts,
                            "round \(round) text \(text.debugDescription) rule r\(hit.rule.rawValue)")
                }
                // Without evidence: the same verdicts.
                #expect(scanner.scan(TextViews(bytes), evidence: false).map(\.rule) == expected.holding)
            }
        }
        // The comparison means something: rules held, `near` was exercised.
        #expect(ruleHits > 300 && nearRules > 20, "\(ruleHits) rule hits, \(nearRules) near conditions")
    }

    /// Everything computed the slow, obvious way.
    struct Reference {
        var occurrences: [[Range<Int>]] = []
        var holding: [RuleID] = []

        init(rules: CompiledRules, text raw: [UInt8]) {
            // Every generated pattern targets the normalised view (none is
            // `exact`): matches, word boundaries and word numbers are all
            // reckoned in that view, as the scanner does.
            precondition(rules.patterns.allSatisfy { $0.view == .normalized })
            let text = TextNormalizer().views(of: raw, leet: false).normalized.bytes
            let lower = text.map(RuleChecker.asciiLower)
            for s in rules.patterns {
                var found: [Range<Int>] = []
                // Identical literals in one list are one literal.
                // Literals are normalised as the view is.
                let needles = Set(s.values.map { TextNormalizer().views(of: $0, leet: false).normalized.bytes }.filter { !$0.isEmpty })
                for needle in needles {
                    let hay = s.caseInsensitive ? lower : text
                    guard needle.count <= hay.count else { continue }
                    for start in 0...(hay.count - needle.count) where Array(hay[start..<(start + needle.count)]) == needle {
                        let end = start + needle.count
                        if s.fullword {
                            let word = { (b: UInt8) in WordBoundary.isWordByte(b) }
                            let before = start == 0 || !word(text[start - 1]) || !word(text[start])
                            let after = end == text.count || !word(text[end]) || !word(text[end - 1])
                            if !(before && after) { continue }
                        }
                        found.append(start..<end)
                    }
                }
                occurrences.append(found.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) })
            }
            // Word numbers: the word containing or preceding each offset.
            var starts: [Int] = []
            for i in text.indices where WordBoundary.isWordByte(text[i]) && (i == 0 || !WordBoundary.isWordByte(text[i - 1])) {
                starts.append(i)
            }
            let wordNumber = { (offset: Int) in max(starts.filter { $0 <= offset }.count - 1, 0) }
            var memo: [Int: Bool] = [:]
            func value(_ r: Int) -> Bool {
                if let v = memo[r] { return v }
                let rule = rules.rules[r]
                let v = rule.status != .disabled && evaluate(rule.condition)
                memo[r] = v
                return v
            }
            func evaluate(_ c: Condition) -> Bool {
                switch c {
                case let .boolean(b): return b
                case let .pattern(s): return !occurrences[s.index].isEmpty
                case let .count(s, op, n): return op.holds(occurrences[s.index].count, n)
                case let .atLeast(n, members): return members.filter { !occurrences[$0.index].isEmpty }.count >= n
                case let .near(a, b, words):
                    for x in occurrences[a.index] {
                        for y in occurrences[b.index] where abs(wordNumber(x.lowerBound) - wordNumber(y.lowerBound)) <= words { return true }
                    }
                    return false
                case let .rule(r): return value(r.index)
                case let .not(x): return !evaluate(x)
                case let .all(xs): return xs.allSatisfy(evaluate)
                case let .any(xs): return xs.contains(where: evaluate)
                }
            }
            holding = rules.rules.indices.filter { value($0) }.map { RuleID($0) }
        }
    }
}
