import Foundation
import Testing
import TextNormalizer
@testable import PageText

func extract(_ html: String, contentType: String? = "text/html") -> PageText {
    PageExtractor().extract(Array(html.utf8), contentType: contentType)
}

extension PageText {
    var string: String { String(decoding: text, as: UTF8.self) }
    func texts(_ origin: Segment.Origin, hidden: Bool? = nil) -> [String] {
        segments.filter { $0.origin == origin && (hidden == nil || $0.hidden == hidden!) }
            .map { String(decoding: text[$0.range], as: UTF8.self) }
    }
}

@Suite("Extraction")
struct ExtractionTests {
    /// Pasted fragments have no <html> or <body>: every top-level element is
    /// parsed (libxml2 stopped after the first one when told not to imply
    /// the missing elements, and the rest lost its hidden flags).
    @Test func fragmentsWithSeveralTopLevelElements() {
        let page = extract("<p>one</p><p hidden>two</p><div aria-hidden=\"true\">three</div><p>four &amp; more</p>")
        #expect(page.notes.isEmpty, "\(page.notes)")
        #expect(page.texts(.body, hidden: false) == ["one", "four & more"])
        #expect(page.texts(.body, hidden: true) == ["two", "three"])
    }

    @Test func visibleTextBlocksAndExclusions() {
        let page = extract("""
            <html><head><title>Title here</title><style>.x{color:red}</style>
            <script>var hidden = "script text";</script></head>
            <body><p>First <b>bold</b> para</p><div>Second&nbsp;block</div><template>tmpl</template></body></html>
            """)
        #expect(page.kind == .html)
        #expect(page.texts(.title) == ["Title here"])
        let body = page.texts(.body).joined(separator: "|")
        #expect(body.contains("First bold para"))
        #expect(body.contains("Second\u{00A0}block"))
        #expect(!page.string.contains("script text") && !page.string.contains("color") && !page.string.contains("tmpl"))
        // Blocks never join: a line feed separates the two paragraphs.
        #expect(page.string.contains("para\n"))
    }

    @Test func inlineMarkupDoesNotSplitWords() {
        #expect(extract("<p>at<span>ta</span><i>ck</i></p>").texts(.body) == ["attack"])
    }

    @Test func hiddenTextIsKeptAndFlagged() {
        let page = extract("""
            <body><p>shown</p><div hidden>one</div><span aria-hidden="true">two</span>
            <p style="display: none">three</p><p style="VISIBILITY:hidden">four</p><p>shown again</p></body>
            """)
        #expect(page.texts(.body, hidden: true) == ["one", "two", "three", "four"])
        #expect(page.texts(.body, hidden: false).joined().contains("shown again"))
    }

    @Test func attributesMetadataLinksAndMedia() {
        let page = extract("""
            <html><head><meta name="description" content="Meta description">
            <meta property="og:title" content="OG title"><meta name="viewport" content="width=device-width"></head>
            <body><img src="x.png" alt="Alt text" title="Img title"><a href="https://example.test/page">anchor words</a>
            <iframe src="https://video.test/embed"></iframe><video><source src="clip.mp4"></video></body></html>
            """)
        #expect(page.texts(.meta) == ["Meta description", "OG title"])
        #expect(page.texts(.alt) == ["Alt text", "Img title"])
        #expect(page.texts(.link) == ["https://example.test/page"])
        #expect(page.texts(.body).joined().contains("anchor words"))
        #expect(page.texts(.media) == ["https://video.test/embed", "clip.mp4"])
    }

