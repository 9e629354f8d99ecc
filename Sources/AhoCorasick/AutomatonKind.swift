/// How the automaton's transitions are laid out in memory. All kinds are built
/// from the same trie and failure links and report exactly the same matches;
/// they trade memory for speed.
public enum AutomatonKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A full transition table: one lookup per haystack byte, no failure
    /// transitions at search time. Rows are indexed by byte class, so its size
    /// is `states × stride × 4` bytes, where the stride is the number of byte
    /// classes rounded up to a power of two. Fastest; largest.
    case dfa = 1

    /// States packed one after another in a single `UInt32` array. States near
    /// the root are dense and fully resolved; deeper states list only their
    /// own transitions and fall back along failure links. Roughly an order of
    /// magnitude smaller than the DFA on large pattern sets, and slower.
    case contiguousNFA = 2

    public var description: String {
        switch self {
        case .dfa: "dfa"
        case .contiguousNFA: "contiguous-nfa"
        }
    }
}

/// What the builder should produce: a particular kind, or the automatic choice.
public enum AutomatonKindChoice: Sendable, Hashable {
    /// The DFA when its transition table fits in the builder's memory budget,
    /// otherwise the contiguous NFA.
    case automatic
    /// Exactly this kind, whatever its size (for tests and benchmarks).
    case forced(AutomatonKind)
}
