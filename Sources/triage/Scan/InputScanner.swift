import Artefacts
import AhoCorasick
import Encoders
import TriageRules
#if canImport(Glibc)
import Glibc
#endif

/// Scans one input after another and prints what it finds.
///
/// Files are mapped and searched in one pass; standard input is read in
/// chunks through a `StreamSearcher`, so a pipe of any size runs in bounded
/// memory.
struct InputScanner {
    let automaton: AhoCorasick
    let format: ScanCommand.Format
    let countOnly: Bool
    private(set) var totalMatches = 0
    private(set) var bytesScanned = 0

    init(automaton: AhoCorasick, format: ScanCommand.Format, countOnly: Bool) {
        self.automaton = automaton
        self.format = format
        self.countOnly = countOnly
    }

    static let chunkSize = 1 << 18

    mutating func scan(_ input: String, into output: inout OutputWriter) throws(FileError) {
        if input == "-" {
            try scanStandardInput(into: &output)
            return
        }
        let file = try MappedFile(path: input)
        let name = format == .ndjson ? JSON.quoted(input) : input
        let count = file.withUnsafeBytes { bytes in
            if countOnly { return automaton.countMatches(in: bytes) }
            var count = 0
            automaton.forEachMatch(in: bytes) { match in
                count += 1
                printMatch(match, input: name, text: bytes[match.start..<match.end], into: &output)
                return true
            }
            return count
        }
        finishInput(name: name, count: count, bytes: file.count, into: &output)
    }

    private mutating func scanStandardInput(into output: inout OutputWriter) throws(FileError) {
        let name = format == .ndjson ? JSON.quoted("-") : "-"
        var stream = StreamSearcher(automaton)
        // The last bytes seen, so a match that began in an earlier chunk can
        // still be printed. Leftmost matches settle at most one longest
        // pattern after they end, so twice that is always enough.
        let keep = 2 * automaton.longestPatternLength
        var recent: [UInt8] = []
        var recentStart = 0
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var count = 0
        func emit(_ match: Match, into output: inout OutputWriter) {
            count += 1
            guard !countOnly else { return }
            let text = recent[(match.start - recentStart)..<(match.end - recentStart)]
            printMatch(match, input: name, text: text, into: &output)
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: "-", operation: "read", errno: errno)
            }
            if n == 0 { break }
            recent.append(contentsOf: chunk[0..<n])
            chunk.withUnsafeBytes { bytes in
                stream.feed(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) { emit($0, into: &output) }
            }
            if recent.count > keep {
                let drop = recent.count - keep
                recent.removeFirst(drop)
                recentStart += drop
            }
        }
        stream.finish { emit($0, into: &output) }
        finishInput(name: name, count: count, bytes: stream.bytesFed, into: &output)
    }

    private func printMatch(_ match: Match, input: String, text: some Collection<UInt8>, into output: inout OutputWriter) {
        switch format {
        case .ndjson:
            output.write("{\"input\":\(input),\"pattern\":\(match.pattern.rawValue),\"start\":\(match.start),\"end\":\(match.end)}\n")
        case .text:
            output.write("\(input):\(match.start)-\(match.end):\(match.pattern.rawValue):\(displayText(text))\n")
        }
    }

    private mutating func finishInput(name: String, count: Int, bytes: Int, into output: inout OutputWriter) {
        totalMatches += count
        bytesScanned += bytes
        guard countOnly else { return }
        switch format {
        case .ndjson: output.write("{\"input\":\(name),\"count\":\(count)}\n")
        case .text: output.write("\(name):\(count)\n")
        }
    }
}
