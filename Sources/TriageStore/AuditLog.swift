import TriageModel
import TriageEngine
import Foundation
import Crypto
import GRDB

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
