/// Rule-language source for tests: one rule per phrase, each matching its
/// synthetic phrase, so tests file real assessments with real hits without
/// repeating the same rule text in every suite.
public struct SyntheticRule {
    public var name: String
    public var phrase: String
    public var category: String
    public var severity: Int
    public var weight: Int

    public init(_ name: String, phrase: String, category: String = "attack-planning", severity: Int = 10, weight: Int = 60) {
        self.name = name
        self.phrase = phrase
        self.category = category
        self.severity = severity
        self.weight = weight
    }
}

/// The source of a rule file holding `rules` in `namespace`. With `broken`,
/// each condition names a pattern that does not exist (a file that does not
/// compile, for reload tests).
public func syntheticRuleSource(_ rules: [SyntheticRule], namespace: String = "t", broken: Bool = false) -> String {
    "namespace \(namespace)\n" + rules.map { rule in
        """
        rule \(rule.name) {
            meta:
                description = "synthetic \(rule.category) phrase"
                category = "\(rule.category)"
                severity = \(rule.severity)
                weight = \(rule.weight)
            strings:
                $a = "\(rule.phrase)"
            condition:
                \(broken ? "$b" : "$a")
        }

        """
    }.joined()
}
