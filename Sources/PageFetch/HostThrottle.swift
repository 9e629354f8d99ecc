import Foundation

/// Keeps a batch from hammering one site: at most `perHost` requests to a
/// host at once, and at least `spacing` between the starts of two requests
/// to it. Shared by every fetcher of a batch (one per thread); a fetcher
/// takes a slot for each request, redirects included.
public final class HostThrottle: @unchecked Sendable {
    public let perHost: Int
    public let spacing: Duration
    /// Guards `active` and `lastStart`; broadcast when a slot frees.
    private let condition = NSCondition()
    private var active: [String: Int] = [:]
    private var lastStart: [String: ContinuousClock.Instant] = [:]

    public init(perHost: Int = 2, spacing: Duration = .milliseconds(250)) {
        self.perHost = max(perHost, 1)
        self.spacing = spacing
    }

    /// Runs `body` holding a slot for `host` (lower-cased), waiting for one first.
    public func withSlot<T>(for host: String, _ body: () throws -> T) rethrows -> T {
        acquire(host)
        defer { release(host) }
        return try body()
    }

    private func acquire(_ host: String) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let now = ContinuousClock.now
            let count = active[host, default: 0]
            let ready = lastStart[host].map { now - $0 >= spacing } ?? true
            if count < perHost && ready {
                active[host] = count + 1
                lastStart[host] = now
                return
            }
            if count < perHost, let last = lastStart[host] {
                let wait = spacing - (now - last)
                // Timed out or signalled: either way the loop looks again.
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18))
            } else {
                condition.wait()
            }
        }
    }

    private func release(_ host: String) {
        condition.lock()
        active[host, default: 1] -= 1
        if active[host] == 0 { active[host] = nil }
        condition.broadcast()
        condition.unlock()
        // Spacing entries stay: they are a few bytes a host, for one batch.
    }
}
