import Codecs
import Crypto
import Encoders
import Foundation
import GRDB
import Logging
import TriageModel
import TriageEngine
import TriageRules

extension SQLiteQueue {
    /// Compresses the serialised assessment (the JSON without its case,
    /// which only the writer knows: `AssessedReferral.serialized`, the same
    /// bytes an NDJSON output writes), hashes the evidence and the case
    /// keys: the part of filing that needs no queue. A fetched body's hash
    /// is in its fetch record (the fetcher hashed those bytes); submitted
    /// content is hashed here.
    public func prepare(_ item: inout AssessedReferral) {
        Self.prepare(&item)
    }

    static func prepare(_ item: inout AssessedReferral) {
        if !item.isSerialized { item.serialize() }
        item.stored = Deflaters.withOne { $0.compress(item.serialized) }
        let fetchedHash = item.assessment.fetch?.sha256
        item.contentSHA256 = item.content.map { item.referral.content == .none ? fetchedHash ?? sha256Hex($0) : sha256Hex($0) }
        var keys = CaseBook.keys(canonicalURL: item.assessment.canonicalURL, contentFingerprint: item.assessment.contentFingerprint)
        if keys.isEmpty { keys = ["referral:" + item.referral.id] }
        item.caseKeyHashes = keys.map(CaseBook.keyHash)
    }

    /// Referrals a `triage batch --db` transaction holds at most: each commit
    /// waits for the disk (synchronous=FULL), and the index of case keys is
    /// written at random places, so fewer, larger transactions file faster
    /// (bench-queue at 100k cases: 256 a transaction filed 16-19k/s, 1,024 24-25k/s).
    public static let transactionSize = 1024

    public var transactionSize: Int { Self.transactionSize }

    /// Files `items` in one transaction (see `ReviewQueue.enqueue`), with one
    /// audit entry whose digest covers every referral row it filed. Items
    /// not yet prepared are prepared first, outside the transaction.
    ///
    /// A new referral more urgent than its case was when decided reopens the
    /// case: an NFA decision on a page must not hide a later P1 report of it.
    public func enqueue(_ items: [AssessedReferral], actor: String) throws -> [IntakeOutcome] {
        var items = items
        for index in items.indices where items[index].stored == nil { Self.prepare(&items[index]) }
        let now = clock()
        let started = ContinuousClock.now
        var summary = ""
        let outcomes = try write { db in
            var audit = try AuditWriter(db, at: now)
            var intake = try Intake(db, entry: audit.nextSeq, at: now)
            let outcomes = try items.map { try intake.file($0, db) }
            guard intake.filed > 0 else { return outcomes }
            summary = intake.summary
            try Self.mergeRecentKeys(db)
            try audit.append(db, actor: actor, action: "intake", reason: intake.summary, rules: intake.ruleSetNames.joined(separator: " "),
                             digest: Fingerprint(bytes: Array(intake.digest.finalize())).hex)
            for reopened in intake.reopened {
                try db.cachedStatement(sql: """
                    UPDATE cases SET state = 'new', officer = NULL, lease_until = NULL, decision = NULL, duplicate_of = NULL,
                        decided_at = NULL, decided_by = NULL, decided_band_rank = NULL
                    WHERE no = ?
                    """).execute(arguments: [reopened.caseNo])
                try audit.append(db, actor: "system", action: "reopened", caseID: reopened.caseID, referralID: reopened.referralID,
                                 from: CaseState.decided.rawValue, to: CaseState.new.rawValue, reason: reopened.reason, rules: reopened.rules)
            }
            return outcomes
        }
        if !summary.isEmpty {
            logger.info("intake", metadata: ["queue": "\(name)", "filed": "\(summary)", "actor": "\(actor)",
                                             "ms": "\((ContinuousClock.now - started) / .milliseconds(1))"])
        }
        return outcomes
    }

