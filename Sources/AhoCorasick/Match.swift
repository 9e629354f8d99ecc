/// One occurrence of a pattern in a haystack: which pattern, and the half-open
/// byte span `start..<end` it occupies.
///
/// Offsets are absolute: in a stream search they count from the first byte of
/// the stream, not from the start of the current chunk.
public struct Match: Hashable, Sendable, CustomStringConvertible {
    /// The pattern that matched.
    public let pattern: PatternID
    /// Offset of the first matched byte.
    public let start: Int
    /// Offset one past the last matched byte.
    public let end: Int

    @inlinable
    public init(pattern: PatternID, start: Int, end: Int) {
        self.pattern = pattern
        self.start = start
        self.end = end
    }

    /// The matched span as a range.
    @inlinable
    public var range: Range<Int> { start..<end }

    /// The number of bytes matched (0 for the empty pattern).
    @inlinable
    public var count: Int { end - start }

    /// Where a non-overlapping search continues after this match: at its
    /// end, or one byte later for an empty match, so that the empty pattern
    /// is reported once per position rather than forever at the same one.
    @inlinable
    public var nextSearchStart: Int { start == end ? end + 1 : end }

    public var description: String { "Match(pattern: \(pattern.rawValue), \(start)..<\(end))" }
}
