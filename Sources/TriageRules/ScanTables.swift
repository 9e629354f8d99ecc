import Artefacts
import AhoCorasick

/// Keeps a rule set's table bytes alive: the mapped file they were read
/// from, or the heap buffer they were built in, and the few indexes derived
/// from them at load. Immutable once built, so shared across tasks freely.
final class TableMemory: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let file: MappedFile?
    private var owned: [UnsafeMutableRawPointer] = []

    /// A heap copy of `bytes`, 64-byte aligned.
    init(copying source: [UInt8]) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        source.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: $0.count) } }
        bytes = UnsafeRawBufferPointer(start: buffer, count: source.count)
        file = nil
        owned = [buffer]
    }

    /// The bytes of a mapped file (page aligned).
    init(mapping file: MappedFile, bytes: UnsafeRawBufferPointer) {
        self.file = file
        self.bytes = bytes
    }

    /// A new array of `values`, owned by this memory (for derived indexes).
    func keep<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        owned.append(UnsafeMutableRawPointer(buffer.baseAddress!))
        return UnsafeBufferPointer(start: buffer.baseAddress, count: values.count)
    }

    deinit {
        for pointer in owned { pointer.deallocate() }
    }
}

/// The flat tables a scan reads: every per-rule, per-pattern and
/// per-automaton-pattern fact as an array of integers, read in place from
/// the compiled rule set's bytes. The scanner never touches `Rule` or
/// `DeclaredPattern` values (no reference counting, no enum payloads), and
/// loading a compiled file copies none of them.
///
/// Automaton patterns are numbered globally: matcher `m`'s pattern `p` is
/// `patternBase[m] + p`. Tables named `…Start`/`…IDs` are compressed rows:
/// row `i` is `IDs[Start[i]..<Start[i + 1]]`.
struct ScanTables: @unchecked Sendable {
    let memory: TableMemory
    /// Every rule's condition.
    let program: ConditionProgram
    /// Per rule: 0 active, 1 shadow, 2 disabled.
    let ruleStatus: UnsafeBufferPointer<UInt8>
    /// Per rule: index into `Category.allCases`, severity and weight.
    let ruleCategory: UnsafeBufferPointer<UInt8>
    let ruleSeverity: UnsafeBufferPointer<Int32>
    let ruleWeight: UnsafeBufferPointer<Int32>
    /// Per rule: its condition's value on a text with no pattern hits (0/1).
    let baseline: UnsafeBufferPointer<UInt8>
    /// Per rule: its declared patterns.
    let rulePatternStart: UnsafeBufferPointer<UInt32>
    let rulePatternIDs: UnsafeBufferPointer<UInt32>
    /// Per declared pattern: its rule, view (0 normalised, 1 raw) and
    /// whether a hit must be a whole word (0/1).
    let patternRule: UnsafeBufferPointer<UInt32>
    let patternView: UnsafeBufferPointer<UInt8>
    let fullword: UnsafeBufferPointer<UInt8>
    /// Per matcher: the global number of its first pattern, then the total.
    let patternBase: UnsafeBufferPointer<UInt32>
    /// Per automaton pattern: the declared patterns it serves.
    let ownerStart: UnsafeBufferPointer<UInt32>
    let ownerIDs: UnsafeBufferPointer<UInt32>

    // Derived at load (and checked by deriving them):
    /// Per rule: the rules whose conditions name it.
    let dependentStart: UnsafeBufferPointer<UInt32>
    let dependentIDs: UnsafeBufferPointer<UInt32>
    /// Per declared pattern: the automaton patterns of its literals.
    let patternLiteralStart: UnsafeBufferPointer<UInt32>
    let patternLiteralIDs: UnsafeBufferPointer<UInt32>
    /// Per declared pattern: its one automaton pattern if it has exactly one
    /// literal and no `fullword` (its hits are that literal's, as they are),
    /// else `noSoleLiteral`. Saves evidence two lookups per pattern.
    let soleLiteral: UnsafeBufferPointer<UInt32>
    static let noSoleLiteral = UInt32.max
    /// Per declared pattern: its rule (`candidateRule & ruleMask`), with
    /// `decidesRule` set when a hit on the pattern alone makes the rule's
    /// condition true (`ConditionProgram.forEachSufficientPattern`), so a
    /// scan holds the rule without running its program, and `readByRule`
    /// when the condition reads the pattern.
    let candidateRule: UnsafeBufferPointer<UInt32>
    static let decidesRule: UInt32 = 1 << 31
    static let readByRule: UInt32 = 1 << 30
    static let ruleMask: UInt32 = readByRule - 1
    /// Per rule: how many distinct patterns it reads must hit before its
    /// program can hold (`ConditionProgram.hitsNeeded`), at most 255.
    /// A scan runs a candidate's program only when that many hit.
    let hitsNeeded: UnsafeBufferPointer<UInt8>
    /// Rules in an order where every rule comes after the rules it names
    /// (so evaluating in this order never recurses from rule to rule).
    let evaluationRank: UnsafeBufferPointer<UInt32>
    /// Whether any condition names another rule.
    let hasReferences: Bool

