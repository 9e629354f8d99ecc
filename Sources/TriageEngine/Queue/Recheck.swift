import TriageModel

/// What a recheck found at a decided case's URL.
public enum RecheckOutcome: String, Sendable, CaseIterable {
    /// The same bytes as the case's last capture.
    case present
    /// Something is there, but not the bytes last captured.
    case changed
    /// Gone: 404 or 410, or the host no longer resolves.
    case removed
    /// The fetch failed otherwise (timeout, refused, blocked…): no verdict.
    case failed

    /// The verdict on a fetch, against the hash of the last capture.
    public static func judge(_ record: FetchRecord, lastSHA256: String?) -> RecheckOutcome {
        if record.status == 404 || record.status == 410 || record.failure == .dns { return .removed }
        guard record.failure == nil, let status = record.status, (200..<300).contains(status) else { return .failed }
        return record.sha256 == lastSHA256 ? .present : .changed
    }
}

/// A decided case to recheck: its URL and the hash of its last capture.
public struct RecheckCandidate: Sendable, Equatable {
    public var caseID: String
    public var url: String
    public var lastSHA256: String?

    public init(caseID: String, url: String, lastSHA256: String? = nil) {
        self.caseID = caseID
        self.url = url
        self.lastSHA256 = lastSHA256
    }
}
