import TextNormalizer

/// Resolves names and checks every rule, collecting diagnostics.
struct RuleChecker {
    var diagnostics = Diagnostics()
    private(set) var patterns: [DeclaredPattern] = []

    static let metadataKeys: Set<String> = ["description", "category", "severity", "weight", "reference", "author", "reviewed", "status"]
    static let severityRange = 0...10
    static let weightRange = -100...100

    /// Rules declared so far: qualified name → (index, span).
    private var declared: [String: (index: Int, span: SourceSpan)] = [:]
    /// Folds literals the way the views they target are folded.
    private let normalizer = TextNormalizer()

    private struct Pending {
        let syntax: RuleSyntax
        let namespace: String
        let id: RuleID
    }

    mutating func check(_ files: [RuleFileSyntax]) -> [Rule] {
        // Step 1: declare every rule, so references may point forwards and
        // across files.
        var pending: [Pending] = []
        for file in files {
            let namespace = file.namespace?.name ?? RuleChecker.defaultNamespace(file.file.path)
            for rule in file.rules {
                let qualified = namespace + "." + rule.name
                if let first = declared[qualified] {
                    let (line, _) = first.span.file.location(of: first.span.start)
                    diagnostics.append(Diagnostic(.duplicateRule, "duplicate rule `\(rule.name)`", at: rule.nameSpan,
                                                  note: "first declared at line \(line)",
                                                  labels: [.init(span: first.span, message: "first declared here")]))
                    continue
                }
                declared[qualified] = (pending.count, rule.nameSpan)
                pending.append(Pending(syntax: rule, namespace: namespace, id: RuleID(pending.count)))
            }
        }
        // Step 2: check each rule and resolve its condition.
        var rules: [Rule] = []
        for p in pending {
            rules.append(checkRule(p.syntax, namespace: p.namespace, id: p.id))
        }
        // Step 3: references between rules must not form a cycle.
        checkCycles(rules, pending.map(\.syntax))
        return rules
    }

    /// `Rules/proscribed-organisations.rules` → `proscribed-organisations`.
    static func defaultNamespace(_ path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.hasSuffix(".rules") ? String(base.dropLast(6)) : base
    }

    // MARK: One rule

    private mutating func checkRule(_ syntax: RuleSyntax, namespace: String, id: RuleID) -> Rule {
        let meta = checkMetadata(syntax)
        let (ids, byName, declarations) = declarePatterns(syntax, rule: id)
        var used: Set<PatternID> = []
        var condition = Condition.boolean(false)
        if let written = syntax.condition {
            // An unresolved condition has already been reported; it is not
            // also "never matches".
            let resolved = resolve(written, patterns: byName, namespace: namespace, used: &used)
            condition = resolved ?? .boolean(false)
            if let resolved, let constant = RuleChecker.constantValue(resolved), let span = syntax.conditionSpan {
                if constant {
                    diagnostics.append(Diagnostic(.alwaysTrue, "the condition of `\(syntax.name)` is always true", at: span,
                                                  hint: "it would flag every page; test for a pattern"))
                } else {
                    diagnostics.append(Diagnostic(.neverMatches, "rule `\(syntax.name)` can never match", at: span))
                }
            }
        } else if !syntax.conditionFailed {
            diagnostics.append(Diagnostic(.missingCondition, "rule `\(syntax.name)` has no condition", at: syntax.nameSpan,
                                          hint: "add `condition:` with, for example, `any of them`"))
        }
        for (patternID, declaration) in zip(ids, declarations) where !used.contains(patternID) && !syntax.conditionFailed {
            diagnostics.append(Diagnostic(.unusedPattern, "pattern `$\(declaration.name)` is not used in the condition", at: declaration.nameSpan))
        }
        if syntax.examples.isEmpty {
            diagnostics.append(Diagnostic(.noExamples, "rule `\(syntax.name)` has no examples", at: syntax.nameSpan))
        }
        let (line, _) = syntax.nameSpan.file.location(of: syntax.nameSpan.start)
        return Rule(
            id: id, qualifiedName: namespace + "." + syntax.name, namespace: namespace, name: syntax.name, tags: syntax.tags,
            description: meta.description, category: meta.category, severity: meta.severity, weight: meta.weight,
            reference: meta.reference, author: meta.author, reviewed: meta.reviewed, status: meta.status,
            patterns: ids, condition: condition,
            examples: syntax.examples.map { Example(shouldMatch: $0.shouldMatch, text: $0.text, line: $0.span.file.location(of: $0.span.start).line) },
            file: syntax.nameSpan.file.path, line: line)
    }