    static let statusCodes: [RuleStatus] = [.active, .shadow, .disabled]

    var ruleCount: Int { ruleStatus.count }
    var patternCount: Int { patternRule.count }
    var automatonPatternCount: Int { Int(patternBase.last ?? 0) }
    var hasBaselineHits: Bool { (0..<ruleCount).contains { baseline[$0] != 0 && ruleStatus[$0] != 2 } }

    /// Tables over already validated stored tables: derives the reverse
    /// indexes and the evaluation order, and rejects rule-reference cycles.
    init(memory: TableMemory, program: ConditionProgram, ruleStatus: UnsafeBufferPointer<UInt8>,
         ruleCategory: UnsafeBufferPointer<UInt8>, ruleSeverity: UnsafeBufferPointer<Int32>, ruleWeight: UnsafeBufferPointer<Int32>,
         baseline: UnsafeBufferPointer<UInt8>, rulePatternStart: UnsafeBufferPointer<UInt32>, rulePatternIDs: UnsafeBufferPointer<UInt32>,
         patternRule: UnsafeBufferPointer<UInt32>, patternView: UnsafeBufferPointer<UInt8>, fullword: UnsafeBufferPointer<UInt8>,
         patternBase: UnsafeBufferPointer<UInt32>, ownerStart: UnsafeBufferPointer<UInt32>, ownerIDs: UnsafeBufferPointer<UInt32>) throws(LoadError) {
        self.memory = memory
        self.program = program
        self.ruleStatus = ruleStatus
        self.ruleCategory = ruleCategory
        self.ruleSeverity = ruleSeverity
        self.ruleWeight = ruleWeight
        self.baseline = baseline
        self.rulePatternStart = rulePatternStart
        self.rulePatternIDs = rulePatternIDs
        self.patternRule = patternRule
        self.patternView = patternView
        self.fullword = fullword
        self.patternBase = patternBase
        self.ownerStart = ownerStart
        self.ownerIDs = ownerIDs
        let rules = ruleStatus.count

        // Who names whom, as rows; then Kahn's algorithm gives an order in
        // which every rule follows the rules it names, or finds a cycle.
        var referenceCount = [UInt32](repeating: 0, count: rules + 1)
        var references = 0
        for rule in 0..<rules {
            program.forEachReference(of: rule) { target in
                referenceCount[target] += 1
                references += 1
            }
        }
        var start = [UInt32](repeating: 0, count: rules + 1)
        for rule in 0..<rules { start[rule + 1] = start[rule] + referenceCount[rule] }
        var fill = Array(start.dropLast())
        var ids = [UInt32](repeating: 0, count: references)
        var pending = [UInt32](repeating: 0, count: rules)  // rules each rule still waits for
        for rule in 0..<rules {
            program.forEachReference(of: rule) { target in
                ids[Int(fill[target])] = UInt32(rule)
                fill[target] += 1
                pending[rule] += 1
            }
        }
        var order: [UInt32] = (0..<rules).filter { pending[$0] == 0 }.map { UInt32($0) }
        order.reserveCapacity(rules)
        var next = 0
        while next < order.count {
            let rule = Int(order[next])
            next += 1
            for k in Int(start[rule])..<Int(start[rule + 1]) {
                let dependent = Int(ids[k])
                pending[dependent] -= 1
                if pending[dependent] == 0 { order.append(UInt32(dependent)) }
            }
        }
        guard order.count == rules else { throw LoadError.malformedRuleSet("rules reference each other in a cycle") }
        var rank = [UInt32](repeating: 0, count: rules)
        for (position, rule) in order.enumerated() { rank[Int(rule)] = UInt32(position) }
        dependentStart = memory.keep(start)
        dependentIDs = memory.keep(ids)
        evaluationRank = memory.keep(rank)
        hasReferences = references > 0

        // Each declared pattern's literals (automaton patterns): the owner rows reversed.
        var literalCount = [UInt32](repeating: 0, count: patternRule.count + 1)
        for k in 0..<ownerIDs.count { literalCount[Int(ownerIDs[k])] += 1 }
        var literalStart = [UInt32](repeating: 0, count: patternRule.count + 1)
        for s in 0..<patternRule.count { literalStart[s + 1] = literalStart[s] + literalCount[s] }
        var literalFill = Array(literalStart.dropLast())
        var literalIDs = [UInt32](repeating: 0, count: ownerIDs.count)
        for g in 0..<(ownerStart.count - 1) {
            for k in Int(ownerStart[g])..<Int(ownerStart[g + 1]) {
                let owner = Int(ownerIDs[k])
                literalIDs[Int(literalFill[owner])] = UInt32(g)
                literalFill[owner] += 1
            }
        }
        patternLiteralStart = memory.keep(literalStart)
        patternLiteralIDs = memory.keep(literalIDs)
        // What lets a scan skip programs. Rules past `ruleMask` (more than a
        // file can hold) would run every candidate's program.
        var candidateRule = Array(patternRule)
        var hitsNeeded = [UInt8](repeating: 0, count: rules)
        if rules <= Int(Self.ruleMask) {
            var scratch = ConditionProgram.HitsScratch(patterns: patternRule.count)
            candidateRule.withUnsafeMutableBufferPointer { flags in
                for rule in 0..<rules where ruleStatus[rule] != 2 {
                    // Only the rule's own patterns (all a compiler writes).
                    program.forEachSufficientPattern(of: rule) { s in
                        if Int(patternRule[s]) == rule { flags[s] |= Self.decidesRule }
                    }
                    program.forEachReadPattern(of: rule) { s in
                        if Int(patternRule[s]) == rule { flags[s] |= Self.readByRule }
                    }
                    hitsNeeded[rule] = UInt8(min(program.hitsNeeded(of: rule, scratch: &scratch), 255))
                }
            }
        }
        self.candidateRule = memory.keep(candidateRule)
        self.hitsNeeded = memory.keep(hitsNeeded)
        soleLiteral = memory.keep((0..<patternRule.count).map { s in
            literalCount[s] == 1 && fullword[s] == 0 ? literalIDs[Int(literalStart[s])] : Self.noSoleLiteral
        })
    }

