import Encoders
import Logging
import TriageModel
#if canImport(Glibc)
import Glibc
#endif

/// Log lines on standard error, one per event, in this format:
///
/// ```
/// 2026-12-07T16:31:11.042Z notice triage.fetch: fetch failed [bytes=0 detail="no address for example.invalid" failure=dns url=https://example.invalid/]
/// ```
///
/// UTC time with milliseconds, the level, the logger's label, the message,
/// then the metadata as `key=value`, sorted by key; a value that is empty
/// or holds a space, `"`, `=` or `]` is written as a JSON string. Never on standard
/// output, so `--format json|ndjson` stays clean; each line is one
/// `write(2)`, so lines from several threads never interleave.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        var line = Timestamp.now.iso8601Milliseconds + " " + event.level.rawValue + " " + label + ": " + Self.oneLine(event.message.description)
        if !all.isEmpty {
            line += " [" + all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.value($0.value.description))" }.joined(separator: " ") + "]"
        }
        line += "\n"
        line.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func value(_ text: String) -> String {
        let plain = !text.isEmpty && !text.utf8.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5D || $0 < 0x20 || $0 == 0x7F }
        return plain ? text : JSON.quoted(text)
    }

    /// Line breaks and other control characters as `\xNN`: a log line is
    /// one line, whatever a page or a referral put in a value.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return displayText(Array(text.utf8))
    }
}
