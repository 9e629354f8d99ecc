import TriageModel
/// What a purge removed.
public struct PurgeReport: Sendable, Equatable {
    public var cases = 0
    public var captures = 0
    public var bytes = 0

    public init() {}
}
