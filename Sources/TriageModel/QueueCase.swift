public enum CaseState: String, Sendable, Codable, CaseIterable {
    case new
    case inReview = "in-review"
    case decided
}

/// What an officer concluded. Referring or escalating count as "acted on"
/// for a rule's precision; no further action counts against it.
public enum Decision: String, Sendable, Codable, CaseIterable {
    case referToPlatform = "refer-to-platform"
    case escalateToInvestigation = "escalate-to-investigation"
    case noFurtherAction = "no-further-action"
    case duplicateOf = "duplicate-of"
}

/// A case as the queue lists it.
public struct QueueCase: Sendable, Equatable, Codable {
    public var id: String
    public var state: CaseState
    public var band: Band
    public var score: Int
    public var primaryCategory: String?
    public var referrals: Int
    /// Milliseconds since 1970 (UTC).
    public var openedAt: Int64
    public var updatedAt: Int64
    public var officer: String?
    public var leaseUntil: Int64?
    public var decision: Decision?
    public var duplicateOf: String?
    public var decidedAt: Int64?
    public var decidedBy: String?
    /// The first URL the case was reported under, if any.
    public var url: String?
    /// Open past the service level for its band.
    public var overdue: Bool

    public init(id: String, state: CaseState, band: Band, score: Int, primaryCategory: String?, referrals: Int, openedAt: Int64,
                updatedAt: Int64, officer: String?, leaseUntil: Int64?, decision: Decision?, duplicateOf: String?, decidedAt: Int64?,
                decidedBy: String?, url: String?, overdue: Bool) {
        self.id = id
        self.state = state
        self.band = band
        self.score = score
        self.primaryCategory = primaryCategory
        self.referrals = referrals
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.officer = officer
        self.leaseUntil = leaseUntil
        self.decision = decision
        self.duplicateOf = duplicateOf
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.url = url
        self.overdue = overdue
    }
}
