import TriageModel
import Foundation

/// Reads referrals from NDJSON (one JSON object per line) or CSV (a header
/// row naming the fields, RFC 4180 quoting), one record at a time: memory
/// does not grow with the input. Every record comes back either as a
/// referral or as a rejection naming the line and the reason; a bad record
/// never stops the rest.
///
/// Fields (both formats): `id` (required), `url`, one of `html` / `text` /
/// `path` (content; optional when a URL is given), `content_type`, `source`
/// (`public`, `trusted-flagger`, `platform`, `internal`; default `public`),
/// `reported_at`, `reporter_note`, `platform`. Other fields are ignored.
public final class ReferralReader: Sequence, IteratorProtocol {
    public enum Format: String, Sendable, CaseIterable {
        case ndjson, csv

        /// From a file name: `.csv` is CSV, anything else NDJSON.
        public init(path: String) {
            self = path.lowercased().hasSuffix(".csv") ? .csv : .ndjson
        }
    }

    /// One record read: a referral, or why it was rejected.
    public enum Record: Sendable {
        case referral(Referral, line: Int)
        case rejected(ReferralError)
    }

    /// Content larger than this (inline or on disk) is rejected.
    public var maxContentBytes: Int {
        get { parser.maxContentBytes }
        set { parser.maxContentBytes = newValue }
    }
    /// Records longer than this are rejected unread (a runaway line).
    public var maxRecordBytes = 48 << 20

    private let name: String
    private let format: Format
    /// The fields of each record checked and made a referral (shared with
    /// a server's intake, which reads one record a request).
    private var parser: ReferralParser
    private var records: RecordSplitter
    private var header: [String]?
    private var headerLine = 0
    /// A column the header names twice: every row is refused.
    private var repeatedColumn: String?

    /// Reads `path` (`-`: standard input). Paths in the records are resolved
    /// against `path`'s folder.
    public init(path: String, format: Format? = nil) throws {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw ReferralError(input: path, line: 0, id: nil, reason: "cannot be opened")
            }
            handle = opened
        }
        name = path == "-" ? "<stdin>" : path
        self.format = format ?? (path == "-" ? .ndjson : Format(path: path))
        parser = ReferralParser(input: name, paths: .under(path == "-" ? "." : (path as NSString).deletingLastPathComponent))
        records = RecordSplitter(handle: handle, quoted: self.format == .csv)
    }

    /// Bytes of the input read so far (for progress).
    public var bytesRead: Int { records.bytesRead }

    public func next() -> Record? {
        while let (bytes, line, truncated) = records.next(limit: maxRecordBytes) {
            if truncated {
                return .rejected(ReferralError(input: name, line: line, id: nil, reason: "record longer than \(maxRecordBytes) bytes"))
            }
            // Blank lines (and a CSV file's trailing newline) are not records.
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            switch format {
            case .ndjson:
                return parser.record(json: bytes, line: line)
            case .csv:
                let cells = CSV.cells(bytes)
                guard let header else {
                    let columns = cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    self.header = columns
                    headerLine = line
                    if !columns.contains("id") {
                        return .rejected(ReferralError(input: name, line: line, id: nil, reason: "the CSV header has no `id` column"))
                    }
                    var seen: Set<String> = []
                    repeatedColumn = columns.first { !$0.isEmpty && !seen.insert($0).inserted }
                    if let repeatedColumn {
                        return .rejected(ReferralError(input: name, line: line, id: nil,
                                                       reason: "the CSV header names `\(repeatedColumn)` twice: no row is read"))
                    }
                    continue
                }
                if let repeatedColumn {
                    return .rejected(ReferralError(input: name, line: line, id: nil,
                                                   reason: "the CSV header (line \(headerLine)) names `\(repeatedColumn)` twice"))
                }
                guard cells.count == header.count else {
                    return .rejected(ReferralError(input: name, line: line, id: nil,
                                                   reason: "\(cells.count) fields where the header has \(header.count)"))
                }
                var fields: [String: String] = [:]
                for (key, value) in zip(header, cells) where !value.isEmpty { fields[key] = value }
                return parser.record(fields: fields, line: line)
            }
        }
        return nil
    }
}

/// A record that could not be accepted: where, and why.
public struct ReferralError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    /// The line the record starts on (1-based; 0: the input as a whole).
    public let line: Int
    public let id: String?
    public let reason: String

    public var description: String {
        "\(input)\(line > 0 ? ":\(line)" : ""): \(id.map { "referral \($0): " } ?? "")\(reason)"
    }
}

/// Splits a stream into records, one per line; with `quoted`, line breaks
/// inside double quotes (CSV) do not end a record. Reads 64 KiB at a time.
struct RecordSplitter {
    private let handle: FileHandle
    private let quoted: Bool
    private var buffer: [UInt8] = []
    private var position = 0
    private var line = 1
    private var atEnd = false
    private(set) var bytesRead = 0

    init(handle: FileHandle, quoted: Bool) {
        self.handle = handle
        self.quoted = quoted
    }

    /// The next record, the line it starts on, and whether it was cut at `limit`.
    mutating func next(limit: Int) -> ([UInt8], Int, Bool)? {
        var record: [UInt8] = []
        var inQuotes = false
        var truncated = false
        let start = line
        while true {
            if position == buffer.count {
                if atEnd { break }
                let chunk = handle.readData(ofLength: 1 << 16)
                if chunk.isEmpty {
                    atEnd = true
                    break
                }
                buffer = Array(chunk)
                bytesRead += buffer.count
                position = 0
            }
            if !quoted && !truncated {
                // NDJSON: the rest of the line in one copy.
                let end = buffer[position...].firstIndex(of: 0x0A) ?? buffer.count
                let take = min(end - position, limit - record.count)
                record.append(contentsOf: buffer[position..<(position + take)])
                truncated = take < end - position
                position = end
                if end == buffer.count { continue }
            }
            let b = buffer[position]
            position += 1
            if b == 0x0A {
                line += 1
                if !inQuotes { return (record, start, truncated) }
            }
            if quoted && b == 0x22 { inQuotes.toggle() }
            if record.count < limit { record.append(b) } else { truncated = true }
        }
        return record.isEmpty && !truncated ? nil : (record, start, truncated)
    }
}

/// RFC 4180 fields of one CSV record.
enum CSV {
    static func cells(_ record: [UInt8]) -> [String] {
        var cells: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var i = 0
        var bytes = record
        if bytes.last == 0x0D { bytes.removeLast() }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        cell.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    cell.append(b)
                }
            } else if b == 0x22 {
                inQuotes = true
            } else if b == 0x2C {
                cells.append(String(decoding: cell, as: UTF8.self))
                cell.removeAll(keepingCapacity: true)
            } else {
                cell.append(b)
            }
            i += 1
        }
        cells.append(String(decoding: cell, as: UTF8.self))
        return cells
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without Foundation's cost (1%
    /// of a batch) in the common case: nearly every id and URL starts and
    /// ends with a printable ASCII character, and is then returned as it is.
    var trimmingWhitespace: String {
        func plain(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x7F } ?? false }
        if plain(utf8.first) && plain(utf8.last) { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
