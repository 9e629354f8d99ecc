import Foundation
import NIOCore

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

    /// The lines that `chunk` completes (found with memchr: a body of
    /// pages inline is mostly long lines).
    mutating func push(_ chunk: UnsafeRawBufferPointer) -> [Line] {
        guard let base = chunk.baseAddress else { return [] }
        var lines: [Line] = []
        var start = 0
        while start < chunk.count, let found = memchr(base + start, 0x0A, chunk.count - start) {
            let newline = base.distance(to: UnsafeRawPointer(found))
            append(UnsafeRawBufferPointer(rebasing: chunk[start..<newline]))
            if let line = endLine() { lines.append(line) }
            start = newline + 1
        }
        append(UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return lines
    }

    /// The lines that `chunk` completes.
    mutating func push(_ chunk: ByteBuffer) -> [Line] {
        chunk.withUnsafeReadableBytes { push($0) }
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
