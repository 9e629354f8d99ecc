import Crypto
import Encoders
import Foundation
import GRDB
import TriageModel
import TriageEngine
import TriageRules

extension SQLiteQueue {
    /// Recomputes the audit chain from the first entry and every evidence
    /// hash, in one read transaction (a consistent snapshot).
    public func verify() throws -> VerifyReport {
        try read { db in try verify(db, streamed: true).report }
    }

    /// `streamed`: intake entries' referral rows read entry by entry, in
    /// filing order (`IntakeRuns`); false: all grouped in memory first (what
    /// a streamed pass falls back to when rows are out of that order, and
    /// then says so with `regrouped`).
    func verify(_ db: Database, streamed: Bool) throws -> (report: VerifyReport, regrouped: Bool) {
        do {
            var report = VerifyReport()
            // What the referral rows filed by each intake entry hash to now
            // (queues from version 2 on): one pass over the referrals.
            // Streamed, `runs` hands them over entry by entry and `groups`
            // stays empty; grouped, `groups` holds them all.
            var runs = streamed ? try IntakeRuns(db) : nil
            var groups = streamed ? [:] : try Self.intakeGroups(db)
            var previous = AuditEntry.genesis
            var expectedSeq: Int64 = 1
            var filed = 0
            let entries = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
            while let row = try entries.next() {
                let entry = AuditEntry(row: row)
                let stored = Array((row["hash"] as Data?) ?? Data())
                report.auditEntries += 1
                if report.auditBreak == nil {
                    if entry.seq != expectedSeq {
                        report.auditBreak = "audit entry \(expectedSeq) is missing (the next is \(entry.seq))"
                    } else if entry.hash(after: previous) != stored {
                        report.auditBreak = "audit entry \(entry.seq) (\(entry.action)\(entry.caseID.map { " " + $0 } ?? ""), "
                            + "\(Timestamp(milliseconds: entry.at).iso8601)) does not match its hash: it or an entry before it was changed"
                    }
                }
                previous = stored
                expectedSeq = entry.seq + 1
                guard let digest = entry.digest else { continue }
                if entry.action == "intake" {
                    let group = try runs?.take(entry.seq) ?? groups.removeValue(forKey: entry.seq)
                    if runs?.outOfOrder == true { return (try verify(db, streamed: false).report, true) }
                    filed += group?.count ?? 0
                    if report.referralBreak == nil, group?.digest != digest {
                        let ids = group.map { " (" + $0.ids.joined(separator: ", ") + ($0.count > $0.ids.count ? ", …)" : ")") } ?? ""
                        report.referralBreak = "the referrals filed by audit entry \(entry.seq)\(ids) do not match what it recorded: "
                            + "a row or its assessment was changed, added or removed"
                    }
                } else if let referralID = entry.referralID {
                    filed += 1
                    if report.referralBreak == nil {
                        report.referralBreak = try checkReferral(referralID, digest: digest, entry: entry.seq, db)
                    }
                }
            }
            // Rows no intake entry took: only a change behind the queue's
            // back leaves them, and the grouped pass names them exactly.
            if runs?.next != nil { return (try verify(db, streamed: false).report, true) }
            if report.referralBreak == nil, let (seq, group) = groups.min(by: { $0.key < $1.key }) {
                report.referralBreak = "referral \(group.ids[0]) names audit entry \(seq) as its intake, which is no intake entry: "
                    + "rows were added outside the queue"
            }
            report.referrals = try Int.fetchOne(db, sql: "SELECT count(*) FROM referrals") ?? 0
            if report.referralBreak == nil && report.referrals != filed {
                report.referralBreak = "\(report.referrals) referrals are queued but the audit log records the intake of \(filed): "
                    + "rows were added outside the queue"
            }
            report.head = Fingerprint(bytes: previous).hex

            let evidence = try Row.fetchCursor(db, sql: "SELECT sha256, size, bytes FROM evidence ORDER BY sha256")
            while let row = try evidence.next() {
                report.evidenceFiles += 1
                let name: String = row["sha256"]
                let bytes = (row["bytes"] as Data?) ?? Data()
                if report.evidenceBreak == nil && sha256Hex(Array(bytes)) != name {
                    report.evidenceBreak = "evidence \(name) does not hash to its name: its bytes were changed"
                }
            }
            let captures = try Row.fetchCursor(db, sql: """
                SELECT c.id, c.case_id, c.sha256, c.purged_at, e.sha256 IS NOT NULL AS present
                FROM captures c LEFT JOIN evidence e ON e.sha256 = c.sha256 ORDER BY c.id
                """)
            while let row = try captures.next() {
                report.captures += 1
                let purged: Int64? = row["purged_at"], present: Bool = row["present"]
                if report.evidenceBreak == nil && purged == nil && !present {
                    report.evidenceBreak = "capture \(row["id"] as Int64) of case \(row["case_id"] as String) has no evidence "
                        + "\(row["sha256"] as String), and no purge removed it"
                }
            }
            return (report, false)
        }
    }

