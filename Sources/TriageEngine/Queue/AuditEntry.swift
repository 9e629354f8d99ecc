import TriageModel
import Crypto

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

    public init(seq: Int64, at: Int64, actor: String, action: String, caseID: String? = nil, referralID: String? = nil, fromState: String? = nil, toState: String? = nil, reason: String? = nil, rules: String? = nil, digest: String? = nil) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.caseID = caseID
        self.referralID = referralID
        self.fromState = fromState
        self.toState = toState
        self.reason = reason
        self.rules = rules
        self.digest = digest
    }

    /// The bytes the hash covers: every field, each length-prefixed (absent
    /// fields written `-`), so no two different entries encode the same.
    public var canonicalBytes: [UInt8] {
        CanonicalFields.encode([String(seq), String(at), actor, action, caseID, referralID, fromState, toState, reason, rules, digest])
    }

    /// SHA-256 of the previous entry's hash and this entry's bytes.
    public func hash(after previous: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonicalBytes)
        return Array(hasher.finalize())
    }

    /// The hash before the first entry.
    public static let genesis = [UInt8](repeating: 0, count: 32)
}

/// Fields as bytes for hashing: each length-prefixed (`5:alice`), an absent
/// one written `-`, so no two different lists encode the same.
public enum CanonicalFields {
    public static func encode(_ fields: [String?]) -> [UInt8] {
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

