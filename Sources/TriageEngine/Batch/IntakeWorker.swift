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

    /// Files every referral pending now, `batch` at a time, each batch held
    /// under a lease of `lease` (long enough to assess and fetch it); the
    /// summary of all of them. Returns when none is left to take (others
    /// may still be leased to another worker), or, between batches, once
    /// `stop()` has been called (what is left stays pending, for the next
    /// start).
    public func drain(batch: Int = 256, lease: Duration = .seconds(300), sinks: [any AssessmentSink] = []) throws -> BatchSummary {
        var total = BatchSummary()
        total.jobs = options.jobs
        while !stopping.withLock({ $0 }) {
            let pending = try store.takePending(worker: name, limit: batch, lease: lease)
            guard !pending.isEmpty else { break }
            let filing = QueueFiling(queue: store, actor: "intake:" + name, maxReferrals: filingTransaction, maxWait: .milliseconds(50))
            let run = BatchRun(live: live, options: options, filing: filing,
                               sinks: sinks, logger: logger)
            let summary = try run.run(pending.map { ReferralReader.Record.referral($0.referral, line: Int($0.seq)) })
            total.merge(summary)
            logger.info("filed pending referrals", metadata: ["worker": "\(name)", "taken": "\(pending.count)",
                                                              "assessed": "\(summary.assessed)", "conflicts": "\(summary.conflicts.count)"])
        }
        return total
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

    /// Asks a `drain` under way to return after the batch it is filing.
    public func stop() { stopping.withLock { $0 = true } }
}
