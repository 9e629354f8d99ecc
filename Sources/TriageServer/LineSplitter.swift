import Foundation

/// Splits a streamed body into lines as its chunks arrive, holding at most
/// one line (up to `maxLine` bytes) between chunks: a longer line is
/// reported as too long and skipped to its end, never buffered. Blank
/// lines are counted and dropped; a final `\r` is dropped (CRLF input).
struct LineSplitter {
    enum Line {
        case text(number: Int, bytes: [UInt8])
        case tooLong(number: Int)

        var number: Int {
            switch self {
            case let .text(number, _), let .tooLong(number): number
            }
        }
    }

    let maxLine: Int
    private var partial: [UInt8] = []
    private var skipping = false
    private var lineNumber = 0

    init(maxLine: Int) {
        self.maxLine = maxLine
    }

    /// The lines that `chunk` completes.
    mutating func push(_ chunk: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        var start = chunk.startIndex
        let searched: Void? = chunk.withContiguousStorageIfAvailable { bytes in
            // memchr: a body of pages inline is mostly long lines.
            var start = 0
            while start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) {
                let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
                append(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                if let line = endLine() { lines.append(line) }
                start = newline + 1
            }
            append(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        guard searched == nil else { return lines }
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            append(chunk[start..<newline])
            if let line = endLine() { lines.append(line) }
            start = chunk.index(after: newline)
        }
        append(chunk[start...])
        return lines
    }

    /// The last line, if the body did not end with a newline.
    mutating func finish() -> [Line] {
        guard !partial.isEmpty || skipping else { return [] }
        return endLine().map { [$0] } ?? []
    }

    private mutating func append(_ bytes: some Collection<UInt8>) {
        guard !skipping else { return }
        if partial.count + bytes.count > maxLine {
            skipping = true
            partial = []
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func endLine() -> Line? {
        lineNumber += 1
        defer {
            partial.removeAll(keepingCapacity: partial.capacity <= 1 << 16)
            skipping = false
        }
        if skipping { return .tooLong(number: lineNumber) }
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        if partial.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        return .text(number: lineNumber, bytes: partial)
    }
}
