/// Identifies a rule within a compiled rule set (its index in `rules`).
public struct RuleID: RawRepresentable, Hashable, Comparable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ index: Int) { rawValue = UInt32(index) }
    public var index: Int { Int(rawValue) }
    public static func < (a: RuleID, b: RuleID) -> Bool { a.rawValue < b.rawValue }
}

/// Identifies a declared pattern (`$name` of some rule) within a compiled
/// rule set.
public struct PatternID: RawRepresentable, Hashable, Comparable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ index: Int) { rawValue = UInt32(index) }
    public var index: Int { Int(rawValue) }
    public static func < (a: PatternID, b: PatternID) -> Bool { a.rawValue < b.rawValue }
}
