import Testing
@testable import TextNormalizer

/// The look-alike table (`LookAlikes`, generated from Unicode's confusables
/// data with reviewed readings) as the views read it.
@Suite("Look-alike letters")
struct LookAlikeTests {
    /// One letter, read inside a Latin word: `x` + letter + `x`.
    struct Letter: CustomTestStringConvertible, Sendable {
        let name: String, letter: String, folded: String, cased: String
        init(_ name: String, _ letter: String, _ folded: String, cased: String? = nil) {
            (self.name, self.letter, self.folded, self.cased) = (name, letter, folded, cased ?? folded)
        }
        var testDescription: String { "\(name) \(letter)" }
    }

    /// The letters the independent evaluation found misread (issue 19, item 3),
    /// and their neighbours.
    static let misread: [Letter] = [
        .init("Latin capital I acute", "Í", "i", cased: "I"),
        .init("Latin capital I grave", "Ì", "i", cased: "I"),
        .init("Latin capital I diaeresis", "Ï", "i", cased: "I"),
        .init("Cyrillic capital I (Byelorussian-Ukrainian)", "І", "i", cased: "I"),
        .init("Greek capital iota", "Ι", "i", cased: "I"),
        .init("fullwidth capital I", "Ｉ", "i", cased: "I"),
        .init("mathematical bold capital I", "𝐈", "i", cased: "I"),
        .init("Cyrillic palochka", "Ӏ", "i", cased: "I"),
        .init("Cyrillic small palochka", "ӏ", "l"),
        .init("circled small l", "ⓛ", "l"),
        .init("mathematical bold small m", "𝐦", "m"),
        .init("mathematical italic small m", "𝑚", "m"),
        .init("Greek small kappa", "κ", "k"),
        .init("Greek small tau", "τ", "t", cased: "T"),
        .init("Greek small chi", "χ", "x"),
        .init("small capital A", "ᴀ", "a", cased: "A"),
        .init("small capital B", "ʙ", "b", cased: "B"),
        .init("small capital D", "ᴅ", "d", cased: "D"),
        .init("small capital E", "ᴇ", "e", cased: "E"),
        .init("small capital F", "ꜰ", "f", cased: "F"),
        .init("small capital G", "ɢ", "g", cased: "G"),
        .init("small capital H", "ʜ", "h", cased: "H"),
        .init("small capital J", "ᴊ", "j", cased: "J"),
        .init("small capital K", "ᴋ", "k", cased: "K"),
        .init("small capital L", "ʟ", "l", cased: "L"),
        .init("small capital M", "ᴍ", "m", cased: "M"),
        .init("small capital N", "ɴ", "n", cased: "N"),
        .init("small capital P", "ᴘ", "p", cased: "P"),
        .init("small capital R", "ʀ", "r", cased: "R"),
        .init("small capital T", "ᴛ", "t", cased: "T"),
    ]

    @Test(arguments: misread)
    func readsAsAReaderDoes(_ row: Letter) {
        let normalizer = TextNormalizer()
        #expect(read("x\(row.letter)x", normalizer) == "x\(row.folded)x")
        #expect(read("x\(row.letter)x", normalizer, keepingCase: true) == "x\(row.cased)x")
    }

    /// Every letter of the Greek and Cyrillic alphabets, capital and small,
    /// inside a Latin word: the reading, or the letter itself (case-folded,
    /// diacritics stripped) where it looks like no Latin letter. Reviewed by
    /// eye. In the case-folded view a capital without a reading of its own
    /// takes its small letter's (`Γ` → `γ` → `y`), or reading the view again
    /// would change it.
    static let alphabets: [(name: String, letters: String, folded: String, cased: String)] = [
        ("Greek capitals", "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", "abyδezhθikλmnξoπpotyφxψw", "ABΓΔEZHΘIKΛMNΞOΠPΣTYΦXΨΩ"),
        ("Greek smalls", "αβγδεζηθικλμνξοπρσςτυφχψω", "aβyδeζnθikλuvξoπpootuφxψw", "aβyδeζnθikλuvξoπpoςTuφxψw"),
        ("Cyrillic capitals", "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", "aбbrдeжзииkлmhoпpctyфxцчшщъыbэюя", "AБBГДEЖЗИИKЛMHOПPCTYФXЦЧШЩЪЫbЭЮЯ"),
        ("Cyrillic smalls", "абвгдежзийклмнопрстуфхцчшщъыьэюя", "aбbrдeжзииkлmhoпpctyфxцчшщъыbэюя", "aбBrдeжзииKлMHoпpcTyфxцчшщъыbэюя"),
        ("Cyrillic extras", "ЅІЈѕіјһԁԛԝӀӏҮү", "sijsijhdqwilyy", "SIJsijhdqwIlYy"),
    ]

    @Test func everyGreekAndCyrillicLetter() {
        let normalizer = TextNormalizer()
        for alphabet in Self.alphabets {
            let folded = alphabet.letters.map { read("x\($0)x", normalizer) }
            let cased = alphabet.letters.map { read("x\($0)x", normalizer, keepingCase: true) }
            #expect(folded == alphabet.folded.map { "x\($0)x" }, "\(alphabet.name), case-folded")
            #expect(cased == alphabet.cased.map { "x\($0)x" }, "\(alphabet.name), case kept")
        }
    }

