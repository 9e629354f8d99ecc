import Artefacts
import AhoCorasick

/// Every rule's condition as one flat array of 32-bit words: what the
/// scanner evaluates (no enum payloads, no reference counting per node) and
/// what a compiled rule-set file stores, so loading copies one array.
///
/// Nodes are laid out in prefix order, the operands of `and` and `or`
/// cheapest first (`cheapestFirst`); every node's size is known from its
/// first words, and composite nodes record where they end, so evaluation
/// can skip the operands it short-circuits:
///
/// ```
/// boolean        [0, value]
/// pattern        [1, s]
/// count          [2, s, comparison, n]
/// atLeast        [3, n, k, s1 … sk]
/// near           [4, a, b, words]
/// rule           [5, r]
/// not            [6, end] operand
/// all / any      [7 / 8, k, end] operand1 … operandk
/// ```
struct ConditionProgram: @unchecked Sendable {
    enum Op: Int32 {
        case boolean = 0, pattern, count, atLeast, near, rule, not, all, any

        /// Written out (not synthesised) so that it inlines: evaluation
        /// converts every node it visits, and the synthesised conversion
        /// is a call.
        @inline(__always)
        init?(rawValue: Int32) {
            switch rawValue {
            case 0: self = .boolean
            case 1: self = .pattern
            case 2: self = .count
            case 3: self = .atLeast
            case 4: self = .near
            case 5: self = .rule
            case 6: self = .not
            case 7: self = .all
            case 8: self = .any
            default: return nil
            }
        }
    }

