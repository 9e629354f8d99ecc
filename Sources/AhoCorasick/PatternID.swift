/// Identifies a pattern by its position in the list given to the builder.
///
/// The first pattern is `PatternID(0)`, the second `PatternID(1)`, and so on,
/// so an ID can be mapped back to the caller's own pattern table without any
/// lookup structure.
public struct PatternID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 0-based index of the pattern in the builder's input.
    public let rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public init(_ value: UInt32) { self.rawValue = value }

    /// The pattern's index as an `Int`, for subscripting the caller's pattern array.
    @inlinable
    public var index: Int { Int(rawValue) }

    @inlinable
    public static func < (lhs: PatternID, rhs: PatternID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "PatternID(\(rawValue))" }
}
