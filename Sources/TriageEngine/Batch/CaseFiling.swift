import Foundation
import TriageModel

/// Where a batch's assessments are filed into cases, before any sink sees
/// them: a `CaseBook` in memory (`MemoryFiling`: cases for this run only),
/// or a review queue (`QueueFiling`: cases across runs, the assessments
/// stored with their evidence). The queue is the one destination that
/// decides a case, so it comes first and every other sink gets its answer.
public protocol CaseFiling: AnyObject {
    /// What filing needs done on the assessing threads.
    var preparation: SinkPreparation { get }
    /// Takes the next assessment in input order; returns the assessments
    /// now filed, in order, with their cases (a queue returns them a
    /// transaction at a time).
    func file(_ item: AssessedReferral) throws -> [Filed]
    /// Files whatever is held back.
    func flush() throws -> [Filed]
    /// Cases this run opened.
    var casesOpened: Int { get }
    /// Where the cases are, for the summary (a queue's location; nil in memory).
    var location: String? { get }
}

/// What filing one assessment came to.
public enum Filed {
    /// Filed: the assessment with its case and the case's size now.
    case filed(AssessedReferral)
    /// The queue already held this referral with the same content.
    case alreadyQueued(AssessedReferral)
    /// The queue holds this referral id with other content or URL: not merged.
    case conflict(referralID: String, reason: String)
}

/// Cases for one run, in memory (`CaseBook`).
public final class MemoryFiling: CaseFiling {
    private var book = CaseBook()

    public init() {}

    public var preparation: SinkPreparation { .none }
    public var casesOpened: Int { book.caseCount }
    public var location: String? { nil }

    public func file(_ item: AssessedReferral) -> [Filed] {
        var item = item
        if let filed = book.file(canonicalURL: item.assessment.canonicalURL, contentFingerprint: item.assessment.contentFingerprint) {
            (item.assessment.caseID, item.assessment.caseSize) = (filed.id, filed.size)
        }
        return [.filed(item)]
    }

    public func flush() -> [Filed] { [] }
}

/// Filing into a review queue, in transactions of up to the queue's
/// `transactionSize`, 64 MiB of page bytes, or half a second: a slow batch
/// still commits (and reports) steadily, and large pages do not pile up in
/// memory. An assessment reaches the sinks only once it is committed.
public final class QueueFiling: CaseFiling {
    public let queue: any ReviewQueue
    private let actor: String
    private var pending: [AssessedReferral] = []
    private var firstPending: ContinuousClock.Instant?
    private var pendingBytes = 0
    public private(set) var casesOpened = 0
    /// Page bytes a transaction holds at most.
    public static let maxPendingBytes = 64 << 20
    /// Referrals a transaction holds at most, and how long the first of them
    /// waits for the others.
    private let maxReferrals: Int
    private let maxWait: Duration

    /// `actor` is recorded in the audit log as who filed them (`batch:<user>`).
    /// A batch files in the largest transactions the queue takes (fewest
    /// fsyncs); a server's intake in short ones (`maxReferrals`,
    /// `maxWait`), so that the write lock is never held long while requests
    /// wait to accept referrals.
    public init(queue: any ReviewQueue, actor: String, maxReferrals: Int? = nil, maxWait: Duration = .milliseconds(500)) {
        self.queue = queue
        self.actor = actor
        self.maxReferrals = min(maxReferrals ?? queue.transactionSize, queue.transactionSize)
        self.maxWait = maxWait
    }

    public var location: String? { queue.location }

    public var preparation: SinkPreparation {
        let queue = queue
        return SinkPreparation(serialize: true) { queue.prepare(&$0) }
    }

    public func file(_ item: AssessedReferral) throws -> [Filed] {
        pending.append(item)
        pendingBytes += (item.content?.count ?? 0) + (item.refetched?.count ?? 0)
        if firstPending == nil { firstPending = .now }
        let full = pending.count >= maxReferrals || pendingBytes >= Self.maxPendingBytes
            || firstPending.map { ContinuousClock.now - $0 > maxWait } ?? false
        return full ? try flush() : []
    }

    /// Writes what is pending in one transaction; throws if the queue cannot
    /// take it (what was committed before stays).
    public func flush() throws -> [Filed] {
        guard !pending.isEmpty else { return [] }
        let outcomes = try queue.enqueue(pending, actor: actor)
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
            firstPending = nil
        }
        return zip(pending, outcomes).map { item, outcome in
            var item = item
            switch outcome {
            case let .queued(caseID, caseSize, opened):
                (item.assessment.caseID, item.assessment.caseSize) = (caseID, caseSize)
                if opened { casesOpened += 1 }
                return .filed(item)
            case let .alreadyQueued(caseID):
                item.assessment.caseID = caseID
                return .alreadyQueued(item)
            case let .conflict(reason):
                return .conflict(referralID: item.referral.id, reason: reason)
            }
        }
    }
}
