import TextNormalizer

/// Runs every rule's embedded examples against the whole compiled rule set
/// (so rules that name other rules are tested as they will run).
public enum RuleTester {
    public struct Outcome: Sendable {
        public let rule: Rule
        public let example: Example
        /// Whether the rule matched the example text.
        public let matched: Bool
        /// The hits of the rule's own patterns on the example, whether or not
        /// its condition held (so a failing example shows what did match).
        /// Spans are in their views; `views.source(of:)` maps them to the text.
        public let evidence: [PatternHit]
        /// The example's views, as scanned.
        public let views: TextViews
        public var passed: Bool { matched == example.shouldMatch }
    }

    public static func run(_ rules: CompiledRules) -> [Outcome] {
        let scanner = RuleScanner(rules)
        let normalizer = TextNormalizer()
        var outcomes: [Outcome] = []
        for rule in rules.rules {
            for example in rule.examples {
                let views = TextViews(example.text, normalizer: normalizer)
                let matched = scanner.scan(views).contains { $0.rule == rule.id }
                let own = Set(rule.patterns)
                let evidence = scanner.patternHits(views).filter { own.contains($0.pattern) }
                outcomes.append(Outcome(rule: rule, example: example, matched: matched, evidence: evidence, views: views))
            }
        }
        return outcomes
    }
}
