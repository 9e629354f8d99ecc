import Foundation
import Testing
import TriageModel
import TriageEngine
@testable import TriageStore

/// The intake log: a referral accepted is durable before `accept` returns,
/// is handed to one worker at a time under a lease, comes back when the
/// lease ends (a worker that died), and is filed exactly once.
@Suite("Pending intake")
struct PendingIntakeTests {
    @Test func anAcceptedReferralSurvivesReopeningAndIsFiledOnce() throws {
        let clock = TestClock()
        let path = Fixture.temporaryPath()
        let text = Array(Fixture.p1Text.utf8)
        do {
            let queue = try SQLiteQueue(path: path, clock: clock.read)
            #expect(try queue.accept(Referral(id: "W-1", content: .text(text)), actor: "api:test") == .accepted(seq: 1))
            #expect(try queue.accept(Referral(id: "W-2", url: "https://example.invalid/a", content: .none), actor: "api:test") == .accepted(seq: 2))
            #expect(try queue.intakeStatus("W-1") == .pending(receivedAt: clock.read()))
            #expect(try queue.intakeStatus("W-3") == nil)
        }
        // A new process: what was accepted is there, in order, with its content.
        let queue = try SQLiteQueue(path: path, clock: clock.read)
        let taken = try queue.takePending(worker: "w1", limit: 10, lease: .seconds(60))
        #expect(taken.map(\.seq) == [1, 2])
        #expect(taken[0].referral == Referral(id: "W-1", content: .text(text)))
        #expect(taken[1].referral.url == "https://example.invalid/a" && taken[1].referral.content == .none)
        // Leased: another worker gets nothing until the lease ends.
        #expect(try queue.takePending(worker: "w2", limit: 10, lease: .seconds(60)).isEmpty)

        let outcomes = try queue.enqueue([Fixture.intake("W-1", Fixture.p1Text)], actor: "worker:w1")
        guard case let .queued(caseID, 1, true) = try #require(outcomes.first) else {
            Issue.record("expected a new case, got \(outcomes)")
            return
        }
        #expect(try queue.intakeStatus("W-1") == .filed(caseID: caseID, filedAt: clock.read()))

        // w1 dies holding W-2; its lease ends and w2 takes it. W-1 is not handed out again.
        clock.advance(minutes: 2)
        let again = try queue.takePending(worker: "w2", limit: 10, lease: .seconds(60))
        #expect(again.map(\.referral.id) == ["W-2"])
        #expect(try queue.verify().isIntact)
    }

    @Test func acceptingIsIdempotentByReferralID() throws {
        let queue = try SQLiteQueue(inMemory: TestClock().read)
        let referral = Referral(id: "D-1", url: "https://example.invalid/d", content: .html(Array("<p>x</p>".utf8)))
        #expect(try queue.accept(referral, actor: "a") == .accepted(seq: 1))
        #expect(try queue.accept(referral, actor: "a") == .alreadyAccepted(.pending(receivedAt: TestClock().read())))
        let other = Referral(id: "D-1", url: "https://example.invalid/d", content: .html(Array("<p>y</p>".utf8)))
        guard case .conflict = try queue.accept(other, actor: "a") else {
            Issue.record("other content under the same id must be a conflict")
            return
        }
        // A referral already queued by a batch is already accepted, as filed.
        let filed = Fixture.intake("B-1", Fixture.benignText)
        _ = try queue.enqueue([filed], actor: "batch")
        guard case .alreadyAccepted(.filed) = try queue.accept(filed.referral, actor: "a") else {
            Issue.record("a queued referral must read as already accepted")
            return
        }
        // Nothing to read: refused in words.
        let nothing = try #require(throws: QueueError.self) { try queue.accept(Referral(id: "E", content: .none), actor: "a") }
        #expect(nothing.kind == .invalidArgument)
        let file = try #require(throws: QueueError.self) { try queue.accept(Referral(id: "F", content: .file("/etc/passwd")), actor: "a") }
        #expect(file.kind == .invalidArgument)
    }

    /// Two workers whose leases overlap (the first was slow, not dead) both
    /// file the same referral: it is filed once, the second is told so.
    @Test func aReferralFiledByTwoWorkersIsFiledOnce() throws {
        let clock = TestClock()
        let queue = try SQLiteQueue(inMemory: clock.read)
        _ = try queue.accept(Referral(id: "T-1", content: .text(Array(Fixture.p1Text.utf8))), actor: "a")
        #expect(try queue.takePending(worker: "slow", limit: 1, lease: .seconds(10)).count == 1)
        clock.advance(minutes: 1)
        #expect(try queue.takePending(worker: "fast", limit: 1, lease: .seconds(10)).count == 1)
        let first = try queue.enqueue([Fixture.intake("T-1", Fixture.p1Text)], actor: "worker:fast")
        let second = try queue.enqueue([Fixture.intake("T-1", Fixture.p1Text)], actor: "worker:slow")
        guard case .queued = first[0], case .alreadyQueued = second[0] else {
            Issue.record("\(first) \(second)")
            return
        }
        #expect(try queue.stats().referrals == 1)
        #expect(try queue.takePending(worker: "any", limit: 10, lease: .seconds(10)).isEmpty)
    }
}

