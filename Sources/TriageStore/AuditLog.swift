import Foundation
import Crypto
import GRDB

/// One change to the queue, as the audit log records it.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var seq: Int64
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    /// Who: an officer's name, or `batch:<user>` / `system` for the engine.
    public var actor: String
    /// What: `intake` (one per intake transaction; `opened` and
    /// `referral-added`, one per referral, in queues from before), `claimed`, `released`, `lease-expired`,
    /// `decided`, `reopened`, `noted`, `purged`, `service-levels`.
    public var action: String
    public var caseID: String?
    public var referralID: String?
    public var fromState: String?
    public var toState: String?
    public var reason: String?
    /// The rule-set fingerprint the case was assessed with.
    public var rules: String?
    /// For an `intake`: hex SHA-256 over the digests of the referral rows it
    /// filed, in order (`SQLiteQueue.rowDigest`); for the older per-referral
    /// `opened` and `referral-added`: that of the one row
    /// (`SQLiteQueue.referralDigest`). So `verify` also detects a changed
    /// referral or assessment.
    public var digest: String? = nil

    /// The bytes the hash covers: every field, each length-prefixed (absent
    /// fields written `-`), so no two different entries encode the same.
    var canonicalBytes: [UInt8] {
        CanonicalFields.encode([String(seq), String(at), actor, action, caseID, referralID, fromState, toState, reason, rules, digest])
    }

    /// SHA-256 of the previous entry's hash and this entry's bytes.
    func hash(after previous: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonicalBytes)
        return Array(hasher.finalize())
    }

    /// The hash before the first entry.
    static let genesis = [UInt8](repeating: 0, count: 32)
}

/// Fields as bytes for hashing: each length-prefixed (`5:alice`), an absent
/// one written `-`, so no two different lists encode the same.
enum CanonicalFields {
    static func encode(_ fields: [String?]) -> [UInt8] {
        var out: [UInt8] = []
        for field in fields {
            guard let field else {
                out.append(UInt8(ascii: "-"))
                continue
            }
            out += String(field.utf8.count).utf8
            out.append(UInt8(ascii: ":"))
            out += field.utf8
        }
        return out
    }
}

/// Appends entries within one transaction: reads the chain's head once,
/// then extends it in memory.
struct AuditWriter {
    private var seq: Int64
    private var head: [UInt8]
    private let at: Int64

    init(_ db: Database, at: Int64) throws {
        if let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") {
            seq = row[0]
            head = Array((row[1] as Data?) ?? Data())
        } else {
            seq = 0
            head = AuditEntry.genesis
        }
        self.at = at
    }

    /// The sequence number the next entry will have.
    var nextSeq: Int64 { seq + 1 }

    mutating func append(_ db: Database, actor: String, action: String, caseID: String? = nil, referralID: String? = nil,
                         from: String? = nil, to: String? = nil, reason: String? = nil, rules: String? = nil, digest: String? = nil) throws {
        seq += 1
        let entry = AuditEntry(seq: seq, at: at, actor: actor, action: action, caseID: caseID, referralID: referralID, fromState: from,
                               toState: to, reason: reason, rules: rules, digest: digest)
        head = entry.hash(after: head)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO audit (seq, at, actor, action, case_id, referral_id, from_state, to_state, reason, rules, digest, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [seq, at, actor, action, caseID, referralID, from, to, reason, rules, digest, Data(head)])
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], caseID: row["case_id"],
                  referralID: row["referral_id"], fromState: row["from_state"], toState: row["to_state"], reason: row["reason"],
                  rules: row["rules"], digest: row["digest"])
    }
}