    @inline(__always)
    static func row(_ start: UnsafeBufferPointer<UInt32>, _ i: Int) -> Range<Int> { Int(start[i])..<Int(start[i + 1]) }

    /// Every condition's value on a text with no hits, computed in
    /// evaluation order (so a rule's references are known when it runs).
    static func baseline(program: ConditionProgram, status: [UInt8], order: UnsafeBufferPointer<UInt32>) -> [UInt8] {
        var value = [UInt8](repeating: 0, count: status.count)
        for rule in order.lazy.map({ Int($0) }) where status[rule] != 2 {
            value[rule] = evaluateWithoutHits(program, Int(program.entry[rule]), value) ? 1 : 0
        }
        return value
    }

    private static func evaluateWithoutHits(_ program: ConditionProgram, _ pc: Int, _ known: [UInt8]) -> Bool {
        let code = program.code
        switch ConditionProgram.Op(rawValue: code[pc])! {
        case .boolean: return code[pc + 1] != 0
        case .pattern, .near: return false
        case .count: return ConditionProgram.comparisons[Int(code[pc + 2])].holds(0, Int(code[pc + 3]))
        case .atLeast: return code[pc + 1] <= 0
        case .rule: return known[Int(code[pc + 1])] != 0
        case .not: return !evaluateWithoutHits(program, pc + 2, known)
        case .all, .any:
            let all = code[pc] == ConditionProgram.Op.all.rawValue
            var at = pc + 3
            for _ in 0..<Int(code[pc + 1]) {
                if evaluateWithoutHits(program, at, known) != all { return !all }
                at = program.end(of: at)
            }
            return all
        }
    }
}
