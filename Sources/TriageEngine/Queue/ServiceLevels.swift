import TriageModel

/// How long a case of each band may wait, from when it was opened, before
/// it is flagged overdue. Stored in the queue (`triage queue sla`).
public struct ServiceLevels: Sendable, Equatable {
    public var seconds: [Band: Int64]

    public static let `default` = ServiceLevels(seconds: [
        .p1: 3_600, .p2: 86_400, .p3: 3 * 86_400, .p4: 7 * 86_400, .nfa: 30 * 86_400, .pending: 86_400,
    ])

    public func isOverdue(band: Band, openedAt: Int64, now: Int64) -> Bool {
        guard let limit = seconds[band] else { return false }
        return now - openedAt > limit * 1000
    }
}
