import Foundation
import PageFetch
import Testing
import TestSupport
@testable import TriageEngine

@Suite("Assessment pool")
struct AssessmentPoolTests {
    /// Referrals that are fetched (on the pool's fetch threads) and referrals
    /// that are not, mixed: every assessment comes back in submission order,
    /// the same as one pipeline assessing them one by one.
    @Test func fetchedAndSubmittedReferralsComeBackInOrder() throws {
        let pages = try PipelineTests.pages.map { try Array(Data(contentsOf: URL(fileURLWithPath: $0))) }
        let server = try LoopbackServer { path in
            guard let index = Int(path.dropFirst()), pages.indices.contains(index) else { return .response(status: 404, headers: [], body: []) }
            return .response(status: 200, headers: ["Content-Type: text/html; charset=utf-8"], body: pages[index])
        }
        defer { server.stop() }
        var random = SeededRandom(seed: 3)
        let referrals: [Referral] = (0..<300).map { i in
            let page = Int(random.next() % UInt64(pages.count))
            switch random.next() % 4 {
            case 0: return Referral(id: "R-\(i)", content: .html(pages[page]))
            case 1: return Referral(id: "R-\(i)", url: "\(server.base)/\(page)", content: .html(pages[page]))  // not fetched without refetch
            case 2: return Referral(id: "R-\(i)", url: "\(server.base)/missing-\(i)", content: .none)  // fetched: 404
            default: return Referral(id: "R-\(i)", url: "\(server.base)/\(page)", content: .none)
            }
        }
        let limits = FetchLimits()
        let policy = DestinationPolicy(allowedLoopbackPort: server.port)
        let pool = AssessmentPool(jobs: 3, rules: shippedRules, policy: .default,
                                  fetching: .init(limits: limits, policy: policy, throttle: HostThrottle(perHost: 8, spacing: .zero),
                                                  refetch: false, concurrent: 5))
        // A small window, as batch keeps one: submitting waits on the oldest.
        var results: [Assessed] = []
        for (i, referral) in referrals.enumerated() {
            pool.submit(i, referral)
            if i >= 8 { results.append(pool.take(results.count)) }
        }
        pool.close()
        while results.count < referrals.count { results.append(pool.take(results.count)) }

        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        let fetcher = Fetcher(limits: limits, policy: policy)
        for (referral, got) in zip(referrals, results) {
            #expect(got.referral.id == referral.id)
            let fetched = fetcher.fetch(referral, refetch: false)
            let one = pipeline.assess(referral, fetched: fetched)
            var expected = one.assessment
            var actual = got.assessment
            #expect((actual.fetch == nil) == (fetched == nil), "\(referral.id)")
            // Times differ between two fetches and two assessments; the rest may not.
            (expected.timings, actual.timings, expected.fetch, actual.fetch) = (nil, nil, nil, nil)
            #expect(actual == expected, "\(referral.id)")
            #expect(got.content == one.content && got.contentType == one.contentType, "\(referral.id)")
        }
    }

    /// Four threads taking from one queue while it is filled: every item is
    /// taken once, in order within each taker, and all of them return once
    /// it is closed and empty (more than 1,024 items, so the taken ones are
    /// dropped from the front along the way).
    @Test func aWorkQueueHandsOutEachItemOnce() {
        let queue = WorkQueue<Int>()
        final class Taken: @unchecked Sendable {
            let lock = NSLock()
            var items: [[Int]] = Array(repeating: [], count: 4)
        }
        let taken = Taken()
        let group = DispatchGroup()
        for taker in 0..<4 {
            group.enter()
            Thread {
                var mine: [Int] = []
                while let item = queue.take() { mine.append(item) }
                taken.lock.withLock { taken.items[taker] = mine }
                group.leave()
            }.start()
        }
        for item in 0..<20_000 { queue.put(item) }
        queue.close()
        group.wait()
        let all = taken.items.flatMap { $0 }.sorted()
        let eachOnce = all == Array(0..<20_000)
        #expect(eachOnce, "\(all.count) items taken, \(Set(all).count) distinct")
        for mine in taken.items {
            let inOrder = mine == mine.sorted()
            #expect(inOrder)
        }
        #expect(queue.take() == nil)
    }
}
