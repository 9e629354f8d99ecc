import Encoders

/// One finished piece of work: the referral, the assessment of it, the bytes
/// that were assessed as they were received (submitted, read from a file or
/// fetched), and the assessment serialised once.
///
/// This is what the engine hands to every sink (`AssessmentSink`): an
/// output writes `json()`, a review queue stores
/// `serialized` (the same bytes, without the case, which only the queue
/// knows) and keeps `content` as evidence.
public struct AssessedReferral: Sendable {
    public var assessment: Assessment
    public var referral: Referral
    /// The page as received; nil when there was nothing to read.
    public var content: [UInt8]?
    public var contentType: String?
    /// With `refetch`: the live page fetched beside submitted content (a
    /// second capture, with the assessment's fetch record).
    public var refetched: [UInt8]?
    /// The assessment's JSON with its case members left out (`serialize()`);
    /// empty until then.
    public private(set) var serialized: [UInt8] = []
    /// Where the case members go in `serialized`: after the members before
    /// them, each of which ends there without a comma (the members after
    /// begin with theirs).
    private var caseAt = 0
    /// Where the fetch record's JSON stands in `serialized` (a queue stores
    /// it apart as well: the same bytes, not written again).
    private var fetchAt: Range<Int>?
    /// What a store made of this assessment ahead of filing, on an
    /// assessing thread (`ReviewQueue.prepare`: for SQLite, `serialized`
    /// compressed); nil until then.
    public var stored: [UInt8]?
    /// Hex SHA-256 of `content`, when a store asked for it (`prepare`).
    public var contentSHA256: String?
    /// The hashes of the keys the referral is filed under, in order (the
    /// engine's `CaseBook.keys` and `keyHash`), when a store asked for them.
    public var caseKeyHashes: [Int64] = []

    public init(assessment: Assessment, referral: Referral, content: [UInt8]? = nil, contentType: String? = nil, refetched: [UInt8]? = nil) {
        self.assessment = assessment
        self.referral = referral
        self.content = content
        self.contentType = contentType
        self.refetched = refetched
    }

    /// Whether `serialize()` has run (the case may be set afterwards: it is
    /// not part of `serialized`).
    public var isSerialized: Bool { !serialized.isEmpty }

    /// Serialises the assessment, once, on the calling thread (an assessing
    /// thread: the one thread that files cases and writes output only copies
    /// bytes around the case's two members).
    public mutating func serialize() {
        let parts = assessment.jsonWithoutCase()
        (serialized, caseAt, fetchAt) = (parts.bytes, parts.caseAt, parts.fetch)
    }

    /// The assessment's JSON with its case (`assessment.caseID`,
    /// `caseSize`, set by filing after `serialize()`): byte for byte
    /// `assessment.jsonBytes()`, made by copying `serialized` around the
    /// case's two members. Serialises whole if `serialize()` has not run.
    public func json() -> [UInt8] {
        let (caseID, caseSize) = (assessment.caseID, assessment.caseSize)
        guard isSerialized else { return assessment.jsonBytes() }
        var members = JSONWriter(reservingCapacity: 64)
        members.beginObject()
        Assessment.writeCase(caseID, size: caseSize, to: &members)
        // `{"case":…,"case_size":N`: the brace gives way to a comma.
        let middle = members.finish().dropFirst()
        var out: [UInt8] = []
        out.reserveCapacity(serialized.count + middle.count + 1)
        out += serialized[..<caseAt]
        out.append(UInt8(ascii: ","))
        out += middle
        out += serialized[caseAt...]
        return out
    }

    /// The fetch record's JSON, as it stands inside `serialized` (nil when
    /// nothing was fetched); written afresh if not serialised yet.
    public var fetchJSON: String? {
        guard let fetch = assessment.fetch else { return nil }
        guard isSerialized, let fetchAt else { return fetch.json }
        return String(decoding: serialized[fetchAt], as: UTF8.self)
    }
}
