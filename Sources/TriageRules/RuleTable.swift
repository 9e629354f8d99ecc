/// A compiled rule set's rules, decoded from their records on access.
/// Scans never need this; reports, `rules test` and `rules info` do.
public struct RuleTable: RandomAccessCollection, Sendable {
    let ruleSet: CompiledRules

    public var startIndex: Int { 0 }
    public var endIndex: Int { ruleSet.tables.ruleCount }

    public subscript(index: Int) -> Rule {
        let tables = ruleSet.tables
        var r = ByteReader(ruleSet.records.blob, at: Int(ruleSet.records.rules[index]))
        let name = r.checkedText()
        let namespace = r.checkedText()
        let tags = (0..<r.checkedCount()).map { _ in r.checkedText() }
        let description = r.checkedText()
        let reference = r.checkedOptionalText(), author = r.checkedOptionalText(), reviewed = r.checkedOptionalText()
        let examples = (0..<r.checkedCount()).map { _ in
            let should = r.checkedByte() == 1
            let text = r.checkedData()
            return Example(shouldMatch: should, text: text, line: r.checkedCount())
        }
        let file = r.checkedText()
        let line = r.checkedCount()
        return Rule(
            id: RuleID(index), qualifiedName: namespace + "." + name, namespace: namespace, name: name, tags: tags,
            description: description, category: Category.allCases[Int(tables.ruleCategory[index])],
            severity: Int(tables.ruleSeverity[index]), weight: Int(tables.ruleWeight[index]),
            reference: reference, author: author, reviewed: reviewed,
            status: ScanTables.statusCodes[Int(tables.ruleStatus[index])],
            patterns: ScanTables.row(tables.rulePatternStart, index).map { PatternID(rawValue: tables.rulePatternIDs[$0]) },
            condition: tables.program.condition(of: index), examples: examples, file: file, line: line)
    }

    public subscript(id: RuleID) -> Rule { self[id.index] }
}

/// A compiled rule set's declared patterns, decoded on access.
public struct PatternTable: RandomAccessCollection, Sendable {
    let ruleSet: CompiledRules

    public var startIndex: Int { 0 }
    public var endIndex: Int { ruleSet.tables.patternCount }

    public subscript(index: Int) -> DeclaredPattern {
        let tables = ruleSet.tables
        var r = ByteReader(ruleSet.records.blob, at: Int(ruleSet.records.patterns[index]))
        let name = r.checkedText()
        let values = (0..<r.checkedCount()).map { _ in r.checkedData() }
        let caseInsensitive = r.checkedByte() == 1
        return DeclaredPattern(id: PatternID(index), rule: RuleID(rawValue: tables.patternRule[index]), name: name, values: values,
                              view: TextView(code: tables.patternView[index])!, caseInsensitive: caseInsensitive,
                              fullword: tables.fullword[index] != 0)
    }

    public subscript(id: PatternID) -> DeclaredPattern { self[id.index] }
}
