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

    public init(assessment: Assessment, referral: Referral, content: [UInt8]? = nil, contentType: String? = nil, refetched: [UInt8]? = nil) {
        self.assessment = assessment
        self.referral = referral
        self.content = content
        self.contentType = contentType
        self.refetched = refetched
    }
}
