import Foundation

/// Where assessments go for an officer to decide: cases in order (band, then
/// score, then age), claimed under a lease, decided with a reason, every
/// change in an audit log. `TriageStore` implements it on SQLite; the
/// engine and the commands know only this protocol.
public protocol ReviewQueue: Sendable {
    /// Files assessed referrals, all or none: each joins the case of its
    /// canonical URL or content, or opens one. A referral id already queued
    /// with the same content is `.alreadyQueued`; with other content,
    /// `.conflict`. Returns one outcome per item, in order.
    func enqueue(_ items: [Assessed], actor: String) throws -> [IntakeOutcome]
    /// Does the part of filing that needs no queue (serialising the
    /// assessment, hashing the evidence) into `item.prepared`, on the
    /// caller's thread: assessing threads call it so the queue's writer does
    /// not. `enqueue` prepares what is not.
    static func prepare(_ item: inout Assessed)
    /// The next case by order, claimed by `officer` until the lease ends;
    /// nil when nothing is waiting. Leases that ended return their cases to
    /// the queue first.
    func claimNext(officer: String, lease: Duration, band: Band?) throws -> QueueCase?
    func release(_ caseID: String, officer: String) throws -> QueueCase
    func decide(_ caseID: String, decision: Decision, reason: String, officer: String, duplicateOf: String?) throws -> QueueCase
    func reopen(_ caseID: String, reason: String, officer: String) throws -> QueueCase
    func note(_ caseID: String, text: String, officer: String) throws
}

public enum IntakeOutcome: Sendable, Equatable {
    /// Filed: the case, its size now, and whether this referral opened it.
    case queued(caseID: String, caseSize: Int, opened: Bool)
    /// The same referral id with the same content is already queued: nothing changed.
    case alreadyQueued(caseID: String)
    /// The referral id is queued with different content or URL: not merged.
    case conflict(String)
}

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
