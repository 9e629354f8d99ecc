/// The parsed form of one rule file, before names are resolved.
struct RuleFileSyntax {
    let file: SourceFile
    var namespace: (name: String, span: SourceSpan)?
    var includes: [(path: String, span: SourceSpan)] = []
    var rules: [RuleSyntax] = []
}

struct RuleSyntax {
    var name: String
    var nameSpan: SourceSpan
    var tags: [String] = []
    var meta: [MetaSyntax] = []
    var patterns: [PatternSyntax] = []
    var condition: ConditionSyntax?
    var conditionSpan: SourceSpan?
    /// A `condition:` section was written but could not be parsed (already
    /// reported), so "no condition" and "unused pattern" would be noise.
    var conditionFailed = false
    var examples: [ExampleSyntax] = []
}

struct MetaSyntax {
    enum Value {
        case string(String)
        case integer(Int)
    }
    let key: String
    let keySpan: SourceSpan
    let value: Value
    let valueSpan: SourceSpan
}

struct PatternSyntax {
    let name: String
    let nameSpan: SourceSpan
    /// One literal, or the items of a `[…]` list.
    let values: [(bytes: [UInt8], span: SourceSpan)]
    let modifiers: [(name: String, span: SourceSpan)]
}

struct ExampleSyntax {
    let shouldMatch: Bool
    let text: [UInt8]
    let span: SourceSpan
}

/// A condition as written. `span` is where it stands in the source.
indirect enum ConditionSyntax {
    case boolean(Bool, SourceSpan)
    case pattern(String, SourceSpan)
    case count(String, SourceSpan, Comparison, Int)
    case of(Quantifier, PatternSet, SourceSpan)
    case near(String, String, words: Int, SourceSpan)
    case rule(String, SourceSpan)
    case not(ConditionSyntax, SourceSpan)
    /// Operands of a chain `a and b and c`: one flat node, never a deep
    /// chain, so walking or freeing it cannot exhaust the stack.
    case and([ConditionSyntax])
    /// Operands of `a or b or c`, flat like `and`.
    case or([ConditionSyntax])

    enum Quantifier: Equatable {
        case any, all
        case atLeast(Int)
    }

    enum PatternSet {
        /// Every pattern of the rule.
        case them
        /// Names and `prefix*` wildcards, each with its span.
        case items([(name: String, wildcard: Bool, span: SourceSpan)])
    }

    var span: SourceSpan {
        switch self {
        case let .boolean(_, s), let .pattern(_, s), let .count(_, s, _, _), let .of(_, _, s),
             let .near(_, _, _, s), let .rule(_, s), let .not(_, s):
            return s
        case let .and(operands), let .or(operands):
            let first = operands.first!.span, last = operands.last!.span
            return SourceSpan(file: first.file, start: first.start, end: last.end)
        }
    }
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=` over a count.
public enum Comparison: String, Sendable, Hashable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    func holds(_ lhs: Int, _ rhs: Int) -> Bool {
        switch self {
        case .equal: lhs == rhs
        case .notEqual: lhs != rhs
        case .less: lhs < rhs
        case .lessOrEqual: lhs <= rhs
        case .greater: lhs > rhs
        case .greaterOrEqual: lhs >= rhs
        }
    }

    /// Whether `count <op> rhs` holds for every count of 1 or more (so a
    /// single hit settles it).
    func holdsForEveryHit(_ rhs: Int) -> Bool {
        switch self {
        case .greaterOrEqual: rhs <= 1
        case .greater, .notEqual: rhs <= 0
        case .equal, .less, .lessOrEqual: false
        }
    }
}
