import Testing
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
