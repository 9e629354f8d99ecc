import TriageModel

/// A case with everything an officer reviews: its referrals and their
/// assessments, the captured bytes, notes and its history.
public struct CaseDetail: Sendable {
    public struct Referral: Sendable {
        public var id: String
        public var receivedAt: Int64
        public var reporterNote: String?
        public var assessment: Assessment

        public init(id: String, receivedAt: Int64, reporterNote: String? = nil, assessment: Assessment) {
            self.id = id
            self.receivedAt = receivedAt
            self.reporterNote = reporterNote
            self.assessment = assessment
        }
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

        public init(id: Int64, referralID: String, sha256: String, size: Int, contentType: String? = nil, capturedAt: Int64, previousID: Int64? = nil, purgedAt: Int64? = nil, recheck: String? = nil, bytesMatch: Bool? = nil) {
            self.id = id
            self.referralID = referralID
            self.sha256 = sha256
            self.size = size
            self.contentType = contentType
            self.capturedAt = capturedAt
            self.previousID = previousID
            self.purgedAt = purgedAt
            self.recheck = recheck
            self.bytesMatch = bytesMatch
        }
    }

    public struct Note: Sendable, Equatable {
        public var officer: String
        public var at: Int64
        public var text: String

        public init(officer: String, at: Int64, text: String) {
            self.officer = officer
            self.at = at
            self.text = text
        }
    }

    public var queueCase: QueueCase
    public var referrals: [Referral]
    public var captures: [Capture]
    public var notes: [Note]
    public var history: [AuditEntry]

    public init(queueCase: QueueCase, referrals: [Referral], captures: [Capture], notes: [Note], history: [AuditEntry]) {
        self.queueCase = queueCase
        self.referrals = referrals
        self.captures = captures
        self.notes = notes
        self.history = history
    }
}
