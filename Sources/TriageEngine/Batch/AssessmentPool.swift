import Foundation
import TriageModel
import TriageRules

/// Assesses referrals on several threads, each with its own pipeline, and
/// hands the assessments back in the order the referrals were submitted.
///
/// With `Fetching`, referrals whose URL is to be fetched go first to fetch
/// threads of their own (each with its own libcurl handle), which hand the
/// pages on to the assessing threads. A fetch mostly waits on the network;
/// on threads apart, those waits overlap the assessing instead of leaving a
/// core idle.
///
/// The caller bounds how many are in flight (`take` blocks until the next
/// one in order is done), so memory stays flat however long the batch is.
public final class AssessmentPool: @unchecked Sendable {
    /// How a batch fetches.
    public struct Fetching: Sendable {
        /// Makes the page source of one fetch thread (for `PageFetch`, a
        /// `Fetcher` with the batch's limits, destination policy and shared
        /// host throttle).
        public var makeSource: @Sendable () -> any PageSource
        /// Fetch referrals that came with content too (`Referral.wantsFetching`).
        public var refetch: Bool
        /// Fetch threads: fetches in flight at once.
        public var concurrent: Int

        public init(refetch: Bool, concurrent: Int, makeSource: @escaping @Sendable () -> any PageSource) {
            self.makeSource = makeSource
            self.refetch = refetch
            self.concurrent = concurrent
        }
    }

    private let fetching: Fetching?
    private let toFetch = WorkQueue<(Int, Referral)>()
    private let toAssess = WorkQueue<(Int, Referral, FetchedPage?)>()
    /// Guards `done` and `fetchThreads`; signalled when an assessment is done.
    private let finished = NSCondition()
    private var done: [Int: AssessedReferral] = [:]
    /// Fetch threads still running: the last to stop closes `toAssess`.
    private var fetchThreads = 0

    /// Runs on the assessing thread after each assessment (a batch filing
    /// into a queue prepares the filing there: `ReviewQueue.prepare`).
    private let finish: (@Sendable (inout AssessedReferral) -> Void)?
    private let background: Bool

    /// Starts `jobs` assessing threads, and with `fetching` its fetch threads.
    public convenience init(jobs: Int, rules: CompiledRules, policy: ScoringPolicy, limits: ScanLimits = .default, fetching: Fetching? = nil,
                            finish: (@Sendable (inout AssessedReferral) -> Void)? = nil) {
        self.init(jobs: jobs, live: LiveRules(rules: rules, policy: policy), limits: limits, fetching: fetching, finish: finish)
    }

    /// The same, assessing with whatever rule set `live` holds: each thread
    /// checks before each referral and, after a swap, builds its pipeline
    /// anew (an assessment under way finishes on the rule set it began with).
    /// With `background`, its threads run at a lower priority (`lowerThreadPriority`).
    public init(jobs: Int, live: LiveRules, limits: ScanLimits = .default, fetching: Fetching? = nil, background: Bool = false,
                finish: (@Sendable (inout AssessedReferral) -> Void)? = nil) {
        self.fetching = fetching
        self.finish = finish
        self.background = background
        if let fetching {
            fetchThreads = max(fetching.concurrent, 1)
            for index in 0..<fetchThreads {
                start("triage-fetch-\(index)") { [self] in
                    fetch(with: fetching.makeSource(), refetch: fetching.refetch)
                }
            }
        }
        for index in 0..<max(jobs, 1) {
            start("triage-\(index)") { [self] in assess(live: live, limits: limits) }
        }
    }

    private func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let background = self.background
        let thread = Thread {
            if background { lowerThreadPriority() }
            body()
        }
        thread.name = name
        // Deep pages and rule programs stay well inside this.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues referral number `sequence` (numbers start at 0 and go up by one).
    public func submit(_ sequence: Int, _ referral: Referral) {
        if let fetching, referral.wantsFetching(refetch: fetching.refetch) {
            toFetch.put((sequence, referral))
        } else {
            toAssess.put((sequence, referral, nil))
        }
    }

    /// The assessment of referral `sequence`, waiting for it.
    public func take(_ sequence: Int) -> AssessedReferral {
        finished.lock()
        defer { finished.unlock() }
        while done[sequence] == nil { finished.wait() }
        return done.removeValue(forKey: sequence)!
    }

    /// The assessment of referral `sequence` if it is done.
    public func poll(_ sequence: Int) -> AssessedReferral? {
        finished.lock()
        defer { finished.unlock() }
        return done.removeValue(forKey: sequence)
    }

    /// No more referrals: the threads finish what is queued, then stop.
    public func close() {
        if fetching != nil {
            toFetch.close()
        } else {
            toAssess.close()
        }
    }

    private func fetch(with source: any PageSource, refetch: Bool) {
        while let (sequence, referral) = toFetch.take() {
            toAssess.put((sequence, referral, source.page(for: referral, refetch: refetch)))
        }
        finished.lock()
        fetchThreads -= 1
        let last = fetchThreads == 0
        finished.unlock()
        if last { toAssess.close() }
    }

    private func assess(live: LiveRules, limits: ScanLimits) {
        var snapshot = live.snapshot
        var pipeline = TriagePipeline(rules: snapshot.rules, policy: snapshot.policy, limits: limits)
        while let (sequence, referral, fetched) = toAssess.take() {
            if live.generation != snapshot.generation {
                snapshot = live.snapshot
                pipeline = TriagePipeline(rules: snapshot.rules, policy: snapshot.policy, limits: limits)
            }
            var assessed = pipeline.assess(referral, fetched: fetched)
            finish?(&assessed)
            finished.lock()
            done[sequence] = assessed
            finished.signal()
            finished.unlock()
        }
    }
}