    /// Every row of the table, whatever its script: inside a Latin word it
    /// reads as its letter (lower-cased in the folded view, as it is in the
    /// case-preserving one); alone, too; doubled, only if its reading holds
    /// outside Latin words.
    @Test func everyRowOfTheTable() {
        let normalizer = TextNormalizer()
        var wrong: [String] = []
        var scripts = 0
        for row in LookAlikes.all {
            let c = String(Character(Unicode.Scalar(row.scalar)!))
            let letter = String(UnicodeScalar(row.reading))
            let expectations = [
                (read("x\(c)x", normalizer), "x\(letter.lowercased())x"),
                (read("x\(c)x", normalizer, keepingCase: true), "x\(letter)x"),
            ]
            for (got, want) in expectations where got != want { wrong.append("U+\(String(row.scalar, radix: 16, uppercase: true)) \(c): \(got), not \(want)") }
            // A letter alone reads as its letter; a word of two of it only
            // if the reading holds outside Latin words.
            let alone = read(c, normalizer), twice = read(c + c, normalizer), both = letter.lowercased() + letter.lowercased()
            if alone != letter.lowercased() { wrong.append("U+\(String(row.scalar, radix: 16, uppercase: true)) \(c) alone: \(alone)") }
            if !row.latinOnly && twice != both { wrong.append("U+\(String(row.scalar, radix: 16, uppercase: true)) \(c)\(c): \(twice)") }
            if row.latinOnly && twice == both { wrong.append("U+\(String(row.scalar, radix: 16, uppercase: true)) \(c)\(c) reads Latin") }
            scripts += 1
        }
        #expect(scripts > 500)
        #expect(wrong.isEmpty, "\(wrong.prefix(20).joined(separator: "\n"))")
    }

    @Test func theTableIsSortedAndEveryReadingIsALetter() {
        let rows = LookAlikes.all
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.scalar < $1.scalar })
        #expect(rows.allSatisfy { ($0.reading | 0x20) >= 0x61 && ($0.reading | 0x20) <= 0x7A && $0.scalar >= 0x80 })
        #expect(LookAlikeTable.unicodeVersion.hasPrefix("15."))
    }

    /// Words of other scripts keep their letters: a word made wholly of
    /// letters whose reading holds only in Latin words is not re-read.
    @Test(arguments: [
        ("атака на город", "атака на город"), ("как там", "как там"), ("και τώρα", "και τωρα"),
        ("ΚΑΙ", "kai"), ("АТТАСК", "attack"), ("аттаck", "attack"), ("ᴀᴛᴛᴀᴄᴋ", "attack"),
    ])
    func wordsOfOtherScripts(_ text: String, _ expected: String) {
        #expect(read(text, TextNormalizer()) == expected)
    }

    /// The case-preserving view: invisible characters, NFKC, look-alikes,
    /// diacritics, typographic punctuation and white space as in the
    /// normalised view, case as written.
    @Test(arguments: [
        ("ＳＲＮ", "SRN"), ("S\u{200B}RN", "SRN"), ("ЅRΝ", "SRN"), ("srn", "srn"), ("SRn", "SRn"),
        ("Hamas\u{2019}s", "Hamas's"), ("Party\u{00A0}of  God", "Party of God"), ("PKK\u{0301}", "PKK"), ("The Base", "The Base"),
        ("ᴘᴋᴋ", "PKK"), ("\u{202E}KKP\u{202C}", "PKK"),
    ])
    func casePreservingView(_ text: String, _ expected: String) {
        let view = TextNormalizer().casedView(of: Array(text.utf8))
        #expect(String(decoding: view.bytes, as: UTF8.self) == expected)
        #expect(view.map.count == view.bytes.count)
    }

    private func read(_ text: String, _ normalizer: TextNormalizer, keepingCase: Bool = false) -> String {
        String(decoding: normalizer.normalize(Array(text.utf8), keepingCase: keepingCase).bytes, as: UTF8.self)
    }
}

@Suite("Case-preserving view around places")
struct CasedWindowTests {
    /// Around a few places, the view holds those words (whole, read as the
    /// whole view reads them), each mapped to the same page bytes.
    @Test func windowsReadAsTheWholeViewDoes() throws {
        let text = Array("alpha ЅRΝ beta, gamma PKK\u{200B}! delta".utf8)
        let normalizer = TextNormalizer()
        let whole = normalizer.casedView(of: text)
        let start = Array("alpha ".utf8).count, pkkStart = Array("alpha ЅRΝ beta, gamma ".utf8).count
        let view = normalizer.casedView(of: text, around: [(start + 1)..<(start + 3), pkkStart..<(pkkStart + 3)])
        #expect(String(decoding: view.bytes, as: UTF8.self) == "SRN\nPKK!\n")
        // Each byte maps where the whole view's byte for it does.
        for (k, byte) in view.bytes.enumerated() where byte != 0x0A {
            let source = view.map[k]
            let inWhole = try #require((0..<whole.bytes.count).first { whole.map[$0] == source })
            #expect(whole.bytes[inWhole] == byte)
        }
        #expect(normalizer.casedView(of: text, around: []).bytes.isEmpty)
    }

    /// `output(atSource:)` finds where page bytes stand in a view.
    @Test func outputAtSource() {
        let view = TextNormalizer().normalize(Array("ab\u{200B}c  Ｄe".utf8))
        #expect(String(decoding: view.bytes, as: UTF8.self) == "abc  de")
        #expect(view.map.output(atSource: 0) == 0)
        #expect(view.map.output(atSource: 2) == 2)  // the zero-width space: the next byte that stands for anything
        #expect(view.map.output(atSource: 5) == 2)  // `c`, after the three bytes of U+200B
        #expect(view.map.output(atSource: 8) == 5)  // `Ｄ` (three bytes) reads `d`
        #expect(view.map.output(atSource: 9) == 5)  // inside `Ｄ`: the byte that stands for it
        #expect(view.map.output(atSource: 100) == view.bytes.count)
    }
}
