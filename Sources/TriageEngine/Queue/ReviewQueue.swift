import Foundation
import TriageModel

/// Where assessments go for an officer to decide: cases in order (band, then
/// score, then age), claimed under a lease, decided with a reason, every
/// change in an audit log.
///
/// Five protocols, by who uses them: `ReviewQueue` (filing and review: a
/// batch, a server's intake workers, an officer), `QueueReports` (reading:
/// lists, a case in full, statistics, exports), `QueueMaintenance`
/// (integrity, retention, service levels, rechecks) and `IntakeLog`
/// (referrals accepted and not yet filed: a server's durable
/// acknowledgement); and `AccountStore` (who may use a server over it).
/// `QueueStore` is all five. `TriageStore`'s `SQLiteQueue` implements them; the engine, the
/// command line and a server know only these protocols, and get a store from
/// one factory (the command line's `QueueFactory`).
///
/// Times are milliseconds since 1970 (UTC), from the store's clock.
public protocol ReviewQueue: AnyObject, Sendable {
    /// The queue for a person: its file or address.
    var location: String { get }
    /// Referrals one `enqueue` should hold at most (fewer, larger
    /// transactions file faster, up to this).
    var transactionSize: Int { get }
    /// Does the part of filing that needs no queue (compressing the
    /// serialised assessment, hashing the evidence) into `item.stored` and
    /// `item.contentSHA256`, on the caller's thread: assessing threads call
    /// it so the queue's writer does not. `enqueue` prepares what is not.
    func prepare(_ item: inout AssessedReferral)
    /// Files assessed referrals, all or none: each joins the case of its
    /// canonical URL or content, or opens one. A referral id already queued
    /// with the same content is `.alreadyQueued`; with other content,
    /// `.conflict`. Returns one outcome per item, in order.
    func enqueue(_ items: [AssessedReferral], actor: String) throws -> [IntakeOutcome]
    /// The next case by order, claimed by `officer` until the lease ends;
    /// nil when nothing is waiting. Leases that ended return their cases to
    /// the queue first.
    func claimNext(officer: String, lease: Duration, band: Band?) throws -> QueueCase?
    func release(_ caseID: String, officer: String) throws -> QueueCase
    func decide(_ caseID: String, decision: Decision, reason: String, officer: String, duplicateOf: String?) throws -> QueueCase
    func reopen(_ caseID: String, reason: String, officer: String) throws -> QueueCase
    func note(_ caseID: String, text: String, officer: String) throws
}

/// Reading the queue: what officers, supervisors and reports see.
public protocol QueueReports: AnyObject, Sendable {
    /// The cases `query` asks for, in queue order.
    func list(_ query: CaseQuery) throws -> [QueueCase]
    /// A case with its referrals, assessments, captures, notes and history.
    func show(_ caseID: String) throws -> CaseDetail
    /// The evidence bytes stored under `sha256`; nil if none (or purged).
    func evidence(sha256: String) throws -> [UInt8]?
    func stats() throws -> QueueStats
    /// Every case changed at or after `since`, in case order.
    func export(since: Int64?, _ body: (ExportRow) throws -> Void) throws
    /// Counts for a transparency report, for cases opened at or after `since`.
    func aggregate(since: Int64?) throws -> [(group: String, key: String, count: Int)]
    /// Every fetched capture still held, in filing order (WARC export): its
    /// case, fetch record and body. A body that no longer hashes to its
    /// record goes to `tampered` instead, and the walk goes on.
    func fetchedCaptures(since: Int64?, tampered: (_ caseID: String, _ sha256: String) throws -> Void,
                         _ body: (String, FetchRecord, [UInt8]) throws -> Void) throws
    /// Audit entries after `seq`, oldest first, at most `limit`: the log
    /// itself, changes to accounts and rule sets included.
    func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry]
    /// The store's clock, for ages and overdue flags in listings.
    func now() -> Int64
}

/// Keeping the queue honest and within policy.
public protocol QueueMaintenance: AnyObject, Sendable {
    /// Recomputes the audit chain, every referral against its intake entry
    /// and every evidence hash, in one consistent snapshot.
    func verify() throws -> VerifyReport
    /// Removes the evidence of cases closed with no further action more
    /// than `days` ago; recorded in the audit log.
    func purge(olderThanDays days: Int, officer: String) throws -> PurgeReport
    func serviceLevels() throws -> ServiceLevels
    func setServiceLevel(_ band: Band, seconds: Int64, officer: String) throws
    /// Decided cases whose URL is due to be fetched again.
    func recheckCandidates(olderThanDays days: Int, limit: Int) throws -> [RecheckCandidate]
    /// Files what a recheck fetched as a new capture of the case, and its verdict.
    func recordRecheck(_ caseID: String, record: FetchRecord, body: [UInt8], officer: String) throws -> RecheckOutcome
    /// Records in the audit log that a running service replaced rule set
    /// `from` with `to` (fingerprints), at `actor`'s request.
    func recordRulesReload(from: String, to: String, actor: String) throws
}

/// A queue with everything the command line and the server need.
public typealias QueueStore = ReviewQueue & QueueReports & QueueMaintenance & IntakeLog & AccountStore

public enum IntakeOutcome: Sendable, Equatable {
    /// Filed: the case, its size now, and whether this referral opened it.
    case queued(caseID: String, caseSize: Int, opened: Bool)
    /// The same referral id with the same content is already queued: nothing changed.
    case alreadyQueued(caseID: String)
    /// The referral id is queued with different content or URL: not merged.
    case conflict(String)
}

