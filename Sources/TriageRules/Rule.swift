import TextNormalizer

/// Which text a pattern is matched against (see `TextNormalizer`).
public enum TextView: String, Sendable, Hashable, CaseIterable {
    /// The normalised text: NFKC with case folding, invisible characters
    /// dropped, diacritics stripped, look-alike letters read as Latin. The
    /// default for every pattern; its literals are normalised the same way.
    case normalized
    /// The normalised text with case kept (`exact`): invisible characters
    /// dropped, NFKC, diacritics stripped, look-alikes read as Latin letters
    /// in their case, white space collapsed; no leetspeak, no joining. So
    /// `exact "SRN"` matches `ＳＲＮ`, `S​RN` and Cyrillic `ЅRΝ`, never
    /// `srn`.
    case cased
    /// The normalised text with leetspeak undone: digits and symbols read as
    /// letters, spaced-out letters joined (`leet`). Its literals go through
    /// the same folding, so `attack` matches `4tt4ck` and `a t t a c k`.
    case leet

    /// How a compiled rule set stores the view.
    var code: UInt8 {
        switch self {
        case .normalized: 0
        case .cased: 1
        case .leet: 2
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .normalized
        case 1: self = .cased
        case 2: self = .leet
        default: return nil
        }
    }

    /// A literal as the automaton for this view searches for it.
    func fold(_ literal: [UInt8], caseInsensitive: Bool, normalizer: TextNormalizer) -> [UInt8] {
        switch self {
        case .cased: normalizer.casedView(of: literal).bytes
        case .normalized: normalizer.views(of: literal, leet: false).normalized.bytes
        case .leet: normalizer.views(of: literal, leet: true).leet.bytes
        }
    }
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
    public let patterns: [PatternID]
    public let condition: Condition
    public let examples: [Example]
    /// Where the rule is declared: file and 1-based line.
    public let file: String
    public let line: Int
}

/// One declared pattern: `$name = "text"` or a list of texts, with modifiers.
public struct DeclaredPattern: Sendable, Hashable {
    public let id: PatternID
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
    case pattern(PatternID)
    case count(PatternID, Comparison, Int)
    case atLeast(Int, [PatternID])
    case near(PatternID, PatternID, words: Int)
    case rule(RuleID)
    case not(Condition)
    /// All of the operands hold. `a and b and c` is one node, not a chain,
    /// so depth is bounded by the parser's nesting limit, not by how many
    /// alternatives a rule lists.
    case all([Condition])
    /// Any of the operands holds (flattened like `all`).
    case any([Condition])

}
