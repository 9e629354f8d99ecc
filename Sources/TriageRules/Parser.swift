/// Parses one rule file. The grammar, in full:
///
/// ```
/// file       := ( "namespace" NAME | "include" STRING | rule )*
/// rule       := "rule" NAME ( ":" NAME+ )? "{" section* "}"
/// section    := "meta" ":" ( NAME "=" ( STRING | "-"? INTEGER ) )*
///             | "strings" ":" ( "$"NAME "=" value MODIFIER* )*
///             | "condition" ":" expr
///             | "examples" ":" ( ( "match" | "nomatch" ) STRING )*
/// value      := STRING | "[" STRING ( "," STRING )* ","? "]"
/// MODIFIER   := "nocase" | "case" | "fullword" | "exact" | "leet" | "noleet"
/// expr       := and ( "or" and )*
/// and        := unary ( "and" unary )*
/// unary      := "not" unary | primary
/// primary    := "(" expr ")" | "true" | "false"
///             | "$"NAME ( "near" "$"NAME "within" INTEGER "words" )?
///             | "#"NAME COMPARISON INTEGER
///             | ( "any" | "all" | INTEGER ) "of" ( "them" | "(" item ( "," item )* ")" )
///             | NAME ( "." NAME )?                   -- another rule
/// item       := "$"NAME | "$"PREFIX"*"
/// ```
///
/// Errors never stop the parse: the parser reports, skips to the next
/// section or rule, and carries on, so one run shows every problem.
struct Parser {
    static let sectionNames: Set<String> = ["meta", "strings", "condition", "examples"]
    static let modifierNames: Set<String> = ["nocase", "case", "fullword", "exact", "leet", "noleet"]
    /// Deepest condition nesting accepted; deeper is a diagnostic, not a
    /// stack overflow.
    static let maxDepth = 100

    private let file: SourceFile
    private let tokens: [Token]
    private var position = 0
    private var depth = 0
    private(set) var diagnostics: Diagnostics

    init(_ file: SourceFile) {
        self.file = file
        let (tokens, lexed) = Lexer.tokenize(file)
        self.tokens = tokens
        self.diagnostics = lexed
    }

    static func parse(_ file: SourceFile) -> (RuleFileSyntax, Diagnostics) {
        var parser = Parser(file)
        let syntax = parser.parseFile()
        return (syntax, parser.diagnostics)
    }

    // MARK: Token helpers

