import Logging
import TriageModel
import TriageRules

/// Files what an intake log holds: takes accepted referrals under a lease,
/// assesses them (a `BatchRun` over them, fetching with `options.fetching`),
/// and files them into the queue, which marks each filed in the same
/// transaction. What a server's intake workers run; a worker killed at any
/// point loses nothing (its lease ends and another takes the referrals), and
/// none is filed twice (`IntakeLog`).
public final class IntakeWorker: Sendable {
    public typealias Store = ReviewQueue & IntakeLog

    private let store: any Store
    private let live: LiveRules
    private let options: BatchRun.Options
    /// Who files, in the audit log (`intake:<name>`), and whose leases these are.
    public let name: String
    private let logger: Logger
    private let stopping = Locked(false)
    /// Referrals one filing transaction holds at most: few, so that a
    /// server's requests accepting referrals never wait long for the
    /// queue's write lock (bench-serve: acknowledgement latency).
    public let filingTransaction: Int

    /// Assesses with whatever rule set `live` holds (reloaded while it runs).
    public init(store: any Store, live: LiveRules, options: BatchRun.Options, name: String, filingTransaction: Int = 32,
                logger: Logger = Logger(label: "triage.intake", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.filingTransaction = filingTransaction
        self.store = store
        self.live = live
        self.options = options
        self.name = name
        self.logger = logger
    }

    /// Files every referral pending now, taking them `batch` at a time under
    /// a lease of `lease` (long enough to assess and fetch them), and the
    /// summary of all of them. One run, one assessing pool, for as long as
    /// referrals keep arriving: the pool takes the next batch while it is
    /// still assessing the last, so its threads do not idle at the end of
    /// each (a server accepting a stream files a few referrals at each
    /// take; a run per take left the cores idle a third of the time,
    /// bench-serve). Returns when none is left to take (others may still be
    /// leased to another worker), or, once `stop()` has been called, when
    /// what is in flight is filed; what it took and had not started is
    /// handed back to the log at once, for the next start.
    public func drain(batch: Int = 256, lease: Duration = .seconds(300), sinks: [any AssessmentSink] = []) throws -> BatchSummary {
        let feed = PendingFeed(take: { [store, name] in try store.takePending(worker: name, limit: batch, lease: lease) },
                               stopping: { [stopping] in stopping.withLock { $0 } })
        let filing = QueueFiling(queue: store, actor: "intake:" + name, maxReferrals: filingTransaction, maxWait: .milliseconds(50))
        let run = BatchRun(live: live, options: options, filing: filing, sinks: sinks, logger: logger)
        let summary = try run.run(feed)
        if feed.handedBack > 0 {
            let released = try store.releaseLeases(worker: name)
            logger.info("stopping: handed back referrals taken but not started", metadata: ["worker": "\(name)", "count": "\(released)"])
        }
        if let error = feed.error { throw error }
        if feed.taken > 0 {
            logger.info("filed pending referrals", metadata: ["worker": "\(name)", "taken": "\(feed.taken)", "takes": "\(feed.takes)",
                                                              "assessed": "\(summary.assessed)", "conflicts": "\(summary.conflicts.count)"])
        }
        return summary
    }

    /// Takes back what this worker's name leased before (a previous run of
    /// the same server, killed): call it once, before the first `drain`.
    /// Filing stays exactly-once even if another process under the same
    /// name still holds them (the queue refuses a referral filed twice).
    @discardableResult
    public func reclaim() throws -> Int {
        let count = try store.releaseLeases(worker: name)
        if count > 0 { logger.notice("took back referrals leased before a restart", metadata: ["worker": "\(name)", "count": "\(count)"]) }
        return count
    }

    /// Asks a `drain` under way to return once what it has in flight is filed.
    public func stop() { stopping.withLock { $0 = true } }
}

/// Pending referrals as one sequence for a `BatchRun`: takes the next batch
/// from the log when the last is used up, and ends when the log has none
/// left to take, when taking fails (`error`), or once stopping.
private final class PendingFeed: Sequence, IteratorProtocol {
    private let take: () throws -> [PendingReferral]
    private let stopping: () -> Bool
    /// The batch being handed out, last first (each referral's bytes are
    /// freed as it goes).
    private var batch: [PendingReferral] = []
    private(set) var taken = 0, takes = 0
    /// Taken, then not handed out because the worker was stopping.
    private(set) var handedBack = 0
    private(set) var error: (any Error)?

    init(take: @escaping () throws -> [PendingReferral], stopping: @escaping () -> Bool) {
        self.take = take
        self.stopping = stopping
    }

    func next() -> ReferralReader.Record? {
        if stopping() {
            handedBack += batch.count
            batch.removeAll()
            return nil
        }
        if batch.isEmpty {
            guard error == nil else { return nil }
            do { batch = try take().reversed() } catch {
                self.error = error
                return nil
            }
            taken += batch.count
            takes += 1
        }
        return batch.popLast().map { .referral($0.referral, line: Int($0.seq)) }
    }
}