    /// Case keys not yet merged into `case_index` at most, for a queue with
    /// `cases` cases. A key's hash is random, so a key added to a large
    /// index lands on a page of its own: at a million cases, adding them
    /// there directly dirtied a page per key and cost more than half of
    /// intake (bench-queue: 13.9k referrals/s, 29.3k without adding keys).
    /// Added to a small table instead and merged in key order, each page of
    /// the large index is written once a merge.
    ///
    /// Two costs pull the threshold apart: a merge rewrites the whole index,
    /// so merging often costs more as the queue grows; the recent table's
    /// pages are rewritten every transaction, so a large one costs more per
    /// key. Their sum is least near the square root of the index's size:
    /// 65,536 keys (the threshold bench-queue measured) up to a million
    /// cases, then growing with the square root.
    static func recentKeys(cases: Int64) -> Int {
        max(65_536, Int(65_536 * (Double(cases) / 1_000_000).squareRoot()))
    }

    /// A case number by key hash: from `case_index` if the key is there (a
    /// merged key keeps its case), else from the keys not yet merged. One
    /// row at most, whatever order SQLite runs the two parts in; a new key
    /// costs one probe of each table.
    static let caseByKeySQL = """
        SELECT case_no FROM case_index WHERE key_hash = ?1
        UNION ALL
        SELECT case_no FROM case_index_recent WHERE key_hash = ?1 AND NOT EXISTS (SELECT 1 FROM case_index WHERE key_hash = ?1)
        """

    /// Moves the recent keys into `case_index` when there are `recentKeys`
    /// of them (or `threshold`), in key order. A key already there keeps its
    /// case.
    static func mergeRecentKeys(_ db: Database, atLeast threshold: Int? = nil) throws {
        let cases = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(no) FROM cases")) ?? 0
        guard try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM case_index_recent")) ?? 0
                >= threshold ?? recentKeys(cases: cases) else { return }
        try db.execute(sql: """
            INSERT OR IGNORE INTO case_index (key_hash, case_no) SELECT key_hash, case_no FROM case_index_recent ORDER BY key_hash;
            DELETE FROM case_index_recent;
            """)
    }

    /// A referral row as an intake entry's digest covers it (version 2):
    /// SHA-256 of its fields, each length-prefixed, then the stored
    /// assessment. `verify` recomputes it from the row.
    static func rowDigest(id: String, caseID: String, caseSize: Int, url: String?, contentSHA256: String?, band: String, score: Int,
                          assessment: [UInt8]) -> SHA256.Digest {
        var hasher = SHA256()
        hasher.update(data: CanonicalFields.encode([id, caseID, String(caseSize), url, contentSHA256, band, String(score),
                                                    String(assessment.count)]))
        hasher.update(data: assessment)
        return hasher.finalize()
    }

    /// What a version-1 intake entry recorded of the referral row it filed:
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

    /// One intake transaction: its statements, prepared once, and what its
    /// audit entry will say.
    private struct Intake {
        struct Reopened {
            var caseNo: Int64
            var caseID: String
            var referralID: String
            var reason: String
            var rules: String
        }

        let entry: Int64
        let now: Int64
        private(set) var filed = 0
        private(set) var opened = 0
        private(set) var digest = SHA256()
        private(set) var ruleSetNames: [String] = []
        private(set) var reopened: [Reopened] = []
        private var ruleSets: [String: Int64] = [:]

        private let knownReferral, caseByKey, caseByNumber, insertCase, updateCase, insertKey, insertReferral, insertRule, markFiled: RawStatement

