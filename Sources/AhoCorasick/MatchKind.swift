/// Which matches a search reports. Chosen when the automaton is built, because
/// the leftmost kinds change the automaton itself (see `DESIGN.md`).
///
/// With the patterns `Sam` (id 0) and `Samwise` (id 1) and the haystack
/// `Samwise`:
///
/// | kind               | matches reported                  |
/// |--------------------|-----------------------------------|
/// | `.standard`        | `Sam` at 0..<3, `Samwise` at 0..<7 |
/// | `.leftmostFirst`   | `Sam` at 0..<3                    |
/// | `.leftmostLongest` | `Samwise` at 0..<7                |
///
/// With the patterns given in the other order (`Samwise` first), both
/// leftmost kinds report `Samwise`.
///
/// Invalid combinations cannot be asked for: the kind, chosen when building,
/// decides whether matches overlap, so there is no "overlapping leftmost"
/// search to reject halfway through a scan (other libraries reject it at
/// search time). Every kind supports one-buffer search, stream search,
/// counting and saving.
public enum MatchKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Every occurrence of every pattern, overlapping ones included.
    ///
    /// Matches come in order of their end offset; matches that end at the same
    /// offset come longest first, then by pattern ID. Duplicate patterns are
    /// each reported. This is the classic Aho-Corasick semantics and the only
    /// kind a standard-library "find all occurrences" would give.
    case standard = 0

    /// Non-overlapping matches; at each step the match that starts first wins,
    /// and among matches starting at the same offset, the pattern given first
    /// wins. This is what a regex alternation `a|b|c` does in Perl-style
    /// engines.
    case leftmostFirst = 1

    /// Non-overlapping matches; at each step the match that starts first wins,
    /// and among matches starting at the same offset, the longest wins (the
    /// lowest pattern ID among equal-length duplicates). This is POSIX
    /// alternation semantics.
    case leftmostLongest = 2

    /// Whether this kind reports non-overlapping leftmost matches.
    @inlinable
    public var isLeftmost: Bool { self != .standard }

    /// Whether successive matches may overlap.
    @inlinable
    public var isOverlapping: Bool { self == .standard }

    public var description: String {
        switch self {
        case .standard: "standard"
        case .leftmostFirst: "leftmost-first"
        case .leftmostLongest: "leftmost-longest"
        }
    }
}