    /// The referrals of one intake entry, as `verify` finds them.
    private struct IntakeGroup {
        var hasher = SHA256()
        var count = 0
        /// The first few ids, to name in a report.
        var ids: [String] = []
        var digest: String { Fingerprint(bytes: Array(hasher.finalize())).hex }

        mutating func add(id: String, rowDigest: [UInt8]) {
            hasher.update(data: rowDigest)
            count += 1
            if ids.count < 5 { ids.append(id) }
        }
    }

    /// Intake entries' referral rows, read in filing (rowid) order one
    /// entry's run at a time. `enqueue` files an entry's rows together and
    /// entries in increasing order, so for a queue nobody changed behind its
    /// back `verify` holds one entry's hash at a time, however many entries
    /// the log has (all grouped at once, that was one hash per entry: as many
    /// as referrals when each was filed alone). A run out of that order sets
    /// `outOfOrder`, and rows no entry takes are left in `next`; either way
    /// `verify` starts again with every row grouped by entry
    /// (`intakeGroups`), which reports them where they claim to belong.
    private struct IntakeRuns {
        let rows: RowCursor
        /// The run read ahead.
        var next: (seq: Int64, group: IntakeGroup)?
        /// The first row of the run after it.
        var pending: (seq: Int64, id: String, digest: [UInt8])?
        var outOfOrder = false

        init(_ db: Database) throws {
            rows = try Row.fetchCursor(db, sql: SQLiteQueue.intakeRowsSQL)
            next = try readRun()
        }

        mutating func take(_ seq: Int64) throws -> IntakeGroup? {
            guard let run = next else { return nil }
            if run.seq < seq {  // a run naming no entry asked for in order
                outOfOrder = true
                return nil
            }
            guard run.seq == seq else { return nil }  // the entry's rows are gone
            next = try readRun()
            if let following = next, following.seq <= seq { outOfOrder = true }
            return run.group
        }

        private mutating func readRow() throws -> (seq: Int64, id: String, digest: [UInt8])? {
            guard let row = try rows.next() else { return nil }
            return (row["intake"], row["id"], SQLiteQueue.intakeRowDigest(row))
        }

        private mutating func readRun() throws -> (seq: Int64, group: IntakeGroup)? {
            let first: (seq: Int64, id: String, digest: [UInt8])
            if let held = pending {
                first = held
                pending = nil
            } else if let read = try readRow() {
                first = read
            } else {
                return nil
            }
            var group = IntakeGroup()
            group.add(id: first.id, rowDigest: first.digest)
            while let row = try readRow() {
                guard row.seq == first.seq else {
                    pending = row
                    break
                }
                group.add(id: row.id, rowDigest: row.digest)
            }
            return (first.seq, group)
        }
    }

    /// The referral rows intake entries filed (queues from version 2 on), in filing order.
    private static let intakeRowsSQL = """
        SELECT r.intake, r.id, c.id AS case_id, r.case_size, r.url, r.content_sha256, r.band, r.score, r.assessment
        FROM referrals r JOIN cases c ON c.no = r.case_no WHERE r.intake IS NOT NULL ORDER BY r.rowid
        """

    /// One row of `intakeRowsSQL` hashed as `enqueue` hashed it.
    private static func intakeRowDigest(_ row: Row) -> [UInt8] {
        Array(rowDigest(id: row["id"], caseID: row["case_id"], caseSize: row["case_size"] ?? 0, url: row["url"],
                        contentSHA256: row["content_sha256"], band: row["band"], score: row["score"],
                        assessment: Array((row["assessment"] as Data?) ?? Data())))
    }

