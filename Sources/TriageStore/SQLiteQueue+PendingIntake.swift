import Encoders
import Foundation
import GRDB
import TriageEngine
import TriageModel

/// The intake log (`IntakeLog`, part of `QueueStore`) on SQLite: table
/// `intake_pending` (QueueSchema v3). Accepting is one IMMEDIATE
/// transaction that commits (synchronous=FULL) before `accept` returns, so
/// a `202 Accepted` sent after it is durable.
extension SQLiteQueue {
    public func accept(_ referral: Referral, actor: String) throws -> AcceptOutcome {
        try accept([(referral, actor)])[0]
    }

    public func accept(_ items: [(referral: Referral, actor: String)]) throws -> [AcceptOutcome] {
        let now = clock()
        return try write { db in try items.map { try accept($0.referral, actor: $0.actor, now: now, db) } }
    }

    public func intakeBacklog() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_pending WHERE state = 'pending'") ?? 0 }
    }

    private func accept(_ referral: Referral, actor: String, now: Int64, _ db: Database) throws -> AcceptOutcome {
        let (kind, content): (String?, [UInt8]?)
        switch referral.content {
        case let .html(bytes): (kind, content) = ("html", bytes)
        case let .text(bytes): (kind, content) = ("text", bytes)
        case let .bytes(bytes): (kind, content) = ("bytes", bytes)
        case .none: (kind, content) = (nil, nil)
        case .file: throw QueueError(.invalidArgument, "referral \(referral.id): content from a file path cannot be accepted; send it inline")
        }
        guard content != nil || referral.url != nil else {
            throw QueueError(.invalidArgument, "referral \(referral.id): neither content nor a url")
        }
        let hash = content.map(sha256Hex)
        do {
            // Filed already (by an earlier acceptance or by `batch --db`)?
            // Cached statements: a group commit runs these per referral.
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT c.id AS case_id, r.content_sha256, r.url, r.received_at FROM referrals r JOIN cases c ON c.no = r.case_no WHERE r.id = ?
                """), arguments: [referral.id]) {
                let same = row["url"] as String? == referral.url && (hash == nil || row["content_sha256"] as String? == hash)
                return same ? .alreadyAccepted(.filed(caseID: row["case_id"], filedAt: row["received_at"]))
                    : .conflict("referral \(referral.id) is already queued (case \(row["case_id"] as String)) with a different url or content")
            }
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT url, content_sha256, received_at FROM intake_pending WHERE referral_id = ?"),
                                          arguments: [referral.id]) {
                let same = row["url"] as String? == referral.url && row["content_sha256"] as String? == hash
                return same ? .alreadyAccepted(.pending(receivedAt: row["received_at"]))
                    : .conflict("referral \(referral.id) was already accepted with a different url or content")
            }
            // The bytes go where filing keeps them anyway, content-addressed:
            // written once, not once here and again as evidence (a server's
            // intake wrote 3.75 times what `batch --db` writes for the same
            // referrals when the log held its own copy; bench-serve).
            if let content, let hash {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO evidence (sha256, size, bytes) VALUES (?, ?, ?)")
                    .execute(arguments: [hash, content.count, Data(content)])
            }
            try db.cachedStatement(sql: """
                INSERT INTO intake_pending (referral_id, url, content_kind, content, content_type, content_sha256, source, reported_at,
                                            reporter_note, platform, received_at, accepted_by, state)
                VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                """).execute(arguments: [referral.id, referral.url, kind, referral.contentType, hash,
                                 referral.source.rawValue, referral.reportedAt, referral.reporterNote, referral.platform, now, actor])
            return .accepted(seq: db.lastInsertedRowID)
        }
    }

    /// Leases the next `limit` in one short write transaction, then reads
    /// their bytes outside it: reading a thousand pages' bytes inside held
    /// the write lock for tens of milliseconds, and every request accepting
    /// a referral waited behind it (bench-serve's acknowledgement probe).
    /// The bytes cannot go meanwhile: a purge keeps what a pending referral
    /// needs.
    public func takePending(worker: String, limit: Int, lease: Duration) throws -> [PendingReferral] {
        let now = clock()
        let until = now + Int64(lease / .milliseconds(1))
        let rows = try write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, referral_id, url, content_kind, content_type, source, reported_at, reporter_note, platform, received_at
                FROM intake_pending
                WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?
                """), arguments: [now, max(limit, 0)])
            let lease = try db.cachedStatement(sql: "UPDATE intake_pending SET worker = ?, lease_until = ? WHERE seq = ?")
            for row in rows { try lease.execute(arguments: [worker, until, row["seq"]]) }
            return rows
        }
        guard rows.contains(where: { $0["content_kind"] != nil }) else {
            return rows.map { PendingReferral(seq: $0["seq"], referral: Self.referral($0, content: nil), receivedAt: $0["received_at"]) }
        }
        return try read { db in
            // Queues of schema 3 kept the bytes in the log itself.
            let content = try db.cachedStatement(sql: """
                SELECT COALESCE(p.content, e.bytes) FROM intake_pending p LEFT JOIN evidence e ON e.sha256 = p.content_sha256 WHERE p.seq = ?
                """)
            return try rows.map { row in
                let bytes = row["content_kind"] == nil ? nil : try Data.fetchOne(content, arguments: [row["seq"]])
                return PendingReferral(seq: row["seq"], referral: Self.referral(row, content: bytes), receivedAt: row["received_at"])
            }
        }
    }

    public func releaseLeases(worker: String) throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE intake_pending SET worker = NULL, lease_until = NULL WHERE state = 'pending' AND worker = ?",
                           arguments: [worker])
            return db.changesCount
        }
    }

    public func intakeStatus(_ id: String) throws -> IntakeStatus? {
        try read { db in
            if let row = try Row.fetchOne(db, sql: """
                SELECT c.id AS case_id, r.received_at FROM referrals r JOIN cases c ON c.no = r.case_no WHERE r.id = ?
                """, arguments: [id]) {
                return .filed(caseID: row["case_id"], filedAt: row["received_at"])
            }
            if let row = try Row.fetchOne(db, sql: "SELECT received_at FROM intake_pending WHERE referral_id = ?", arguments: [id]) {
                return .pending(receivedAt: row["received_at"])
            }
            return nil
        }
    }

    public func acceptedBy(_ id: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT accepted_by FROM intake_pending WHERE referral_id = ?", arguments: [id]) }
    }

    /// A pending row, and its bytes, as the referral that was accepted.
    static func referral(_ row: Row, content: Data?) -> Referral {
        let bytes = Array(content ?? Data())
        let content: Referral.Content
        switch row["content_kind"] as String? {
        case "html": content = .html(bytes)
        case "text": content = .text(bytes)
        case "bytes": content = .bytes(bytes)
        default: content = .none
        }
        return Referral(id: row["referral_id"], url: row["url"], content: content, contentType: row["content_type"],
                        source: Referral.Source(rawValue: row["source"]) ?? .public, reportedAt: row["reported_at"],
                        reporterNote: row["reporter_note"], platform: row["platform"])
    }
}
