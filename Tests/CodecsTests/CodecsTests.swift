import Foundation
import Testing
import TestSupport
import Codecs

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
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] { try piped(bytes, through: "/bin/gzip", "-c") }

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

@Suite("Capped brotli decoding")
struct BrotliDecoderTests {
    /// brotli through the `brotli` tool (Debian's package of that name).
    static func brotli(_ bytes: [UInt8], quality: Int = 11) throws -> [UInt8] {
        try piped(bytes, through: "/usr/bin/brotli", "-c", "-q", "\(quality)")
    }

    @Test func decodesWhatTheReferenceEncoderWrote() throws {
        var random = SeededRandom(seed: 5)
        for size in [0, 1, 100, 70_000, 300_000] {
            let bytes = (0..<size).map { i in i % 3 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(ascii: "a") + UInt8(i % 11) }
            for quality in [1, 11] {
                let encoded = try Self.brotli(bytes, quality: quality)
                #expect(BrotliDecoder.decode(encoded, limit: 1 << 20) == .init(bytes: bytes, truncated: false, damaged: false),
                        "size \(size), quality \(quality)")
            }
        }
    }

    @Test func aBombStopsAtTheCap() throws {
        let bomb = try Self.brotli([UInt8](repeating: 0, count: 100_000_000), quality: 5)
        #expect(bomb.count < 100_000)
        let output = BrotliDecoder.decode(bomb, limit: 1 << 20)
        #expect(output.bytes.count == 1 << 20 && output.truncated && !output.damaged)
    }

    @Test func damagedInputKeepsWhatDecoded() throws {
        var random = SeededRandom(seed: 6)
        let text = (0..<200_000).map { _ in UInt8(ascii: "a") + UInt8(random.next() % 26) }
        let encoded = try Self.brotli(text)
        let cut = BrotliDecoder.decode(Array(encoded.prefix(encoded.count / 2)), limit: 1 << 20)
        #expect(cut.damaged && !cut.truncated && !cut.bytes.isEmpty && text.starts(with: cut.bytes))
        // Bytes after the end of the stream are not part of it.
        let trailing = BrotliDecoder.decode(encoded + [0x42], limit: 1 << 20)
        #expect(trailing.damaged && trailing.bytes == text)
        #expect(BrotliDecoder.decode(Array("not compressed at all".utf8), limit: 1 << 20).damaged)
        #expect(BrotliDecoder.decode([], limit: 10).damaged)
        // Every prefix and a few thousand random bodies: errors, never crashes.
        for cut in stride(from: 0, to: encoded.count, by: max(1, encoded.count / 500)) {
            #expect(!BrotliDecoder.decode(Array(encoded.prefix(cut)), limit: 1 << 20).bytes.elementsEqual(text) || cut == encoded.count)
        }
        for _ in 0..<2_000 {
            let noise = (0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let output = BrotliDecoder.decode(noise, limit: 1 << 16)
            #expect(output.bytes.count <= 1 << 16)
        }
    }
}
