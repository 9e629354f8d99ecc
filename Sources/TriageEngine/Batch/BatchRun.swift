import Foundation
import Logging
import TriageModel
import TriageRules

/// A run of referrals through the engine: the assessing (and fetching) pool,
/// the in-order window, case filing, the summary, and the sinks. What
/// `triage batch` and `triage check` run, and what a server's intake
/// workers call.
///
/// ```
/// referrals ─▶ pool (fetch threads ─▶ assessing threads: assess, then each
///              sink's preparation: serialise once, compress for a queue)
///          ─▶ in input order ─▶ filing (CaseBook or review queue: the case)
///          ─▶ summary ─▶ sinks (text, JSON, NDJSON, …)
/// ```
///
/// Memory is bounded by the window (`Options.window`), not the input: the
/// reader waits for the oldest assessment once the window is full.
public final class BatchRun {
    public struct Options: Sendable {
        /// Assessing threads.
        public var jobs: Int
        public var limits: ScanLimits
        public var fetching: AssessmentPool.Fetching?
        /// Leave timings out of every assessment (reproducible output).
        public var noTimings: Bool
        /// Assess on threads of lower priority (a server's intake, which
        /// must not slow the threads answering requests).
        public var background = false

        public init(jobs: Int, limits: ScanLimits = .default, fetching: AssessmentPool.Fetching? = nil, noTimings: Bool = false) {
            self.jobs = max(jobs, 1)
            self.limits = limits
            self.fetching = fetching
            self.noTimings = noTimings
        }

        /// Referrals in flight at most: 32 per assessing thread, and one per
        /// fetch thread. Fewer leave threads idle behind one long page:
        /// assessments leave in order, so with 4 per thread two cores were
        /// busy 1.74 of the time, with 32 1.96 (bench-triage; see
        /// TriageEngine/DESIGN.md).
        public var window: Int { 32 * jobs + (fetching?.concurrent ?? 0) }
    }

    /// Told of what happens as it happens (a terminal's progress bar,
    /// messages on standard error, a server's log).
    public protocol Observer: AnyObject {
        /// A record that could not be accepted; the run goes on.
        func rejected(_ error: ReferralError)
        /// A referral the queue holds with other content; not filed.
        func conflict(referralID: String, reason: String)
        /// `done` assessments have reached the sinks.
        func progress(done: Int)
    }

    private let live: LiveRules
    private let options: Options
    private let filing: any CaseFiling
    private let sinks: [any AssessmentSink]
    private let observer: (any Observer)?
    private let logger: Logger

    /// `filing` defaults to cases in memory for this run (`MemoryFiling`).
    /// `logger` gets rejected records and queue conflicts (`notice`) and
    /// the run's summary (`info`).
    public convenience init(rules: CompiledRules, policy: ScoringPolicy, options: Options, filing: any CaseFiling = MemoryFiling(),
                            sinks: [any AssessmentSink], observer: (any Observer)? = nil,
                            logger: Logger = Logger(label: "triage.batch", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(live: LiveRules(rules: rules, policy: policy), options: options, filing: filing, sinks: sinks, observer: observer, logger: logger)
    }

    /// A run that assesses with whatever rule set `live` holds when each
    /// referral is taken (a server's, reloaded while it runs).
    public init(live: LiveRules, options: Options, filing: any CaseFiling = MemoryFiling(), sinks: [any AssessmentSink],
                observer: (any Observer)? = nil, logger: Logger = Logger(label: "triage.batch", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.logger = logger
        self.live = live
        self.options = options
        self.filing = filing
        self.sinks = sinks
        self.observer = observer
    }

    /// Runs `records` (a `ReferralReader`, or any sequence of them) to the
    /// end and returns what the run did. Throws only what filing throws (a
    /// queue that cannot take a transaction): what was committed before stays.
    public func run(_ records: some Sequence<ReferralReader.Record>) throws -> BatchSummary {
        let clock = ContinuousClock()
        let started = clock.now
        var summary = BatchSummary()
        summary.jobs = options.jobs
        summary.queue = filing.location

        let pool = AssessmentPool(jobs: options.jobs, live: live, limits: options.limits, fetching: options.fetching, background: options.background,
                                  finish: Self.finisher(noTimings: options.noTimings, filing: filing.preparation,
                                                        sinks: sinks.map(\.preparation)))
        var submitted = 0, emitted = 0
        func emit(_ item: AssessedReferral) throws {
            // Counted before filing: should filing throw, this one is out
            // of the pool already, and the drain below must not wait for it.
            emitted += 1
            for outcome in try filing.file(item) { try deliver(outcome) }
        }
        func deliver(_ outcome: Filed) throws {
            switch outcome {
            case let .filed(item):
                summary.add(item.assessment)
                for sink in sinks { try sink.write(item) }
            case let .alreadyQueued(item):
                summary.alreadyQueued += 1
                summary.add(item.assessment)
                for sink in sinks { try sink.write(item) }
            case let .conflict(id, reason):
                summary.conflicts.append(id)
                logger.notice("conflict", metadata: ["referral": "\(id)", "reason": "\(reason)"])
                observer?.conflict(referralID: id, reason: reason)
            }
        }
        // Should filing throw, the pool's threads are told to stop and drained.
        defer {
            pool.close()
            while emitted < submitted {
                _ = pool.take(emitted)
                emitted += 1
            }
        }
        let window = options.window
        for record in records {
            switch record {
            case let .rejected(error):
                summary.reject(error)
                logger.notice("rejected", metadata: ["input": "\(error.input)", "line": "\(error.line)", "referral": "\(error.id ?? "-")",
                                                     "reason": "\(error.reason)"])
                observer?.rejected(error)
            case let .referral(referral, _):
                pool.submit(submitted, referral)
                submitted += 1
                while submitted - emitted >= window { try emit(pool.take(emitted)) }
                while let ready = pool.poll(emitted) { try emit(ready) }
            }
            observer?.progress(done: emitted)
        }
        pool.close()
        while emitted < submitted {
            try emit(pool.take(emitted))
            observer?.progress(done: emitted)
        }
        for outcome in try filing.flush() { try deliver(outcome) }
        summary.cases = filing.casesOpened
        summary.seconds = Self.seconds(clock.now - started)
        for sink in sinks { try sink.finish(summary) }
        logger.info("run finished", metadata: [
            "assessed": "\(summary.assessed)", "rejected": "\(summary.rejectedCount)", "cases": "\(summary.cases)",
            "conflicts": "\(summary.conflicts.count)", "seconds": "\(Double(Int(summary.seconds * 1000)) / 1000)", "jobs": "\(summary.jobs)",
            "queue": "\(summary.queue ?? "-")"])
        return summary
    }

    /// What the assessing threads do to each assessment: drop timings if
    /// asked, serialise once if any sink or the filing wants JSON, then the
    /// filing's and sinks' own preparations.
    static func finisher(noTimings: Bool, filing: SinkPreparation, sinks: [SinkPreparation]) -> @Sendable (inout AssessedReferral) -> Void {
        let all = [filing] + sinks
        let serialize = all.contains(where: \.serialize)
        let prepares = all.compactMap(\.prepare)
        return { item in
            if noTimings { item.assessment.timings = nil }
            if serialize { item.serialize() }
            for prepare in prepares { prepare(&item) }
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
