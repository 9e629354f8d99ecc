import Foundation
import GRDB
import Testing
import TriageModel
import TriageEngine
@testable import TriageStore

@Suite("Queue integrity: audit chain, evidence, retention, files")
struct IntegrityTests {
    let clock = TestClock()

    /// A file queue with a decided case, a note and evidence.
    func populatedQueue() throws -> (SQLiteQueue, String) {
        let path = Fixture.temporaryPath()
        let queue = try SQLiteQueue(path: path, clock: clock.read)
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.p1Text), Fixture.intake("R2", Fixture.recruitText)], actor: "test")
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        _ = try queue.decide(claimed.id, decision: .referToPlatform, reason: "unlawful", officer: "alice")
        try queue.note(claimed.id, text: "done", officer: "alice")
        return (queue, path)
    }

    /// Changes the file behind the queue's back, as someone with the file would.
    func tamper(_ path: String, _ sql: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS evidence_no_update")
            try db.execute(sql: sql)
        }
    }

    @Test func anUntouchedQueueVerifies() throws {
        let (queue, _) = try populatedQueue()
        let report = try queue.verify()
        #expect(report.isIntact)
        // One intake entry for both referrals, then claimed, decided, noted.
        #expect(report.auditEntries == 4 && report.evidenceFiles == 2 && report.captures == 2)
        #expect(report.head.count == 64)
    }

    @Test func theAuditLogRefusesChangesThroughSQL() throws {
        let (queue, path) = try populatedQueue()
        _ = queue
        let db = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) { try db.write { try $0.execute(sql: "UPDATE audit SET reason = 'x' WHERE seq = 1") } }
        #expect(throws: DatabaseError.self) { try db.write { try $0.execute(sql: "DELETE FROM audit WHERE seq = 1") } }
    }

    @Test(arguments: [
        ("UPDATE audit SET reason = 'benign' WHERE seq = 4", "audit entry 4"),
        ("UPDATE audit SET actor = 'mallory' WHERE seq = 3", "audit entry 3"),
        ("UPDATE audit SET at = at + 1 WHERE seq = 1", "audit entry 1"),
        ("DELETE FROM audit WHERE seq = 2", "audit entry 2 is missing"),
    ])
    func aTamperedAuditRowIsReported(_ sql: String, _ expected: String) throws {
        let (queue, path) = try populatedQueue()
        try tamper(path, sql)
        let report = try queue.verify()
        #expect(!report.isIntact)
        #expect(report.auditBreak?.hasPrefix(expected) == true, "\(report.auditBreak ?? "no break")")
    }

    @Test(arguments: [
        ("UPDATE referrals SET score = 0 WHERE id = 'R1'", "the referrals filed by audit entry 1 (R1, R2)"),
        ("UPDATE referrals SET band = 'NFA' WHERE id = 'R1'", "the referrals filed by audit entry 1 (R1, R2)"),
        ("UPDATE referrals SET case_size = 2 WHERE id = 'R2'", "the referrals filed by audit entry 1 (R1, R2)"),
        ("UPDATE referrals SET case_no = (SELECT case_no FROM referrals WHERE id = 'R1') WHERE id = 'R2'",
         "the referrals filed by audit entry 1 (R1, R2)"),
        ("UPDATE referrals SET assessment = (SELECT assessment FROM referrals WHERE id = 'R2') WHERE id = 'R1'",
         "the referrals filed by audit entry 1 (R1, R2)"),
        ("DELETE FROM referral_rules WHERE referral_id = 'R2'; DELETE FROM captures WHERE referral_id = 'R2'; DELETE FROM referrals WHERE id = 'R2'",
         "the referrals filed by audit entry 1 (R1)"),
        ("INSERT INTO referrals SELECT 'R9', case_no, case_size, intake, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'R1'", "the referrals filed by audit entry 1 (R1, R2, R9)"),
        ("INSERT INTO referrals SELECT 'R9', case_no, case_size, NULL, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'R1'", "3 referrals are queued"),
        ("INSERT INTO referrals SELECT 'R9', case_no, case_size, 3, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'R1'",
         "referral R9 names audit entry 3 as its intake, which is no intake entry"),
    ])
    func aTamperedReferralIsReported(_ sql: String, _ expected: String) throws {
        let (queue, path) = try populatedQueue()
        try tamper(path, sql)
        let report = try queue.verify()
        #expect(report.auditBreak == nil)
        #expect(report.referralBreak?.hasPrefix(expected) == true, "\(report.referralBreak ?? "no break")")
    }

    /// `verify` reads intake entries' rows entry by entry in filing order
    /// and falls back to grouping them all when they are out of that order:
    /// the same report either way, on an intact queue of several intakes
    /// (each referral filed alone, the case the streamed pass exists for)
    /// and on every kind of change.
    @Test(arguments: [
        "SELECT 1",
        "UPDATE referrals SET score = 0 WHERE id = 'S2'",
        "DELETE FROM referral_rules WHERE referral_id = 'S3'; DELETE FROM captures WHERE referral_id = 'S3'; DELETE FROM referrals WHERE id = 'S3'",
        // Added rows: in order, out of order (naming an earlier intake), naming no intake, naming one past the last.
        "INSERT INTO referrals SELECT 'S9', case_no, case_size, intake, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'S4'",
        "INSERT INTO referrals SELECT 'S9', case_no, case_size, intake, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'S1'",
        "INSERT INTO referrals SELECT 'S9', case_no, case_size, 999, received_at, url, source, reported_at, reporter_note, platform, "
            + "content_sha256, band, score, rule_set, policy, assessment FROM referrals WHERE id = 'S1'",
        // A row moved to another intake.
        "UPDATE referrals SET intake = (SELECT intake FROM referrals WHERE id = 'S1') WHERE id = 'S3'",
    ])
    func streamedAndGroupedVerifyAgree(_ sql: String) throws {
        let path = Fixture.temporaryPath()
        let queue = try SQLiteQueue(path: path, clock: clock.read)
        for (id, text) in [("S1", Fixture.p1Text), ("S2", Fixture.recruitText), ("S3", Fixture.brandText), ("S4", Fixture.benignText)] {
            _ = try queue.enqueue([Fixture.intake(id, text)], actor: "test")
        }
        try tamper(path, sql)
        let streamed = try queue.read { try queue.verify($0, streamed: true) }
        let grouped = try queue.read { try queue.verify($0, streamed: false) }
        #expect(streamed.report == grouped.report)
        #expect(streamed.report.isIntact == (sql == "SELECT 1"), "\(streamed.report.referralBreak ?? "intact")")
        // Rows still in filing order are checked entry by entry; only rows
        // out of it (an earlier intake, none, another) regroup everything.
        #expect(streamed.regrouped == (sql.contains("WHERE id = 'S1'") || sql.contains("999")), "\(sql)")
    }

    @Test func tamperedOrMissingEvidenceIsReported() throws {
        let (queue, path) = try populatedQueue()
        let hash = try #require(try queue.show("R1").captures.first?.sha256)
        try tamper(path, "UPDATE evidence SET bytes = X'00' WHERE sha256 = '\(hash)'")
        #expect(try queue.verify().evidenceBreak?.contains(hash) == true)

        let (other, otherPath) = try populatedQueue()
        try tamper(otherPath, "DELETE FROM evidence WHERE sha256 = '\(hash)'")
        let report = try other.verify()
        #expect(report.evidenceBreak?.contains("has no evidence") == true && report.auditBreak == nil)
    }

    @Test func purgeRemovesOldNoFurtherActionEvidenceAndRecordsIt() throws {
        let queue = try SQLiteQueue(inMemory: clock.read)
        _ = try queue.enqueue([Fixture.intake("R1", Fixture.benignText), Fixture.intake("R2", Fixture.brandText),
                               Fixture.intake("R3", Fixture.p1Text)], actor: "test")
        var nfa: [String] = []
        for decision in [Decision.referToPlatform, .noFurtherAction, .noFurtherAction] {
            let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
            _ = try queue.decide(claimed.id, decision: decision, reason: "test", officer: "alice")
            if decision == .noFurtherAction { nfa.append(claimed.id) }
        }
        #expect(try queue.purge(olderThanDays: 30, officer: "records") == .init())
        clock.advance(days: 31)
        let report = try queue.purge(olderThanDays: 30, officer: "records")
        #expect(report.cases == 2 && report.captures == 2 && report.bytes > 0)
        for id in nfa {
            let detail = try queue.show(id)
            #expect(detail.captures.allSatisfy { $0.purgedAt != nil })
            #expect(try queue.evidence(sha256: detail.captures[0].sha256) == nil)
            #expect(detail.history.last?.action == "purged" && detail.history.last?.actor == "records")
            #expect(!detail.referrals.isEmpty)  // the assessment stays
        }
        #expect(try queue.verify().isIntact)
        // Nothing left to purge.
        #expect(try queue.purge(olderThanDays: 30, officer: "records").cases == 0)
    }

    @Test func fileQueuesAreWALWithSynchronousFullOnEveryConnection() throws {
        let (queue, path) = try populatedQueue()
        #expect(try queue.journalMode() == "wal")
        let levels = try queue.synchronousLevels()
        #expect(levels.writer == 2 && levels.reader == 2)
        // Reopened, the same holds.
        let again = try SQLiteQueue(path: path)
        #expect(try again.synchronousLevels() == (2, 2))
        // A new file has 16 KiB pages.
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 16384)
    }

    @Test func filesThatAreNotOursAreRefused() throws {
        let text = Fixture.temporaryPath("notes.txt")
        try "not a database".write(toFile: text, atomically: true, encoding: .utf8)
        let notSQLite = try #require(throws: QueueError.self) { try SQLiteQueue(path: text) }
        #expect(notSQLite.kind == .notAQueue && notSQLite.message.contains(text))

        let other = Fixture.temporaryPath("other.sqlite")
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE accounts (id INTEGER)") }
        let foreign = try #require(throws: QueueError.self) { try SQLiteQueue(path: other) }
        #expect(foreign.kind == .notAQueue && foreign.message.contains("another program"))
    }

    /// A queue opened read-only reads as the same queue, and refuses every
    /// change in words, changing nothing.
    @Test func aReadOnlyQueueReadsAndRefusesChanges() throws {
        let (queue, path) = try populatedQueue()
        let readOnly = try SQLiteQueue(path: path, readOnly: true)
        #expect(try readOnly.stats().cases == queue.stats().cases && readOnly.stats().referrals == queue.stats().referrals)
        #expect(try readOnly.verify().isIntact)
        let claim = try #require(throws: QueueError.self) { try readOnly.claimNext(officer: "alice", lease: .seconds(60)) }
        #expect(claim.kind == .readOnly && claim.message == "\(path) is opened read-only: this command changes the queue")
        #expect(try queue.verify().isIntact && queue.stats().cases == 2)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let (queue, path) = try populatedQueue()
        _ = queue
        try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        let error = try #require(throws: QueueError.self) { try SQLiteQueue(path: path) }
        #expect(error.kind == .newerSchema && error.message.contains("newer triage"))
    }

    /// Every earlier schema version migrates to the same schema a new queue
    /// has, and keeps its rows.
    @Test(arguments: 0..<QueueSchema.version)
    func migratesFromEveryEarlierVersion(_ version: Int) throws {
        func schema(_ path: String) throws -> [String] {
            try DatabaseQueue(path: path).read { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
            }
        }
        let fresh = Fixture.temporaryPath()
        _ = try SQLiteQueue(path: fresh)

        let old = Fixture.temporaryPath()
        let db = try DatabaseQueue(path: old)
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = \(QueueSchema.applicationID)") }
        try QueueSchema.migrator(upTo: version).migrate(db)
        let cases = version > 0 ? try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM cases") } : nil
        try db.close()

        // Read-only, an older queue is not migrated: it says so.
        let readOnly = try #require(throws: QueueError.self) { try SQLiteQueue(path: old, readOnly: true) }
        #expect(readOnly.kind == .olderSchema && readOnly.message.contains("needs migrating"))

        let migrated = try SQLiteQueue(path: old)
        #expect(try schema(old) == schema(fresh))
        if let cases { #expect(try migrated.stats().cases == cases) }
        _ = try migrated.enqueue([Fixture.intake("R1", Fixture.p1Text)], actor: "test")
        #expect(try migrated.verify().isIntact)
    }

    /// A queue written by the first release (schema version 1: text case
    /// keys, one audit entry per referral), checked in as a file: `triage
    /// batch --db` over 12 sample referrals, two cases claimed and decided,
    /// a note. Opening it migrates it; everything in it still verifies,
    /// reads and takes new work, and new intake extends the old chain.
    @Test func aVersionOneQueueMigratesWithItsHistory() throws {
        let path = Fixture.temporaryPath()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/queue-v1.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        let queue = try SQLiteQueue(path: path, clock: clock.read)

        let before = try queue.verify()
        #expect(before.isIntact, "\(before)")
        #expect(before.referrals == 12 && before.auditEntries == 17 && before.evidenceFiles == 11)
        let stats = try queue.stats()
        #expect(stats.cases == 11 && stats.decisions[.referToPlatform] == 1 && stats.decisions[.noFurtherAction] == 1)

        // The decided P1 case: both referrals, with the case they joined and
        // its size then, and the version-1 history.
        let decided = try queue.show("case-566a642af5b99ffc")
        #expect(decided.queueCase.state == .decided && decided.queueCase.referrals == 2)
        #expect(decided.referrals.map(\.id) == ["R-0001", "R-0002"])
        #expect(decided.referrals.map(\.assessment.caseSize) == [1, 2])
        #expect(decided.referrals.allSatisfy { $0.assessment.caseID == "case-566a642af5b99ffc" })
        #expect(decided.history.map(\.action) == ["opened", "referral-added", "claimed", "decided", "noted"])
        #expect(decided.notes.map(\.text) == ["platform notified"])
        #expect(try queue.show("R-0002").queueCase.id == "case-566a642af5b99ffc")

        // New intake: one joins the old case by its URL (P1, as the case was
        // when decided, so it stays decided), one opens a case.
        let joined = Fixture.intake("R-NEW1", Fixture.p1Text, url: "https://forum.example.invalid/t/100")
        let opened = Fixture.intake("R-NEW2", Fixture.recruitText, url: "https://new.example.invalid/")
        let outcomes = try queue.enqueue([joined, opened], actor: "test")
        #expect(outcomes[0] == .queued(caseID: "case-566a642af5b99ffc", caseSize: 3, opened: false))
        guard case .queued(_, 1, true) = outcomes[1] else {
            Issue.record("expected a new case, got \(outcomes[1])")
            return
        }
        let after = try queue.verify()
        #expect(after.isIntact && after.referrals == 14 && after.auditEntries == 18, "\(after)")
        #expect(try queue.show("case-566a642af5b99ffc").history.map(\.action).last == "intake")
        // The open cases are still claimed in order, old and new together.
        let first = try #require(try queue.list(limit: 1).first)
        let claimed = try #require(try queue.claimNext(officer: "carol", lease: .seconds(600), band: nil))
        #expect(claimed.id == first.id && claimed.state == .inReview)
    }
}