    /// What the markup says the page is, as `structure:` tokens mapped to the
    /// markup: Open Graph type, JSON-LD and microdata schema.org types,
    /// article and time elements, bylines. Each once; nothing else of the
    /// value is carried.
    @Test func pageStructureIsReadAsTokens() throws {
        let html = """
            <html><head><meta property="og:type" content="Article"><script type="application/ld+json">
            {"@context": "https://schema.org", "@type" : [ "NewsArticle", "Report" ], "author": {"@type": "Person"}}
            </script><script>var x = {"@type": "Hidden"};</script></head>
            <body><article itemscope itemtype="https://schema.org/ScholarlyArticle"><p class="Story-Byline">By
            <a rel="author" href="/a">A</a> <time>today</time> <time>again</time></p></article>
            <div itemprop="author">B</div><meta property="og:type" content="article<b>x</b>"></body></html>
            """
        let page = extract(html)
        #expect(page.texts(.structure) == [
            "structure:og-type-article", "structure:schema-newsarticle", "structure:schema-report", "structure:schema-person",
            "structure:schema-scholarlyarticle", "structure:element-article", "structure:byline", "structure:element-time",
        ])
        let bytes = Array(html.utf8)
        let news = try #require(page.segments.first { String(decoding: page.text[$0.range], as: UTF8.self) == "structure:schema-newsarticle" })
        let source = page.map.source(of: news.range)
        #expect(String(decoding: bytes[source], as: UTF8.self) == "NewsArticle")
        // An ordinary script's "@type" is not read; body text is still body.
        #expect(!page.texts(.structure).contains("structure:schema-hidden"))
        #expect(page.texts(.body).joined(separator: " ").contains("today"))
    }

    /// A JSON-LD script that never closes, or is cut short, reads nothing
    /// past what is there.
    @Test(arguments: ["<script type=\"application/ld+json\">{\"@type\": \"News", "<script type=application/ld+json>{\"@type\":[\"A\",",
                      "<script type=\"application/ld+json\">{\"@type\"", "<script type=\"application/ld+json\"></script>"])
    func brokenJSONLDIsHarmless(_ html: String) {
        let page = extract(html)
        #expect(page.texts(.structure).allSatisfy { $0.hasPrefix("structure:schema-") })
    }

    @Test func offsetsPointAtThePageBytes() throws {
        let html = "<p>Caf&eacute; &amp; attack\r\nplan</p><p>x &#65; y</p>"
        let page = extract(html)
        let bytes = Array(html.utf8)
        for segment in page.segments {
            for k in segment.range {
                let source = page.map.source(of: k..<(k + 1))
                #expect(source.lowerBound <= source.upperBound && source.upperBound <= bytes.count)
            }
        }
        // "attack" maps to exactly those page bytes; é maps to the entity.
        let text = page.string
        let at = try #require(text.range(of: "attack"))
        let start = text.utf8.distance(from: text.utf8.startIndex, to: at.lowerBound)
        #expect(String(decoding: bytes[page.map.source(of: start..<(start + 6))], as: UTF8.self) == "attack")
        let e = try #require(text.range(of: "é"))
        let eStart = text.utf8.distance(from: text.utf8.startIndex, to: e.lowerBound)
        #expect(String(decoding: bytes[page.map.source(of: eStart..<(eStart + 2))], as: UTF8.self) == "&eacute;")
        let plan = try #require(text.range(of: "plan"))
        let planStart = text.utf8.distance(from: text.utf8.startIndex, to: plan.lowerBound)
        #expect(String(decoding: bytes[page.map.source(of: planStart..<(planStart + 4))], as: UTF8.self) == "plan")
    }

    /// The page bytes a text range maps to.
    static func source(of word: String, in page: PageText, _ bytes: [UInt8], occurrence: Int = 0) throws -> String {
        let text = page.string
        var ranges: [Range<String.Index>] = []
        var from = text.startIndex
        while let found = text.range(of: word, range: from..<text.endIndex) { ranges.append(found); from = found.upperBound }
        let at = try #require(ranges.count > occurrence ? ranges[occurrence] : nil, "\(word) not in \(text.debugDescription)")
        let start = text.utf8.distance(from: text.utf8.startIndex, to: at.lowerBound)
        let end = text.utf8.distance(from: text.utf8.startIndex, to: at.upperBound)
        return String(decoding: bytes[page.map.source(of: start..<end)], as: UTF8.self)
    }

    /// Regression: libxml2 hands a long text run over in pieces, and its
    /// reported position lags a piece's end by a character or two; the
    /// next piece was aligned from that position, so with 499 or more
    /// combining marks on one letter every later offset drifted (evidence
    /// started 1-3 bytes early, then fell back to whole-run ranges).
    @Test(arguments: [1, 498, 499, 500, 501, 1000, 3001])
    func offsetsStayExactAfterManyCombiningMarks(_ marks: Int) throws {
        let html = "<p>Some text before. a" + String(repeating: "\u{0301}", count: marks) + "ttack plan, the attack is set for friday.</p>"
        let bytes = Array(html.utf8)
        let page = extract(html)
        // Every byte of the text is the page byte it maps to (no entities here).
        for k in page.text.indices {
            let source = page.map.source(of: k..<(k + 1))
            #expect(source.count == 1 && bytes[source.lowerBound] == page.text[k], "byte \(k) maps to \(source)")
            if source.count != 1 { break }
        }
        #expect(try Self.source(of: "ttack plan", in: page, bytes) == "ttack plan")
        #expect(try Self.source(of: "the attack is set for", in: page, bytes) == "the attack is set for")
    }

    /// Regression: references HTML reads as U+FFFD (`&#0;`, a surrogate, a
    /// number past U+10FFFF) or as the character they name, which libxml2
    /// drops, vanished, and the offsets after them fell back to the whole
    /// run. Each is now in the text, mapped to its `&#…;`.
    @Test func referencesLibxml2DropsAreReadAsHTMLReadsThem() throws {
        let html = "<p>a &#xD800; b &#0; c &#x110000; d &#65; e &#99999999999 f &#x; g &#; h &#1; i&#xDFFF;</p><p>x&#0;</p>"
        let bytes = Array(html.utf8)
        let page = extract(html)
        #expect(page.texts(.body) == ["a \u{FFFD} b \u{FFFD} c \u{FFFD} d A e \u{FFFD} f &#x; g &#; h \u{1} i\u{FFFD}", "x\u{FFFD}"])
        for (n, reference) in ["&#xD800;", "&#0;", "&#x110000;", "&#99999999999 ", "&#xDFFF;", "&#0;"].enumerated() {
            // The replacement characters in order, each mapped to its reference (the spaceless one ends before " f").
            #expect(try Self.source(of: "\u{FFFD}", in: page, bytes, occurrence: n) == reference.trimmingCharacters(in: .whitespaces), "\(reference)")
        }
        for word in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            #expect(try Self.source(of: " \(word)", in: page, bytes) == " \(word)", "\(word)")
        }
        #expect(try Self.source(of: "A", in: page, bytes) == "&#65;")
        #expect(try Self.source(of: "&#x;", in: page, bytes) == "&#x;")
    }

    @Test func plainTextIsNotParsed() {
        let page = extract("<b>not markup</b> here", contentType: "text/plain")
        #expect(page.kind == .text)
        #expect(page.string == "<b>not markup</b> here")
    }

    @Test(arguments: [
        ("png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "image/png"),
        ("gzip", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3], "application/gzip"),
        ("pdf", Array("%PDF-1.7\n%âãÏÓ".utf8), "application/pdf"),
        ("nuls", [0x3C, 0x68, 0, 0, 0, 0, 0, 0, 0, 0, 0x3E], "application/octet-stream"),
    ] as [(String, [UInt8], String)])
    func binaryIsClassified(_ name: String, _ bytes: [UInt8], _ type: String) {
        let page = PageExtractor().extract(bytes, contentType: "text/html")
        #expect(page.kind == .binary(type))
        #expect(page.text.isEmpty && !page.notes.isEmpty)
    }
}

