import PageFetch

/// A referral's page as fetched: the record of the fetch and the body
/// exactly as received.
///
/// Fetching and assessing are separate steps, so that a batch can keep
/// fetches in flight on threads of their own (mostly waiting on the network)
/// while its assessing threads keep the cores busy.
public struct Fetched: Sendable {
    public var record: FetchRecord
    public var body: [UInt8]
    /// What a compressed body may decode to (the fetcher's `maxDecodedBytes`).
    public var decodingLimit: Int

    public init(record: FetchRecord, body: [UInt8], decodingLimit: Int) {
        self.record = record
        self.body = body
        self.decodingLimit = decodingLimit
    }
}

extension Fetcher {
    /// Whether `referral` is fetched: it has a URL and came without content,
    /// or (with `refetch`) whatever it came with.
    public static func wants(_ referral: Referral, refetch: Bool) -> Bool {
        referral.url != nil && (refetch || referral.content == .none)
    }

    /// Fetches `referral`'s URL if it `wants` fetching; nil otherwise.
    public func fetch(_ referral: Referral, refetch: Bool) -> Fetched? {
        guard Self.wants(referral, refetch: refetch), let url = referral.url else { return nil }
        let (record, body) = fetch(url)
        return Fetched(record: record, body: body, decodingLimit: limits.maxDecodedBytes)
    }
}
