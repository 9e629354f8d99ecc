import Foundation
import TestSupport
import Testing
import TriageModel
@testable import TriageEngine
import TriageRules

/// Rules made to order: one per category, weight and status as asked.
func compiledRules(_ specs: [(name: String, category: Category, weight: Int, severity: Int)]) throws -> CompiledRules {
    var source = ""
    for spec in specs {
        source += """
            rule \(spec.name) {
                meta:
                    description = "test rule"
                    category = "\(spec.category.rawValue)"
                    severity = \(spec.severity)
                    weight = \(spec.weight)
                    reference = "none"
                    author = "tests"
                    reviewed = "2026-11-24"
                strings:
                    $a = "\(spec.name.replacingOccurrences(of: "-", with: " "))"
                condition:
                    $a
                examples:
                    match "\(spec.name.replacingOccurrences(of: "-", with: " "))"
            }

            """
    }
    let text = source
    let (compiled, diagnostics) = RuleCompiler(reader: { _ in Array(text.utf8) }).compile(paths: ["test.rules"])
    return try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
}

@Suite("Scoring")
struct ScoringTests {
    static let rules: [(name: String, category: Category, weight: Int, severity: Int)] = [
        ("plan-word", .attackPlanning, 60, 10), ("guide-word", .instructionalMaterial, 35, 8), ("praise-word", .encouragementGlorification, 30, 7),
        ("join-word", .recruitment, 30, 7), ("fund-word", .fundraising, 25, 6), ("brand-word", .propagandaBranding, 20, 5),
        ("group-word", .proscribedOrganisationSupport, 10, 4), ("news-word", .context, -20, 0), ("study-word", .context, -40, 0),
    ]

