/// Runs every rule's embedded examples against the whole compiled rule set
/// (so rules that name other rules are tested as they will run).
public enum RuleTester {
    public struct Outcome: Sendable {
        public let rule: Rule
        public let example: Example
        /// Whether the rule matched the example text.
        public let matched: Bool
        /// The rule's pattern hits on the example (its evidence).
        public let evidence: [StringHit]
        public var passed: Bool { matched == example.shouldMatch }
    }

    public static func run(_ rules: CompiledRules) -> [Outcome] {
        let scanner = RuleScanner(rules)
        var outcomes: [Outcome] = []
        for rule in rules.rules {
            for example in rule.examples {
                let hits = scanner.scan(.plain(example.text))
                let hit = hits.first { $0.rule == rule.id }
                // A disabled rule never matches; its hits would be empty anyway.
                let evidence = rule.strings.compactMap { id in
                    hits.lazy.flatMap(\.evidence).first { $0.string == id }
                }
                outcomes.append(Outcome(rule: rule, example: example, matched: hit != nil,
                                        evidence: hit?.evidence ?? evidence))
            }
        }
        return outcomes
    }
}
