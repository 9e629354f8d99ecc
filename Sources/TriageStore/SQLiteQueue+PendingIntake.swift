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

    public func takePending(worker: String, limit: Int, lease: Duration) throws -> [PendingReferral] {
        let now = clock()
        let until = now + Int64(lease / .milliseconds(1))
        return try write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT p.seq, p.referral_id, p.url, p.content_kind, COALESCE(p.content, e.bytes) AS content, p.content_type, p.source,
                       p.reported_at, p.reporter_note, p.platform, p.received_at
                FROM intake_pending p LEFT JOIN evidence e ON e.sha256 = p.content_sha256
                WHERE p.state = 'pending' AND (p.lease_until IS NULL OR p.lease_until <= ?) ORDER BY p.seq LIMIT ?
                """), arguments: [now, max(limit, 0)])
            var taken: [PendingReferral] = []
            let lease = try db.cachedStatement(sql: "UPDATE intake_pending SET worker = ?, lease_until = ? WHERE seq = ?")
            for row in rows {
                try lease.execute(arguments: [worker, until, row["seq"]])
                taken.append(PendingReferral(seq: row["seq"], referral: Self.referral(row), receivedAt: row["received_at"]))
            }
            return taken
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

    /// A pending row as the referral that was accepted.
    static func referral(_ row: Row) -> Referral {
        let bytes = Array((row["content"] as Data?) ?? Data())
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
