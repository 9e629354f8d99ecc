import Foundation
import Testing
import TriageModel
import TriageEngine
@testable import TriageStore

@Suite("Review queue")
struct QueueTests {
    let clock = TestClock()

    func queue() throws -> SQLiteQueue { try SQLiteQueue(inMemory: clock.read) }

    @Test func intakeIsIdempotent() throws {
        let queue = try queue()
        let batch = [
            Fixture.intake("R1", Fixture.p1Text, url: "https://a.example/x"),
            Fixture.intake("R2", Fixture.recruitText),
            Fixture.intake("R3", Fixture.benignText, url: "https://b.example/"),
        ]
        let first = try queue.enqueue(batch, actor: "test")
        #expect(first.allSatisfy { if case .queued = $0 { true } else { false } })
        let before = try queue.stats()
        let again = try queue.enqueue(batch, actor: "test")
        #expect(again.allSatisfy { if case .alreadyQueued = $0 { true } else { false } })
        let after = try queue.stats()
        #expect((after.cases, after.referrals) == (before.cases, before.referrals))
        #expect((after.cases, after.referrals) == (3, 3))
    }

    @Test func aReferralIdResentWithOtherContentIsAConflict() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        let outcome = try queue.enqueue([Fixture.intake("R1", Fixture.benignText)], actor: "test")
        guard case let .conflict(reason) = outcome[0] else {
            Issue.record("expected a conflict, got \(outcome[0])")
            return
        }
        #expect(reason.contains("R1") && reason.contains("different content"))
        #expect(try queue.stats().referrals == 1)
        // The first version stands.
        #expect(try queue.show("R1").referrals[0].assessment.band == .p1)
    }

    @Test func referralsFoldIntoCasesByURLAndContentAcrossBatches() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.recruitText, url: "https://Forum.example/t/1?utm_source=x#top")], actor: "test")
        let second = try queue.enqueue([Fixture.intake("R2", "other words", url: "https://forum.example/t/1")], actor: "test")
        let third = try queue.enqueue([Fixture.intake("R3", Fixture.recruitText)], actor: "test")
        guard case let .queued(case1, size1, opened1) = second[0], case let .queued(case2, size2, opened2) = third[0] else {
            Issue.record("not queued: \(second) \(third)")
            return
        }
        #expect(case1 == case2 && !opened1 && !opened2)
        #expect((size1, size2) == (2, 3))
        let detail = try queue.show(case1)
        #expect(detail.referrals.map(\.id) == ["R1", "R2", "R3"])
        #expect(detail.referrals[2].assessment.caseSize == 3)
        // Each capture points at the one before it; none is overwritten.
        #expect(detail.captures.map(\.previousID) == [nil, detail.captures[0].id, detail.captures[1].id])
    }

    /// Keys live in two tables: recent ones, and the main index they are
    /// merged into. Referrals fold the same whichever table holds a key, a
    /// case is found by id from either, and the first case to claim a key
    /// keeps it across merges.
    @Test func casesAreFoundThroughRecentAndMergedKeys() throws {
        let queue = try queue()
        func file(_ id: String, _ text: String, url: String? = nil) throws -> (String, Int) {
            let outcome = try queue.enqueue([Fixture.intake(id, text, url: url)], actor: "test")[0]
            guard case let .queued(caseID, size, _) = outcome else { throw QueueError(.refused, "\(id): \(outcome)") }
            return (caseID, size)
        }
        let (a, _) = try file("R1", Fixture.recruitText, url: "https://one.example/")
        try queue.mergeRecentKeys()
        // By content, the key merged; its URL then goes to the recent keys.
        #expect(try file("R2", Fixture.recruitText, url: "https://two.example/") == (a, 2))
        #expect(try file("R3", "other words", url: "https://two.example/") == (a, 3))
        let (b, _) = try file("R4", Fixture.brandText, url: "https://three.example/")
        #expect(b != a)
        #expect(try queue.show(a).queueCase.referrals == 3 && queue.show(b).queueCase.referrals == 1)
        // URL first: case b; its content already belongs to case a and stays a's.
        #expect(try file("R5", Fixture.recruitText, url: "https://three.example/") == (b, 2))
        #expect(try file("R6", Fixture.recruitText) == (a, 4))
        try queue.mergeRecentKeys()
        #expect(try file("R7", Fixture.recruitText) == (a, 5))
        #expect(try file("R8", "more words", url: "https://three.example/") == (b, 3))
        #expect(try queue.show(a).queueCase.referrals == 5 && queue.show(b).queueCase.referrals == 3)
        #expect(try queue.verify().isIntact)
    }

    /// Merging rewrites the main key index, so it waits for more keys as
    /// the queue grows: 65,536 up to a million cases, then with the square
    /// root of the queue's size.
    @Test func keysAreMergedLessOftenAsTheQueueGrows() {
        #expect(SQLiteQueue.recentKeys(cases: 0) == 65_536)
        #expect(SQLiteQueue.recentKeys(cases: 1_000_000) == 65_536)
        #expect(SQLiteQueue.recentKeys(cases: 4_000_000) == 131_072)
        #expect(SQLiteQueue.recentKeys(cases: 100_000_000) == 655_360)
    }

    @Test func claimsFollowBandThenScoreThenAge() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("old-brand", Fixture.brandText)], actor: "test")
        clock.advance(minutes: 1)
        _ = try queue.enqueue([Fixture.intake("recruit", Fixture.recruitText)], actor: "test")
        clock.advance(minutes: 1)
        _ = try queue.enqueue([Fixture.intake("new-brand", Fixture.brandText + " again")], actor: "test")
        clock.advance(minutes: 1)
        _ = try queue.enqueue([Fixture.intake("plan", Fixture.p1Text)], actor: "test")
        _ = try queue.enqueue([Fixture.intake("trusted", Fixture.recruitText + " now", source: .trustedFlagger)], actor: "test")
        var order: [String] = []
        while let next = try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil) {
            order.append(try queue.show(next.id).referrals[0].id)
        }
        #expect(order == ["plan", "trusted", "recruit", "old-brand", "new-brand"])
        #expect(try queue.list().allSatisfy { $0.state == .inReview && $0.officer == "alice" })
    }

    @Test func anExpiredLeaseReturnsTheCase() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(300), band: nil))
        #expect(try queue.claimNext(officer: "bob", lease: .seconds(300), band: nil) == nil)
        clock.advance(minutes: 6)
        let again = try #require(try queue.claimNext(officer: "bob", lease: .seconds(300), band: nil))
        #expect(again.id == claimed.id && again.officer == "bob")
        // Alice no longer holds it.
        #expect(throws: QueueError.self) {
            try queue.decide(claimed.id, decision: .noFurtherAction, reason: "benign", officer: "alice")
        }
        let history = try queue.show(claimed.id).history.map(\.action)
        #expect(history == ["intake", "claimed", "lease-expired", "claimed", "refused"])
    }

    @Test func aLeaseThatEndedCannotDecide() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(60), band: nil))
        clock.advance(minutes: 2)
        let error = try #require(throws: QueueError.self) {
            try queue.decide(claimed.id, decision: .referToPlatform, reason: "unlawful", officer: "alice")
        }
        #expect(error.kind == .refused && error.message.contains("lease ended"))
        // Regression (issue 18, item 10): the refused attempt was not in the
        // audit log. It is, with who tried, what and why; nothing else changed.
        let detail = try queue.show(claimed.id)
        let last = try #require(detail.history.last)
        #expect(last.action == "refused" && last.actor == "alice" && last.reason == error.message)
        #expect(last.reason?.hasPrefix("cannot decide case \(claimed.id)") == true)
        #expect(detail.queueCase.state == .inReview && detail.queueCase.decision == nil)
        #expect(try queue.verify().isIntact)
        let release = try #require(throws: QueueError.self) { try queue.release(claimed.id, officer: "alice") }
        #expect(try queue.show(claimed.id).history.last?.reason == release.message)
    }

    @Test func decisionsAreCheckedAndRecorded() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text), Fixture.intake("R2", Fixture.recruitText)], actor: "test")
        let first = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        let cases: [(String, String?, Decision, String?, QueueError.Kind)] = [
            ("missing", "alice", .referToPlatform, nil, .unknownCase),
            (first.id, "bob", .referToPlatform, nil, .refused),
            (first.id, "alice", .duplicateOf, nil, .invalidArgument),
            (first.id, "alice", .duplicateOf, first.id, .invalidArgument),
            (first.id, "alice", .duplicateOf, "case-none", .unknownCase),
        ]
        for (id, officer, decision, duplicate, kind) in cases {
            let error = try #require(throws: QueueError.self) {
                try queue.decide(id, decision: decision, reason: "why", officer: officer!, duplicateOf: duplicate)
            }
            #expect(error.kind == kind, "\(id) \(decision) \(duplicate ?? "-"): \(error)")
        }
        #expect(throws: QueueError.self) { try queue.decide(first.id, decision: .referToPlatform, reason: "  ", officer: "alice") }
        let decided = try queue.decide(first.id, decision: .referToPlatform, reason: "glorifies an attack", officer: "alice")
        #expect(decided.state == .decided && decided.decision == .referToPlatform && decided.decidedBy == "alice")
        // A decided case cannot be decided or released again without reopening.
        #expect(throws: QueueError.self) { try queue.release(first.id, officer: "alice") }
        let history = try queue.show(first.id).history
        // The release just refused is on record after the decision.
        #expect(history.last?.action == "refused" && history.last?.reason?.contains("it is decided, not claimed") == true)
        let entry = try #require(history.dropLast().last)
        #expect(entry.action == "decided" && entry.actor == "alice" && entry.reason == "glorifies an attack")
        #expect(entry.rules == Fixture.rules.fingerprint.description)
        // Reopen, with a reason, puts it back in the queue.
        #expect(throws: QueueError.self) { try queue.reopen(first.id, reason: "", officer: "bob") }
        let reopened = try queue.reopen(first.id, reason: "platform asked again", officer: "bob")
        #expect(reopened.state == .new && reopened.decision == nil)
    }

    @Test func releaseNeedsTheHolder() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        #expect(throws: QueueError.self) { try queue.release(claimed.id, officer: "bob") }
        #expect(try queue.release(claimed.id, officer: "alice").state == .new)
        #expect(try queue.claimNext(officer: "bob", lease: .seconds(600), band: nil)?.id == claimed.id)
    }

    @Test func aMoreUrgentReferralReopensADecidedCase() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.brandText, url: "https://c.example/p")], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        _ = try queue.decide(claimed.id, decision: .noFurtherAction, reason: "a banner only", officer: "alice")
        _ = try queue.enqueue([Fixture.intake("R2", Fixture.brandText + " again", url: "https://c.example/p")], actor: "test")
        #expect(try queue.show(claimed.id).queueCase.state == .decided)
        _ = try queue.enqueue([Fixture.intake("R3", Fixture.p1Text, url: "https://c.example/p")], actor: "test")
        let now = try queue.show(claimed.id).queueCase
        #expect(now.state == .new && now.band == .p1 && now.referrals == 3)
        #expect(try queue.show(claimed.id).history.last?.action == "reopened")
    }

    @Test func serviceLevelsFlagOverdueCases() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text), Fixture.intake("R2", Fixture.recruitText)], actor: "test")
        clock.advance(minutes: 61)
        let listed = try queue.list()
        #expect(listed.map(\.overdue) == [true, false])
        try queue.setServiceLevel(.p1, seconds: 2 * 3600, officer: "lead")
        #expect(try queue.list().map(\.overdue) == [false, false])
        #expect(try queue.stats().overdue[.p1] == nil)
        #expect(throws: QueueError.self) { try queue.setServiceLevel(.p2, seconds: 0, officer: "lead") }
    }

    @Test func statsCountRulesAndTheirPrecision() throws {
        let queue = try queue()
        _ = try queue.enqueue([
            Fixture.intake("R1", Fixture.p1Text + " " + Fixture.brandText),
            Fixture.intake("R2", Fixture.brandText + " one"),
            Fixture.intake("R3", Fixture.brandText + " two"),
            Fixture.intake("R4", Fixture.benignText),
        ], actor: "test")
        let decisions: [Decision] = [.escalateToInvestigation, .noFurtherAction, .referToPlatform]
        for decision in decisions {
            let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
            _ = try queue.decide(claimed.id, decision: decision, reason: "test", officer: "alice")
        }
        let stats = try queue.stats()
        #expect(stats.decisions == [.escalateToInvestigation: 1, .noFurtherAction: 1, .referToPlatform: 1])
        let brand = try #require(stats.rules.first { $0.rule == "t.brand" })
        #expect((brand.referrals, brand.cases, brand.actedOn, brand.noFurtherAction) == (3, 3, 2, 1))
        #expect(brand.precision.map { abs($0 - 2.0 / 3.0) < 1e-9 } == true)
        let plan = try #require(stats.rules.first { $0.rule == "t.plan" })
        #expect((plan.referrals, plan.actedOn, plan.noFurtherAction, plan.precision) == (1, 1, 0, 1.0))
        #expect(stats.open.values.reduce(0) { $0 + $1.reduce(0, +) } == 1)
    }

    @Test func exportHasEveryCaseAndTheDecisionReason() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        clock.advance(days: 2)
        _ = try queue.enqueue([Fixture.intake("R2", Fixture.recruitText)], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        _ = try queue.decide(claimed.id, decision: .referToPlatform, reason: "unlawful, s.2", officer: "alice")
        var rows: [ExportRow] = []
        try queue.export { rows.append($0) }
        #expect(rows.count == 2)
        #expect(rows[0].queueCase.id == claimed.id && rows[0].reason == "unlawful, s.2")
        #expect(rows[1].reason == nil)
        var recent: [ExportRow] = []
        try queue.export(since: clock.read() - 60_000) { recent.append($0) }
        #expect(recent.count == 2)  // both changed just now (claim and decide touch the first)
        let counts = try queue.aggregate()
        #expect(counts.contains { $0.group == "decision" && $0.key == "refer-to-platform" && $0.count == 1 })
        #expect(counts.contains { $0.group == "referrals" && $0.count == 2 })
    }

    @Test func notesNeedTextAndACase() throws {
        let queue = try queue()
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        let id = try queue.list()[0].id
        try queue.note(id, text: "called the platform", officer: "alice")
        #expect(throws: QueueError.self) { try queue.note(id, text: " ", officer: "alice") }
        #expect(throws: QueueError.self) { try queue.note("case-missing", text: "x", officer: "alice") }
        #expect(try queue.show(id).notes.map(\.text) == ["called the platform"])
    }
}
