import Codecs
import Encoders
import Foundation
import GRDB
import PageFetch
import TriageEngine

extension SQLiteQueue {
    /// Files `items` in one transaction (see `ReviewQueue.enqueue`). The
    /// assessment stored with each referral carries the case it joined and
    /// the case's size then.
    ///
    /// A new referral more urgent than its case was when decided reopens the
    /// case: an NFA decision on a page must not hide a later P1 report of it.
    public func enqueue(_ items: [Assessed], actor: String) throws -> [IntakeOutcome] {
        let now = clock()
        return try write { db in
            var audit = try AuditWriter(db, at: now)
            var ruleSets: [String: Int64] = [:]
            return try items.map { item in
                let fingerprint = item.assessment.rules
                let ruleSet = try ruleSets[fingerprint] ?? Self.ruleSet(fingerprint, db)
                ruleSets[fingerprint] = ruleSet
                return try file(item, ruleSet: ruleSet, db, &audit, actor: actor, now: now)
            }
        }
    }

    /// What an intake's audit entry records of the referral row it filed:
    /// hex SHA-256 over the fields `verify` reads back.
    static func referralDigest(id: String, caseID: String, url: String?, contentSHA256: String?, band: String, score: Int,
                               assessment: [UInt8]) -> String {
        var fields = CanonicalFields.encode([id, caseID, url, contentSHA256, band, String(score), String(assessment.count)])
        fields += assessment
        return sha256Hex(fields)
    }

    /// The number of a rule set, added on first use.
    static func ruleSet(_ fingerprint: String, _ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM rule_sets WHERE fingerprint = ?", arguments: [fingerprint]) { return id }
        try db.execute(sql: "INSERT INTO rule_sets (fingerprint) VALUES (?)", arguments: [fingerprint])
        return db.lastInsertedRowID
    }

