import Foundation
import PageFetch
import TriageRules

/// Assesses referrals on several threads, each with its own pipeline, and
/// hands the assessments back in the order the referrals were submitted.
///
/// The caller bounds how many are in flight (`take` blocks until the next
/// one in order is done), so memory stays flat however long the batch is.
public final class AssessmentPool: @unchecked Sendable {
    /// Guards everything below; `work` is signalled when a referral is
    /// queued or the pool closes, `finished` when an assessment is done (two
    /// conditions, so a finished assessment wakes only the reader of results).
    private let condition = NSCondition()
    private let finished = NSCondition()
    // Guarded by `condition`:
    private var queue: [(Int, Referral)] = []
    private var head = 0
    private var closed = false
    // Guarded by `finished`:
    private var done: [Int: Assessed] = [:]

    /// Starts `jobs` threads. With `fetch`, each thread fetches the URLs of
    /// referrals without content (its own libcurl handle).
    /// Their fetches share one `HostThrottle`.
    public init(jobs: Int, rules: CompiledRules, policy: ScoringPolicy,
                fetch: (limits: FetchLimits, policy: DestinationPolicy, throttle: HostThrottle, refetch: Bool)? = nil) {
        for index in 0..<max(jobs, 1) {
            let thread = Thread { [self] in
                let pipeline = TriagePipeline(rules: rules, policy: policy)
                if let fetch {
                    pipeline.fetcher = Fetcher(limits: fetch.limits, policy: fetch.policy, throttle: fetch.throttle)
                    pipeline.refetch = fetch.refetch
                }
                work(pipeline)
            }
            thread.name = "triage-\(index)"
            // Deep pages and rule programs stay well inside this.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Queues referral number `sequence` (numbers start at 0 and go up by one).
    public func submit(_ sequence: Int, _ referral: Referral) {
        condition.lock()
        queue.append((sequence, referral))
        condition.signal()
        condition.unlock()
    }

    /// The assessment of referral `sequence`, waiting for it.
    public func take(_ sequence: Int) -> Assessed {
        finished.lock()
        defer { finished.unlock() }
        while done[sequence] == nil { finished.wait() }
        return done.removeValue(forKey: sequence)!
    }

    /// The assessment of referral `sequence` if it is done.
    public func poll(_ sequence: Int) -> Assessed? {
        finished.lock()
        defer { finished.unlock() }
        return done.removeValue(forKey: sequence)
    }

    /// No more referrals: the threads finish what is queued, then stop.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(_ pipeline: TriagePipeline) {
        while true {
            condition.lock()
            while head == queue.count && !closed { condition.wait() }
            guard head < queue.count else {
                condition.unlock()
                return
            }
            let (sequence, referral) = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            let assessed = pipeline.fetchAndAssess(referral)
            finished.lock()
            done[sequence] = assessed
            finished.signal()
            finished.unlock()
        }
    }
}
