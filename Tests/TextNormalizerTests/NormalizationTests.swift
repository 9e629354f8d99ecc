import Testing
import TestSupport
@testable import TextNormalizer

/// One row: input, expected normalised view, expected leet view.
struct FoldCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let normalized: String
    let leet: String?
    init(_ name: String, _ input: String, _ normalized: String, leet: String? = nil) {
        self.name = name
        self.input = input
        self.normalized = normalized
        self.leet = leet
    }
    var testDescription: String { name }
}

let foldCases: [FoldCase] = [
    .init("ASCII is lower-cased", "Attack PLAN", "attack plan"),
    .init("ASCII digits and symbols stay", "r0und 1: $5", "r0und 1: $5", leet: "round i: ss"),
    .init("ASCII rn is not skeletonised", "modern", "modern"),
    .init("C0 controls are dropped, whitespace kept", "at\u{0}ta\u{7}ck\tnow\r\n", "attack\tnow\r\n"),
    .init("zero-width characters are dropped", "at\u{200B}ta\u{200C}ck\u{200D}\u{2060}", "attack"),
    .init("soft hyphen and byte-order mark", "at\u{00AD}tack\u{FEFF}", "attack"),
    .init("bidi controls", "\u{202E}attack\u{202C}\u{2066}", "attack"),
    .init("variation selectors", "a\u{FE0F}ttack\u{E0100}", "attack"),
    .init("fullwidth letters", "ＡＴＴＡＣＫ", "attack"),
    .init("ligatures expand", "ﬁght", "fight"),
    .init("sharp s folds to ss", "STRAẞE", "strasse"),
    .init("diacritics are stripped", "Jihād café naïve", "jihad cafe naive"),
    .init("combining marks are stripped", "a\u{0301}ttack", "attack"),
    .init("Cyrillic look-alikes in a Latin word", "аttасk", "attack"),
    .init("a word wholly of Cyrillic look-alikes", "АТТАСК", "attack"),
    .init("Greek capitals", "ΑΤΤΑCΚ", "attack"),
    .init("Cyrillic words stay Cyrillic", "атака на город", "атака на город"),
    .init("mathematical letters", "𝐚𝐭𝐭𝐚𝐜𝐤", "attack"),
    .init("circled letters", "ⓐⓣⓣⓐⓒⓚ", "attack"),
    .init("non-breaking space is a space", "attack\u{00A0}plan", "attack plan"),
    .init("other scripts without look-alike stay", "攻撃 هجوم", "攻撃 هجوم"),
    .init("invalid UTF-8 reads as U+FFFD", "a\u{FFFD}b", "a\u{FFFD}b"),
    .init("leet digits", "4774ck pl4n", "4774ck pl4n", leet: "attack pian"),
    .init("1, |, l and i all read i", "1ist |ist list iist", "1ist |ist list iist", leet: "iist iist iist iist"),
    .init("leet symbols", "@tt@ck", "@tt@ck", leet: "attack"),
    .init("spaced letters join", "a t t a c k now", "a t t a c k now", leet: "attack now"),
    .init("dotted letters join", "a.t.t.a.c.k", "a.t.t.a.c.k", leet: "attack"),
    .init("dashed leet letters join", "4-t-t-4-c-k", "4-t-t-4-c-k", leet: "attack"),
    .init("short spaced runs stay", "the U S A", "the u s a", leet: "the u s a"),
    .init("wider gaps are word breaks", "j o i n  t h e  f i g h t", "j o i n  t h e  f i g h t", leet: "join the fight"),
    .init("words are not joined", "a big cat", "a big cat", leet: "a big cat"),
]

@Suite("Normalisation")
struct NormalizationTests {
    @Test(arguments: foldCases)
    func fold(_ row: FoldCase) throws {
        let normalizer = TextNormalizer()
        let view = normalizer.normalize(Array(row.input.utf8))
        #expect(String(decoding: view.bytes, as: UTF8.self) == row.normalized)
        #expect(view.map.count == view.bytes.count)
        if let leet = row.leet {
            #expect(String(decoding: LeetView.of(view).bytes, as: UTF8.self) == leet)
        }
    }