@Suite("Charsets")
struct CharsetTests {
    func decide(_ bytes: [UInt8], _ transport: String? = nil) -> CharsetDecision {
        bytes.withUnsafeBytes { Charset.decide($0, transport: transport) }
    }

    @Test func orderOfEvidence() {
        #expect(decide([0xEF, 0xBB, 0xBF] + Array("<meta charset=latin1>".utf8), "shift_jis") == .init(name: "utf-8", source: .byteOrderMark))
        #expect(decide(Array("<meta charset=utf-8>".utf8), "ISO-8859-1") == .init(name: "windows-1252", source: .transport))
        #expect(decide(Array("<!-- <meta charset=koi8-r> --><meta charset=\"Shift_JIS\">".utf8)) == .init(name: "shift_jis", source: .meta))
        #expect(decide(Array("<meta http-equiv=Content-Type content='text/html; charset=euc-kr'>".utf8)) == .init(name: "euc-kr", source: .meta))
        #expect(decide(Array("plain café".utf8)) == .init(name: "utf-8", source: .validUTF8))
        #expect(decide([0x63, 0x61, 0x66, 0xE9]) == .init(name: "windows-1252", source: .fallback))
    }

    @Test func dangerousLabelsAreNotHonoured() {
        #expect(decide(Array("<meta charset=utf-7>+ADw-script+AD4-".utf8)) == .init(name: "utf-8", source: .validUTF8))
        #expect(decide(Array("x".utf8), "UTF-7") == .init(name: "utf-8", source: .validUTF8))
        #expect(decide(Array("x".utf8), "no-such-charset") == .init(name: "utf-8", source: .validUTF8))
    }

    @Test func decodingKeepsOffsets() {
        // windows-1252: 0x93/0x94 are curly quotes, one byte each.
        let page = PageExtractor().extract([0x93, 0x61, 0x94, 0xE9], contentType: "text/plain; charset=windows-1252")
        #expect(page.string == "\u{201C}a\u{201D}é")
        #expect(page.map.source(of: 0..<3) == 0..<1)
        #expect(page.map.source(of: 3..<4) == 1..<2)
        // Shift_JIS through ICU: 攻撃 is four bytes.
        let sjis = PageExtractor().extract([0x8D, 0x55, 0x8C, 0x82, 0x41], contentType: "text/plain; charset=shift_jis")
        #expect(sjis.string == "攻撃A")
        #expect(sjis.map.source(of: 3..<6) == 2..<4)
        // UTF-16LE with a byte-order mark.
        let utf16 = PageExtractor().extract([0xFF, 0xFE, 0x3C, 0x00, 0x70, 0x00, 0x3E, 0x00, 0x68, 0x00, 0x69, 0x00])
        #expect(utf16.kind == .html && utf16.string == "hi")
        #expect(utf16.map.source(of: 0..<2) == 8..<12)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let page = PageExtractor().extract([0x61, 0xC3, 0x28, 0x62, 0xFF], contentType: "text/plain; charset=utf-8")
        #expect(page.string == "a\u{FFFD}(b\u{FFFD}")
    }
}