    @Test func theShippedPolicyFileIsTheDefault() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try ScoringPolicy.load(path: root.appendingPathComponent("Rules/scoring-policy.json").path)
        #expect(shipped == ScoringPolicy.default)
        try ScoringPolicy.default.validate()
    }

    /// For every mix of hits and every source: the lines add up to the
    /// score, the score is within 0...100, and the band follows the rules.
    @Test func linesAddUpToTheScore() throws {
        let compiled = try compiledRules(Self.rules)
        let scorer = Scorer(policy: .default)
        var seen = Set<Band>()
        var random = SeededRandom(seed: 20261124)
        func next(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }
        for round in 0..<2000 {
            var held: [Scorer.Held] = []
            // Every subset of the nine rules (512) several times, with random match counts.
            for rule in compiled.rules where (round >> (rule.id.index % 9)) & 1 == 1 {
                held.append(.init(rule: rule, matches: 1 + next(12)))
            }
            let source = Referral.Source.allCases[round % 4]
            let outcome = scorer.score(held, source: source)
            #expect(outcome.contributions.reduce(0) { $0 + $1.points } == outcome.score)
            #expect((0...100).contains(outcome.score))
            let planning = held.contains { $0.category == .attackPlanning }
            #expect((outcome.band == .p1) == planning, "P1 exactly when attack planning held")
            if !planning {
                let expected: Band = outcome.score >= 60 ? .p2 : outcome.score >= 30 ? .p3 : outcome.score >= 10 ? .p4 : .nfa
                #expect(outcome.band == expected)
            }
            seen.insert(outcome.band)
        }
        #expect(seen.isSuperset(of: [.p1, .p2, .p3, .p4, .nfa]))
    }

    @Test func contextLowersButNeverHidesP1() throws {
        let compiled = try compiledRules(Self.rules)
        let scorer = Scorer(policy: .default)
        let plan = compiled.rules.first { $0.name == "plan-word" }!, news = compiled.rules.first { $0.name == "news-word" }!
        let study = compiled.rules.first { $0.name == "study-word" }!
        let outcome = scorer.score([.init(rule: plan, matches: 1), .init(rule: news, matches: 5), .init(rule: study, matches: 5)], source: .public)
        #expect(outcome.band == .p1)
        // 90 points of indicators; context takes at most half.
        #expect(outcome.score == 45)
        #expect(outcome.contributions.contains { $0.kind == "context-limit" })
    }

    /// Issue 19: naming organisations, however many, is not support. A
    /// page that names six (a court report, a list of proscribed groups)
    /// stays at P4; the same names beside support language still rise.
    @Test func mentionsAloneStayAtP4() throws {
        let specs = (1...6).map { (name: "org-\($0)", category: Category.proscribedOrganisationSupport, weight: 10, severity: 4) }
            + [(name: "praise-word", category: Category.encouragementGlorification, weight: 30, severity: 7)]
        let compiled = try compiledRules(specs)
        let scorer = Scorer(policy: .default)
        let organisations = compiled.rules.filter { $0.category == .proscribedOrganisationSupport }.map { Scorer.Held(rule: $0, matches: 3) }
        for source in Referral.Source.allCases {
            let named = scorer.score(organisations, source: source)
            #expect(named.score == 29 && named.band == .p4, "\(source): \(named.contributions)")
            let ceiling = try #require(named.contributions.first { $0.kind == "mention-ceiling" })
            #expect(ceiling.reason.contains("no support language: at most 29"))
            #expect(named.contributions.reduce(0) { $0 + $1.points } == named.score)
        }
        // One name alone is under the ceiling: unchanged.
        #expect(scorer.score([organisations[0]], source: .public).score == 18)
        let praise = try #require(compiled.rules.first { $0.name == "praise-word" })
        let supported = scorer.score(organisations + [.init(rule: praise, matches: 1)], source: .public)
        #expect(supported.band == .p2 && !supported.contributions.contains { $0.kind == "mention-ceiling" })
        // A policy without a ceiling (files from before it) adds them up.
        var old = ScoringPolicy.default
        old.mentionCategories = []
        #expect(Scorer(policy: old).score(organisations, source: .public).band == .p2)
    }

    @Test func repeatsDiminishAndSourcesWeigh() throws {
        let compiled = try compiledRules(Self.rules)
        let scorer = Scorer(policy: .default)
        let join = compiled.rules.first { $0.name == "join-word" }!
        let once = scorer.score([.init(rule: join, matches: 1)], source: .public).score
        let many = scorer.score([.init(rule: join, matches: 50)], source: .public).score
        #expect(once == 30 && many == 60, "n matches count at most 1/(1-0.5) = 2 times")
        let trusted = scorer.score([.init(rule: join, matches: 1)], source: .trustedFlagger)
        #expect(trusted.score == 39 && trusted.contributions.last?.kind == "source")
    }

    @Test(arguments: [
        (#"{"version":"x"}"#, "missing `"),
        ("not json", "not a valid policy"),
        (#"{"version":"x","category_multipliers":{"attack":1},"repeat_decay":0.5,"co_occurrence_bonus":10,"source_multipliers":{},"context_max_damping":0.5,"p1_categories":[],"bands":{"p2":60,"p3":30,"p4":10}}"#,
         "unknown category `attack`"),
        (#"{"version":"x","category_multipliers":{},"repeat_decay":1.5,"co_occurrence_bonus":10,"source_multipliers":{},"context_max_damping":0.5,"p1_categories":[],"bands":{"p2":60,"p3":30,"p4":10}}"#,
         "repeat_decay must be"),
        (#"{"version":"x","category_multipliers":{},"repeat_decay":0.5,"co_occurrence_bonus":10,"source_multipliers":{},"context_max_damping":0.5,"p1_categories":[],"bands":{"p2":30,"p3":60,"p4":10}}"#,
         "bands must satisfy"),
        (#"{"version":"x","category_multipliers":{},"repeat_decay":0.5,"co_occurrence_bonus":10,"source_multipliers":{},"context_max_damping":0.5,"p1_categories":[],"bands":{"p2":60,"p3":30,"p4":10},"mention_categories":["naming"]}"#,
         "unknown category `naming` in mention_categories"),
        (#"{"version":"x","category_multipliers":{},"repeat_decay":0.5,"co_occurrence_bonus":10,"source_multipliers":{},"context_max_damping":0.5,"p1_categories":[],"bands":{"p2":60,"p3":30,"p4":10},"mention_ceiling":101}"#,
         "mention_ceiling must be within 0...100"),
    ])
    func badPoliciesAreNamed(_ text: String, _ reason: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try ScoringPolicy.load(path: path)
        } throws: { error in
            let description = String(describing: error)
            return description.hasPrefix(path + ": ") && description.contains(reason)
        }
    }
}
