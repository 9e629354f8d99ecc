import AhoCorasick

/// A compiled rule set: immutable, `Sendable`, shared by every scan.
public struct CompiledRules: Sendable {
    /// All rules, indexed by `RuleID`.
    public let rules: [Rule]
    /// All declared patterns, indexed by `StringID`.
    public let strings: [DeclaredString]
    /// The source files, in load order.
    public let sourcePaths: [String]
    /// SHA-256 of the normalised sources (see `Fingerprint`).
    public let fingerprint: Fingerprint
    /// One automaton per (view, case); together they hold every literal.
    let matchers: [ViewMatcher]
    /// The value of each rule's condition on a text with no pattern hits.
    let baseline: [Bool]
    /// Whether any rule holds on a text with no hits (then every scan reports it).
    let hasBaselineHits: Bool
    /// `dependents[r]`: rules whose condition names rule `r`.
    let dependents: [[RuleID]]
    /// `fullword[s]`: pattern `s` must match a whole word.
    let fullword: [Bool]
    /// `needsPositions[s]`: a `near` condition reads pattern `s`'s positions.
    let needsPositions: [Bool]

    init(rules: [Rule], strings: [DeclaredString], sources: [SourceFile]) throws(BuildError) {
        self.rules = rules
        self.strings = strings
        self.sourcePaths = sources.map(\.path)
        self.fingerprint = Fingerprint(sources: sources)
        // Group every literal by the automaton that will search for it, and
        // give identical literals one automaton pattern shared by all their
        // declarations.
        var groups: [MatcherKey: MatcherGroup] = [:]
        for declared in strings where rules[declared.rule.index].status != .disabled {
            let key = MatcherKey(view: declared.view, caseInsensitive: declared.caseInsensitive)
            // Mutated in place: copying a group out and back per declaration
            // would make compilation quadratic in the number of patterns.
            for value in declared.values where !value.isEmpty {
                let folded = declared.caseInsensitive ? value.map(RuleChecker.asciiLower) : value
                groups[key, default: MatcherGroup()].add(folded, owner: declared.id)
            }
        }
        var matchers: [ViewMatcher] = []
        for key in groups.keys.sorted(by: { ($0.view.rawValue, $0.caseInsensitive ? 1 : 0) < ($1.view.rawValue, $1.caseInsensitive ? 1 : 0) }) {
            let group = groups[key]!
            var builder = AhoCorasickBuilder()
            builder.matchKind = .standard
            builder.asciiCaseInsensitive = key.caseInsensitive
            matchers.append(ViewMatcher(key: key, automaton: try builder.build(group.patterns), owners: group.owners))
        }
        self.matchers = matchers
        self.dependents = CompiledRules.dependents(of: rules)
        (self.fullword, self.needsPositions) = CompiledRules.flags(rules: rules, strings: strings)
        // Baseline: every condition evaluated with no hits at all. Rules are
        // acyclic, so memoised recursion terminates.
        var evaluator = ConditionEvaluator(rules: rules, strings: strings, count: { _ in 0 }, positions: { _ in nil },
                                           wordIndex: { _, _ in 0 })
        self.baseline = rules.map { evaluator.value(of: $0.id) }
        self.hasBaselineHits = baseline.contains(true)
    }

    /// A rule set read back from a compiled file (already validated).
    init(rules: [Rule], strings: [DeclaredString], sourcePaths: [String], fingerprint: Fingerprint,
         matchers: [ViewMatcher], baseline: [Bool]) {
        self.rules = rules
        self.strings = strings
        self.sourcePaths = sourcePaths
        self.fingerprint = fingerprint
        self.matchers = matchers
        self.baseline = baseline
        self.hasBaselineHits = baseline.contains(true)
        self.dependents = CompiledRules.dependents(of: rules)
        (self.fullword, self.needsPositions) = CompiledRules.flags(rules: rules, strings: strings)
    }

