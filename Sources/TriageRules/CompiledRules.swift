import AhoCorasick
import TextNormalizer

/// A compiled rule set: immutable, `Sendable`, shared by every scan.
///
/// Built by the compiler or loaded from a compiled file, it is the same
/// thing either way: the file's table bytes (on the heap, or mapped) read in
/// place, and one automaton per (view, case). Rules and patterns are decoded
/// from their records when asked for (`rules[i]`, `patterns[i]`).
public struct CompiledRules: Sendable {
    /// The source files, in load order.
    public let sourcePaths: [String]
    /// SHA-256 of the normalised sources (see `Fingerprint`).
    public let fingerprint: Fingerprint
    /// What a scan reads, as flat tables.
    let tables: ScanTables
    /// One automaton per (view, case); together they hold every literal.
    let matchers: [ViewMatcher]
    let records: ColdRecords
    /// Whether any rule holds on a text with no hits (then every scan reports it).
    let hasBaselineHits: Bool

    /// All rules, indexed by `RuleID`.
    public var rules: RuleTable { RuleTable(ruleSet: self) }
    /// All declared patterns, indexed by `PatternID`.
    public var patterns: PatternTable { PatternTable(ruleSet: self) }

    init(tables: ScanTables, matchers: [ViewMatcher], sourcePaths: [String], fingerprint: Fingerprint,
         records: ColdRecords) {
        self.tables = tables
        self.matchers = matchers
        self.sourcePaths = sourcePaths
        self.fingerprint = fingerprint
        self.records = records
        self.hasBaselineHits = tables.hasBaselineHits
    }

    /// Compiles checked rules: groups their literals into automata, encodes
    /// the tables as the file stores them, and reads them back in place.
    static func build(rules: [Rule], patterns: [DeclaredPattern], sources: [SourceFile]) throws(BuildError) -> CompiledRules {
        // Group every literal by the automaton that will search for it, and
        // give identical literals one automaton pattern shared by all their
        // declarations.
        var groups: [MatcherKey: MatcherGroup] = [:]
        let normalizer = TextNormalizer()
        for declared in patterns where rules[declared.rule.index].status != .disabled {
            let key = MatcherKey(view: declared.view, caseInsensitive: declared.caseInsensitive)
            // Mutated in place: copying a group out and back per declaration
            // would make compilation quadratic in the number of patterns.
            for value in declared.values {
                // Literals fold the way their view's text does.
                let folded = declared.view.fold(value, caseInsensitive: declared.caseInsensitive, normalizer: normalizer)
                guard !folded.isEmpty else { continue }
                groups[key, default: MatcherGroup()].add(folded, owner: declared.id)
            }
        }
        var matchers: [(key: MatcherKey, automaton: AhoCorasick, owners: [[PatternID]])] = []
        for key in groups.keys.sorted(by: { ($0.view.code, $0.caseInsensitive ? 1 : 0) < ($1.view.code, $1.caseInsensitive ? 1 : 0) }) {
            let group = groups[key]!
            var builder = AhoCorasickBuilder()
            builder.matchKind = .standard
            builder.asciiCaseInsensitive = key.caseInsensitive
            matchers.append((key, try builder.build(group.patterns), group.owners))
        }
        var contents = RuleSetFile.Contents(
            sourcePaths: sources.map(\.path), fingerprint: Fingerprint(sources: sources), rules: rules, patterns: patterns,
            baseline: [UInt8](repeating: 0, count: rules.count), matchers: matchers)
        // Read back once to derive the evaluation order, compute every
        // rule's no-hit value in that order, then encode the final tables.
        // The checker has already rejected cycles and bad IDs, so the
        // tables' own checks cannot fail here.
        let draft = Self.read(RuleSetFile.encodeTables(contents), automata: matchers.map(\.automaton))
        var order = [UInt32](repeating: 0, count: rules.count)
        for rule in 0..<rules.count { order[Int(draft.tables.evaluationRank[rule])] = UInt32(rule) }
        contents.baseline = order.withUnsafeBufferPointer {
            ScanTables.baseline(program: draft.tables.program, status: Array(draft.tables.ruleStatus), order: $0)
        }
        return Self.read(RuleSetFile.encodeTables(contents), automata: matchers.map(\.automaton))
    }

    private static func read(_ bytes: [UInt8], automata: [AhoCorasick]) -> CompiledRules {
        do {
            return try RuleSetFile.decode(TableMemory(copying: bytes)) { m, _ in automata[m] }
        } catch {
            preconditionFailure("freshly compiled tables do not read back: \(error)")
        }
    }

    /// The rule called `name` (`namespace.name`, or a bare name if unique).
    public func rule(named name: String) -> Rule? {
        if let exact = rules.first(where: { $0.qualifiedName == name }) { return exact }
        let matches = rules.filter { $0.name == name }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Rules that are evaluated and scored (neither shadow nor disabled).
    /// A rule set without one assesses every page as NFA.
    public var activeRuleCount: Int { rules.count { $0.status == .active } }

    /// Number of distinct literals across all automata.
    public var literalCount: Int { matchers.reduce(0) { $0 + $1.automaton.patternCount } }
    /// Automaton states across all automata.
    public var stateCount: Int { matchers.reduce(0) { $0 + $1.automaton.stateCount } }
    /// Bytes used by the automata.
    public var automatonMemory: Int { matchers.reduce(0) { $0 + $1.automaton.memoryUsage } }
    /// Whether any pattern targets the leet view: a scanner's caller need
    /// not make that view otherwise (`TextViews(_:normalizer:leet:)`).
    public var scansLeetView: Bool { matchers.contains { $0.key.view == .leet } }
    /// The gate for the case-preserving view (`CasedGate`): every literal of
    /// every pattern matched there, case-folded as the normalised view folds
    /// it; nil when no pattern is. It builds an automaton: call it once per
    /// scanner's owner and keep the result.
    public func casedGate() -> CasedGate? {
        let normalizer = TextNormalizer()
        var literals: Set<[UInt8]> = []
        for declared in patterns where declared.view == .cased && rules[declared.rule.index].status != .disabled {
            for value in declared.values {
                let folded = normalizer.views(of: value, leet: false).normalized.bytes
                if !folded.isEmpty { literals.insert(folded) }
            }
        }
        guard !literals.isEmpty else { return nil }
        var builder = AhoCorasickBuilder()
        builder.matchKind = .standard
        guard let automaton = try? builder.build(literals.sorted { $0.lexicographicallyPrecedes($1) }) else { return nil }
        return CasedGate(automaton: automaton)
    }

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
    var owners: [[PatternID]] = []

    mutating func add(_ literal: [UInt8], owner: PatternID) {
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

/// One automaton and the view and case it scans.
struct ViewMatcher: Sendable {
    let key: MatcherKey
    let automaton: AhoCorasick
}