    @Test func asciiFastPathFollowsTheByteRule() {
        // Every ASCII byte at every position of a run long enough for the
        // eight-bytes-at-a-time path and its tail.
        let normalizer = TextNormalizer()
        for b in UInt8(0)..<0x80 {
            for position in 0..<19 {
                var input = Array("Ab-cD ef_GH.ijKLmnO".utf8)
                input[position] = b
                let dropped = b < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains(b)
                let kept = input.indices.filter { !(dropped && $0 == position) }
                let view = normalizer.normalize(input)
                #expect(view.bytes == kept.map { input[$0] >= 0x41 && input[$0] <= 0x5A ? input[$0] | 0x20 : input[$0] })
                #expect(Array(view.map) == kept.map { $0..<($0 + 1) })
            }
        }
    }

    @Test func icuIsAvailable() {
        #expect(TextNormalizer.icuAvailable)
    }

    @Test func mapPointsAtTheSourceCharacters() throws {
        let input = Array("Х ＡТ\u{200B}ТАСК".utf8)  // Cyrillic Х, fullwidth Ａ, zero width, Cyrillic
        let view = TextNormalizer().normalize(input)
        let text = String(decoding: view.bytes, as: UTF8.self)
        #expect(text == "x attack")
        // "attack" starts at output byte 2 and covers the fullwidth A through Cyrillic К.
        let source = view.map.source(of: 2..<8)
        #expect(String(decoding: input[source], as: UTF8.self) == "ＡТ\u{200B}ТАСК")
        // The dropped zero-width space belongs to no output byte.
        let zeroWidth = Array("Х ＡТ".utf8).count
        #expect(!view.map.contains { $0.lowerBound == zeroWidth })
    }

    @Test func leetMapPointsAtTheSource() throws {
        let input = Array("Go 4-t-t-4-c-k! Now.".utf8)
        let leet = LeetView.of(TextNormalizer().normalize(input))
        let text = String(decoding: leet.bytes, as: UTF8.self)
        let at = try #require(text.utf8.firstIndex(of: UInt8(ascii: "a")))
        let offset = text.utf8.distance(from: text.utf8.startIndex, to: at)
        #expect(String(decoding: input[leet.map.source(of: offset..<(offset + 6))], as: UTF8.self) == "4-t-t-4-c-k")
    }

    @Test func expansionIsCapped() {
        // U+FDFA folds to 18 letters and spaces; a page of them hits the cap.
        let input = Array(String(repeating: "\u{FDFA}", count: 2000).utf8)
        let normalizer = TextNormalizer()
        normalizer.maxExpansion = 2
        let view = normalizer.normalize(input)
        #expect(view.expansionCapped)
        #expect(view.bytes.count <= 3 * input.count + 64)
        let small = TextNormalizer().normalize(Array("\u{FDFA}".utf8))
        #expect(!small.expansionCapped && small.bytes.count > 18)
    }