    /// Per-pattern flags the scan loop reads, as plain arrays (no copies of
    /// `DeclaredString` per match): whether a hit must be a whole word, and
    /// whether some `near` condition needs the hit positions.
    private static func flags(rules: [Rule], strings: [DeclaredString]) -> ([Bool], [Bool]) {
        var positions = [Bool](repeating: false, count: strings.count)
        for rule in rules {
            var work = [rule.condition]
            while let c = work.popLast() {
                switch c {
                case let .near(a, b, _): positions[a.index] = true; positions[b.index] = true
                case let .not(x): work.append(x)
                case let .all(xs), let .any(xs): work += xs
                default: break
                }
            }
        }
        return (strings.map(\.fullword), positions)
    }

    private static func dependents(of rules: [Rule]) -> [[RuleID]] {
        var dependents = [[RuleID]](repeating: [], count: rules.count)
        for rule in rules {
            for target in RuleChecker.references(rule.condition) { dependents[target].append(rule.id) }
        }
        return dependents
    }

    /// The rule called `name` (`namespace.name`, or a bare name if unique).
    public func rule(named name: String) -> Rule? {
        if let exact = rules.first(where: { $0.qualifiedName == name }) { return exact }
        let matches = rules.filter { $0.name == name }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Number of distinct literals across all automata.
    public var patternCount: Int { matchers.reduce(0) { $0 + $1.automaton.patternCount } }
    /// Automaton states across all automata.
    public var stateCount: Int { matchers.reduce(0) { $0 + $1.automaton.stateCount } }
    /// Bytes used by the automata.
    public var automatonMemory: Int { matchers.reduce(0) { $0 + $1.automaton.memoryUsage } }

    /// One line of facts per automaton, for `rules info`.
    public struct MatcherSummary: Sendable {
        public let view: TextView
        public let caseInsensitive: Bool
        public let kind: String
        public let patterns: Int
        public let states: Int
        public let memory: Int
    }

    /// Automaton `index` and the view it scans (for benchmarks that compare
    /// rule evaluation with the bare scan).
    public func automaton(at index: Int) -> (view: TextView, automaton: AhoCorasick) {
        (matchers[index].key.view, matchers[index].automaton)
    }

    public var matcherSummaries: [MatcherSummary] {
        matchers.map {
            MatcherSummary(view: $0.key.view, caseInsensitive: $0.key.caseInsensitive, kind: $0.automaton.kind.description,
                           patterns: $0.automaton.patternCount, states: $0.automaton.stateCount, memory: $0.automaton.memoryUsage)
        }
    }
}

/// The literals one automaton will hold while they are being collected.
struct MatcherGroup {
    var patterns: [[UInt8]] = []
    var index: [[UInt8]: Int] = [:]
    var owners: [[StringID]] = []

    mutating func add(_ literal: [UInt8], owner: StringID) {
        if let existing = index[literal] {
            if !owners[existing].contains(owner) { owners[existing].append(owner) }
        } else {
            index[literal] = patterns.count
            patterns.append(literal)
            owners.append([owner])
        }
    }
}

struct MatcherKey: Hashable, Sendable {
    let view: TextView
    let caseInsensitive: Bool
}

/// One automaton and, for each of its patterns, the declarations it serves.
struct ViewMatcher: Sendable {
    let key: MatcherKey
    let automaton: AhoCorasick
    /// Owners of automaton pattern `p` are `ownerIDs[ownerStart[p]..<ownerStart[p + 1]]`:
    /// one flat table, so the scan loop does no reference counting.
    let ownerStart: [UInt32]
    let ownerIDs: [UInt32]

    init(key: MatcherKey, automaton: AhoCorasick, owners: [[StringID]]) {
        self.key = key
        self.automaton = automaton
        var start: [UInt32] = [0]
        var ids: [UInt32] = []
        for list in owners {
            ids += list.map(\.rawValue)
            start.append(UInt32(ids.count))
        }
        ownerStart = start
        ownerIDs = ids
    }

    /// The owners of each automaton pattern, as lists.
    var owners: [[StringID]] {
        (0..<(ownerStart.count - 1)).map { p in
            ownerIDs[Int(ownerStart[p])..<Int(ownerStart[p + 1])].map { StringID(rawValue: $0) }
        }
    }
}