    private struct Metadata {
        var description = ""
        var category = Category.context
        var severity = 0
        var weight = 0
        var reference: String?
        var author: String?
        var reviewed: String?
        var status = RuleStatus.active
    }

    private mutating func checkMetadata(_ syntax: RuleSyntax) -> Metadata {
        var meta = Metadata()
        var seen: [String: SourceSpan] = [:]
        func invalid(_ entry: MetaSyntax, _ message: String, hint: String? = nil) -> Diagnostic {
            Diagnostic(.invalidMetadata, message, at: entry.valueSpan, hint: hint)
        }
        for entry in syntax.meta {
            guard RuleChecker.metadataKeys.contains(entry.key) else {
                diagnostics.append(Diagnostic(.unknownMetadata, "unknown metadata key `\(entry.key)`", at: entry.keySpan))
                continue
            }
            if let first = seen[entry.key] {
                diagnostics.append(Diagnostic(.duplicateMetadata, "`\(entry.key)` is set twice", at: entry.keySpan,
                                              labels: [.init(span: first, message: "first set here")]))
                continue
            }
            seen[entry.key] = entry.keySpan
            switch (entry.key, entry.value) {
            case let ("severity", .integer(n)):
                if RuleChecker.severityRange.contains(n) { meta.severity = n } else {
                    diagnostics.append(invalid(entry, "severity \(n) is out of range", hint: "severity is 0 (none) to 10 (threat to life)"))
                }
            case let ("weight", .integer(n)):
                if RuleChecker.weightRange.contains(n) { meta.weight = n } else {
                    diagnostics.append(invalid(entry, "weight \(n) is out of range", hint: "weight is -100 to 100 score points"))
                }
            case let ("category", .string(s)):
                if let category = Category(rawValue: s) { meta.category = category } else {
                    diagnostics.append(invalid(entry, "unknown category `\(s)`",
                                               hint: "categories: " + Category.allCases.map(\.rawValue).joined(separator: ", ")))
                }
            case let ("status", .string(s)):
                if let status = RuleStatus(rawValue: s) { meta.status = status } else {
                    diagnostics.append(invalid(entry, "unknown status `\(s)`", hint: "status is active, shadow or disabled"))
                }
            case let ("reviewed", .string(s)):
                if RuleChecker.isDate(s) { meta.reviewed = s } else {
                    diagnostics.append(invalid(entry, "`\(s)` is not a date", hint: "write dates as YYYY-MM-DD"))
                }
            case let ("description", .string(s)): meta.description = s
            case let ("reference", .string(s)): meta.reference = s
            case let ("author", .string(s)): meta.author = s
            case ("severity", _), ("weight", _):
                diagnostics.append(invalid(entry, "`\(entry.key)` must be an integer"))
            default:
                diagnostics.append(invalid(entry, "`\(entry.key)` must be a string in quotes"))
            }
        }
        let required = ["category", "severity", "weight"].filter { seen[$0] == nil }
        if !required.isEmpty {
            diagnostics.append(Diagnostic(.missingRequiredMetadata,
                                          "rule `\(syntax.name)` has no \(required.joined(separator: ", "))", at: syntax.nameSpan))
        }
        let recommended = ["description", "reference", "author", "reviewed"].filter { seen[$0] == nil }
        if !recommended.isEmpty {
            diagnostics.append(Diagnostic(.missingMetadata, "rule `\(syntax.name)` has no \(recommended.joined(separator: ", "))",
                                          at: syntax.nameSpan, hint: "an officer reading a hit needs to know what the rule is for and who vouches for it"))
        }
        return meta
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        return year >= 1900 && (1...12).contains(month) && (1...31).contains(day)
    }