    private func file(_ item: Assessed, ruleSet: Int64, _ db: Database, _ audit: inout AuditWriter, actor: String, now: Int64) throws -> IntakeOutcome {
        let referral = item.referral
        var assessment = item.assessment
        // A fetched body's hash is in its fetch record (the fetcher hashed
        // those bytes): the content of a URL-only referral, or the live page
        // beside submitted content. Submitted content is hashed here.
        let fetchedHash = assessment.fetch?.sha256
        let contentHash = item.content.map { referral.content == .none ? fetchedHash ?? sha256Hex($0) : sha256Hex($0) }

        if let known = try Row.fetchOne(db.cachedStatement(sql: "SELECT case_id, content_sha256, url FROM referrals WHERE id = ?"),
                                        arguments: [referral.id]) {
            let knownHash: String? = known["content_sha256"], knownURL: String? = known["url"]
            if knownHash == contentHash && knownURL == referral.url { return .alreadyQueued(caseID: known["case_id"]) }
            let what = knownHash != contentHash ? "different content" : "a different url"
            return .conflict("referral \(referral.id) is already queued (case \(known["case_id"] as String)) with \(what): not merged")
        }

        var keys = CaseBook.keys(canonicalURL: assessment.canonicalURL, contentFingerprint: assessment.contentFingerprint)
        if keys.isEmpty { keys = ["referral:" + referral.id] }
        var caseID: String?
        for key in keys {
            caseID = try String.fetchOne(db.cachedStatement(sql: "SELECT case_id FROM case_keys WHERE key = ?"), arguments: [key])
            if caseID != nil { break }
        }
        let opened = caseID == nil
        let id = caseID ?? CaseBook.caseID(for: keys[0])
        let known = try caseID.map { try Row.fetchOne(db.cachedStatement(sql: """
            SELECT state, band_rank, score, referral_count, decided_band_rank FROM cases WHERE id = ?
            """), arguments: [$0])! }
        let size: Int = known.map { $0["referral_count"] + 1 } ?? 1
        assessment.caseID = id
        assessment.caseSize = size
        let stored = deflater.compress(assessment.jsonBytes())
        let digest = Self.referralDigest(id: referral.id, caseID: id, url: referral.url, contentSHA256: contentHash,
                                         band: assessment.band.rawValue, score: assessment.score, assessment: stored)
        if opened {
            try db.cachedStatement(sql: """
                INSERT INTO cases (id, state, band, band_rank, score, primary_category, referral_count, url, rule_set, opened_at, updated_at)
                VALUES (?, 'new', ?, ?, ?, ?, 1, ?, ?, ?, ?)
                """).execute(arguments: [id, assessment.band.rawValue, assessment.band.rank, assessment.score, assessment.primaryCategory,
                                         assessment.canonicalURL ?? assessment.url, ruleSet, now, now])
            try audit.append(db, actor: actor, action: "opened", caseID: id, referralID: referral.id, to: CaseState.new.rawValue,
                             reason: "\(assessment.band.rawValue) score \(assessment.score)", rules: assessment.rules, digest: digest)
        } else if let row = known {
            let rank: Int = row["band_rank"], score: Int = row["score"], state: String = row["state"]
            let moreUrgent = assessment.band.rank < rank || (assessment.band.rank == rank && assessment.score > score)
            try db.cachedStatement(sql: """
                UPDATE cases SET referral_count = ?, updated_at = ?, rule_set = ?,
                    band = CASE WHEN ? THEN ? ELSE band END, band_rank = CASE WHEN ? THEN ? ELSE band_rank END,
                    score = max(score, ?), primary_category = CASE WHEN ? THEN ? ELSE primary_category END
                WHERE id = ?
                """).execute(arguments: [size, now, ruleSet, moreUrgent, assessment.band.rawValue, moreUrgent, assessment.band.rank,
                                         assessment.score, moreUrgent, assessment.primaryCategory, id])
            try audit.append(db, actor: actor, action: "referral-added", caseID: id, referralID: referral.id,
                             reason: "\(assessment.band.rawValue) score \(assessment.score); case now \(size) referrals", rules: assessment.rules,
                             digest: digest)
            if state == CaseState.decided.rawValue, let decidedRank: Int = row["decided_band_rank"], assessment.band.rank < decidedRank {
                try db.cachedStatement(sql: """
                    UPDATE cases SET state = 'new', officer = NULL, lease_until = NULL, decision = NULL, duplicate_of = NULL,
                        decided_at = NULL, decided_by = NULL, decided_band_rank = NULL
                    WHERE id = ?
                    """).execute(arguments: [id])
                try audit.append(db, actor: "system", action: "reopened", caseID: id, referralID: referral.id, from: state,
                                 to: CaseState.new.rawValue,
                                 reason: "referral \(referral.id) is \(assessment.band.rawValue), more urgent than the case when it was decided "
                                     + "(\(Band(rank: decidedRank).rawValue))", rules: assessment.rules)
            }
        }
        for key in keys {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO case_keys (key, case_id) VALUES (?, ?)").execute(arguments: [key, id])
        }

        try db.cachedStatement(sql: """
            INSERT INTO referrals (id, case_id, received_at, url, source, reported_at, reporter_note, platform, content_sha256,
                                   band, score, rule_set, policy, assessment)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [referral.id, id, now, referral.url, referral.source.rawValue, referral.reportedAt, referral.reporterNote,
                                     referral.platform, contentHash, assessment.band.rawValue, assessment.score, ruleSet,
                                     assessment.policy, Data(stored)])
        for hit in assessment.hits {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO referral_rules (referral_id, rule, category) VALUES (?, ?, ?)")
                .execute(arguments: [referral.id, hit.rule, hit.category])
        }
        // The submitted or fetched bytes (with the fetch record when fetched);
        // then, with --refetch, the live page.
        let fetchJSON = assessment.fetch?.json
        if let content = item.content, let contentHash {
            try Self.addCapture(db, caseID: id, referralID: referral.id, bytes: content, sha256: contentHash, contentType: item.contentType,
                                at: now, fetch: referral.content == .none ? fetchJSON : nil)
        }
        if let live = item.refetched {
            try Self.addCapture(db, caseID: id, referralID: referral.id, bytes: live, sha256: fetchedHash ?? sha256Hex(live),
                                contentType: assessment.fetch?.contentType, at: now, fetch: fetchJSON)
        }
        return .queued(caseID: id, caseSize: size, opened: opened)
    }

    /// Keeps `bytes` as evidence (stored once by hash, never overwritten) and
    /// records a capture of them for `caseID`, linked to the case's previous
    /// capture: the one way captures are added, at intake and at rechecks.
    static func addCapture(_ db: Database, caseID: String, referralID: String, bytes: [UInt8], sha256: String, contentType: String?,
                           at now: Int64, fetch: String?, recheck: String? = nil) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO evidence (sha256, size, bytes) VALUES (?, ?, ?)")
            .execute(arguments: [sha256, bytes.count, Data(bytes)])
        let previous = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM captures WHERE case_id = ?"), arguments: [caseID])
        try db.cachedStatement(sql: """
            INSERT INTO captures (case_id, referral_id, sha256, size, content_type, captured_at, previous_id, fetch, recheck)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [caseID, referralID, sha256, bytes.count, contentType, now, previous, fetch, recheck])
    }
}