    private var current: Token { tokens[position] }
    private var peekNext: Token { tokens[min(position + 1, tokens.count - 1)] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }
    private func span(_ t: Token) -> SourceSpan { SourceSpan(file: file, start: t.start, end: t.end) }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case let .identifier(name): "`\(name)`"
        case let .pattern(name, wildcard): "`$\(name)\(wildcard ? "*" : "")`"
        case let .count(name): "`#\(name)`"
        case .string: "a string"
        case let .integer(n): "`\(n)`"
        case let .symbol(s): "`\(s)`"
        case .end: "the end of the file"
        }
    }

    private mutating func error(_ message: String, at t: Token, hint: String? = nil) {
        diagnostics.append(Diagnostic(.syntax, message, at: span(t), hint: hint))
    }

    private mutating func expectSymbol(_ s: String, _ context: String) -> Bool {
        if current.isSymbol(s) {
            advance()
            return true
        }
        error("expected `\(s)` \(context), found \(describe(current))", at: current)
        return false
    }

    /// Whether the current token starts a section (`meta:` …).
    private var atSection: Bool {
        if let name = current.identifier, Parser.sectionNames.contains(name), peekNext.isSymbol(":") { return true }
        return false
    }

    /// Skips to the next section, the end of the rule, or the next rule.
    private mutating func recoverInRule() {
        while current.kind != .end && !atSection && !current.isSymbol("}") && !current.isKeyword("rule") { advance() }
    }

    // MARK: File

    mutating func parseFile() -> RuleFileSyntax {
        var syntax = RuleFileSyntax(file: file)
        while current.kind != .end {
            if current.isKeyword("rule") {
                if let rule = parseRule() { syntax.rules.append(rule) }
            } else if current.isKeyword("namespace") {
                advance()
                if let name = current.identifier {
                    if syntax.namespace != nil {
                        error("a file has one namespace", at: current)
                    } else {
                        syntax.namespace = (name, span(current))
                    }
                    advance()
                } else {
                    error("expected a namespace name, found \(describe(current))", at: current)
                }
            } else if current.isKeyword("include") {
                advance()
                if case let .string(bytes) = current.kind {
                    syntax.includes.append((String(decoding: bytes, as: UTF8.self), span(current)))
                    advance()
                } else {
                    error("expected a file name in quotes after `include`, found \(describe(current))", at: current)
                }
            } else {
                error("expected `rule`, `include` or `namespace`, found \(describe(current))", at: current)
                advance()
                while current.kind != .end && !current.isKeyword("rule") && !current.isKeyword("include")
                    && !current.isKeyword("namespace") { advance() }
            }
        }
        return syntax
    }

    // MARK: Rule

    private mutating func parseRule() -> RuleSyntax? {
        advance()  // rule
        guard let name = current.identifier else {
            error("expected a rule name after `rule`, found \(describe(current))", at: current)
            recoverInRule()
            if current.isSymbol("}") { advance() }
            return nil
        }
        var rule = RuleSyntax(name: name, nameSpan: span(current))
        advance()
        if current.isSymbol(":") {
            advance()
            while let tag = current.identifier, !current.isSymbol("{") {
                rule.tags.append(tag)
                advance()
            }
        }
        guard expectSymbol("{", "to open the rule") else {
            recoverInRule()
            if current.isSymbol("}") { advance() }
            return rule
        }
        while current.kind != .end && !current.isSymbol("}") {
            guard atSection, let section = current.identifier else {
                error("expected a section (`meta:`, `strings:`, `condition:` or `examples:`), found \(describe(current))", at: current)
                advance()
                recoverInRule()
                continue
            }
            advance()
            advance()  // ':'
            switch section {
            case "meta": parseMeta(into: &rule)
            case "strings": parsePatterns(into: &rule)
            case "condition": parseConditionSection(into: &rule)
            default: parseExamples(into: &rule)
            }
        }
        if current.isSymbol("}") {
            advance()
        } else {
            error("rule `\(name)` is not closed with `}`", at: current)
        }
        return rule
    }

    private mutating func parseMeta(into rule: inout RuleSyntax) {
        while let key = current.identifier, !atSection {
            let keyToken = current
            advance()
            guard expectSymbol("=", "after metadata key `\(key)`") else { recoverInRule(); return }
            var negative = false
            let valueStart = current
            if current.isSymbol("-") {
                negative = true
                advance()
            }
            switch current.kind {
            case let .string(bytes) where !negative:
                rule.meta.append(MetaSyntax(key: key, keySpan: span(keyToken), value: .string(String(decoding: bytes, as: UTF8.self)),
                                            valueSpan: span(current)))
            case let .integer(n):
                rule.meta.append(MetaSyntax(key: key, keySpan: span(keyToken), value: .integer(negative ? -n : n),
                                            valueSpan: SourceSpan(file: file, start: valueStart.start, end: current.end)))
            default:
                error("expected a string or an integer for `\(key)`, found \(describe(current))", at: current)
                recoverInRule()
                return
            }
            advance()
        }
    }

    private mutating func parsePatterns(into rule: inout RuleSyntax) {
        while case let .pattern(name, wildcard) = current.kind {
            let nameToken = current
            advance()
            if wildcard || name.isEmpty {
                error("a pattern needs a name, like `$attack`", at: nameToken)
            }
            guard expectSymbol("=", "after `$\(name)`") else { recoverInRule(); return }
            var values: [(bytes: [UInt8], span: SourceSpan)] = []
            if case let .string(bytes) = current.kind {
                values.append((bytes, span(current)))
                advance()
            } else if current.isSymbol("[") {
                advance()
                while case let .string(bytes) = current.kind {
                    values.append((bytes, span(current)))
                    advance()
                    if current.isSymbol(",") { advance() } else { break }
                }
                guard expectSymbol("]", "to close the list of `$\(name)`") else { recoverInRule(); return }
                if values.isEmpty { error("the list of `$\(name)` is empty", at: nameToken) }
            } else {
                error("expected a string or a [list] of strings for `$\(name)`, found \(describe(current))", at: current)
                recoverInRule()
                return
            }
            var modifiers: [(name: String, span: SourceSpan)] = []
            while let modifier = current.identifier, !atSection {
                guard Parser.modifierNames.contains(modifier) else {
                    error("unknown modifier `\(modifier)`", at: current, hint: "modifiers are nocase, case, fullword, exact, leet and noleet")
                    advance()
                    continue
                }
                modifiers.append((modifier, span(current)))
                advance()
            }
            if !(wildcard || name.isEmpty) {
                rule.patterns.append(PatternSyntax(name: name, nameSpan: span(nameToken), values: values, modifiers: modifiers))
            }
        }
        if !atSection && !current.isSymbol("}") {
            error("expected a pattern like `$name = \"text\"`, found \(describe(current))", at: current)
            recoverInRule()
        }
    }

    private mutating func parseExamples(into rule: inout RuleSyntax) {
        while let word = current.identifier, word == "match" || word == "nomatch" {
            let start = current
            advance()
            guard case let .string(bytes) = current.kind else {
                error("expected an example text in quotes after `\(word)`, found \(describe(current))", at: current)
                recoverInRule()
                return
            }
            rule.examples.append(ExampleSyntax(shouldMatch: word == "match", text: bytes,
                                               span: SourceSpan(file: file, start: start.start, end: current.end)))
            advance()
        }
        if !atSection && !current.isSymbol("}") {
            error("expected `match \"…\"` or `nomatch \"…\"`, found \(describe(current))", at: current)
            recoverInRule()
        }
    }

    // MARK: Conditions

    private mutating func parseConditionSection(into rule: inout RuleSyntax) {
        let start = current
        depth = 0
        if let condition = parseOr() {
            if atSection || current.isSymbol("}") {
                rule.condition = condition
                rule.conditionSpan = SourceSpan(file: file, start: start.start, end: tokens[max(position - 1, 0)].end)
                return
            }
            error("unexpected \(describe(current)) in the condition", at: current,
                  hint: "combine conditions with `and`, `or` and `not`")
        }
        rule.conditionFailed = true
        recoverInRule()
    }

    private mutating func parseOr() -> ConditionSyntax? {
        guard let first = parseAnd() else { return nil }
        var operands = [first]
        while current.isKeyword("or") {
            advance()
            guard let next = parseAnd() else { return nil }
            operands.append(next)
        }
        return operands.count == 1 ? first : .or(operands)
    }

    private mutating func parseAnd() -> ConditionSyntax? {
        guard let first = parseUnary() else { return nil }
        var operands = [first]
        while current.isKeyword("and") {
            advance()
            guard let next = parseUnary() else { return nil }
            operands.append(next)
        }
        return operands.count == 1 ? first : .and(operands)
    }

    private mutating func parseUnary() -> ConditionSyntax? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            if depth == Parser.maxDepth + 1 {
                diagnostics.append(Diagnostic(.nestingTooDeep, "the condition is nested more than \(Parser.maxDepth) levels deep", at: span(current)))
            }
            return nil
        }
        if current.isKeyword("not") {
            let start = current
            advance()
            guard let operand = parseUnary() else { return nil }
            return .not(operand, SourceSpan(file: file, start: start.start, end: operand.span.end))
        }
        return parsePrimary()
    }

    private mutating func parsePrimary() -> ConditionSyntax? {
        let start = current
        switch current.kind {
        case .symbol("("):
            advance()
            guard let inner = parseOr() else { return nil }
            guard expectSymbol(")", "to close `(`") else { return nil }
            return inner
        case .identifier("true"), .identifier("false"):
            advance()
            return .boolean(start.isKeyword("true"), span(start))
        case let .pattern(name, wildcard):
            advance()
            if wildcard || name.isEmpty {
                error("a wildcard like `$name*` only goes in a set: `any of ($name*)`", at: start)
                return nil
            }
            guard current.isKeyword("near") else { return .pattern(name, span(start)) }
            advance()
            guard case let .pattern(other, false) = current.kind, !other.isEmpty else {
                error("expected a pattern after `near`, found \(describe(current))", at: current)
                return nil
            }
            advance()
            guard current.isKeyword("within") else {
                error("expected `within N words` after `$\(name) near $\(other)`", at: current)
                return nil
            }
            advance()
            guard case let .integer(n) = current.kind else {
                error("expected a number of words after `within`, found \(describe(current))", at: current)
                return nil
            }
            advance()
            guard current.isKeyword("words") else {
                error("expected `words` after `within \(n)`", at: current)
                return nil
            }
            let end = current
            advance()
            return .near(name, other, words: n, SourceSpan(file: file, start: start.start, end: end.end))
        case let .count(name):
            advance()
            guard case let .symbol(op) = current.kind, let comparison = Comparison(rawValue: op) else {
                error("expected a comparison (`>=`, `==`, …) after `#\(name)`, found \(describe(current))", at: current)
                return nil
            }
            advance()
            guard case let .integer(n) = current.kind else {
                error("expected a number after `#\(name) \(op)`, found \(describe(current))", at: current)
                return nil
            }
            let end = current
            advance()
            return .count(name, SourceSpan(file: file, start: start.start, end: end.end), comparison, n)
        case .identifier("any"), .identifier("all"), .integer:
            let quantifier: ConditionSyntax.Quantifier
            switch current.kind {
            case .identifier("any"): quantifier = .any
            case .identifier("all"): quantifier = .all
            case let .integer(n): quantifier = .atLeast(n)
            default: return nil
            }
            advance()
            guard current.isKeyword("of") else {
                error("expected `of` after \(describe(start))", at: current)
                return nil
            }
            advance()
            if current.isKeyword("them") {
                let end = current
                advance()
                return .of(quantifier, .them, SourceSpan(file: file, start: start.start, end: end.end))
            }
            guard expectSymbol("(", "or `them` after `of`") else { return nil }
            var items: [(name: String, wildcard: Bool, span: SourceSpan)] = []
            while case let .pattern(name, wildcard) = current.kind {
                items.append((name, wildcard, span(current)))
                advance()
                if current.isSymbol(",") { advance() } else { break }
            }
            if items.isEmpty { error("expected patterns like `$a, $b` or `$prefix*`, found \(describe(current))", at: current) }
            let end = current
            guard expectSymbol(")", "to close the set") else { return nil }
            return .of(quantifier, .items(items), SourceSpan(file: file, start: start.start, end: end.end))
        case let .identifier(name) where !["and", "or", "not", "of", "them", "near", "within", "words"].contains(name):
            advance()
            var full = name
            var end = start
            if current.isSymbol("."), case let .identifier(member) = peekNext.kind {
                advance()
                end = current
                full += "." + member
                advance()
            }
            return .rule(full, SourceSpan(file: file, start: start.start, end: end.end))
        default:
            error("expected a condition, found \(describe(current))", at: current,
                  hint: "a condition is a pattern ($a), a count (#a >= 2), `any of (...)`, `$a near $b within N words`, a rule name, or these joined by and/or/not")
            return nil
        }
    }
}