        init(_ db: Database, entry: Int64, at now: Int64) throws {
            self.entry = entry
            self.now = now
            knownReferral = try RawStatement(db, """
                SELECT c.id, r.content_sha256, r.url FROM referrals r JOIN cases c ON c.no = r.case_no WHERE r.id = ?
                """)
            caseByKey = try RawStatement(db, SQLiteQueue.caseByKeySQL)
            caseByNumber = try RawStatement(db, """
                SELECT id, state, band_rank, score, referral_count, decided_band_rank FROM cases WHERE no = ?
                """)
            insertCase = try RawStatement(db, """
                INSERT INTO cases (id, state, band, band_rank, score, primary_category, referral_count, url, rule_set, opened_at, updated_at)
                VALUES (?1, 'new', ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8)
                """)
            updateCase = try RawStatement(db, """
                UPDATE cases SET referral_count = ?1, updated_at = ?2, rule_set = ?3,
                    band = CASE WHEN ?4 THEN ?5 ELSE band END, band_rank = CASE WHEN ?4 THEN ?6 ELSE band_rank END,
                    score = max(score, ?7), primary_category = CASE WHEN ?4 THEN ?8 ELSE primary_category END
                WHERE no = ?9
                """)
            insertKey = try RawStatement(db, "INSERT OR IGNORE INTO case_index_recent (key_hash, case_no) VALUES (?, ?)")
            insertReferral = try RawStatement(db, """
                INSERT INTO referrals (id, case_no, case_size, intake, received_at, url, source, reported_at, reporter_note, platform,
                                       content_sha256, band, score, rule_set, policy, assessment)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                """)
            insertRule = try RawStatement(db, "INSERT OR IGNORE INTO referral_rules (referral_id, rule, category) VALUES (?, ?, ?)")
            // An accepted referral (`IntakeLog`) is filed in the transaction
            // that files it: a restart never files it twice.
            markFiled = try RawStatement(db, """
                UPDATE intake_pending SET state = 'filed', case_id = ?1, filed_at = ?2, content = NULL, worker = NULL, lease_until = NULL
                WHERE referral_id = ?3 AND state = 'pending'
                """)
        }

        /// "256 referrals: 200 opened a case, 56 joined one".
        var summary: String {
            "\(filed) referral\(filed == 1 ? "" : "s"): \(opened) opened a case, \(filed - opened) joined one"
        }

