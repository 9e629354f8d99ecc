import Foundation
import TriageModel

/// One referral record's fields checked and made a `Referral`, or rejected
/// with the input, line, id and reason: what `ReferralReader` does for each
/// line of a file, and what a server's intake does for each request, so
/// both accept and refuse the same records in the same words.
///
/// Ids are checked for repeats within one parser (a file, an upload): kept
/// as 64-bit hashes with their lines, 100,000 ids cost about 3 MB rather
/// than their strings' 10 (a false duplicate needs a 64-bit collision,
/// about one in 10^9 for a million ids).
public struct ReferralParser: Sendable {
    /// Whether a record may name its content by `path`.
    public enum Paths: Sendable, Equatable {
        /// Yes, resolved against this folder (a file of referrals beside its pages).
        case under(String)
        /// No: content comes inline (anything from the network: a path
        /// there would read the server's own files).
        case refused
    }

    /// What rejections name as the input (a file, `request <id>`).
    public let input: String
    public let paths: Paths
    /// Content larger than this (inline or on disk) is rejected.
    public var maxContentBytes = 32 << 20
    /// Whether a JSON record with a member this format does not know is
    /// rejected (an API, where a misspelt field must not pass unnoticed) or
    /// its member ignored (files, which often carry columns of their own).
    public var refusesUnknownFields = false
    private var seen: [UInt64: Int32] = [:]

    public init(input: String, paths: Paths) {
        self.input = input
        self.paths = paths
    }

    private func parseJSON(_ bytes: [UInt8], line: Int) -> Result<[String: String], ReferralError> {
        switch FlatJSON.parse(bytes) {
        case .failure(.invalid):
            return .failure(ReferralError(input: input, line: line, id: nil, reason: "not valid JSON"))
        case .failure(.notAnObject):
            return .failure(ReferralError(input: input, line: line, id: nil, reason: "not a JSON object"))
        case let .success(object):
            if let key = object.repeatedKey {
                // A record with `text` twice was read with the last one,
                // which may not be what a reader of the line sees first.
                return .failure(ReferralError(input: input, line: line, id: object.strings["id"],
                                              reason: "the key `\(key)` stands twice in one record"))
            }
            if refusesUnknownFields, let key = (object.others + object.strings.keys.sorted()).first(where: { !Self.fieldNames.contains($0) }) {
                return .failure(ReferralError(input: input, line: line, id: object.strings["id"], reason: "unknown field `\(key)`"))
            }
            if let key = object.others.first(where: Self.fieldNames.contains) {
                return .failure(ReferralError(input: input, line: line, id: object.strings["id"], reason: "`\(key)` must be a string"))
            }
            return .success(object.strings)
        }
    }

    static let fieldNames: Set<String> = ["id", "url", "html", "text", "path", "content_type", "source", "reported_at",
                                          "reporter_note", "platform"]

    /// The referral in one JSON object (a line of NDJSON, a request body).
    public mutating func record(json bytes: [UInt8], line: Int) -> ReferralReader.Record {
        record(parsed: parseJSON(bytes, line: line), line: line)
    }

    /// The referral in `fields` (a CSV row by its header's names).
    public mutating func record(fields: [String: String], line: Int) -> ReferralReader.Record {
        record(parsed: .success(fields), line: line)
    }

    private mutating func record(parsed: Result<[String: String], ReferralError>, line: Int) -> ReferralReader.Record {
        let fields: [String: String]
        switch parsed {
        case let .failure(error): return .rejected(error)
        case let .success(value): fields = value
        }
        func reject(_ reason: String) -> ReferralReader.Record {
            .rejected(ReferralError(input: input, line: line, id: fields["id"], reason: reason))
        }
        guard let id = fields["id"]?.trimmingWhitespace, !id.isEmpty else { return reject("no `id`") }
        var hasher = Hasher()
        hasher.combine(id)
        let key = UInt64(bitPattern: Int64(hasher.finalize()))
        if let first = seen[key] { return reject("duplicate id, first on line \(first)") }
        let source: Referral.Source
        if let given = fields["source"] {
            guard let known = Referral.Source(rawValue: given) else {
                return reject("unknown source `\(given)` (public, trusted-flagger, platform, internal)")
            }
            source = known
        } else {
            source = .public
        }
        let given = ["html", "text", "path"].filter { fields[$0] != nil }
        guard given.count <= 1 else { return reject("more than one of html, text and path") }
        let content: Referral.Content
        switch given.first {
        case "html"?, "text"?:
            let bytes = Array(fields[given[0]]!.utf8)
            guard bytes.count <= maxContentBytes else { return reject("content is \(bytes.count) bytes, over the limit of \(maxContentBytes)") }
            content = given[0] == "html" ? .html(bytes) : .text(bytes)
        case "path"?:
            guard case let .under(folder) = paths else { return reject("`path` is not accepted here: send the content as `html` or `text`") }
            let path = fields["path"]!
            let resolved = path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
            // One stat: a regular file we may read, and its size.
            var info = stat()
            guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(resolved, R_OK) == 0 else {
                return reject("path `\(path)` cannot be read")
            }
            let size = Int(info.st_size)
            guard size <= maxContentBytes else { return reject("`\(path)` is \(size) bytes, over the limit of \(maxContentBytes)") }
            content = .file(resolved)
        default:
            guard fields["url"] != nil else { return reject("no content (html, text or path) and no url") }
            content = .none
        }
        seen[key] = Int32(clamping: line)
        return .referral(Referral(id: id, url: fields["url"], content: content, contentType: fields["content_type"], source: source,
                                  reportedAt: fields["reported_at"], reporterNote: fields["reporter_note"], platform: fields["platform"]),
                         line: line)
    }
}
