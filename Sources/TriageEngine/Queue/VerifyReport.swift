import TriageModel
/// What `verify` found: how much it checked, the chain's head (record it
/// elsewhere: entries cut off the end of the log are only detectable against
/// a head kept outside the file), and the first break, if any.
public struct VerifyReport: Sendable, Equatable {
    public var auditEntries = 0
    public var evidenceFiles = 0
    public var captures = 0
    /// Hex SHA-256 of the newest audit entry.
    public var head = ""
    /// The first entry whose hash does not follow from the one before it.
    public var auditBreak: String?
    /// The first evidence whose bytes do not hash to their name, or a capture whose evidence is missing.
    public var evidenceBreak: String?
    public var referrals = 0
    /// The first referral whose row or assessment differs from what its
    /// intake recorded, or that has no intake entry, or that is missing.
    public var referralBreak: String?

    public init() {}

    public var isIntact: Bool { auditBreak == nil && evidenceBreak == nil && referralBreak == nil }
}
