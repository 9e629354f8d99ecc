import TriageModel

/// Accepted referrals, durable before anyone is told they were accepted:
/// what lets a server answer `202 Accepted` and still lose nothing if it is
/// killed. A worker takes pending referrals under a lease, assesses them,
/// and files them with `ReviewQueue.enqueue`, which marks each filed in the
/// same transaction; a lease that ends (the worker died) returns its
/// referrals to the next `takePending`. So every accepted referral is filed
/// exactly once, however often the process restarts.
public protocol IntakeLog: AnyObject, Sendable {
    /// Records `referral` (inline content or a URL; not a file path) as
    /// accepted by `actor`. The same id with the same URL and content again
    /// is `.alreadyAccepted`; with others, `.conflict`.
    func accept(_ referral: Referral, actor: String) throws -> AcceptOutcome
    /// Accepts several referrals, each from its actor, in one transaction
    /// (one wait for the disk): an outcome for each, in order. A referral
    /// that cannot be accepted at all (no content and no URL, a file path)
    /// throws, and nothing of the group is kept.
    func accept(_ items: [(referral: Referral, actor: String)]) throws -> [AcceptOutcome]
    /// Referrals accepted and not yet filed.
    func intakeBacklog() throws -> Int
    /// Up to `limit` accepted referrals not yet filed, oldest first, now
    /// leased to `worker` until `lease` has passed.
    func takePending(worker: String, limit: Int, lease: Duration) throws -> [PendingReferral]
    /// Returns to the log every referral leased to `worker` and not filed:
    /// what a worker restarted under the same name calls first, so that what
    /// its previous life took is not left waiting for the lease to end.
    /// Returns how many.
    func releaseLeases(worker: String) throws -> Int
    /// What became of the referral `id`; nil if it was never accepted.
    func intakeStatus(_ id: String) throws -> IntakeStatus?
    /// Who accepted the referral `id` into the intake log (the `actor` of
    /// `accept`); nil if it came another way (a batch) or never.
    func acceptedBy(_ id: String) throws -> String?
}

public enum AcceptOutcome: Sendable, Equatable {
    /// Accepted now, as number `seq` in the intake log.
    case accepted(seq: Int64)
    /// Accepted before, with the same URL and content: nothing changed.
    case alreadyAccepted(IntakeStatus)
    /// The id was accepted with another URL or content: not accepted.
    case conflict(String)
}

/// A referral accepted and not yet filed, as a worker takes it.
public struct PendingReferral: Sendable, Equatable {
    public var seq: Int64
    public var referral: Referral
    /// Milliseconds since 1970 (UTC), by the store's clock.
    public var receivedAt: Int64

    public init(seq: Int64, referral: Referral, receivedAt: Int64) {
        self.seq = seq
        self.referral = referral
        self.receivedAt = receivedAt
    }
}

public enum IntakeStatus: Sendable, Equatable {
    /// Accepted, waiting for (or being assessed by) a worker.
    case pending(receivedAt: Int64)
    /// Assessed and filed into its case.
    case filed(caseID: String, filedAt: Int64)
}
