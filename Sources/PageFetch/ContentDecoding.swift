import TriageModel
import Codecs

/// A fetched body as a reader's browser would see it: decoded from its
/// Content-Encoding (gzip, deflate, br), never past a cap. The fetcher keeps the
/// bytes as received (the evidence); this gives the bytes to assess.
public enum ContentDecoding {
    public struct Decoded: Sendable, Equatable {
        public var bytes: [UInt8]
        /// What a person should know: which encoding, cut at the cap, damaged,
        /// or not decoded. Nil when the body had no encoding.
        public var note: String?
    }

    public static func decode(_ body: [UInt8], record: FetchRecord, limit: Int) -> Decoded {
        let encodings = (record.header("content-encoding") ?? "")
            .lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "identity" }
        guard !encodings.isEmpty else { return Decoded(bytes: body, note: nil) }
        var bytes = body
        // Encodings are listed in the order applied: undo them last first.
        for encoding in encodings.reversed() {
            let output: Decompressed
            switch encoding {
            case "gzip", "x-gzip":
                output = Inflater.inflate(bytes, format: .gzipOrZlib, limit: limit)
            case "deflate":
                // Meant to be zlib; some servers send raw deflate.
                let zlib = bytes.count >= 2 && (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 && bytes[0] & 0x0F == 8
                output = Inflater.inflate(bytes, format: zlib ? .gzipOrZlib : .raw, limit: limit)
            case "br":
                output = BrotliDecoder.decode(bytes, limit: limit)
            default:
                return Decoded(bytes: body, note: "content-encoding \(encodings.joined(separator: ", ")) is not decoded: assessed as received")
            }
            if output.truncated {
                return Decoded(bytes: output.bytes, note: "content-encoding \(encoding): decoding stopped at the limit of \(limit) bytes "
                                   + "(from \(body.count) bytes received); byte offsets are into the decoded page")
            }
            if output.damaged {
                return Decoded(bytes: output.bytes, note: "content-encoding \(encoding): the body is damaged; the \(output.bytes.count) bytes "
                                   + "that decoded were assessed; byte offsets are into the decoded page")
            }
            bytes = output.bytes
        }
        return Decoded(bytes: bytes, note: "content-encoding \(encodings.joined(separator: ", ")): \(body.count) bytes decoded to \(bytes.count); "
                           + "byte offsets are into the decoded page")
    }
}
