import Encoders
import Foundation
import TriageModel
import Testing
import TestSupport
@testable import TriageEngine

@Suite("Assessment pool")
struct AssessmentPoolTests {
    /// Pages by URL, as a site would serve them, fetched after a short
    /// random wait (so fetches finish out of order); a URL it does not have
    /// answers 404. What the engine sees of a fetch is a `PageSource`: the
    /// real one (libcurl) is tested in PageFetchTests and, through the
    /// pool, by `triage batch --fetch` in the command-line tests.
    struct TablePageSource: PageSource {
        let pages: [String: [UInt8]]

        func page(_ url: String) -> FetchedPage {
            usleep(UInt32.random(in: 0...2_000))
            var record = FetchRecord(requestedURL: url, startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:00:00.001Z",
                                     curlVersion: "table")
            record.finalURL = url
            guard let body = pages[url] else {
                record.status = 404
                record.failure = .httpStatus
                record.failureDetail = "the server answered 404"
                return FetchedPage(record: record, body: [], readable: [])
            }
            record.status = 200
            record.headers = [.init(name: "Content-Type", value: "text/html; charset=utf-8")]
            record.bodyBytes = body.count
            record.sha256 = sha256Hex(body)
            return FetchedPage(record: record, body: body, readable: body)
        }
    }

    /// Referrals that are fetched (on the pool's fetch threads) and referrals
    /// that are not, mixed: every assessment comes back in submission order,
    /// the same as one pipeline assessing them one by one.
    @Test func fetchedAndSubmittedReferralsComeBackInOrder() throws {
        let pages = try PipelineTests.pages.map { try Array(Data(contentsOf: URL(fileURLWithPath: $0))) }
        #expect(pages.count >= 5, "the sample pages are missing")
        let base = "https://pages.example.invalid"
        let source = TablePageSource(pages: Dictionary(uniqueKeysWithValues: pages.indices.map { ("\(base)/\($0)", pages[$0]) }))
        var random = SeededRandom(seed: 3)
        let referrals: [Referral] = (0..<300).map { i in
            let page = Int(random.next() % UInt64(pages.count))
            switch random.next() % 4 {
            case 0: return Referral(id: "R-\(i)", content: .html(pages[page]))
            case 1: return Referral(id: "R-\(i)", url: "\(base)/\(page)", content: .html(pages[page]))  // not fetched without refetch
            case 2: return Referral(id: "R-\(i)", url: "\(base)/missing-\(i)", content: .none)  // fetched: 404
            default: return Referral(id: "R-\(i)", url: "\(base)/\(page)", content: .none)
            }
        }
        let pool = AssessmentPool(jobs: 3, rules: shippedRules, policy: .default,
                                  fetching: .init(refetch: false, concurrent: 5) { source })
        // A small window, as batch keeps one: submitting waits on the oldest.
        var results: [AssessedReferral] = []
        for (i, referral) in referrals.enumerated() {
            pool.submit(i, referral)
            if i >= 8 { results.append(pool.take(results.count)) }
        }
        pool.close()
        while results.count < referrals.count { results.append(pool.take(results.count)) }

        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        var fetchedCount = 0, pending = 0
        for (referral, got) in zip(referrals, results) {
            #expect(got.referral.id == referral.id)
            let fetched = source.page(for: referral, refetch: false)
            if fetched != nil { fetchedCount += 1 }
            let one = pipeline.assess(referral, fetched: fetched)
            if one.assessment.band == .pending { pending += 1 }
            var expected = one.assessment
            var actual = got.assessment
            #expect((actual.fetch == nil) == (fetched == nil), "\(referral.id)")
            (expected.timings, actual.timings) = (nil, nil)
            #expect(actual == expected, "\(referral.id)")
            #expect(got.content == one.content && got.contentType == one.contentType, "\(referral.id)")
        }
        // Both kinds were there: fetched pages, and 404s left pending.
        #expect(fetchedCount > 100 && pending > 50, "\(fetchedCount) fetched, \(pending) pending")
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
