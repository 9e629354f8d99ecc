/// A referral's page as fetched: the record of the fetch, the body exactly
/// as received (the evidence), and the bytes a reader's browser would read.
///
/// Fetching and assessing are separate steps, so that a batch can keep
/// fetches in flight on threads of their own (mostly waiting on the network)
/// while its assessing threads keep the cores busy.
public struct FetchedPage: Sendable {
    public var record: FetchRecord
    /// The body as received, at most the fetch's size limit.
    public var body: [UInt8]
    /// `body` decoded from its Content-Encoding (gzip, deflate, br) within
    /// the fetch's decoding limit; `body` itself when it had none.
    public var readable: [UInt8]
    /// What a person should know about the decoding (which encoding, cut at
    /// the limit, damaged, not decoded); nil when there was none.
    public var decodingNote: String?

    public init(record: FetchRecord, body: [UInt8], readable: [UInt8], decodingNote: String? = nil) {
        self.record = record
        self.body = body
        self.readable = readable
        self.decodingNote = decodingNote
    }
}

/// Where the engine gets the pages of referrals that came without content:
/// `PageFetch`'s `Fetcher` over libcurl, or a test's table of pages. The
/// engine knows only this protocol, so it links no network library.
///
/// A source is used by one thread at a time (a fetcher owns a libcurl
/// handle); a pool makes one per fetch thread.
public protocol PageSource {
    /// Fetches `url`. Failures are in the record (`FetchRecord.failure`),
    /// never thrown: a failed fetch is evidence too.
    func page(_ url: String) -> FetchedPage
}

extension Referral {
    /// Whether the referral's URL is fetched: it has one and came without
    /// content, or (with `refetch`) whatever it came with.
    public func wantsFetching(refetch: Bool) -> Bool {
        url != nil && (refetch || content == .none)
    }
}

extension PageSource {
    /// The page of `referral`'s URL if it `wantsFetching`; nil otherwise.
    public func page(for referral: Referral, refetch: Bool) -> FetchedPage? {
        guard referral.wantsFetching(refetch: refetch), let url = referral.url else { return nil }
        return page(url)
    }
}
