import Foundation
import TriageRules

/// The rule set and scoring policy a long-running process assesses with,
/// replaceable while it runs (a server's rules reloaded on SIGHUP): a swap
/// is atomic, every assessment is made wholly with one rule set (the one in
/// place when its assessing thread took it), and each assessment names the
/// rule set it used (`Assessment.rules`).
public final class LiveRules: @unchecked Sendable {
    /// One rule set and policy, and how many swaps came before it.
    public struct Snapshot: Sendable {
        public let rules: CompiledRules
        public let policy: ScoringPolicy
        public let generation: Int
    }

    private let lock = NSLock()
    private var current: Snapshot

    public init(rules: CompiledRules, policy: ScoringPolicy) {
        current = Snapshot(rules: rules, policy: policy, generation: 0)
    }

    public var snapshot: Snapshot { lock.withLock { current } }

    /// The generation alone: what an assessing thread checks before each
    /// referral (a lock, no copy of the rule set).
    public var generation: Int { lock.withLock { current.generation } }

    /// Puts `rules` (and `policy`, if given) in place; returns the one replaced.
    @discardableResult
    public func swap(rules: CompiledRules, policy: ScoringPolicy? = nil) -> Snapshot {
        lock.withLock {
            let old = current
            current = Snapshot(rules: rules, policy: policy ?? old.policy, generation: old.generation + 1)
            return old
        }
    }
}
