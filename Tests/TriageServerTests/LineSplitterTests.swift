import NIOCore
import Testing
@testable import TriageServer

/// A streamed body is split into the same lines however its chunks fall:
/// line numbers count blank lines, CRLF loses its CR, a line over the limit
/// is reported by number and skipped, and a last line without a newline is
/// kept.
@Suite("Line splitting of streamed bodies")
struct LineSplitterTests {
    static let body = Array("{\"a\":1}\r\n\n  \n{\"b\":\"two\"}\n\(String(repeating: "x", count: 40))\n{\"c\":3}\n\n{\"d\":4}".utf8)

    static func describe(_ lines: [LineSplitter.Line]) -> [String] {
        lines.map {
            switch $0 {
            case let .text(number, bytes): "\(number):" + String(decoding: bytes, as: UTF8.self)
            case let .tooLong(number): "\(number):too long"
            }
        }
    }

    static let expected = ["1:{\"a\":1}", "4:{\"b\":\"two\"}", "5:too long", "6:{\"c\":3}", "8:{\"d\":4}"]

    @Test func everyWayOfChunkingGivesTheSameLines() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<300 {
            var splitter = LineSplitter(maxLine: 20)
            var lines: [LineSplitter.Line] = []
            var start = 0
            while start < Self.body.count {
                // Single bytes, empty chunks and the whole body among them.
                let size = trial == 0 ? Self.body.count : Int.random(in: 0...12, using: &generator)
                let end = min(start + size, Self.body.count)
                lines += splitter.push(ByteBuffer(bytes: Self.body[start..<end]))
                start = end
            }
            lines += splitter.finish()
            #expect(Self.describe(lines) == Self.expected, "trial \(trial)")
        }
    }
}