/// An intake worker files what was accepted, through the engine's batch run.
@Suite("Intake worker")
struct IntakeWorkerTests {
    static let texts = [Fixture.p1Text, Fixture.recruitText, Fixture.brandText, Fixture.benignText]

    @Test func aWorkerFilesEveryAcceptedReferralOnceEvenAfterAnotherDied() throws {
        let clock = TestClock()
        let queue = try SQLiteQueue(inMemory: clock.read)
        for i in 0..<60 {
            let outcome = try queue.accept(Referral(id: "A-\(i)", content: .text(Array((Self.texts[i % 4] + " \(i)").utf8))), actor: "api:test")
            #expect(outcome == .accepted(seq: Int64(i + 1)))
        }
        // A worker takes the first 25 and dies before filing any.
        #expect(try queue.takePending(worker: "dead", limit: 25, lease: .seconds(30)).count == 25)

        let worker = IntakeWorker(store: queue, live: LiveRules(rules: Fixture.rules, policy: .default), options: BatchRun.Options(jobs: 2, noTimings: true),
                                  name: "live")
        let first = try worker.drain(batch: 16)
        #expect(first.assessed == 35)  // the 35 not leased to the dead worker
        clock.advance(minutes: 1)  // the dead worker's lease has ended
        let second = try worker.drain(batch: 16)
        #expect(second.assessed == 25)
        #expect(try worker.drain().assessed == 0)

        for i in 0..<60 {
            guard case .filed = try queue.intakeStatus("A-\(i)") else {
                Issue.record("A-\(i) is not filed")
                continue
            }
        }
        let stats = try queue.stats()
        #expect(stats.referrals == 60)
        #expect(try queue.verify().isIntact)
        // Filed by the worker, as the audit log says.
        let detail = try queue.show(try #require(queue.list(states: [.new], band: nil, limit: 1).first).id)
        #expect(detail.history.contains { $0.actor == "intake:live" && $0.action == "intake" })
    }

    @Test func aRestartedWorkerTakesBackWhatItsPreviousLifeLeasedAtOnce() throws {
        let clock = TestClock()
        let queue = try SQLiteQueue(inMemory: clock.read)
        for i in 0..<10 { _ = try queue.accept(Referral(id: "R-\(i)", content: .text(Array("\(Self.texts[0]) \(i)".utf8))), actor: "api:test") }
        // The server dies with 6 leased under its name, 2 under another's.
        #expect(try queue.takePending(worker: "serve@host", limit: 6, lease: .seconds(300)).count == 6)
        #expect(try queue.takePending(worker: "other", limit: 2, lease: .seconds(300)).count == 2)
        let worker = IntakeWorker(store: queue, live: LiveRules(rules: Fixture.rules, policy: .default),
                                  options: BatchRun.Options(jobs: 1, noTimings: true), name: "serve@host")
        #expect(try worker.reclaim() == 6)
        // Without waiting for the lease: all but the other worker's 2.
        #expect(try worker.drain().assessed == 8)
        #expect(try queue.intakeBacklog() == 2)
        #expect(try worker.reclaim() == 0)
    }

    /// Referrals accepted while a drain is filing are taken by the same
    /// run (one assessing pool for the whole stream), and a worker told to
    /// stop files what it has in flight and hands the rest it took back to
    /// the log at once, without waiting for the lease.
    @Test func aDrainTakesWhatArrivesMeanwhileAndAStopHandsBackWhatItHadNotStarted() throws {
        let queue = try SQLiteQueue(inMemory: TestClock().read)
        for i in 0..<40 { _ = try queue.accept(Referral(id: "S-\(i)", content: .text(Array("\(Self.texts[i % 4]) \(i)".utf8))), actor: "api:test") }
        let worker = IntakeWorker(store: queue, live: LiveRules(rules: Fixture.rules, policy: .default),
                                  options: BatchRun.Options(jobs: 1, noTimings: true), name: "w", filingTransaction: 4)
        // While the first 40 are filed, 40 more arrive: one drain files all 80.
        let arriving = CallbackSink { filed in
            if filed == 1 {
                for i in 40..<80 {
                    _ = try queue.accept(Referral(id: "S-\(i)", content: .text(Array("\(Self.texts[i % 4]) \(i)".utf8))), actor: "api:test")
                }
            }
        }
        #expect(try worker.drain(batch: 10, sinks: [arriving]).assessed == 80)
        #expect(try queue.intakeBacklog() == 0)

        for i in 80..<200 { _ = try queue.accept(Referral(id: "S-\(i)", content: .text(Array("\(Self.texts[i % 4]) \(i)".utf8))), actor: "api:test") }
        let stopping = CallbackSink { filed in if filed == 1 { worker.stop() } }
        let stopped = try worker.drain(batch: 100, sinks: [stopping])
        // Filed: the first transaction (whose first referral stopped it)
        // and at most the window in flight (32 a thread) besides.
        #expect(stopped.assessed >= 1 && stopped.assessed <= worker.filingTransaction + BatchRun.Options(jobs: 1).window)
        #expect(try queue.intakeBacklog() == 120 - stopped.assessed)
        // Handed back: another worker takes every one of them now.
        #expect(try queue.takePending(worker: "next", limit: 200, lease: .seconds(60)).count == 120 - stopped.assessed)
    }

    /// A queue of schema 3 kept an accepted referral's bytes in the log row
    /// itself; taken after the upgrade, the referral still has them.
    @Test func bytesKeptInTheLogRowBySchema3AreTakenWithTheReferral() throws {
        let queue = try SQLiteQueue(inMemory: TestClock().read)
        let text = Array("kept the old way: \(Self.texts[0])".utf8)
        _ = try queue.accept(Referral(id: "OLD-1", content: .text(text)), actor: "api:test")
        try queue.writer.write { db in
            try db.execute(sql: "UPDATE intake_pending SET content = ? WHERE referral_id = 'OLD-1'", arguments: [Data(text)])
            try db.execute(sql: "DELETE FROM evidence")
        }
        let taken = try queue.takePending(worker: "w", limit: 10, lease: .seconds(60))
        #expect(taken.map(\.referral) == [Referral(id: "OLD-1", content: .text(text))])
    }

    /// Accepted content is stored once, as evidence by its hash: filing it
    /// writes nothing again, and a purge of another case with the same bytes
    /// leaves them while the referral waits.
    @Test func acceptedContentIsKeptOnceAsEvidenceAndSurvivesAPurgeWhilePending() throws {
        let clock = TestClock()
        let queue = try SQLiteQueue(inMemory: clock.read)
        let text = Array("a page that says synthetic attack plan".utf8)
        // A case with these bytes, decided no further action long ago.
        let first = Fixture.intake("old-1", String(decoding: text, as: UTF8.self))
        guard case let .queued(caseID, _, _) = try queue.enqueue([first], actor: "t")[0] else { Issue.record("not queued"); return }
        _ = try queue.claimNext(officer: "o", lease: .seconds(600), band: nil)
        _ = try queue.decide(caseID, decision: .noFurtherAction, reason: "synthetic", officer: "o")
        clock.advance(days: 40)
        // The same bytes accepted again, under another id, and not yet filed.
        #expect(try queue.accept(Referral(id: "new-1", url: "https://example.invalid/other", content: .text(text)), actor: "a") == .accepted(seq: 1))
        let purged = try queue.purge(olderThanDays: 30, officer: "o")
        #expect(purged.cases == 1 && purged.bytes == 0, "the bytes a pending referral needs were purged: \(purged)")
        let pending = try queue.takePending(worker: "w", limit: 10, lease: .seconds(60))
        #expect(pending.first?.referral.content == .text(text))
        let hash = try #require(try queue.show(caseID).captures.first?.sha256)
        #expect(try queue.evidence(sha256: hash) == text)
    }
}

/// A sink that calls `body` with the count of assessments filed so far.
private final class CallbackSink: AssessmentSink {
    private let body: (Int) throws -> Void
    private var filed = 0
    init(_ body: @escaping (Int) throws -> Void) { self.body = body }
    var preparation: SinkPreparation { .none }
    func write(_ item: AssessedReferral) throws {
        filed += 1
        try body(filed)
    }
    func finish(_ summary: BatchSummary) throws {}
}
