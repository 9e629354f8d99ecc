/// Why an automaton could not be built. Building never traps: every limit the
/// representation has is checked and reported as one of these.
public struct BuildError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case tooManyPatterns(count: Int)
        case patternTooLong(pattern: Int, length: Int)
        case tooManyStates(kind: AutomatonKind, needed: Int)
        case tooManyMatchEntries(needed: Int)
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// The largest number of patterns an automaton can hold.
    public static let maxPatterns = Int(UInt32.max - 1)
    /// The longest pattern accepted, in bytes.
    public static let maxPatternLength = Int(Int32.max)

    public var description: String {
        switch kind {
        case let .tooManyPatterns(count):
            "too many patterns: \(count) given, at most \(BuildError.maxPatterns) are supported"
        case let .patternTooLong(pattern, length):
            "pattern \(pattern) is \(length) bytes long, longer than the \(BuildError.maxPatternLength)-byte limit"
        case let .tooManyStates(kind, needed):
            "the \(kind) would need \(needed) 32-bit table entries, more than its 32-bit state IDs can address; use another automaton kind or fewer patterns"
        case let .tooManyMatchEntries(needed):
            "the automaton would need \(needed) match entries, more than 32-bit indices can address"
        }
    }
}
