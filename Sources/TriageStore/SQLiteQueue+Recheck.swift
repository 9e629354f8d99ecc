import Encoders
import Foundation
import GRDB
import TriageModel
import TriageEngine

extension SQLiteQueue {
    /// Decided cases with a URL, decided at least `olderThanDays` ago and not
    /// rechecked since `olderThanDays` ago, oldest decision first.
    public func recheckCandidates(olderThanDays days: Int, limit: Int) throws -> [RecheckCandidate] {
        let cutoff = clock() - Int64(days) * 86_400_000
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, c.url,
                    (SELECT sha256 FROM captures p WHERE p.case_id = c.id ORDER BY p.id DESC LIMIT 1) AS last_sha256
                FROM cases c
                WHERE c.state = 'decided' AND c.url IS NOT NULL AND c.decided_at <= ?
                    AND NOT EXISTS (SELECT 1 FROM captures p WHERE p.case_id = c.id AND p.recheck IS NOT NULL AND p.captured_at > ?)
                ORDER BY c.decided_at, c.no LIMIT ?
                """, arguments: [cutoff, cutoff, limit]).map {
                RecheckCandidate(caseID: $0["id"], url: $0["url"], lastSHA256: $0["last_sha256"])
            }
        }
    }

    /// Records a recheck of `caseID`: a new capture (never overwriting one),
    /// linked to the case's last, with the fetch record and the verdict; the
    /// bytes, if any, as evidence; an audit entry.
    @discardableResult
    public func recordRecheck(_ caseID: String, record: FetchRecord, body: [UInt8], officer: String) throws -> RecheckOutcome {
        try Self.requireName(officer, "officer")
        let now = clock()
        return try write { db in
            let (no, _) = try state(of: caseID, db)
            let last = try Row.fetchOne(db, sql: "SELECT sha256, referral_id FROM captures WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                                        arguments: [caseID])
            let outcome = RecheckOutcome.judge(record, lastSHA256: last?["sha256"])
            let firstReferral = try String.fetchOne(db, sql: "SELECT id FROM referrals WHERE case_no = ? ORDER BY rowid LIMIT 1", arguments: [no])
            // Even an empty answer is kept: "nothing came back" is evidence too.
            try Self.addCapture(db, caseID: caseID, referralID: last?["referral_id"] ?? firstReferral ?? "", bytes: body,
                                sha256: record.sha256 ?? sha256Hex(body), contentType: record.contentType, at: now, fetch: record.json,
                                recheck: outcome.rawValue)
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "rechecked", caseID: caseID,
                             reason: "\(record.finalURL ?? record.requestedURL): \(outcome.rawValue)"
                                 + (record.status.map { " (status \($0))" } ?? "") + (record.failure.map { " (\($0.rawValue))" } ?? ""),
                             rules: try rules(of: no, db))
            return outcome
        }
    }

    /// Per outcome, how many cases' latest recheck found it (removal rates).
    public func recheckCounts() throws -> [RecheckOutcome: Int] {
        try read { db in
            var counts: [RecheckOutcome: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT p.recheck, count(*) AS n FROM captures p
                WHERE p.recheck IS NOT NULL AND p.id = (SELECT max(id) FROM captures q WHERE q.case_id = p.case_id AND q.recheck IS NOT NULL)
                GROUP BY p.recheck
                """) {
                if let outcome = RecheckOutcome(rawValue: row["recheck"]) { counts[outcome] = row["n"] }
            }
            return counts
        }
    }
}
