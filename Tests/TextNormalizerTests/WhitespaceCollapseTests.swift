import Foundation
import Testing
import TestSupport
@testable import TextNormalizer

/// Issue 19, item 1: white space reads as one space, as a browser shows it.
@Suite("White space collapsed")
struct WhitespaceCollapseTests {
    static let rows: [(mechanism: String, text: String, expected: String)] = [
        ("two spaces", "attack  plan", "attack plan"),
        ("a tab", "attack\tplan", "attack plan"),
        ("a carriage return and spaces", "attack\r  plan", "attack plan"),
        ("a form feed", "attack\u{0C}plan", "attack plan"),
        ("a no-break space (folded to a space)", "attack\u{00A0}plan", "attack plan"),
        ("an ideographic space", "attack\u{3000}plan", "attack plan"),
        ("a line separator", "attack\u{2028}plan", "attack plan"),
        ("a next-line character", "attack\u{85}plan", "attack plan"),
        ("a thin space beside spaces", "attack \u{2009} plan", "attack plan"),
        ("a part boundary stays one line feed", "attack \n plan", "attack\nplan"),
        ("line feeds in a run are one", "a\n\n\nb", "a\nb"),
        ("single spaces unchanged", "a b c", "a b c"),
        ("leading and trailing runs", "  a  ", " a "),
        ("only white space", " \t ", " "),
        ("nothing", "", ""),
    ]

    @Test(arguments: rows)
    func collapses(_ row: (mechanism: String, text: String, expected: String)) {
        let views = TextNormalizer().views(of: Array(row.text.utf8), leet: true)
        #expect(String(decoding: views.normalized.bytes, as: UTF8.self) == row.expected, "\(row.mechanism)")
        // The leet view reads `l` as `i` (LeetView).
        #expect(String(decoding: views.leet.bytes, as: UTF8.self) == row.expected.replacingOccurrences(of: "l", with: "i"), "\(row.mechanism), leet")
    }

    /// The space stands for the whole run in the source, and every other
    /// byte keeps its own.
    @Test func theSpaceMapsToTheWholeRun() {
        let text = Array("x\u{00A0}\t y".utf8)  // x, NBSP (2 bytes), tab, space, y
        let view = TextNormalizer().views(of: text, leet: false).normalized
        #expect(view.bytes == Array("x y".utf8))
        #expect(view.map[0] == 0..<1 && view.map[1] == 1..<5 && view.map[2] == 5..<6)
    }

    /// Spaced-out letters are joined in the leet view before collapsing, so
    /// a wider gap still parts two words.
    @Test func spacedWordsStayApartInTheLeetView() {
        let views = TextNormalizer().views(of: Array("j o i n  t h e  f i g h t".utf8), leet: true)
        #expect(String(decoding: views.leet.bytes, as: UTF8.self) == "join the fight".replacingOccurrences(of: "l", with: "i"))
        #expect(String(decoding: views.normalized.bytes, as: UTF8.self) == "j o i n t h e f i g h t")
    }

    /// Issue 19, item 4: letters spaced out by punctuation part words at
    /// a space (`a.t.t.a.c.k p.l.a.n` read `attackplan`).
    @Test(arguments: [
        ("a.t.t.a.c.k p.l.a.n", "attack plan"), ("a-t-t-a-c-k p-l-a-n", "attack plan"), ("a_t_t_a_c_k  p_l_a_n", "attack plan"),
        ("t-4-r-g-3-t l-1-s-t", "target list"), ("a t t a c k  p l a n", "attack plan"), ("a. t. t. a. c. k", "attack"),
    ])
    func spacedLettersKeepWordGaps(_ text: String, _ expected: String) {
        let views = TextNormalizer().views(of: Array(text.utf8), leet: true)
        #expect(String(decoding: views.leet.bytes, as: UTF8.self) == expected.replacingOccurrences(of: "l", with: "i"))
    }

    /// The eight-bytes-at-a-time scan against the rule written plainly, on
    /// long random text thick with white space (seeded).
    @Test func agreesWithThePlainRule() {
        func reference(_ text: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [], k = 0
            while k < text.count {
                let w = text.withUnsafeBufferPointer { WhitespaceCollapse.width($0, k) }
                guard w > 0 else { out.append(text[k]); k += 1; continue }
                var lineFeed = false
                while k < text.count, case let w = text.withUnsafeBufferPointer({ WhitespaceCollapse.width($0, k) }), w > 0 {
                    lineFeed = lineFeed || text[k] == 0x0A
                    k += w
                }
                out.append(lineFeed ? 0x0A : 0x20)
            }
            return out
        }
        let pool: [[UInt8]] = [[0x61], [0x62], [0x20], [0x20], [0x09], [0x0A], [0x0D], [0x0C], [0xC2, 0x85], [0xE2, 0x80, 0xA8],
                               [0xE2, 0x80, 0xA9], [0xE2, 0x80, 0x99], [0xC2, 0xA9], [0x2E]]
        var random = SeededRandom(seed: 2026_12_0_7)
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...80, using: &random) { bytes += pool[Int.random(in: 0..<pool.count, using: &random)] }
            let text = NormalizedText(bytes: bytes, map: SourceMap(start: (0..<bytes.count).map(UInt32.init), end: (0..<bytes.count).map { UInt32($0 + 1) }),
                                      expansionCapped: false)
            let collapsed = WhitespaceCollapse.of(text)
            #expect(collapsed.bytes == reference(bytes), "\(bytes)")
            #expect(collapsed.map.count == collapsed.bytes.count)
        }
    }

    /// Making the views of a view changes nothing, and each byte's source
    /// range lies inside the text, in order (random text, seeded).
    @Test func viewsAreAFixedPointWithExactMaps() {
        let pool = ["a", "b", "4", "1", " ", "  ", "\t", "\n", "\r\n", "\u{00A0}", "\u{2028}", "\u{85}", ".", "-", "_", "*", "/", "\u{200B}", "Ａ", "ж", "a b", "c.d", "e f g"]
        var random = SeededRandom(seed: 2026_12_07)
        let normalizer = TextNormalizer()
        for _ in 0..<3000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...20, using: &random) { text += Array(pool[Int.random(in: 0..<pool.count, using: &random)].utf8) }
            let once = normalizer.views(of: text, leet: true)
            let twice = normalizer.views(of: once.normalized.bytes, leet: false)
            #expect(once.normalized.bytes == twice.normalized.bytes, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            // The leet view is collapsed only when the normalised text had a
            // run: it must then have none of its own either.
            #expect(WhitespaceCollapse.of(once.leet).bytes == once.leet.bytes, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            #expect(once.leet.bytes == WhitespaceCollapse.of(LeetView.of(normalizer.normalize(text))).bytes)
            for view in [once.normalized, once.leet] {
                #expect(view.map.count == view.bytes.count)
                var previous = 0
                for k in 0..<view.map.count {
                    let range = view.map[k]
                    #expect(range.lowerBound >= previous && range.upperBound <= text.count)
                    previous = range.lowerBound
                }
            }
        }
    }
}