    /// Declares the rule's patterns; returns their IDs, a name lookup, and
    /// the declaration of each ID (duplicates are reported and left out).
    private mutating func declarePatterns(_ syntax: RuleSyntax, rule: RuleID) -> ([PatternID], [String: PatternID], [PatternSyntax]) {
        var ids: [PatternID] = []
        var declarations: [PatternSyntax] = []
        var byName: [String: PatternID] = [:]
        var firstSpan: [String: SourceSpan] = [:]
        var seenValues: [[UInt8]: SourceSpan] = [:]
        for declaration in syntax.patterns {
            if let first = firstSpan[declaration.name] {
                diagnostics.append(Diagnostic(.duplicatePatternName, "pattern `$\(declaration.name)` is declared twice", at: declaration.nameSpan,
                                              labels: [.init(span: first, message: "first declared here")]))
                continue
            }
            firstSpan[declaration.name] = declaration.nameSpan
            var modifiers: Set<String> = []
            for modifier in declaration.modifiers {
                if !modifiers.insert(modifier.name).inserted {
                    diagnostics.append(Diagnostic(.duplicateModifier, "`\(modifier.name)` is given twice", at: modifier.span))
                }
            }
            let exact = modifiers.contains("exact")
            let caseInsensitive = !exact || modifiers.contains("nocase")
            // Every pattern is matched in the leet view (spelling tricks are
            // the commonest evasion) unless it is `exact` (the letters as
            // written: the case-preserving view, or with `nocase` the
            // normalised one) or opts out with `noleet` (the normalised view,
            // digits as digits).
            let view: TextView = exact ? (modifiers.contains("nocase") ? .normalized : .cased) : modifiers.contains("noleet") ? .normalized : .leet
            if exact, let leet = declaration.modifiers.first(where: { $0.name == "leet" }) {
                diagnostics.append(Diagnostic(.conflictingModifiers, "pattern `$\(declaration.name)` is both `exact` and `leet`", at: leet.span))
            }
            if modifiers.contains("leet"), let noleet = declaration.modifiers.first(where: { $0.name == "noleet" }) {
                diagnostics.append(Diagnostic(.conflictingModifiers, "pattern `$\(declaration.name)` is both `leet` and `noleet`", at: noleet.span))
            }
            for value in declaration.values {
                if value.bytes.isEmpty {
                    diagnostics.append(Diagnostic(.emptyPattern, "pattern `$\(declaration.name)` has an empty string", at: value.span,
                                                  hint: "an empty pattern matches everywhere"))
                } else if value.bytes.count < 3 && !(exact && modifiers.contains("fullword")) {
                    diagnostics.append(Diagnostic(.shortPattern, "pattern `$\(declaration.name)` is only \(value.bytes.count) byte\(value.bytes.count == 1 ? "" : "s") long",
                                                  at: value.span))
                }
                let folded = view.fold(value.bytes, caseInsensitive: caseInsensitive, normalizer: normalizer)
                // The same text twice means the same text in the same view.
                let key = [view.code] + folded
                if folded.isEmpty && !value.bytes.isEmpty {
                    diagnostics.append(Diagnostic(.emptyPattern, "pattern `$\(declaration.name)` folds to nothing in the \(view.rawValue) view",
                                                  at: value.span, hint: "it is made only of characters normalisation removes"))
                }
                if let first = seenValues[key] {
                    diagnostics.append(Diagnostic(.duplicatePattern, "the same text appears twice in rule `\(syntax.name)`", at: value.span,
                                                  labels: [.init(span: first, message: "first here")]))
                } else {
                    seenValues[key] = value.span
                }
            }
            let id = PatternID(patterns.count)
            patterns.append(DeclaredPattern(id: id, rule: rule, name: declaration.name, values: declaration.values.map(\.bytes),
                                          view: view, caseInsensitive: caseInsensitive,
                                          fullword: modifiers.contains("fullword")))
            ids.append(id)
            declarations.append(declaration)
            byName[declaration.name] = id
        }
        return (ids, byName, declarations)
    }

    static func asciiLower(_ b: UInt8) -> UInt8 { (65...90).contains(b) ? b | 0x20 : b }

    // MARK: Conditions

