import NIOPosix
import TriageEngine
import TriageModel

/// Accepts referrals from many concurrent requests in shared transactions
/// (group commit): while one transaction is on its way to the disk, the
/// requests that arrive queue up, and the next transaction takes them all.
/// Each request is still answered only after its own referral has
/// committed, but sixty-four clients cost a handful of fsyncs rather than
/// sixty-four. A group that fails because one referral cannot be accepted
/// is retried one by one, so only that request fails.
final class IntakeCommitter: Sendable {
    private struct Waiting {
        let referral: Referral
        let actor: String
        let continuation: CheckedContinuation<AcceptOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        /// Whether a thread is committing (and will take what waits).
        var committing = false
    }

    private let store: any IntakeLog
    private let state = Locked(State())
    /// Referrals one transaction takes at most.
    let maxGroup: Int
    /// Called after each transaction that accepted a referral (the intake
    /// workers' wake-up: filing starts with the first commit, not when a
    /// request is answered).
    private let committed: @Sendable () -> Void

    init(store: any IntakeLog, maxGroup: Int = 512, committed: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.maxGroup = maxGroup
        self.committed = committed
    }

    func accept(_ referral: Referral, actor: String) async throws -> AcceptOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLock { state -> Bool in
                state.waiting.append(Waiting(referral: referral, actor: actor, continuation: continuation))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if lead { NIOThreadPool.singleton.submit { _ in self.commitWhileWaiting() } }
        }
    }

    /// Commits groups until none waits.
    private func commitWhileWaiting() {
        while true {
            let group = state.withLock { state -> [Waiting] in
                guard !state.waiting.isEmpty else {
                    state.committing = false
                    return []
                }
                let count = min(state.waiting.count, maxGroup)
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard !group.isEmpty else { return }
            do {
                let outcomes = try store.accept(group.map { (referral: $0.referral, actor: $0.actor) })
                if outcomes.contains(where: { if case .accepted = $0 { true } else { false } }) { committed() }
                for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(returning: outcome) }
            } catch let error as QueueError where error.kind == .invalidArgument && group.count > 1 {
                for waiting in group {
                    do {
                        let outcome = try store.accept(waiting.referral, actor: waiting.actor)
                        if case .accepted = outcome { committed() }
                        waiting.continuation.resume(returning: outcome)
                    } catch {
                        waiting.continuation.resume(throwing: error)
                    }
                }
            } catch {
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
