import Artefacts
import AhoCorasick

/// A patterns file: one pattern per line, pattern ID = 0-based line number.
///
/// The file is mapped and the patterns are slices of the mapping, so a
/// million-line file is never copied line by line; they are only reachable
/// inside `withPatterns(_:)`, while the mapping is guaranteed to live.
struct PatternList {
    private let file: MappedFile
    /// The patterns, in line order: slices of `file`'s mapping.
    private let patterns: [Slice<UnsafeRawBufferPointer>]
    /// 1-based numbers of the lines that are empty patterns.
    let emptyLines: [Int]

    init(contentsOfFile path: String) throws(FileError) {
        file = try MappedFile(path: path)
        let bytes = file.withUnsafeBytes { $0 }  // kept alive by `file`
        var patterns: [Slice<UnsafeRawBufferPointer>] = []
        var emptyLines: [Int] = []
        var lineStart = 0
        var i = 0
        while i <= bytes.count {
            // The final line needs no newline; a final newline ends the file.
            guard i == bytes.count ? lineStart < bytes.count : bytes[i] == UInt8(ascii: "\n") else {
                i += 1
                continue
            }
            var lineEnd = i
            if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd == lineStart { emptyLines.append(patterns.count + 1) }
            patterns.append(bytes[lineStart..<lineEnd])
            i += 1
            lineStart = i
        }
        self.patterns = patterns
        self.emptyLines = emptyLines
    }

    /// Number of patterns (lines).
    var count: Int { patterns.count }

    /// Calls `body` with the patterns, in line order.
    func withPatterns<R, E: Error>(_ body: ([Slice<UnsafeRawBufferPointer>]) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(file) {} }
        return try body(patterns)
    }
}
