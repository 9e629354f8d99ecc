import TriageModel
import Crypto
import Encoders
import Foundation

/// Captures as WARC/1.1 (ISO 28500), the web-archiving format archives and
/// courts already handle: a `warcinfo` record, then for each fetch a
/// `response` record (the HTTP status line and headers as recorded, then the
/// body exactly as received) and a `metadata` record holding our fetch
/// record (redirect hops, address, times, TLS result), linked by
/// `WARC-Concurrent-To`.
///
/// The response head is rebuilt from the recorded status and headers (the
/// reason phrase is not kept), and the body is stored de-chunked, as libcurl
/// delivered it: a `Transfer-Encoding` header is therefore left out, and the
/// metadata record says so.
public enum WARC {
    /// The `warcinfo` record that opens a file.
    public static func info(software: String, date: Date = Date()) -> [UInt8] {
        let block = Array("software: \(software)\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n".utf8)
        return record(type: "warcinfo", id: recordID(block + Array("\(date.timeIntervalSince1970)".utf8)), date: Timestamp(date).iso8601Milliseconds,
                      fields: [("Content-Type", "application/warc-fields")], block: block)
    }

    /// A `response` and a `metadata` record for one fetch; nil when the fetch
    /// got no response (nothing to archive).
    public static func records(for fetch: FetchRecord, body: [UInt8]) -> [UInt8]? {
        guard let status = fetch.status, let url = fetch.finalURL else { return nil }
        var head = "HTTP/1.1 \(status)\r\n"
        for header in fetch.headers where header.name.lowercased() != "transfer-encoding" {
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "\r\n"
        let block = Array(head.utf8) + body
        let responseID = recordID(Array(url.utf8) + Array(fetch.startedAt.utf8) + Array((fetch.sha256 ?? "").utf8))
        var fields: [(String, String)] = [("WARC-Target-URI", url), ("Content-Type", "application/http; msgtype=response"),
                                          ("WARC-Payload-Digest", "sha256:" + sha256Hex(body)),
                                          ("WARC-Block-Digest", "sha256:" + sha256Hex(block))]
        if let ip = fetch.primaryIP { fields.insert(("WARC-IP-Address", ip), at: 1) }
        if let truncation = fetch.truncation { fields.append(("WARC-Truncated", truncation)) }
        var out = record(type: "response", id: responseID, date: fetch.startedAt, fields: fields, block: block)

        var metadata = "fetch-record: " + fetch.json + "\r\n"
        metadata += "note: response head rebuilt from the recorded status and headers; body de-chunked as received\r\n"
        for hop in fetch.hops { metadata += "via: \(hop.status) \(hop.url) -> \(hop.location)\r\n" }
        let metadataBlock = Array(metadata.utf8)
        out += record(type: "metadata", id: recordID(Array(responseID.utf8) + metadataBlock), date: fetch.startedAt,
                      fields: [("WARC-Target-URI", url), ("WARC-Concurrent-To", responseID), ("Content-Type", "application/warc-fields")],
                      block: metadataBlock)
        return out
    }

    static func record(type: String, id: String, date: String, fields: [(String, String)], block: [UInt8]) -> [UInt8] {
        var head = "WARC/1.1\r\nWARC-Type: \(type)\r\nWARC-Record-ID: \(id)\r\nWARC-Date: \(date)\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(block.count)\r\n\r\n"
        return Array(head.utf8) + block + Array("\r\n\r\n".utf8)
    }

    /// A UUID URN derived from the content, so the same capture exports with
    /// the same record id.
    static func recordID(_ seed: [UInt8]) -> String {
        var bytes = Array(SHA256.hash(data: seed).prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x50  // version 5-style (name-based)
        bytes[8] = bytes[8] & 0x3F | 0x80
        let h = Hex.lowercase(bytes)
        let parts = [h.prefix(8), h.dropFirst(8).prefix(4), h.dropFirst(12).prefix(4), h.dropFirst(16).prefix(4), h.dropFirst(20)]
        return "<urn:uuid:" + parts.joined(separator: "-") + ">"
    }
}