    static let comparisons: [Comparison] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]

    /// The program words of every rule, one after another (memory owned by
    /// the rule set's `TableMemory`).
    let code: UnsafeBufferPointer<Int32>
    /// Rule `r`'s condition starts at `code[entry[r]]`.
    let entry: UnsafeBufferPointer<Int32>

    init(code: UnsafeBufferPointer<Int32>, entry: UnsafeBufferPointer<Int32>) {
        self.code = code
        self.entry = entry
    }

    /// The words and entry points of `conditions`.
    static func assemble(_ conditions: [Condition]) -> (code: [Int32], entry: [Int32]) {
        var code: [Int32] = [], entry: [Int32] = []
        entry.reserveCapacity(conditions.count)
        for condition in conditions {
            entry.append(Int32(code.count))
            emit(condition, into: &code)
        }
        return (code, entry)
    }

    private static func emit(_ c: Condition, into code: inout [Int32]) {
        switch c {
        case let .boolean(b): code += [Op.boolean.rawValue, b ? 1 : 0]
        case let .pattern(s): code += [Op.pattern.rawValue, Int32(bitPattern: s.rawValue)]
        case let .count(s, op, n):
            code += [Op.count.rawValue, Int32(bitPattern: s.rawValue), Int32(comparisons.firstIndex(of: op)!), Int32(clamping: n)]
        case let .atLeast(n, members):
            code += [Op.atLeast.rawValue, Int32(clamping: n), Int32(members.count)]
            code += members.map { Int32(bitPattern: $0.rawValue) }
        case let .near(a, b, words):
            code += [Op.near.rawValue, Int32(bitPattern: a.rawValue), Int32(bitPattern: b.rawValue), Int32(clamping: words)]
        case let .rule(r): code += [Op.rule.rawValue, Int32(bitPattern: r.rawValue)]
        case let .not(x):
            let at = code.count
            code += [Op.not.rawValue, 0]
            emit(x, into: &code)
            code[at + 1] = Int32(code.count)
        case let .all(xs), let .any(xs):
            let at = code.count
            if case .all = c { code.append(Op.all.rawValue) } else { code.append(Op.any.rawValue) }
            code += [Int32(xs.count), 0]
            for x in cheapestFirst(xs) { emit(x, into: &code) }
            code[at + 2] = Int32(code.count)
        }
    }

    /// The operands of `and` / `or` in the order evaluation should try
    /// them: cheapest first, so that a short circuit skips the expensive
    /// ones (`$a near $b … or any of them` needs no `near` when a pattern
    /// hit). Operands have no side effects, so the order changes no value;
    /// equal costs keep their written order.
    static func cheapestFirst(_ operands: [Condition]) -> [Condition] {
        operands.enumerated().sorted { (cost($0.element), $0.offset) < (cost($1.element), $1.offset) }.map(\.element)
    }

    /// A rough cost of evaluating `c`: table reads, with `near` (which walks
    /// occurrences and the text between them) far above the rest.
    static func cost(_ c: Condition) -> Int {
        switch c {
        case .boolean: 0
        case .pattern, .rule: 1
        case .count: 2
        case let .atLeast(_, members): 2 + members.count / 4
        case .near: 100
        case let .not(x): cost(x)
        case let .all(xs), let .any(xs): xs.reduce(1) { $0 + cost($1) }
        }
    }

    /// Where the node at `pc` ends (valid programs only).
    @inline(__always)
    func end(of pc: Int) -> Int {
        switch code[pc] {
        case Op.boolean.rawValue, Op.pattern.rawValue, Op.rule.rawValue: pc + 2
        case Op.count.rawValue, Op.near.rawValue: pc + 4
        case Op.atLeast.rawValue: pc + 3 + Int(code[pc + 2])
        case Op.not.rawValue: Int(code[pc + 1])
        default: Int(code[pc + 2])
        }
    }

    /// Rule `rule`'s condition as a tree (for display and tests).
    func condition(of rule: Int) -> Condition {
        decode(at: Int(entry[rule]))
    }

    private func decode(at pc: Int) -> Condition {
        let id = { (k: Int) in PatternID(rawValue: UInt32(bitPattern: code[pc + k])) }
        switch Op(rawValue: code[pc])! {
        case .boolean: return .boolean(code[pc + 1] != 0)
        case .pattern: return .pattern(id(1))
        case .count: return .count(id(1), Self.comparisons[Int(code[pc + 2])], Int(code[pc + 3]))
        case .atLeast: return .atLeast(Int(code[pc + 1]), (0..<Int(code[pc + 2])).map { id(3 + $0) })
        case .near: return .near(id(1), id(2), words: Int(code[pc + 3]))
        case .rule: return .rule(RuleID(rawValue: UInt32(bitPattern: code[pc + 1])))
        case .not: return .not(decode(at: pc + 2))
        case .all, .any:
            var operands: [Condition] = []
            var at = pc + 3
            for _ in 0..<Int(code[pc + 1]) {
                operands.append(decode(at: at))
                at = end(of: at)
            }
            return code[pc] == Op.all.rawValue ? .all(operands) : .any(operands)
        }
    }

    /// Calls `body` with each pattern whose hit alone makes rule `rule`'s
    /// condition true, whatever else the text holds: `$a`, a member of
    /// `any of (...)`, `#a > 0`, and those of any operand of a top-level
    /// `or` (never through `and` or `not`). A scan decides such a rule from
    /// that hit without running its program.
    func forEachSufficientPattern(of rule: Int, _ body: (Int) -> Void) {
        forEachTopLevelOperand(of: rule) { forEachDecidingPattern(at: $0, body) }
    }

    /// How many distinct patterns among those rule `rule`'s condition reads
    /// must hit, at the least, for it to hold when none of its deciding
    /// patterns (`forEachSufficientPattern`) hit: a scan runs the rule's
    /// program only when that many do. `$a and $b` needs two, `2 of them or
    /// $c` two (a hit on `$c` decides it), `not $a` none. A lower bound: 0
    /// when it cannot tell; `unreachable` when the condition never holds.
    ///
    /// `scratch` has a slot per declared pattern and is shared by every
    /// call: each `and` numbers its operands afresh (above every number
    /// used before) and compares only with its own numbers.
    func hitsNeeded(of rule: Int, scratch: inout HitsScratch) -> Int {
        var least = Self.unreachable
        forEachTopLevelOperand(of: rule) { pc in
            let hits = needs(at: pc, &scratch)
            // A deciding operand that did not hit is false (and one that
            // holds without hits is no deciding operand).
            var deciding = false
            forEachDecidingPattern(at: pc) { _ in deciding = true }
            if !(deciding && hits >= 1) { least = min(least, hits) }
        }
        return least
    }

    /// Calls `body` with every pattern rule `rule`'s condition reads (some
    /// more than once).
    func forEachReadPattern(of rule: Int, _ body: (Int) -> Void) {
        visit(rule) { pc in forEachPattern(at: pc, body) }
    }

    /// Scratch space for `hitsNeeded`: per declared pattern, the last
    /// operand of an `and` seen reading it.
    struct HitsScratch {
        var operand: [Int]
        var next = 1
        init(patterns: Int) { operand = Array(repeating: 0, count: patterns) }
    }

    /// More hits than a condition could need: it can never hold.
    static let unreachable = Int(Int32.max)

    /// Calls `body` with the operands of a top-level `or` (nested ones
    /// flattened), or with the condition itself.
    private func forEachTopLevelOperand(of rule: Int, _ body: (Int) -> Void) {
        var pc = Int(entry[rule])
        let stop = end(of: pc)
        while pc < stop {
            if code[pc] == Op.any.rawValue {
                pc += 3
                continue
            }
            body(pc)
            pc = end(of: pc)
        }
    }

    /// The patterns of the node at `pc` if a hit on any of them makes it
    /// true: `$a`, `any of (...)`, a count every hit satisfies.
    private func forEachDecidingPattern(at pc: Int, _ body: (Int) -> Void) {
        switch Op(rawValue: code[pc]) {
        case .pattern: body(Int(code[pc + 1]))
        case .atLeast where code[pc + 1] <= 1:
            for k in 0..<Int(code[pc + 2]) { body(Int(code[pc + 3 + k])) }
        case .count where Self.comparisons[Int(code[pc + 2])].holdsForEveryHit(Int(code[pc + 3])):
            body(Int(code[pc + 1]))
        default: break
        }
    }

    /// The fewest distinct patterns that must hit for the node at `pc` to
    /// hold (`unreachable` if it never can). Recursive: depth is bounded by
    /// validation.
    private func needs(at pc: Int, _ scratch: inout HitsScratch) -> Int {
        let id = { (k: Int) in Int(self.code[pc + k]) }
        switch Op(rawValue: code[pc]).unsafelyUnwrapped {
        case .boolean: return code[pc + 1] != 0 ? 0 : Self.unreachable
        case .pattern: return 1
        case .count: return Self.comparisons[id(2)].holds(0, id(3)) ? 0 : 1
        case .atLeast:
            // Members are distinct (the compiler writes a set).
            let n = id(1)
            return n <= 0 ? 0 : n > id(2) ? Self.unreachable : n
        case .near: return id(1) == id(2) ? 1 : 2
        case .rule, .not: return 0
        case .any:
            var least = Self.unreachable
            var at = pc + 3
            for _ in 0..<id(1) {
                least = min(least, needs(at: at, &scratch))
                at = end(of: at)
            }
            return least
        case .all:
            // Each operand needs its own hits when no two read the same
            // pattern; otherwise only as many as the neediest. Which
            // patterns each reads is settled first, before any nested
            // `and` numbers patterns its own way.
            let count = id(1)
            let first = scratch.next
            scratch.next += count
            var disjoint = true
            var at = pc + 3
            for k in 0..<count {
                visit(nodesOf: at) { node in
                    forEachPattern(at: node) { s in
                        let stamp = scratch.operand[s]
                        if stamp >= first && stamp < first + count && stamp != first + k { disjoint = false }
                        scratch.operand[s] = first + k
                    }
                }
                at = end(of: at)
            }
            var sum = 0, most = 0
            at = pc + 3
            for _ in 0..<count {
                let hits = needs(at: at, &scratch)
                sum = min(sum + hits, Self.unreachable)
                most = max(most, hits)
                at = end(of: at)
            }
            return disjoint ? sum : most
        }
    }

    /// Calls `body` with the patterns the node at `pc` reads itself (not
    /// those of its operands).
    private func forEachPattern(at pc: Int, _ body: (Int) -> Void) {
        switch Op(rawValue: code[pc]) {
        case .pattern, .count: body(Int(code[pc + 1]))
        case .atLeast: for k in 0..<Int(code[pc + 2]) { body(Int(code[pc + 3 + k])) }
        case .near:
            body(Int(code[pc + 1]))
            body(Int(code[pc + 2]))
        default: break
        }
    }

    /// Calls `body` with every rule that rule `rule`'s condition names.
    func forEachReference(of rule: Int, _ body: (Int) -> Void) {
        visit(rule) { pc in if code[pc] == Op.rule.rawValue { body(Int(code[pc + 1])) } }
    }

    /// Calls `body` with the position of every node of rule `rule`'s
    /// condition (valid programs only; iterative, so depth costs no stack).
    private func visit(_ rule: Int, _ body: (Int) -> Void) {
        let start = Int(entry[rule])
        visit(nodesOf: start, body)
    }

    /// Calls `body` with the position of the node at `start` and of every
    /// node inside it, in prefix order.
    private func visit(nodesOf start: Int, _ body: (Int) -> Void) {
        let stop = end(of: start)
        var pc = start
        while pc < stop {
            body(pc)
            switch code[pc] {
            case Op.not.rawValue: pc += 2
            case Op.all.rawValue, Op.any.rawValue: pc += 3
            default: pc = end(of: pc)
            }
        }
    }

    /// Checks a program read from a file: every node well formed and exactly
    /// filling its parent, every ID in range, nesting bounded by `maxDepth`
    /// (so the recursion here and in evaluation is bounded too). After this,
    /// the unchecked accessors above cannot read out of bounds.
    func validate(patterns: Int, rules: Int, maxDepth: Int) throws(LoadError) {
        guard entry.count == rules else { throw LoadError.malformedRuleSet("\(entry.count) conditions for \(rules) rules") }
        for (rule, start) in entry.enumerated() {
            guard start >= 0, Int(start) < code.count else {
                throw LoadError.malformedRuleSet("rule \(rule)'s condition starts outside the program")
            }
            _ = try check(at: Int(start), limit: code.count, depth: 0, rule: rule, patterns: patterns, rules: rules, maxDepth: maxDepth)
        }
    }

    /// Validates the node at `pc`, which must end by `limit`; returns its end.
    private func check(at pc: Int, limit: Int, depth: Int, rule: Int, patterns: Int, rules: Int, maxDepth: Int) throws(LoadError) -> Int {
        let fail = { (what: String) in LoadError.malformedRuleSet("rule \(rule)'s condition: \(what)") }
        guard depth <= maxDepth else { throw fail("nested too deeply") }
        guard pc < limit, let op = Op(rawValue: code[pc]) else { throw fail(pc < limit ? "unknown node \(code[pc])" : "a node overruns its parent") }
        func size(_ n: Int) throws(LoadError) -> Int {
            guard n <= limit - pc else { throw fail("a node overruns its parent") }
            return pc + n
        }
        func id(_ k: Int, below bound: Int, _ what: String) throws(LoadError) {
            guard code[pc + k] >= 0, Int(code[pc + k]) < bound else { throw fail("unknown \(what) \(code[pc + k])") }
        }
        switch op {
        case .boolean: return try size(2)
        case .pattern:
            let end = try size(2)
            try id(1, below: patterns, "pattern")
            return end
        case .count:
            let end = try size(4)
            try id(1, below: patterns, "pattern")
            try id(2, below: Self.comparisons.count, "comparison")
            return end
        case .atLeast:
            _ = try size(3)
            let k = Int(code[pc + 2])
            guard k >= 0 else { throw fail("a negative operand count") }
            let end = try size(3 + k)
            for i in 0..<k { try id(3 + i, below: patterns, "pattern") }
            return end
        case .near:
            let end = try size(4)
            try id(1, below: patterns, "pattern")
            try id(2, below: patterns, "pattern")
            return end
        case .rule:
            let end = try size(2)
            try id(1, below: rules, "rule")
            return end
        case .not, .all, .any:
            let header = op == .not ? 2 : 3
            _ = try size(header)
            let end = Int(code[pc + header - 1])
            guard end >= pc + header, end <= limit else { throw fail("a node overruns its parent") }
            let operands = op == .not ? 1 : Int(code[pc + 1])
            guard operands >= 0 else { throw fail("a negative operand count") }
            var at = pc + header
            // Each operand takes at least two words or throws, so a forged
            // count cannot loop for long.
            for _ in 0..<operands {
                at = try check(at: at, limit: end, depth: depth + 1, rule: rule, patterns: patterns, rules: rules, maxDepth: maxDepth)
            }
            guard at == end else { throw fail("operands do not fill their node") }
            return end
        }
    }
}
