import Foundation

/// A report of content someone thinks may be unlawful: what arrives, usually
/// from a member of the public, before the engine has looked at it.
public struct Referral: Sendable, Equatable {
    /// Who sent it, which weighs how much a report counts (see `ScoringPolicy`).
    public enum Source: String, Sendable, CaseIterable, Codable {
        case `public`, trustedFlagger = "trusted-flagger", platform, `internal`
    }

    /// What was reported: page bytes pasted or saved with the referral, or
    /// nothing (the URL is to be fetched).
    public enum Content: Sendable, Equatable {
        /// HTML, as the reporter saw it.
        case html([UInt8])
        /// Plain text.
        case text([UInt8])
        /// Bytes of unknown kind (a saved page, a capture): the content type,
        /// if any, says what they are, else they are classified by content.
        case bytes([UInt8])
        /// A file on disk (read when the referral is assessed; resolved
        /// against the input's folder).
        case file(String)
        case none
    }

    /// The reporter's id for it, unique within a batch.
    public let id: String
    public let url: String?
    public let content: Content
    /// The content's `Content-Type`, when known (charset included).
    public let contentType: String?
    public let source: Source
    /// When it was reported, as given (ISO 8601 expected, kept verbatim).
    public let reportedAt: String?
    public let reporterNote: String?
    /// The platform hosting the content, when the reporter named one.
    public let platform: String?

    public init(id: String, url: String? = nil, content: Content, contentType: String? = nil, source: Source = .public,
                reportedAt: String? = nil, reporterNote: String? = nil, platform: String? = nil) {
        self.id = id
        self.url = url
        self.content = content
        self.contentType = contentType
        self.source = source
        self.reportedAt = reportedAt
        self.reporterNote = reporterNote
        self.platform = platform
    }
}

extension Referral {
    /// The bytes to assess (and to keep as evidence) and their content type:
    /// inline content as given, a file's bytes as read now. Nil when there is
    /// no content (`.none`) or the file cannot be read.
    public func readContent() -> (bytes: [UInt8], contentType: String?)? {
        switch content {
        case let .html(bytes): return (bytes, contentType ?? "text/html")
        case let .text(bytes): return (bytes, contentType ?? "text/plain")
        case let .bytes(bytes): return (bytes, contentType)
        case let .file(path): return Self.readFile(path).map { ($0, contentType) }
        case .none: return nil
        }
    }

    /// The bytes of the file at `path`, read straight into the array a
    /// batch assesses (`FileManager` reads into `Data`, which then had to be
    /// copied: 2% of a batch). As many bytes as its size said when it was
    /// opened, so a file that grows meanwhile (or never ends) costs no more
    /// than the size the reader checked. Nil if it cannot be opened or read.
    public static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0))
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }  // shorter than it was: what is there
            count += got
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
