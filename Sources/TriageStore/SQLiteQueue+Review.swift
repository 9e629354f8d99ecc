import Foundation
import GRDB
import TriageModel
import TriageEngine

/// Claiming, releasing, deciding, reopening and notes: each one IMMEDIATE
/// transaction with its audit entry.
extension SQLiteQueue {
    /// The queue's service levels.
    public func serviceLevels() throws -> ServiceLevels {
        try read { db in try Self.serviceLevels(db) }
    }

    static func serviceLevels(_ db: Database) throws -> ServiceLevels {
        var levels = ServiceLevels.default
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings WHERE key LIKE 'sla.%'") {
            let key: String = row["key"], value: String = row["value"]
            if let band = Band(rawValue: String(key.dropFirst(4))), let seconds = Int64(value) { levels.seconds[band] = seconds }
        }
        return levels
    }

    /// Sets the service level of `band`, recorded in the audit log.
    public func setServiceLevel(_ band: Band, seconds: Int64, officer: String) throws {
        guard seconds > 0 else { throw QueueError(.invalidArgument, "a service level must be longer than zero") }
        let now = clock()
        try write { db in
            let before = try Self.serviceLevels(db).seconds[band]
            try db.execute(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", arguments: ["sla.\(band.rawValue)", String(seconds)])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "service-levels", from: before.map { "\(band.rawValue) \($0)s" },
                             to: "\(band.rawValue) \(seconds)s")
        }
    }

    // MARK: - Claim, release, decide

    public func claimNext(officer: String, lease: Duration, band: Band? = nil) throws -> QueueCase? {
        try Self.requireName(officer, "officer")
        let now = clock()
        let until = now + lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000
        return try write { db in
            var audit = try AuditWriter(db, at: now)
            try expireLeases(db, &audit, now: now)
            let next: Row?
            if let band {
                next = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT no, id FROM cases WHERE state = 'new' AND band_rank = ? ORDER BY score DESC, opened_at, no LIMIT 1
                    """), arguments: [band.rank])
            } else {
                next = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT no, id FROM cases WHERE state = 'new' ORDER BY band_rank, score DESC, opened_at, no LIMIT 1
                    """))
            }
            guard let next else { return nil }
            let no: Int64 = next["no"], id: String = next["id"]
            try db.cachedStatement(sql: "UPDATE cases SET state = 'in-review', officer = ?, lease_until = ?, updated_at = ? WHERE no = ?")
                .execute(arguments: [officer, until, now, no])
            try audit.append(db, actor: officer, action: "claimed", caseID: id, from: CaseState.new.rawValue, to: CaseState.inReview.rawValue,
                             reason: "lease until \(Timestamp(milliseconds: until).iso8601)", rules: try rules(of: no, db))
            return try fetchCase(no, db, now: now)
        }
    }

    /// Returns cases whose lease ended to the queue, each with an audit entry.
    private func expireLeases(_ db: Database, _ audit: inout AuditWriter, now: Int64) throws {
        let expired = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT no, id, officer, (SELECT fingerprint FROM rule_sets WHERE id = rule_set) AS rules
            FROM cases WHERE state = 'in-review' AND lease_until <= ?
            """), arguments: [now])
        for row in expired {
            let id: String = row["id"], officer: String? = row["officer"]
            try db.cachedStatement(sql: "UPDATE cases SET state = 'new', officer = NULL, lease_until = NULL, updated_at = ? WHERE no = ?")
                .execute(arguments: [now, row["no"] as Int64])
            try audit.append(db, actor: "system", action: "lease-expired", caseID: id, from: CaseState.inReview.rawValue,
                             to: CaseState.new.rawValue, reason: "\(officer ?? "nobody")'s lease ended", rules: row["rules"])
        }
    }

    public func release(_ caseID: String, officer: String) throws -> QueueCase {
        try Self.requireName(officer, "officer")
        let now = clock()
        return try writeHeld(caseID, by: officer, now: now, doing: "release") { db, no in
            try db.execute(sql: "UPDATE cases SET state = 'new', officer = NULL, lease_until = NULL, updated_at = ? WHERE no = ?",
                           arguments: [now, no])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "released", caseID: caseID, from: CaseState.inReview.rawValue,
                             to: CaseState.new.rawValue, rules: try rules(of: no, db))
            return try fetchCase(no, db, now: now)
        }
    }

    public func decide(_ caseID: String, decision: Decision, reason: String, officer: String, duplicateOf: String? = nil) throws -> QueueCase {
        try Self.requireName(officer, "officer")
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw QueueError(.invalidArgument, "a decision needs a reason: say why, for the record")
        }
        if decision == .duplicateOf && duplicateOf == nil {
            throw QueueError(.invalidArgument, "decision duplicate-of needs the case it duplicates (--duplicate-of CASE)")
        }
        if decision != .duplicateOf && duplicateOf != nil {
            throw QueueError(.invalidArgument, "--duplicate-of goes with decision duplicate-of only")
        }
        let now = clock()
        return try writeHeld(caseID, by: officer, now: now, doing: "decide") { db, no in
            if let original = duplicateOf {
                guard original != caseID else { throw QueueError(.invalidArgument, "case \(caseID) cannot be a duplicate of itself") }
                guard try caseNumber(original, db) != nil else {
                    throw QueueError(.unknownCase, "no case \(original) in \(name) (the case it duplicates)")
                }
            }
            try db.execute(sql: """
                UPDATE cases SET state = 'decided', officer = NULL, lease_until = NULL, decision = ?, duplicate_of = ?,
                    decided_at = ?, decided_by = ?, decided_band_rank = band_rank, updated_at = ?
                WHERE no = ?
                """, arguments: [decision.rawValue, duplicateOf, now, officer, now, no])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "decided", caseID: caseID, from: CaseState.inReview.rawValue,
                             to: CaseState.decided.rawValue + ": " + decision.rawValue + (duplicateOf.map { " " + $0 } ?? ""),
                             reason: reason, rules: try rules(of: no, db))
            return try fetchCase(no, db, now: now)
        }
    }

    /// A decided case back to the queue (new), with the reason on record.
    public func reopen(_ caseID: String, reason: String, officer: String) throws -> QueueCase {
        try Self.requireName(officer, "officer")
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw QueueError(.invalidArgument, "reopening needs a reason")
        }
        let now = clock()
        return try write { db in
            let (no, state) = try self.state(of: caseID, db)
            guard state == .decided else {
                throw QueueError(.refused, "case \(caseID) is \(state.rawValue), not decided: only a decided case is reopened")
            }
            try db.execute(sql: """
                UPDATE cases SET state = 'new', decision = NULL, duplicate_of = NULL, decided_at = NULL, decided_by = NULL,
                    decided_band_rank = NULL, updated_at = ?
                WHERE no = ?
                """, arguments: [now, no])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "reopened", caseID: caseID, from: CaseState.decided.rawValue,
                             to: CaseState.new.rawValue, reason: reason, rules: try rules(of: no, db))
            return try fetchCase(no, db, now: now)
        }
    }

    /// A note on any case, in any state.
    public func note(_ caseID: String, text: String, officer: String) throws {
        try Self.requireName(officer, "officer")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw QueueError(.invalidArgument, "the note is empty") }
        let now = clock()
        try write { db in
            let (no, _) = try state(of: caseID, db)
            try db.execute(sql: "INSERT INTO notes (case_id, officer, at, text) VALUES (?, ?, ?, ?)", arguments: [caseID, officer, now, text])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: officer, action: "noted", caseID: caseID, reason: text, rules: try rules(of: no, db))
        }
    }

    // MARK: - Helpers

    static func requireName(_ value: String, _ what: String) throws {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw QueueError(.invalidArgument, "the \(what) name is empty") }
    }

    /// The number of case `id`, found through the index entry of the key
    /// its id is the hash of (and checked against the case's own id); nil if
    /// there is no such case.
    func caseNumber(_ id: String, _ db: Database) throws -> Int64? {
        guard let hash = CaseBook.keyHash(ofCaseID: id) else { return nil }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT no FROM cases WHERE no = (\(SQLiteQueue.caseByKeySQL)) AND id = ?2"),
                                  arguments: [hash, id])
    }

    /// Case `id`'s number, or an unknown-case error.
    func requireCase(_ id: String, _ db: Database) throws -> Int64 {
        guard let no = try caseNumber(id, db) else { throw QueueError(.unknownCase, "no case \(id) in \(name)") }
        return no
    }

    func state(of caseID: String, _ db: Database) throws -> (Int64, CaseState) {
        let no = try requireCase(caseID, db)
        let raw = try String.fetchOne(db, sql: "SELECT state FROM cases WHERE no = ?", arguments: [no]) ?? ""
        return (no, CaseState(rawValue: raw) ?? .new)
    }

    func rules(of no: Int64, _ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT fingerprint FROM rule_sets JOIN cases ON cases.rule_set = rule_sets.id WHERE cases.no = ?"),
                            arguments: [no])
    }

    /// `body` in one IMMEDIATE transaction, given the case's number, once
    /// `officer` is found to hold `caseID`. A refusal (not claimed, held by
    /// another, the lease ended) is itself recorded as a `refused` audit
    /// entry with what was attempted and why, committed, and then thrown:
    /// a decision made on a lost lease leaves a trace.
    func writeHeld<T>(_ caseID: String, by officer: String, now: Int64, doing: String,
                      _ body: (Database, Int64) throws -> T) throws -> T {
        let outcome: Result<T, QueueError> = try write { db in
            let no: Int64
            do { no = try requireHeld(caseID, by: officer, db, now: now, doing: doing) } catch let refusal as QueueError
                where refusal.kind == .refused {
                let number = try requireCase(caseID, db)
                let state = try String.fetchOne(db, sql: "SELECT state FROM cases WHERE no = ?", arguments: [number])
                var audit = try AuditWriter(db, at: now)
                try audit.append(db, actor: officer, action: "refused", caseID: caseID, from: state, to: state,
                                 reason: refusal.message, rules: try rules(of: number, db))
                return .failure(refusal)
            }
            return .success(try body(db, no))
        }
        return try outcome.get()
    }

    /// Refuses unless `officer` holds `caseID` under a lease that has not
    /// ended; returns its number.
    private func requireHeld(_ caseID: String, by officer: String, _ db: Database, now: Int64, doing: String) throws -> Int64 {
        let no = try requireCase(caseID, db)
        guard let row = try Row.fetchOne(db, sql: "SELECT state, officer, lease_until FROM cases WHERE no = ?", arguments: [no]) else {
            throw QueueError(.unknownCase, "no case \(caseID) in \(name)")
        }
        let state: String = row["state"], holder: String? = row["officer"], until: Int64? = row["lease_until"]
        guard state == CaseState.inReview.rawValue, let holder else {
            throw QueueError(.refused, "cannot \(doing) case \(caseID): it is \(state), not claimed (claim it first)")
        }
        guard holder == officer else {
            throw QueueError(.refused, "cannot \(doing) case \(caseID): it is held by \(holder), not \(officer)")
        }
        if let until, until <= now {
            throw QueueError(.refused, "cannot \(doing) case \(caseID): \(officer)'s lease ended at \(Timestamp(milliseconds: until).iso8601); claim it again")
        }
        return no
    }

    func fetchCase(_ no: Int64, _ db: Database, now: Int64) throws -> QueueCase {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE no = ?", arguments: [no]) else {
            throw QueueError(.unknownCase, "no case number \(no) in \(name)")
        }
        return QueueCase(row: row, levels: try Self.serviceLevels(db), now: now)
    }

}

extension QueueCase {
    init(row: Row, levels: ServiceLevels, now: Int64) {
        let state = CaseState(rawValue: row["state"]) ?? .new
        let band = Band(rawValue: row["band"]) ?? .pending
        let opened: Int64 = row["opened_at"]
        self.init(id: row["id"], state: state, band: band, score: row["score"], primaryCategory: row["primary_category"],
                  referrals: row["referral_count"], openedAt: opened, updatedAt: row["updated_at"], officer: row["officer"],
                  leaseUntil: row["lease_until"], decision: (row["decision"] as String?).flatMap(Decision.init(rawValue:)),
                  duplicateOf: row["duplicate_of"], decidedAt: row["decided_at"], decidedBy: row["decided_by"], url: row["url"],
                  overdue: state != .decided && levels.isOverdue(band: band, openedAt: opened, now: now))
    }
}
