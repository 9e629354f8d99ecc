/// Configures and builds an `AhoCorasick` automaton.
///
/// ```swift
/// var builder = AhoCorasickBuilder()
/// builder.matchKind = .leftmostLongest
/// builder.asciiCaseInsensitive = true
/// let automaton = try builder.build(["attack", "plan"])
/// ```
///
/// Building is the expensive, mutable step; the result is immutable and can
/// be shared by any number of concurrent searches.
public struct AhoCorasickBuilder: Sendable {
    /// Which matches searches report. See `MatchKind`.
    public var matchKind: MatchKind = .standard

    /// When true, ASCII letters match regardless of case (`A` matches `a`).
    /// Bytes outside ASCII are always compared exactly. The fold is done when
    /// building, so it costs nothing per searched byte.
    public var asciiCaseInsensitive = false

    /// Which representation to build. `.automatic` picks the DFA when its
    /// table fits in `dfaMemoryBudget`, else the contiguous NFA.
    public var kind: AutomatonKindChoice = .automatic

    /// The largest DFA transition table, in bytes, that `.automatic` accepts.
    /// The default, 16 MiB, keeps sets of roughly 10,000 English words on
    /// the DFA and moves 100,000 onto the much smaller contiguous NFA.
    public var dfaMemoryBudget: Int = 16 << 20

    public init() {}

    /// Builds an automaton from byte patterns. Pattern `i` of the sequence
    /// gets `PatternID(i)`.
    ///
    /// Empty patterns are allowed (they match at every position), as are
    /// duplicates (each keeps its own ID; see `MatchKind` for which one a
    /// leftmost search reports).
    public func build<Patterns: Sequence>(
        _ patterns: Patterns
    ) throws(BuildError) -> AhoCorasick where Patterns.Element: Sequence<UInt8> {
        // Step 1: the trie and its failure links, shared by every representation.
        let trie = try TrieNFA.build(patterns, matchKind: matchKind, asciiCaseInsensitive: asciiCaseInsensitive)
        // Step 2: byte classes, to shrink rows to the alphabet the patterns use.
        let classes = ByteClasses(usedBytes: trie.usedBytes, asciiCaseInsensitive: asciiCaseInsensitive)
        // Step 3: the layout order and match lists, shared by both encoders.
        let order = StateOrder(trie)
        let (entries, heads) = StateOrder.renumberedMatches(trie)
        // Step 4: the representation.
        let encoded: EncodedAutomaton
        switch chooseKind(stateCount: trie.stateCount, classCount: classes.count) {
        case .dfa:
            encoded = try DFAEncoder.encode(trie, classes: classes, order: order, matchHeads: heads)
        case .contiguousNFA:
            encoded = try ContiguousNFAEncoder.encode(trie, classes: classes, order: order, matchHeads: heads)
        }
        // Step 5: the image, which is what searches read.
        let storage = ImageStorage.write(
            encoded, trie: trie, classes: classes, matchEntries: entries,
            asciiCaseInsensitive: asciiCaseInsensitive)
        do {
            return try AhoCorasick(validating: storage)
        } catch {
            // The writer and the validator share one layout; a mismatch is a
            // bug in this module, not bad input.
            fatalError("a freshly built automaton failed validation: \(error)")
        }
    }

    /// Builds an automaton from strings, matching their UTF-8 bytes.
    public func build(_ patterns: [String]) throws(BuildError) -> AhoCorasick {
        try build(patterns.lazy.map { $0.utf8 })
    }

    private func chooseKind(stateCount: Int, classCount: Int) -> AutomatonKind {
        switch kind {
        case let .forced(kind):
            return kind
        case .automatic:
            let bytes = DFAEncoder.tableBytes(stateCount: stateCount, classCount: classCount)
            return bytes <= dfaMemoryBudget ? .dfa : .contiguousNFA
        }
    }
}
