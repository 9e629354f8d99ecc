/// Which text a pattern is matched against.
public enum TextView: String, Sendable, Hashable, CaseIterable {
    /// The text after normalisation (case folding now; Unicode folding,
    /// invisible-character removal and look-alike folding with the page-text
    /// work). The default for every pattern.
    case normalized
    /// The text exactly as it appears on the page (`exact`).
    case raw
}

/// A compiled rule: metadata, its patterns and its resolved condition.
public struct Rule: Sendable, Hashable {
    public let id: RuleID
    /// `namespace.name`.
    public let qualifiedName: String
    public let namespace: String
    public let name: String
    public let tags: [String]
    public let description: String
    public let category: Category
    public let severity: Int
    public let weight: Int
    public let reference: String?
    public let author: String?
    public let reviewed: String?
    public let status: RuleStatus
    /// The rule's declared patterns, in declaration order.
    public let strings: [StringID]
    public let condition: Condition
    public let examples: [Example]
    /// Where the rule is declared: file and 1-based line.
    public let file: String
    public let line: Int
}

/// One declared pattern: `$name = "text"` or a list of texts, with modifiers.
public struct DeclaredString: Sendable, Hashable {
    public let id: StringID
    public let rule: RuleID
    /// Without the `$`.
    public let name: String
    /// The literals, as written (before any folding).
    public let values: [[UInt8]]
    public let view: TextView
    public let caseInsensitive: Bool
    public let fullword: Bool
}

/// An example text embedded in a rule, which `triage rules test` checks.
public struct Example: Sendable, Hashable {
    public let shouldMatch: Bool
    public let text: [UInt8]
    public let line: Int
}

/// A condition with names resolved to IDs.
public indirect enum Condition: Sendable, Hashable {
    case boolean(Bool)
    case string(StringID)
    case count(StringID, Comparison, Int)
    case atLeast(Int, [StringID])
    case near(StringID, StringID, words: Int)
    case rule(RuleID)
    case not(Condition)
    /// All of the operands hold. `a and b and c` is one node, not a chain,
    /// so depth is bounded by the parser's nesting limit, not by how many
    /// alternatives a rule lists.
    case all([Condition])
    /// Any of the operands holds (flattened like `all`).
    case any([Condition])

}
