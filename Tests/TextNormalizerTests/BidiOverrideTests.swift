import Testing
import TestSupport
@testable import TextNormalizer

/// Issue 19, item 7: a word written backwards inside a right-to-left
/// override displays the right way round, and is read that way.
@Suite("Right-to-left override")
struct BidiOverrideTests {
    static func normalized(_ text: String) -> String {
        String(decoding: TextNormalizer().views(of: Array(text.utf8), leet: false).normalized.bytes, as: UTF8.self)
    }

    @Test(arguments: [
        ("a word reversed", "join \u{202E}sknar ruo\u{202C} today", "join our ranks today"),
        ("to the end of the line", "the \u{202E}nalp kcatta\nnext", "the attack plan\nnext"),
        ("to the end of the text", "\u{202E}kcatta", "attack"),
        ("two spans", "\u{202E}kcatta\u{202C} \u{202E}nalp\u{202C}", "attack plan"),
        ("accented letters stay whole", "\u{202E}éfac\u{202C}", "cafe"),
        ("Arabic is read in its own order", "\u{202E}هجوم\u{202C}", "هجوم"),
        ("no override", "plain text", "plain text"),
    ])
    func readsInDisplayOrder(_ mechanism: String, _ text: String, _ expected: String) {
        #expect(Self.normalized(text) == expected, "\(mechanism)")
    }

    /// Each character maps to its own bytes, so evidence covers exactly the
    /// reversed word in the page.
    @Test func everyCharacterMapsToItsBytes() throws {
        let text = Array("x \u{202E}kcatta\u{202C} y".utf8)  // RLO at 2..<5, "kcatta" at 5..<11
        let view = TextNormalizer().views(of: text, leet: false).normalized
        #expect(String(decoding: view.bytes, as: UTF8.self) == "x attack y")
        // `a` (view byte 2) is the last letter written, byte 10.
        #expect(view.map[2] == 10..<11 && view.map[7] == 5..<6)
        #expect(view.map.source(of: 2..<8) == 5..<11)
    }
}

extension BidiOverrideTests {
    /// The eight-bytes-at-a-time search finds what a byte-by-byte one does.
    @Test func searchAgreesWithByteByByte() {
        func byteByByte(_ bytes: [UInt8], from: Int) -> Int? {
            var k = from
            while k + 2 < bytes.count {
                if bytes[k] == 0xE2 && bytes[k + 1] == 0x80 && bytes[k + 2] == 0xAE { return k }
                k += 1
            }
            return nil
        }
        var random = SeededRandom(seed: 202)
        let pool: [UInt8] = [0x61, 0x20, 0xE2, 0x80, 0xAE, 0xAC, 0xC3]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in pool[Int.random(in: 0..<pool.count, using: &random)] }
            let from = Int.random(in: 0...bytes.count, using: &random)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(BidiOverride.find(BidiOverride.rlo, in: buffer, from: from) == byteByByte(bytes, from: from),
                        "\(bytes) from \(from)")
            }
        }
    }
}
