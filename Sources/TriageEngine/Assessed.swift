/// An assessment, the referral it is of, and the bytes that were assessed
/// as they were received (submitted, read from a file or fetched), read
/// once: what the pipeline hands on, and what a `ReviewQueue` files (the
/// bytes kept as evidence).
public struct Assessed: Sendable {
    public var assessment: Assessment
    public var referral: Referral
    /// The page as received; nil when there was nothing to read.
    public var content: [UInt8]?
    public var contentType: String?
    /// With `refetch`: the live page fetched beside submitted content (a
    /// second capture, with the assessment's fetch record).
    public var refetched: [UInt8]?
    /// What the queue stores of this assessment, made ahead of filing by
    /// `ReviewQueue.prepare` (on an assessing thread, so the queue's single
    /// writer neither serialises nor compresses); nil until then.
    public var prepared: PreparedFiling?
    /// The assessment's JSON made ahead of its case, on an assessing thread,
    /// for output written by the one thread that files cases; nil until then.
    public var json: JSONAwaitingCase?

    public init(assessment: Assessment, referral: Referral, content: [UInt8]? = nil, contentType: String? = nil, refetched: [UInt8]? = nil) {
        self.assessment = assessment
        self.referral = referral
        self.content = content
        self.contentType = contentType
        self.refetched = refetched
    }
}

/// An assessment made ready for a review queue before its case is known.
public struct PreparedFiling: Sendable {
    /// The assessment as the queue stores it, without its case (the SQLite
    /// queue: zlib-compressed JSON).
    public var assessment: [UInt8]
    /// Hex SHA-256 of the bytes kept as evidence (`Assessed.content`), if any.
    public var contentSHA256: String?
    /// The hashes of the keys the referral is filed under, in order
    /// (`CaseBook.keys`, `CaseBook.keyHash`).
    public var keyHashes: [Int64]

    public init(assessment: [UInt8], contentSHA256: String?, keyHashes: [Int64]) {
        self.assessment = assessment
        self.contentSHA256 = contentSHA256
        self.keyHashes = keyHashes
    }
}
