import TriageEngine

/// A token bucket per key (a client's address): `burst` requests at once,
/// then one every `interval`. Memory is bounded: past `maxKeys` keys, the
/// buckets that have filled up again (whose clients have gone quiet) are
/// dropped, and if none has, the table starts afresh rather than grow.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    let burst: Double
    let interval: Duration
    let maxKeys: Int
    private let buckets = Locked<[String: Bucket]>([:])

    init(burst: Int, interval: Duration, maxKeys: Int = 100_000) {
        self.burst = Double(burst)
        self.interval = interval
        self.maxKeys = maxKeys
    }

    /// Takes a token for `key`: nil if allowed, else the seconds until one is free.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let perSecond = 1 / (Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * perSecond)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets[key] == nil && buckets.count >= maxKeys {
                buckets = buckets.filter { _, old in
                    let idle = now - old.at
                    return old.tokens + (Double(idle.components.seconds) * perSecond) < burst
                }
                if buckets.count >= maxKeys { buckets.removeAll(keepingCapacity: true) }
            }
            buckets[key] = bucket
            return nil
        }
    }
}
