import TriageModel

extension Fetcher: PageSource {
    /// Fetches `url` and decodes the body for reading (`ContentDecoding`).
    public func page(_ url: String) -> FetchedPage {
        let (record, body) = fetch(url)
        let readable = ContentDecoding.decode(body, record: record, limit: limits.maxDecodedBytes)
        return FetchedPage(record: record, body: body, readable: readable.bytes, decodingNote: readable.note)
    }
}
