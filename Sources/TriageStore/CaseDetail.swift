import TriageEngine

/// A case with everything an officer reviews: its referrals and their
/// assessments, the captured bytes, notes and its history.
public struct CaseDetail: Sendable {
    public struct Referral: Sendable {
        public var id: String
        public var receivedAt: Int64
        public var reporterNote: String?
        public var assessment: Assessment
    }

    public struct Capture: Sendable, Equatable {
        public var id: Int64
        public var referralID: String
        public var sha256: String
        public var size: Int
        public var contentType: String?
        public var capturedAt: Int64
        public var previousID: Int64?
        public var purgedAt: Int64?
        /// For a recheck: present, changed, removed or failed.
        public var recheck: String?
        /// Whether the stored bytes still hash to `sha256` (nil: no bytes
        /// held, as after a purge). False means evidence was altered.
        public var bytesMatch: Bool?
    }

    public struct Note: Sendable, Equatable {
        public var officer: String
        public var at: Int64
        public var text: String
    }

    public var queueCase: QueueCase
    public var referrals: [Referral]
    public var captures: [Capture]
    public var notes: [Note]
    public var history: [AuditEntry]
}