    /// Per intake entry, the digest of the referral rows that name it, in
    /// the order they were filed (rowid), hashed as `enqueue` did.
    private static func intakeGroups(_ db: Database) throws -> [Int64: IntakeGroup] {
        var groups: [Int64: IntakeGroup] = [:]
        let rows = try Row.fetchCursor(db, sql: intakeRowsSQL)
        while let row = try rows.next() {
            groups[row["intake"], default: IntakeGroup()].add(id: row["id"], rowDigest: intakeRowDigest(row))
        }
        return groups
    }

    /// Nil if referral `id` matches the digest its (version 1, per-referral)
    /// intake entry recorded.
    private func checkReferral(_ id: String, digest: String, entry: Int64, _ db: Database) throws -> String? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT c.id AS case_id, r.url, r.content_sha256, r.band, r.score, r.assessment
            FROM referrals r JOIN cases c ON c.no = r.case_no WHERE r.id = ?
            """), arguments: [id]) else {
            return "referral \(id), filed by audit entry \(entry), is missing"
        }
        let stored = Array((row["assessment"] as Data?) ?? Data())
        let actual = Self.referralDigest(id: id, caseID: row["case_id"], url: row["url"], contentSHA256: row["content_sha256"],
                                         band: row["band"], score: row["score"], assessment: stored)
        return actual == digest ? nil
            : "referral \(id) (case \(row["case_id"] as String)) does not match what audit entry \(entry) recorded: its row or assessment was changed"
    }

    /// Retention: removes the evidence of cases closed with no further action
    /// more than `days` ago. Referrals, assessments, decisions and the audit
    /// trail stay; each purge is an audit entry.
    public func purge(olderThanDays days: Int, officer: String) throws -> PurgeReport {
        try Self.requireName(officer, "officer")
        guard days >= 0 else { throw QueueError(.invalidArgument, "--older-than must be 0 days or more") }
        let now = clock()
        let cutoff = now - Int64(days) * 86_400_000
        return try write { db in
            var report = PurgeReport()
            var audit = try AuditWriter(db, at: now)
            let cases = try Row.fetchAll(db, sql: """
                SELECT c.id, (SELECT fingerprint FROM rule_sets WHERE id = c.rule_set) AS rules, count(p.id) AS captures FROM cases c JOIN captures p ON p.case_id = c.id AND p.purged_at IS NULL
                WHERE c.state = 'decided' AND c.decision = 'no-further-action' AND c.decided_at <= ?
                GROUP BY c.id ORDER BY c.id
                """, arguments: [cutoff])
            for row in cases {
                let id: String = row["id"], count: Int = row["captures"]
                let hashes = try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM captures WHERE case_id = ? AND purged_at IS NULL",
                                                 arguments: [id])
                try db.execute(sql: "UPDATE captures SET purged_at = ? WHERE case_id = ? AND purged_at IS NULL", arguments: [now, id])
                for hash in hashes {
                    // Shared bytes stay while another case still holds them,
                    // or a referral accepted and not yet filed needs them.
                    let held = try Bool.fetchOne(db, sql: """
                        SELECT 1 FROM captures WHERE sha256 = ?1 AND purged_at IS NULL
                        UNION ALL SELECT 1 FROM intake_pending WHERE content_sha256 = ?1 AND state = 'pending' LIMIT 1
                        """, arguments: [hash]) ?? false
                    if !held {
                        report.bytes += try Int.fetchOne(db, sql: "SELECT size FROM evidence WHERE sha256 = ?", arguments: [hash]) ?? 0
                        try db.execute(sql: "DELETE FROM evidence WHERE sha256 = ?", arguments: [hash])
                    }
                }
                report.cases += 1
                report.captures += count
                try audit.append(db, actor: officer, action: "purged", caseID: id,
                                 reason: "retention: evidence of a no-further-action case decided over \(days) days ago removed "
                                     + "(\(count) capture\(count == 1 ? "" : "s"))", rules: row["rules"])
            }
            return report
        }
    }
}
