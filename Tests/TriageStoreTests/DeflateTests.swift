import Testing
import TestSupport
@testable import TriageStore

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