/// Issue 19, items 1 and 2: running text goes on across line breaks in the
/// source, `<br>` and links, as a reader reads it; blocks still part it.
@Suite("Running text")
struct RunningTextTests {
    static func parts(_ html: String) -> [(String, String)] {
        let page = PageExtractor().extract(Array(html.utf8), contentType: "text/html")
        return page.segments.map { ($0.origin.rawValue, String(decoding: page.text[$0.range], as: UTF8.self)) }
    }

    @Test(arguments: [
        ("a line break in the source", "<p>join\nour ranks</p>", "join our ranks"),
        ("CR LF in the source", "<p>join\r\nour ranks</p>", "join our ranks"),
        ("a line break after a long run", "<p>Überall café résumé, words and words: join\nour ranks</p>",
         "uberall cafe resume, words and words: join our ranks"),
        ("a tab", "<p>join\tour ranks</p>", "join our ranks"),
        ("<br>", "<p>join<br>our ranks</p>", "join our ranks"),
        ("<br/> with attributes", "<p>join<br class=\"x\"/>our ranks</p>", "join our ranks"),
        ("a link", "<p>join <a href=\"/r\">our ranks</a> today</p>", "join our ranks today"),
        ("an image with alt text", "<p>join <img src=\"x.png\" alt=\"flag\"> our ranks</p>", "join our ranks"),
    ])
    func runningTextGoesOn(_ mechanism: String, _ html: String, _ body: String) throws {
        let parts = Self.parts(html)
        let text = try #require(parts.first { $0.0 == "body" }?.1, "\(mechanism): \(parts)")
        // As the patterns read it: the normalised view, white space collapsed.
        let read = TextNormalizer().views(of: Array(text.utf8), leet: false).normalized.bytes
        #expect(String(decoding: read, as: UTF8.self) == body, "\(mechanism): \(parts)")
    }

    /// A link's address and an image's alt text are parts of their own,
    /// after the running text they stood in, each mapped to its tag.
    @Test func attributeTextFollowsItsBlock() throws {
        let html = "<p>join <a href=\"/r\">our ranks</a></p><p>next</p>"
        let page = PageExtractor().extract(Array(html.utf8), contentType: "text/html")
        let parts = page.segments.map { ($0.origin.rawValue, String(decoding: page.text[$0.range], as: UTF8.self)) }
        #expect(parts.map(\.0) == ["body", "link", "body"] && parts.map(\.1) == ["join our ranks", "/r", "next"])
        let link = page.segments[1]
        #expect(page.map.source(of: link.range) == 8..<21)  // `<a href="/r">`
        // The body's bytes map to the page exactly, across the tag.
        let body = page.segments[0]
        for k in body.range {
            let source = page.map.source(of: k..<(k + 1))
            #expect(Array(html.utf8)[source] == [page.text[k]] || page.text[k] == 0x20)
        }
    }

    /// Blocks, table cells and list items still part text: no phrase runs
    /// from one to the next.
    @Test func blocksStillPartText() {
        #expect(Self.parts("<p>attack</p><p>plan</p>").map(\.1) == ["attack", "plan"])
        #expect(Self.parts("<ul><li>attack</li><li>plan</li></ul>").map(\.1) == ["attack", "plan"])
        #expect(Self.parts("<table><tr><td>attack</td><td>plan</td></tr></table>").map(\.1) == ["attack", "plan"])
    }
}

extension RunningTextTests {
    /// Issue 19, item 7: a `title` on any element is a tooltip a reader
    /// sees; an image's title is read with its alt text, as before.
    @Test func titlesOnAnyElementAreTooltips() {
        let parts = Self.parts("<p>See <span title=\"join our ranks\">this</span>.</p><p><abbr title=\"Sonnenkrieg Division\">SKD</abbr></p>"
            + "<img src=\"a.png\" title=\"image title\">")
        #expect(parts.contains { $0 == ("tooltip", "join our ranks") }, "\(parts)")
        #expect(parts.contains { $0 == ("tooltip", "Sonnenkrieg Division") })
        #expect(parts.contains { $0 == ("alt", "image title") })
        #expect(parts.first { $0.0 == "body" }?.1 == "See this.")
        // Not from the head (a `<link title>` is no tooltip).
        #expect(!Self.parts("<head><link rel=\"alternate\" title=\"join our ranks\"></head><p>x</p>").contains { $0.0 == "tooltip" })
    }
}
