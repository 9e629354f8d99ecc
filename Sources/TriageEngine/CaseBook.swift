import TriageModel
import Crypto
import Foundation
import TriageRules

/// Folds referrals into cases: the same canonical URL, or the same content
/// (SHA-256 of the normalised text), is the same case. In memory, for one
/// batch; the review queue keeps them across batches.
///
/// A case's id is derived from the first key it was seen under, so the same
/// input always gives the same ids. Near-duplicate detection (re-uploaded
/// text with small edits) would add a third key here.
public struct CaseBook: Sendable {
    private var byKey: [String: String] = [:]
    private var sizes: [String: Int] = [:]

    public init() {}

    /// Files a referral under its URL and content keys; returns its case and
    /// how many referrals that case now has.
    public mutating func file(canonicalURL: String?, contentFingerprint: String?) -> (id: String, size: Int)? {
        let keys = Self.keys(canonicalURL: canonicalURL, contentFingerprint: contentFingerprint)
        guard let first = keys.first else { return nil }
        var found: String?
        for key in keys {
            if let known = byKey[key] {
                found = known
                break
            }
        }
        let id = found ?? Self.caseID(for: first)
        for key in keys where byKey[key] == nil { byKey[key] = id }
        sizes[id, default: 0] += 1
        return (id, sizes[id]!)
    }

    /// Cases seen, and referrals filed.
    public var caseCount: Int { sizes.count }
    public var referralCount: Int { sizes.values.reduce(0, +) }

    /// The keys a referral is filed under, URL first: `url:<canonical URL>`,
    /// `content:<fingerprint>`.
    public static func keys(canonicalURL: String?, contentFingerprint: String?) -> [String] {
        [canonicalURL.map { "url:" + $0 }, contentFingerprint.map { "content:" + $0 }].compactMap { $0 }
    }

    /// A case's id, from the first key it was filed under: `case-` and the
    /// key's hash in 16 hex digits.
    public static func caseID(for key: String) -> String {
        caseID(hash: keyHash(key))
    }

    public static func caseID(hash: Int64) -> String {
        let hex = String(UInt64(bitPattern: hash), radix: 16)
        return "case-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A key's hash: the first 8 bytes of its SHA-256, big-endian, as a
    /// signed integer (how the queue indexes keys). It names the case the
    /// key opened.
    public static func keyHash(_ key: String) -> Int64 {
        let digest = SHA256.hash(data: Array(key.utf8))
        return Int64(bitPattern: digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// The hash a case id names (the inverse of `caseID(hash:)`); nil if
    /// `id` is not a case id.
    public static func keyHash(ofCaseID id: String) -> Int64? {
        let utf8 = id.utf8
        guard utf8.count == 21, id.hasPrefix("case-") else { return nil }
        var value: UInt64 = 0
        for byte in utf8.dropFirst(5) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return Int64(bitPattern: value)
    }
}