    @Test func invalidUTF8IsDeterministic() {
        var rng = SeededRandom(seed: 20261124)  // seeded: a failure replays
        let normalizer = TextNormalizer()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let a = normalizer.normalize(bytes), b = TextNormalizer().normalize(bytes)
            #expect(a == b)
            // The view is valid UTF-8 and every map entry lies in the input.
            #expect(String(validating: a.bytes, as: UTF8.self) != nil)
            #expect(a.map.allSatisfy { !$0.isEmpty && $0.upperBound <= bytes.count })
        }
    }

    /// Regression: the view was not a fixed point (`Γ→γ→y`, `Г→г→r`,
    /// `ς→σ→o` on a second pass), so a literal folded once and page text
    /// folded once could disagree. Every character from U+0080 to U+FFFF and
    /// the mathematical, enclosed and fullwidth blocks beyond, alone, inside
    /// a Latin word, inside a Cyrillic word and between Greek letters:
    /// normalising the view again changes nothing; in the case-folded view
    /// and in the case-preserving one.
    @Test(arguments: [false, true]) func normalisingTwiceChangesNothing(keepingCase: Bool) {
        let normalizer = TextNormalizer()
        let scalars = (0x80...0xFFFF).filter { !(0xD800...0xDFFF).contains($0) } + Array(0x1D400...0x1D7FF) + Array(0x1F100...0x1F1FF)
        var failures: [String] = []
        for value in scalars {
            let c = String(Character(Unicode.Scalar(UInt32(value))!))
            for text in [c, "a\(c)b", "ж\(c)ы", "αβ\(c)", "\(c)\(c) \(c)"] {
                let once = normalizer.normalize(Array(text.utf8), keepingCase: keepingCase)
                let twice = normalizer.normalize(once.bytes, keepingCase: keepingCase)
                if once.bytes != twice.bytes, failures.count < 20 {
                    let shown = [once.bytes, twice.bytes].map { String(decoding: $0, as: UTF8.self).debugDescription }
                    failures.append("U+\(String(value, radix: 16, uppercase: true)) in \(text.debugDescription): \(shown[0]) then \(shown[1])")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// The same on random strings mixing scripts, invisible characters,
    /// marks, punctuation, digits and invalid bytes (seeded: a failure replays).
    @Test(arguments: [false, true]) func normalisingRandomTextTwiceChangesNothing(keepingCase: Bool) {
        let pool: [String] = ["a", "A", "k", "I", "l", "0", "1", "4", "@", "$", " ", ".", "-", "_", "\t", "\n", "\u{200B}", "\u{00AD}",
                              "\u{0301}", "\u{0308}", "Γ", "γ", "Г", "г", "ς", "σ", "Σ", "а", "А", "с", "Ӏ", "ӏ", "І", "Ι", "κ", "τ", "χ",
                              "ß", "ẞ", "ǅ", "ﬁ", "Ａ", "ｉ", "𝐈", "𝐦", "ⓛ", "Ⓐ", "ᴀ", "ʙ", "ɢ", "ʜ", "ɪ", "ᴋ", "ʟ", "ɴ", "ʀ", "ᴛ",
                              "攻", "撃", "ه", "ج", "한", "ㄱ", "\u{FDFA}", "\u{2019}", "—", "“", "\u{FFFD}", "Ω", "Ω", "K", "Å", "ﬀ", "ı", "İ"]
        var random = SeededRandom(seed: 2026_12_04)
        let normalizer = TextNormalizer()
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...24, using: &random) {
                if Int.random(in: 0..<20, using: &random) == 0 { bytes.append(UInt8.random(in: 0x80...0xFF, using: &random)); continue }
                bytes += Array(pool[Int.random(in: 0..<pool.count, using: &random)].utf8)
            }
            let once = normalizer.normalize(bytes, keepingCase: keepingCase)
            let twice = normalizer.normalize(once.bytes, keepingCase: keepingCase)
            let shown = [bytes, once.bytes, twice.bytes].map { String(decoding: $0, as: UTF8.self).debugDescription }
            #expect(once.bytes == twice.bytes, "\(shown[0]): \(shown[1]) then \(shown[2])")
            if once.bytes != twice.bytes { break }
        }
    }

    @Test func truncatedSequencesConsumeTheirValidPrefix() {
        // E2 82 is the start of a 3-byte sequence cut short: one U+FFFD, then "a".
        let view = TextNormalizer().normalize([0xE2, 0x82, 0x61, 0xF0, 0x9F, 0x98])
        #expect(String(decoding: view.bytes, as: UTF8.self) == "\u{FFFD}a\u{FFFD}")
    }
}