        mutating func file(_ item: AssessedReferral, _ db: Database) throws -> IntakeOutcome {
            let referral = item.referral
            let assessment = item.assessment
            let stored = item.stored!
            let contentHash = item.contentSHA256

            knownReferral.bind(1, referral.id)
            if try knownReferral.step() {
                let caseID = knownReferral.string(0) ?? "", knownHash = knownReferral.string(1), knownURL = knownReferral.string(2)
                knownReferral.reset()
                if knownHash == contentHash && knownURL == referral.url { return .alreadyQueued(caseID: caseID) }
                let what = knownHash != contentHash ? "different content" : "a different url"
                return .conflict("referral \(referral.id) is already queued (case \(caseID)) with \(what): not merged")
            }
            knownReferral.reset()

            let fingerprint = assessment.rules
            let ruleSet: Int64
            if let known = ruleSets[fingerprint] { ruleSet = known } else {
                ruleSet = try SQLiteQueue.ruleSet(fingerprint, db)
                ruleSets[fingerprint] = ruleSet
                ruleSetNames.append(fingerprint)
            }

            let hashes = item.caseKeyHashes
            var found: Int64?
            for hash in hashes where found == nil {
                caseByKey.bind(1, hash)
                if try caseByKey.step() { found = caseByKey.int64(0) }
                caseByKey.reset()
            }

            let caseNo: Int64, caseID: String, size: Int
            if let found {
                caseByNumber.bind(1, found)
                guard try caseByNumber.step() else {
                    caseByNumber.reset()
                    throw QueueError(.database, "case number \(found) is indexed under a key but missing")
                }
                caseID = caseByNumber.string(0) ?? ""
                let state = caseByNumber.string(1) ?? "", rank = Int(caseByNumber.int64(2)), score = Int(caseByNumber.int64(3))
                let count = Int(caseByNumber.int64(4)), decidedRank = caseByNumber.int64OrNil(5).map(Int.init)
                caseByNumber.reset()
                (caseNo, size) = (found, count + 1)
                let moreUrgent = assessment.band.rank < rank || (assessment.band.rank == rank && assessment.score > score)
                updateCase.bind(1, size)
                updateCase.bind(2, now)
                updateCase.bind(3, ruleSet)
                updateCase.bind(4, moreUrgent ? 1 : 0)
                updateCase.bind(5, assessment.band.rawValue)
                updateCase.bind(6, assessment.band.rank)
                updateCase.bind(7, assessment.score)
                updateCase.bind(8, assessment.primaryCategory)
                updateCase.bind(9, caseNo)
                try updateCase.execute()
                if state == CaseState.decided.rawValue, let decidedRank, assessment.band.rank < decidedRank,
                   !reopened.contains(where: { $0.caseNo == caseNo }) {
                    reopened.append(Reopened(caseNo: caseNo, caseID: caseID, referralID: referral.id,
                                             reason: "referral \(referral.id) is \(assessment.band.rawValue), more urgent than the case when it "
                                                 + "was decided (\(Band(rank: decidedRank).rawValue))", rules: fingerprint))
                }
            } else {
                caseID = CaseBook.caseID(hash: hashes[0])
                insertCase.bind(1, caseID)
                insertCase.bind(2, assessment.band.rawValue)
                insertCase.bind(3, assessment.band.rank)
                insertCase.bind(4, assessment.score)
                insertCase.bind(5, assessment.primaryCategory)
                insertCase.bind(6, assessment.canonicalURL ?? assessment.url)
                insertCase.bind(7, ruleSet)
                insertCase.bind(8, now)
                try insertCase.execute()
                (caseNo, size) = (insertCase.lastInsertedRowID, 1)
                opened += 1
            }
            for hash in hashes {
                insertKey.bind(1, hash)
                insertKey.bind(2, caseNo)
                try insertKey.execute()
            }

            insertReferral.bind(1, referral.id)
            insertReferral.bind(2, caseNo)
            insertReferral.bind(3, size)
            insertReferral.bind(4, entry)
            insertReferral.bind(5, now)
            insertReferral.bind(6, referral.url)
            insertReferral.bind(7, referral.source.rawValue)
            insertReferral.bind(8, referral.reportedAt)
            insertReferral.bind(9, referral.reporterNote)
            insertReferral.bind(10, referral.platform)
            insertReferral.bind(11, contentHash)
            insertReferral.bind(12, assessment.band.rawValue)
            insertReferral.bind(13, assessment.score)
            insertReferral.bind(14, ruleSet)
            insertReferral.bind(15, assessment.policy)
            insertReferral.bind(16, blob: stored)
            try insertReferral.execute()
            markFiled.bind(1, caseID)
            markFiled.bind(2, now)
            markFiled.bind(3, referral.id)
            try markFiled.execute()
            for hit in assessment.hits {
                insertRule.bind(1, referral.id)
                insertRule.bind(2, hit.rule)
                insertRule.bind(3, hit.category)
                try insertRule.execute()
            }
            digest.update(data: Array(SQLiteQueue.rowDigest(id: referral.id, caseID: caseID, caseSize: size, url: referral.url,
                                                      contentSHA256: contentHash, band: assessment.band.rawValue, score: assessment.score,
                                                      assessment: stored)))
            filed += 1

            // The submitted or fetched bytes (with the fetch record when
            // fetched); then, with --refetch, the live page.
            let fetchJSON = item.fetchJSON
            if let content = item.content, let contentHash {
                try SQLiteQueue.addCapture(db, caseID: caseID, referralID: referral.id, bytes: content, sha256: contentHash,
                                           contentType: item.contentType, at: now, fetch: referral.content == .none ? fetchJSON : nil)
            }
            if let live = item.refetched {
                try SQLiteQueue.addCapture(db, caseID: caseID, referralID: referral.id, bytes: live,
                                           sha256: assessment.fetch?.sha256 ?? sha256Hex(live), contentType: assessment.fetch?.contentType,
                                           at: now, fetch: fetchJSON)
            }
            return .queued(caseID: caseID, caseSize: size, opened: size == 1)
        }
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

/// Compressors for `prepare`, which runs on several threads at once: a
/// `Deflater` is reused (setting one up costs more than compressing an
/// assessment) but is not shared.
enum Deflaters {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [Deflater] = []

    static func withOne<T>(_ body: (Deflater) -> T) -> T {
        lock.lock()
        let deflater = idle.popLast() ?? Deflater()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(deflater)
            lock.unlock()
        }
        return body(deflater)
    }
}
