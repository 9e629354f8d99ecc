import Artefacts
import AhoCorasick
import ArgumentParser
import Encoders
import PageText
import TextNormalizer
import TriageRules
#if canImport(Glibc)
import Glibc
#endif

/// `triage extract`: what the scanner sees of a page.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Show the text the scanner sees in a page: each part, where it came from, hidden parts marked.",
        discussion: """
            Views: raw (the page's text as decoded), normalized (what `noleet` and `exact nocase` \
            patterns match: case folded, invisible characters dropped, look-alike letters and \
            typographic punctuation folded, white space collapsed), leet (what patterns match by \
            default: the normalised text with digits and symbols read as letters, 1 | l i all as \
            i, and spaced-out letters joined) and cased (what `exact` patterns match: the \
            normalised text with letters in the case they are written).

            OUTPUT (text): a header line (kind, charset and how it was chosen), any notes, then one \
            line per part: [ORIGIN] TEXT, or [ORIGIN hidden] TEXT for text hidden from readers. \
            Control characters are shown as \\xNN.

            OUTPUT (json): {"input","kind","charset","charset_source","notes":[...],"segments": \
            [{"origin","hidden","text","source":[START,END]}]} where source is the byte range in the \
            page.

            EXIT STATUS: 0 extracted (binary content is reported, not an error), 2 the input could \
            not be read, 64 for an invalid command line.
            """
    )

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    enum View: String, ExpressibleByArgument, CaseIterable {
        case raw, normalized, leet, cased
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp("A page file, or - for standard input.", valueName: "FILE"))
    var input: String

    @Option(name: .long, help: "Which view of the text to show.")
    var view: View = .raw

    @Option(name: .long, help: ArgumentHelp("The page's Content-Type, as a server sent it (e.g. \"text/html; charset=utf-8\").", valueName: "TYPE"))
    var contentType: String?

    @Option(name: .long, help: "Output format.")
    var format: Format = .text

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try readAll(input) } catch {
            printError("triage: \(error)")
            throw ExitCode(2)
        }
        let page = PageExtractor().extract(bytes, contentType: contentType)
        let normalizer = TextNormalizer()
        var capped = false
        let views = page.segments.map { segment -> [UInt8] in
            let raw = Array(page.text[segment.range])
            switch view {
            case .raw:
                return raw
            case .cased:
                let cased = normalizer.casedView(of: raw)
                capped = capped || cased.expansionCapped
                return cased.bytes
            case .normalized, .leet:
                let views = normalizer.views(of: raw, leet: view == .leet)
                capped = capped || views.normalized.expansionCapped
                return view == .leet ? views.leet.bytes : views.normalized.bytes
            }
        }
        let notes = page.notes + (capped ? ["normalisation reached its expansion cap; the rest of a part is shown unnormalised"] : [])
        var output = OutputWriter()
        switch format {
        case .text:
            let charset = page.charset.map { ", \($0.name) (\($0.source.rawValue))" } ?? ""
            output.write("\(displayText(Array(input.utf8))): \(page.kind)\(charset), \(page.segments.count) parts\n")
            for note in notes { output.write("note: \(note)\n") }
            for (segment, shown) in zip(page.segments, views) {
                output.write("[\(segment.origin.rawValue)\(segment.hidden ? " hidden" : "")] \(displayText(shown))\n")
            }
        case .json:
            let segments = zip(page.segments, views).map { segment, shown in
                let source = page.map.source(of: segment.range)
                return "{\"origin\":\(JSON.quoted(segment.origin.rawValue)),\"hidden\":\(segment.hidden),"
                    + "\"text\":\(JSON.quoted(String(decoding: shown, as: UTF8.self))),"
                    + "\"source\":[\(source.lowerBound),\(source.upperBound)]}"
            }
            let kind: String
            switch page.kind {
            case .html: kind = "\"html\""
            case .text: kind = "\"text\""
            case let .binary(type): kind = JSON.quoted("binary:" + type)
            }
            output.write("{\"input\":\(JSON.quoted(input)),\"kind\":\(kind),")
            output.write("\"charset\":\(page.charset.map { JSON.quoted($0.name) } ?? "null"),")
            output.write("\"charset_source\":\(page.charset.map { JSON.quoted($0.source.rawValue) } ?? "null"),")
            output.write("\"notes\":[\(notes.map(JSON.quoted).joined(separator: ","))],")
            output.write("\"segments\":[\(segments.joined(separator: ","))]}\n")
        }
        output.flush()
    }

    /// A whole file, or standard input for `-`.
    private func readAll(_ path: String) throws -> [UInt8] {
        if path != "-" {
            let file = try MappedFile(path: path)
            return file.withUnsafeBytes { Array($0) }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: "-", operation: "read", errno: errno)
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }
}
