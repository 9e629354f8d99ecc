import TriageModel

/// A case for a case-management system: the case, its decision and the
/// reason given, changed at or after `since` (ms), in case order.
public struct ExportRow: Sendable, Equatable {
    public var queueCase: QueueCase
    public var reason: String?
    public var rules: String

    public init(queueCase: QueueCase, reason: String? = nil, rules: String) {
        self.queueCase = queueCase
        self.reason = reason
        self.rules = rules
    }
}