    private mutating func resolve(_ c: ConditionSyntax, patterns: [String: PatternID], namespace: String,
                                  used: inout Set<PatternID>) -> Condition? {
        func pattern(_ name: String, _ span: SourceSpan) -> PatternID? {
            guard let id = patterns[name] else {
                diagnostics.append(Diagnostic(.undefinedPattern, "no pattern `$\(name)` in this rule", at: span))
                return nil
            }
            used.insert(id)
            return id
        }
        switch c {
        case let .boolean(b, _):
            return .boolean(b)
        case let .pattern(name, span):
            return pattern(name, span).map { .pattern($0) }
        case let .count(name, span, op, n):
            return pattern(name, span).map { .count($0, op, n) }
        case let .near(a, b, words, span):
            guard let x = pattern(a, span), let y = pattern(b, span) else { return nil }
            return .near(x, y, words: words)
        case let .of(quantifier, set, span):
            var members: [PatternID] = []
            switch set {
            case .them:
                members = patterns.values.sorted()
            case let .items(items):
                for item in items {
                    if item.wildcard {
                        let found = patterns.filter { $0.key.hasPrefix(item.name) }.map(\.value).sorted()
                        if found.isEmpty {
                            diagnostics.append(Diagnostic(.undefinedPattern, "no pattern matches `$\(item.name)*` in this rule", at: item.span))
                        }
                        members += found
                    } else if let id = pattern(item.name, item.span) {
                        members.append(id)
                    }
                }
            }
            members = Array(Set(members)).sorted()
            used.formUnion(members)
            if members.isEmpty {
                if case .them = set {
                    diagnostics.append(Diagnostic(.undefinedPattern, "`them` refers to the rule's patterns, and it has none", at: span))
                }
                return nil
            }
            switch quantifier {
            case .any: return .atLeast(1, members)
            case .all: return .atLeast(members.count, members)
            case let .atLeast(n): return .atLeast(n, members)
            }
        case let .rule(name, span):
            let qualified = name.contains(".") ? name : namespace + "." + name
            guard let target = declared[qualified] else {
                diagnostics.append(Diagnostic(.undefinedRule, "no rule `\(name)`", at: span,
                                              hint: name.contains(".") ? nil : "rules in other namespaces are named `namespace.rule`"))
                return nil
            }
            return .rule(RuleID(target.index))
        case let .not(inner, _):
            return resolve(inner, patterns: patterns, namespace: namespace, used: &used).map { .not($0) }
        case let .and(operands), let .or(operands):
            // Resolve every operand, so each problem is reported.
            let resolved = operands.map { resolve($0, patterns: patterns, namespace: namespace, used: &used) }
            guard resolved.allSatisfy({ $0 != nil }) else { return nil }
            let flat = resolved.map { $0! }
            if case .and = c { return .all(flat) }
            return .any(flat)
        }
    }

    /// The value of a condition that does not depend on the text, if it has one.
    static func constantValue(_ c: Condition) -> Bool? {
        switch c {
        case let .boolean(b): return b
        case .pattern, .near, .rule: return nil
        case let .count(_, op, n):
            // Counts are 0 or more: some comparisons are settled by that alone.
            switch op {
            case .greaterOrEqual where n <= 0, .greater where n < 0, .notEqual where n < 0: return true
            case .less where n <= 0, .lessOrEqual where n < 0, .equal where n < 0: return false
            default: return nil
            }
        case let .atLeast(n, members):
            if n <= 0 { return true }
            if n > members.count { return false }
            return nil
        case let .not(inner): return constantValue(inner).map { !$0 }
        case let .all(operands):
            let values = operands.map(constantValue)
            if values.contains(false) { return false }
            if values.allSatisfy({ $0 == true }) { return true }
            return nil
        case let .any(operands):
            let values = operands.map(constantValue)
            if values.contains(true) { return true }
            if values.allSatisfy({ $0 == false }) { return false }
            return nil
        }
    }

    // MARK: Cycles

    private mutating func checkCycles(_ rules: [Rule], _ syntax: [RuleSyntax]) {
        for cycle in RuleChecker.cycles(in: rules) {
            let names = cycle.map { rules[$0].name }.joined(separator: " -> ")
            diagnostics.append(Diagnostic(.ruleCycle, "rule `\(rules[cycle[0]].name)` depends on itself: \(names)",
                                          at: syntax[cycle[0]].nameSpan))
        }
    }

    /// Each cycle of rule references, as rule indices from a rule back to
    /// itself; at most one per rule where a cycle closes. Iterative
    /// depth-first search with three colours: a grey target closes a cycle.
    static func cycles(in rules: [Rule]) -> [[Int]] {
        var found: [[Int]] = []
        var colour = [UInt8](repeating: 0, count: rules.count)
        var reported: Set<Int> = []
        for root in rules.indices where colour[root] == 0 {
            var stack: [(rule: Int, children: [Int], next: Int)] = [(root, references(rules[root].condition), 0)]
            colour[root] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next == stack[top].children.count {
                    colour[stack[top].rule] = 2
                    stack.removeLast()
                    continue
                }
                let child = stack[top].children[stack[top].next]
                stack[top].next += 1
                guard child >= 0 && child < rules.count else { continue }
                if colour[child] == 1 {
                    if reported.insert(child).inserted {
                        found.append(Array(stack.map(\.rule).drop { $0 != child }) + [child])
                    }
                } else if colour[child] == 0 {
                    colour[child] = 1
                    stack.append((child, references(rules[child].condition), 0))
                }
            }
        }
        return found
    }

    static func references(_ c: Condition) -> [Int] {
        var out: [Int] = []
        var work = [c]
        while let next = work.popLast() {
            switch next {
            case let .rule(id): out.append(id.index)
            case let .not(x): work.append(x)
            case let .all(xs), let .any(xs): work += xs
            default: break
            }
        }
        return out
    }
}
