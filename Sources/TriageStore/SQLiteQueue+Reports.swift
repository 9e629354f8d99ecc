import Foundation
import GRDB
import TriageModel
import Codecs
import Encoders
import TriageEngine

/// What officers and reports read: lists, one case in full, statistics,
/// exports for case management and transparency reports.
extension SQLiteQueue {
    /// Cases in queue order (band, score, age), by default the open ones.
    public func list(_ query: CaseQuery) throws -> [QueueCase] {
        let now = clock()
        return try read { db in
            let levels = try Self.serviceLevels(db)
            var sql = "SELECT * FROM cases WHERE state IN (\(query.states.map { "'\($0.rawValue)'" }.joined(separator: ",")))"
            var arguments: StatementArguments = []
            if let band = query.band {
                sql += " AND band_rank = ?"
                arguments += [band.rank]
            }
            if let category = query.category {
                sql += " AND primary_category = ?"
                arguments += [category]
            }
            if let officer = query.officer {
                sql += " AND officer = ?"
                arguments += [officer]
            }
            if query.overdueOnly {
                // Open, and opened longer ago than its band's level allows.
                let limits = Band.allCases.map { band in "WHEN \(band.rank) THEN \((levels.seconds[band] ?? Int64.max / 2000) * 1000)" }
                sql += " AND state != 'decided' AND ? - opened_at > CASE band_rank \(limits.joined(separator: " ")) ELSE \(Int64.max) END"
                arguments += [now]
            }
            if let after = query.after {
                // Past the cursor's case in (band_rank, score DESC, opened_at, no).
                sql += """
                     AND (band_rank > ? OR (band_rank = ? AND (score < ? OR (score = ? AND (opened_at > ? OR (opened_at = ?
                     AND no > COALESCE((SELECT no FROM cases WHERE id = ?), -1)))))))
                    """
                arguments += [after.bandRank, after.bandRank, after.score, after.score, after.openedAt, after.openedAt, after.caseID]
            }
            sql += " ORDER BY band_rank, score DESC, opened_at, no LIMIT ?"
            arguments += [max(0, query.limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { QueueCase(row: $0, levels: levels, now: now) }
        }
    }

    public func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, max(0, limit)])
                .map(AuditEntry.init(row:))
        }
    }

    /// A case by its id, or the case of a referral id.
    public func show(_ id: String) throws -> CaseDetail {
        let now = clock()
        return try read { db in
            let number = try caseNumber(id, db) ?? Int64.fetchOne(db, sql: "SELECT case_no FROM referrals WHERE id = ?", arguments: [id])
            guard let number else { throw QueueError(.unknownCase, "no case or referral \(id) in \(name)") }
            let queueCase = try fetchCase(number, db, now: now)
            let caseID = queueCase.id
            let decoder = JSONDecoder()
            let referrals = try Row.fetchAll(db, sql: """
                SELECT id, received_at, reporter_note, case_size, assessment FROM referrals WHERE case_no = ? ORDER BY received_at, rowid
                """, arguments: [number]).map { row in
                let stored: Data = row["assessment"]
                var assessment: Assessment
                do { assessment = try decoder.decode(Assessment.self, from: Data(Deflate.decompress(Array(stored)))) } catch {
                    throw QueueError(.database, "\(name): the stored assessment of referral \(row["id"] as String) cannot be read: \(error)")
                }
                // Stored without its case (version 2); from before, with it.
                assessment.caseID = caseID
                if let size: Int = row["case_size"] { assessment.caseSize = size }
                return CaseDetail.Referral(id: row["id"], receivedAt: row["received_at"], reporterNote: row["reporter_note"], assessment: assessment)
            }
            let captures = try Row.fetchAll(db, sql: """
                SELECT c.*, e.bytes FROM captures c LEFT JOIN evidence e ON e.sha256 = c.sha256 WHERE c.case_id = ? ORDER BY c.id
                """, arguments: [caseID]).map { row in
                let sha256: String = row["sha256"]
                // Rehashed on every read: bytes altered behind the queue's back are named, never shown as the capture.
                let bytes = row["bytes"] as Data?
                return CaseDetail.Capture(id: row["id"], referralID: row["referral_id"], sha256: sha256, size: row["size"],
                                          contentType: row["content_type"], capturedAt: row["captured_at"], previousID: row["previous_id"],
                                          purgedAt: row["purged_at"], recheck: row["recheck"],
                                          bytesMatch: bytes.map { sha256Hex(Array($0)) == sha256 })
            }
            let notes = try Row.fetchAll(db, sql: "SELECT officer, at, text FROM notes WHERE case_id = ? ORDER BY id", arguments: [caseID]).map {
                CaseDetail.Note(officer: $0["officer"], at: $0["at"], text: $0["text"])
            }
            // The case's own entries, and the intake entries that filed its referrals.
            let history = try Row.fetchAll(db, sql: """
                SELECT * FROM audit WHERE case_id = ? OR seq IN (SELECT intake FROM referrals WHERE case_no = ?) ORDER BY seq
                """, arguments: [caseID, number]).map(AuditEntry.init(row:))
            return CaseDetail(queueCase: queueCase, referrals: referrals, captures: captures, notes: notes, history: history)
        }
    }

    /// The bytes of a capture, if still held (purged evidence is gone).
    public func evidence(sha256: String) throws -> [UInt8]? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM evidence WHERE sha256 = ?", arguments: [sha256]).map { Array($0) }
        }
    }

    public func stats() throws -> QueueStats {
        let now = clock()
        var stats = try read { db in
            let levels = try Self.serviceLevels(db)
            var stats = QueueStats()
            stats.cases = try Int.fetchOne(db, sql: "SELECT count(*) FROM cases") ?? 0
            stats.referrals = try Int.fetchOne(db, sql: "SELECT count(*) FROM referrals") ?? 0
            let open = try Row.fetchCursor(db, sql: """
                SELECT band, state, opened_at FROM cases WHERE state IN ('new', 'in-review')
                """)
            while let row = try open.next() {
                let band = Band(rawValue: row["band"]) ?? .pending
                let opened: Int64 = row["opened_at"]
                let age = now - opened
                let bucket = QueueStats.ageBuckets.firstIndex { $0.upTo.map { age < $0 } ?? true }!
                stats.open[band, default: Array(repeating: 0, count: QueueStats.ageBuckets.count)][bucket] += 1
                if levels.isOverdue(band: band, openedAt: opened, now: now) { stats.overdue[band, default: 0] += 1 }
                if row["state"] == CaseState.inReview.rawValue { stats.inReview += 1 }
            }
            for row in try Row.fetchAll(db, sql: "SELECT decision, count(*) AS n FROM cases WHERE state = 'decided' GROUP BY decision") {
                if let decision = Decision(rawValue: row["decision"] ?? "") { stats.decisions[decision] = row["n"] }
            }
            stats.rules = try Row.fetchAll(db, sql: """
                SELECT rr.rule, rr.category, count(*) AS referrals, count(DISTINCT r.case_no) AS cases,
                    count(DISTINCT CASE WHEN c.decision IN ('refer-to-platform', 'escalate-to-investigation') THEN c.no END) AS acted,
                    count(DISTINCT CASE WHEN c.decision = 'no-further-action' THEN c.no END) AS nfa
                FROM referral_rules rr JOIN referrals r ON r.id = rr.referral_id JOIN cases c ON c.no = r.case_no
                GROUP BY rr.rule ORDER BY referrals DESC, rr.rule
                """).map {
                QueueStats.RuleLine(rule: $0["rule"], category: $0["category"], referrals: $0["referrals"], cases: $0["cases"],
                                    actedOn: $0["acted"], noFurtherAction: $0["nfa"])
            }
            return stats
        }
        stats.rechecks = try recheckCounts()
        return stats
    }

    public func export(since: Int64? = nil, _ body: (ExportRow) throws -> Void) throws {
        let now = clock()
        try read { db in
            let levels = try Self.serviceLevels(db)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.*, (SELECT fingerprint FROM rule_sets WHERE id = c.rule_set) AS rules, (SELECT reason FROM audit a WHERE a.case_id = c.id AND a.action = 'decided' ORDER BY seq DESC LIMIT 1) AS reason
                FROM cases c WHERE c.updated_at >= ? ORDER BY c.opened_at, c.no
                """, arguments: [since ?? 0])
            while let row = try rows.next() {
                let state: String = row["state"]
                try body(ExportRow(queueCase: QueueCase(row: row, levels: levels, now: now), reason: state == "decided" ? row["reason"] : nil,
                                   rules: row["rules"]))
            }
        }
    }

    /// Counts for a transparency report: referrals received, cases opened,
    /// decisions by type, and cases by band and primary category, for
    /// cases opened at or after `since`.
    public func aggregate(since: Int64? = nil) throws -> [(group: String, key: String, count: Int)] {
        try read { db in
            let since = since ?? 0
            var out: [(String, String, Int)] = []
            out.append(("referrals", "received", try Int.fetchOne(db, sql: "SELECT count(*) FROM referrals WHERE received_at >= ?",
                                                                   arguments: [since]) ?? 0))
            out.append(("cases", "opened", try Int.fetchOne(db, sql: "SELECT count(*) FROM cases WHERE opened_at >= ?", arguments: [since]) ?? 0))
            for (group, sql) in [
                ("state", "SELECT state, count(*) FROM cases WHERE opened_at >= ? GROUP BY state ORDER BY state"),
                ("decision", "SELECT decision, count(*) FROM cases WHERE opened_at >= ? AND decision IS NOT NULL GROUP BY decision ORDER BY decision"),
                ("band", "SELECT band, count(*) FROM cases WHERE opened_at >= ? GROUP BY band ORDER BY band_rank"),
                ("category", "SELECT coalesce(primary_category, 'none'), count(*) FROM cases WHERE opened_at >= ? GROUP BY 1 ORDER BY 1"),
            ] {
                for row in try Row.fetchAll(db, sql: sql, arguments: [since]) { out.append((group, row[0], row[1])) }
            }
            return out
        }
    }
}

extension SQLiteQueue {
    /// Every capture the engine fetched whose bytes are still held, oldest
    /// first, with its fetch record (for WARC export).
    /// Every fetched capture still held, in filing order: its case, fetch
    /// record and body. A body whose SHA-256 is no longer the one recorded
    /// (altered behind the queue's back) is not handed over: `tampered`
    /// gets its case and recorded SHA-256 instead, and the walk goes on.
    public func fetchedCaptures(since: Int64? = nil, tampered: (_ caseID: String, _ sha256: String) throws -> Void = { _, _ in },
                                _ body: (String, FetchRecord, [UInt8]) throws -> Void) throws {
        let decoder = JSONDecoder()
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT p.case_id, p.sha256, p.fetch, e.bytes FROM captures p JOIN evidence e ON e.sha256 = p.sha256
                WHERE p.fetch IS NOT NULL AND p.purged_at IS NULL AND p.captured_at >= ? ORDER BY p.id
                """, arguments: [since ?? 0])
            while let row = try rows.next() {
                let json: String = row["fetch"]
                guard let record = try? decoder.decode(FetchRecord.self, from: Data(json.utf8)) else {
                    throw QueueError(.database, "\(name): a stored fetch record of case \(row["case_id"] as String) cannot be read")
                }
                let bytes = Array((row["bytes"] as Data?) ?? Data())
                let sha256: String = row["sha256"]
                guard sha256Hex(bytes) == sha256 && record.sha256.map({ $0 == sha256 }) != false else {
                    try tampered(row["case_id"], sha256)
                    continue
                }
                try body(row["case_id"], record, bytes)
            }
        }
    }
}
