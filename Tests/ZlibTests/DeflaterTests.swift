import Foundation
import Testing
import TestSupport
import Zlib

@Suite("Stored-assessment compression")
struct DeflateTests {
    @Test func roundTripsWhateverItIsGiven() throws {
        var random = SeededRandom(seed: 11)
        let deflater = Deflater()
        for size in [0, 1, 2, 100, 1300, 4096, 5000, 100_000] {
            // Half repetitive text, half noise: both paths of deflate.
            let bytes = (0..<size).map { i in i % 2 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(ascii: "a") + UInt8(i % 7) }
            let stored = deflater.compress(bytes)
            #expect(try Deflate.decompress(stored) == bytes, "size \(size)")
        }
        let json = Array(String(repeating: "{\"rule\":\"example.attack-planning-phrases\",\"matches\":2}", count: 30).utf8)
        #expect(deflater.compress(json).count < json.count / 4)
    }

    @Test func damagedValuesAreErrorsNotCrashes() throws {
        let stored = Deflater().compress(Array("an assessment of some length, an assessment of some length".utf8))
        #expect(throws: Deflate.Error.self) { try Deflate.decompress([1, 0]) }
        #expect(throws: Deflate.Error.self) { try Deflate.decompress([0xFF, 0xFF, 0xFF, 0x7F] + stored.dropFirst(4)) }
        for cut in 4..<stored.count {
            #expect(throws: Deflate.Error.self) { try Deflate.decompress(Array(stored.prefix(cut))) }
        }
        var flipped = stored
        flipped[6] ^= 0x55
        #expect((try? Deflate.decompress(flipped)) != Array("an assessment of some length, an assessment of some length".utf8))
    }
}

@Suite("Capped inflation")
struct InflaterTests {
    /// gzip through the system's gzip, so the test does not check our
    /// decoder against our own encoder.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(compressed)
    }

    @Test func decodesGzipAndZlib() throws {
        let text = Array(String(repeating: "SYNTHETIC TEST CONTENT ", count: 500).utf8)
        let gzipped = try Self.gzip(text)
        #expect(Inflater.inflate(gzipped, limit: 1 << 20) == .init(bytes: text, truncated: false, damaged: false))
        let zlibbed = Array(Deflater().compress(text).dropFirst(4))
        #expect(Inflater.inflate(zlibbed, limit: 1 << 20).bytes == text)
        // Two gzip members are one body.
        #expect(Inflater.inflate(gzipped + gzipped, limit: 1 << 20).bytes == text + text)
    }

    @Test func aBombStopsAtTheCap() throws {
        let bomb = try Self.gzip([UInt8](repeating: 0, count: 50_000_000))
        #expect(bomb.count < 100_000)
        let output = Inflater.inflate(bomb, limit: 1 << 20)
        #expect(output.bytes.count == 1 << 20 && output.truncated && !output.damaged)
    }

    @Test func damagedInputKeepsWhatDecoded() throws {
        let text = Array(String(repeating: "abcdefgh", count: 10_000).utf8)
        let gzipped = try Self.gzip(text)
        let cut = Inflater.inflate(Array(gzipped.prefix(gzipped.count / 2)), limit: 1 << 20)
        #expect(cut.damaged && !cut.truncated && text.starts(with: cut.bytes))
        #expect(Inflater.inflate(Array("not compressed at all".utf8), limit: 1 << 20).damaged)
        #expect(Inflater.inflate([], limit: 10).damaged)
    }
}
