import Foundation
import Testing
@testable import TriageServer
import TriageEngine
import TriageModel
import TriageStore

@Suite("Group commit of acceptances")
struct IntakeCommitterTests {
    /// 200 concurrent acceptances, one of them impossible: every good one is
    /// accepted once and answered with its own outcome, the bad one alone fails.
    @Test func concurrentAcceptancesShareTransactionsAndOnlyTheBadOneFails() async throws {
        let store = try SQLiteQueue(inMemory: SQLiteQueue.systemClock)
        let committer = IntakeCommitter(store: store, maxGroup: 32)
        let results = await withTaskGroup(of: (String, Result<AcceptOutcome, any Error>).self) { group in
            for i in 0..<200 {
                group.addTask {
                    let referral = i == 77 ? Referral(id: "bad", content: .none)
                        : Referral(id: "c-\(i)", content: .text(Array("synthetic page \(i % 150)".utf8)))
                    do { return (referral.id, .success(try await committer.accept(referral, actor: "a-\(i % 3)"))) } catch {
                        return (referral.id, .failure(error))
                    }
                }
            }
            var results: [String: Result<AcceptOutcome, any Error>] = [:]
            for await (id, result) in group { results[id] = result }
            return results
        }
        #expect(results.count == 200)
        if case .success = results["bad"] { Issue.record("a referral with neither content nor a url was accepted") }
        var seqs: Set<Int64> = []
        for (id, result) in results where id != "bad" {
            guard case let .success(.accepted(seq)) = result else {
                Issue.record("\(id): \(result)")
                continue
            }
            seqs.insert(seq)
            #expect(try store.acceptedBy(id)?.hasPrefix("a-") == true)
        }
        #expect(seqs.count == 199)
        #expect(try store.intakeBacklog() == 199)
    }
}
