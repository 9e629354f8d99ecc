import Foundation
import Testing
import TriageModel
import TestSupport
@testable import TriageEngine
import TriageRules

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped rules, compiled once for the suite.
let shippedRules: CompiledRules = {
    let (compiled, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand([packageRoot.appendingPathComponent("Rules").path]))
    guard let compiled else { fatalError(DiagnosticRenderer.text(diagnostics)) }
    return compiled
}()

@Suite("Pipeline")
struct PipelineTests {
    static var pages: [String] {
        let folder = packageRoot.appendingPathComponent("Samples/pages").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".html") }.sorted()
            .map { folder + "/" + $0 }
    }

    /// The sample pages the tests below run over are there: were they moved,
    /// those tests would pass with no case at all.
    @Test func theSamplePagesAreThere() {
        #expect(Self.pages.count >= 10, "Samples/pages holds \(Self.pages.count) pages")
    }

    /// Every snippet's byte range holds the matched text in the page as received.
    @Test(arguments: pages)
    func evidencePointsAtThePageBytes(_ path: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: path)).map { $0 }
        let assessment = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "p", content: .bytes(bytes)))
        for hit in assessment.hits + assessment.shadowHits {
            for snippet in hit.evidence {
                #expect(snippet.start < snippet.end && snippet.end <= bytes.count)
                let source = String(decoding: bytes[snippet.start..<snippet.end], as: UTF8.self)
                // The page's bytes at that range read as the match once markup
                // and invisible characters are set aside (attribute text maps to its tag).
                if snippet.origin == "body" || snippet.origin == "title" {
                    // Invisible characters, written as themselves or as entities, are not part of the match.
                    let visible = source.replacing(/&(#x200b|shy|zwj|zwnj);/.ignoresCase(), with: "").unicodeScalars
                        .filter { !$0.properties.isDefaultIgnorableCodePoint }
                    let match = snippet.match.replacingOccurrences(of: "<U+200B>", with: "").replacingOccurrences(of: "<U+00AD>", with: "")
                    // Whitespace runs are shown as one space.
                    let source = String(String.UnicodeScalarView(visible)).lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    #expect(source == match.lowercased(),
                            "\(path) \(hit.rule) \(snippet.pattern)")
                } else if snippet.origin == "structure" {
                    // A structure token maps to its tag, or to the JSON-LD value it names.
                    #expect(source.hasPrefix("<") || snippet.match.lowercased() == "structure:schema-" + source.lowercased(), "\(path) \(snippet.match)")
                } else {
                    #expect(source.hasPrefix("<"), "attribute text maps to its whole tag")
                }
            }
        }
    }

    @Test func theSameReferralGivesTheSameBytes() throws {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        for path in Self.pages {
            let referral = Referral(id: "p", url: "https://x.example/a", content: .file(path), source: .trustedFlagger)
            var first = pipeline.assess(referral), second = TriagePipeline(rules: shippedRules, policy: .default).assess(referral)
            first.timings = nil
            second.timings = nil
            #expect(first.json() == second.json())
        }
    }

    /// The hand-written JSON is what Foundation's encoder writes with sorted keys.
    @Test func jsonMatchesFoundationsEncoder() throws {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for path in Self.pages {
            var assessment = pipeline.assess(Referral(id: "p \"quoted\"", url: "https://x.example/a?b=1", content: .file(path)))
            (assessment.caseID, assessment.caseSize) = ("case-1", 2)
            #expect(assessment.json() == String(decoding: try encoder.encode(assessment), as: UTF8.self), "\(path)")
            assessment.timings = nil
            #expect(assessment.json() == String(decoding: try encoder.encode(assessment), as: UTF8.self), "\(path)")
        }
    }

    /// JSON serialised before the case is known, completed with it, is the
    /// JSON of the assessment with that case, whatever the case; without
    /// it (as a queue stores it) it reads back as the assessment with no
    /// case; and the fetch record inside it is the record's own JSON.
    @Test func jsonCompletedWithItsCaseIsTheWholeJSON() throws {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        #expect(Self.pages.count >= 5, "the sample pages are missing")
        for path in Self.pages {
            for url in ["https://x.example/a?b=1", nil] {
                var item = pipeline.assess(Referral(id: "r", url: url, content: .file(path)), fetched: nil)
                if url != nil {
                    var record = FetchRecord(requestedURL: url!, startedAt: "2026-01-01T00:00:00.000Z", endedAt: "", curlVersion: "x")
                    record.status = 200
                    item.assessment.fetch = record
                }
                item.serialize()
                var assessment = item.assessment
                for (id, size) in [(nil, 0), ("case-00000000000000ab", 1), ("case-\"odd\"", 12_345)] as [(String?, Int)] {
                    (assessment.caseID, assessment.caseSize) = (id, size)
                    (item.assessment.caseID, item.assessment.caseSize) = (id, size)
                    #expect(item.json() == assessment.jsonBytes(), "\(path)")
                }
                let stored = try JSONDecoder().decode(Assessment.self, from: Data(item.serialized))
                (assessment.caseID, assessment.caseSize) = (nil, 0)
                #expect(stored == assessment, "\(path)")
                #expect(item.fetchJSON == item.assessment.fetch?.json, "\(path)")
            }
        }
    }

    @Test func obfuscatedTextIsFoundAndExplained() throws {
        let html = "<p>SYNTHETIC. The 4tt4ck pl4n is set; the t\u{200B}arget list is ready.</p><p hidden>join the fight</p>"
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "o", content: .html(Array(html.utf8))))
        #expect(a.band == .p1)
        let plan = try #require(a.hits.first { $0.rule == "example.attack-planning-phrases" })
        #expect(plan.evidence.contains { $0.view == "leet" && $0.match == "4tt4ck pl4n" })
        #expect(plan.evidence.contains { $0.match == "t<U+200B>arget list" })
        #expect(a.hits.contains { $0.evidence.contains { $0.hidden && $0.match == "join the fight" } })
        #expect(a.contributions.reduce(0) { $0 + $1.points } == a.score)
    }

    /// A limit reached marks the assessment incomplete, with the limit's
    /// name and value, and says so in its notes (issue 18, items 6 and 10:
    /// the expansion cap was said by `extract` but not in the assessment).
    @Test func limitsReachedMarkTheAssessmentIncomplete() throws {
        let html = "<p>SYNTHETIC. " + String(repeating: "The attack plan is set. ", count: 40) + "The target list is ready.</p>"
        let referral = Referral(id: "l", content: .html(Array(html.utf8)))
        let whole = TriagePipeline(rules: shippedRules, policy: .default).assess(referral)
        #expect(whole.incomplete == nil)
        let capped = TriagePipeline(rules: shippedRules, policy: .default, limits: ScanLimits(matchesPerView: 10)).assess(referral)
        #expect(capped.incomplete == [.init(limit: "matches_per_view", value: 10)])
        #expect(capped.notes.contains { $0.contains("more matches than a scan keeps (10 per view)") })
        // Every match is still counted.
        let plan = { (a: Assessment) in a.hits.first { $0.rule == "example.attack-planning-phrases" }?.matches }
        #expect(plan(capped) != nil && plan(capped) == plan(whole))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(capped.json() == String(decoding: try encoder.encode(capped), as: UTF8.self))

        // U+FDFA folds to 18 characters: far past four times its bytes.
        let expanding = TriagePipeline(rules: shippedRules, policy: .default)
            .assess(Referral(id: "e", content: .html(Array(("<p>" + String(repeating: "\u{FDFA}", count: 200) + "</p>").utf8))))
        #expect(expanding.incomplete == [.init(limit: "normalization_expansion", value: 4)])
        #expect(expanding.notes.contains { $0.contains("expansion cap") })
    }

    /// Issue 19, items 1 and 2: a phrase split by white space, a line
    /// break in the source, `<br>` or a link is found, and its evidence
    /// covers the page bytes from its first word to its last.
    @Test(arguments: [
        ("two spaces", "join  our ranks"), ("a tab", "join\tour ranks"), ("a line break", "join\nour ranks"),
        ("CR LF", "join\r\nour ranks"), ("a no-break space entity", "join&nbsp;our ranks"), ("<br>", "join<br>our ranks"),
        ("a link", "join <a href=\"https://example.invalid/r\">our ranks</a>"), ("a link around all", "<a href=\"/x\">join our\nranks</a>"),
    ])
    func phrasesAcrossWhiteSpaceAndLinks(_ mechanism: String, _ phrase: String) throws {
        let html = "<html><body><p>SYNTHETIC TEST CONTENT. Come and \(phrase) today.</p></body></html>"
        let bytes = Array(html.utf8)
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "w", content: .html(bytes)))
        let hit = try #require(a.hits.first { $0.rule == "example.recruitment-invitation" }, "\(mechanism): \(a.hits.map(\.rule))")
        let snippet = try #require(hit.evidence.first)
        let source = String(decoding: bytes[snippet.start..<snippet.end], as: UTF8.self)
        #expect(source.hasPrefix("join") && source.hasSuffix("ranks"), "\(mechanism): \(source)")
        #expect(snippet.match.lowercased().split(whereSeparator: \.isWhitespace) == ["join", "our", "ranks"], "\(mechanism)")
    }

    /// Issue 19, item 8: a name next to typographic punctuation is still
    /// a whole word (`Hamas’s` was missed while `Hamas's` matched).
    @Test(arguments: [
        ("a typographic apostrophe", "Hamas’s statement", "org-harakat-al-muqawama-al-islamiyya"),
        ("typographic quotes", "the group “Hamas” said", "org-harakat-al-muqawama-al-islamiyya"),
        ("single quotes", "the group ‘Hamas’ said", "org-harakat-al-muqawama-al-islamiyya"),
        ("an em dash", "Sonnenkrieg Division—a group", "org-sonnenkrieg-division"),
        ("an en dash", "Sonnenkrieg Division – a group", "org-sonnenkrieg-division"),
        ("a dash inside a name", "Palestinian Islamic Jihad-Shaqaqi posted", "org-palestinian-islamic-jihad-shaqaqi"),
        ("guillemets", "«Sonnenkrieg Division»", "org-sonnenkrieg-division"),
    ])
    func namesBesideTypographicPunctuation(_ mechanism: String, _ text: String, _ rule: String) throws {
        let html = "<p>SYNTHETIC TEST CONTENT. A report about \(text).</p>"
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "t", content: .html(Array(html.utf8))))
        #expect(a.hits.contains { $0.rule == "proscribed-organisations." + rule }, "\(mechanism): \(a.hits.map(\.rule))")
    }

    /// Issue 19, item 7: a phrase written backwards inside a right-to-left
    /// override displays, and is found, the right way round; its evidence
    /// is the reversed bytes on the page.
    @Test func aPhraseReversedInsideAnOverrideIsFound() throws {
        let html = "<p>SYNTHETIC TEST CONTENT. Come and \u{202E}sknar ruo nioj\u{202C} today.</p>"
        let bytes = Array(html.utf8)
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "r", content: .html(bytes)))
        let hit = try #require(a.hits.first { $0.rule == "example.recruitment-invitation" }, "\(a.hits.map(\.rule))")
        let snippet = try #require(hit.evidence.first)
        #expect(String(decoding: bytes[snippet.start..<snippet.end], as: UTF8.self) == "sknar ruo nioj")
    }

    /// Blocks still part phrases: the last word of one paragraph and the
    /// first of the next are not a phrase.
    @Test func phrasesDoNotRunAcrossBlocks() {
        let html = "<p>SYNTHETIC TEST CONTENT. Come and join our</p><p>ranks of readers.</p>"
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "b", content: .html(Array(html.utf8))))
        #expect(!a.hits.contains { $0.rule == "example.recruitment-invitation" })
    }

    /// News, court reporting, research and counter-speech that name
    /// proscribed organisations, or quote a recruitment line to rebut it,
    /// stay at P4 or below, and say which context lowered them.
    @Test(arguments: [
        ("07-news-article.html", ["context.article-structure", "context.reported-speech"]),
        ("08-court-report.html", ["context.court-reporting", "context.article-structure"]),
        ("09-research-summary.html", ["context.research-framing", "context.article-structure"]),
        ("10-counter-speech-guide.html", ["context.counter-speech"]),
    ])
    func reportingStaysReporting(_ name: String, _ context: [String]) throws {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("Samples/pages/\(name)")))
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: name, content: .html(bytes)))
        #expect(a.band >= .p4 && a.band != .pending, "\(name): \(a.band) \(a.score)")
        let rules = Set(a.hits.map(\.rule))
        for rule in context { #expect(rules.contains(rule), "\(name) lacks \(rule)") }
        #expect(a.hits.contains { $0.category != "context" }, "\(name) names something to be lowered")
    }

    /// Context never hides attack planning, and support language beside a
    /// name still counts, on a page dressed as news.
    @Test func newsDressingHidesNothingUrgent() {
        let html = """
            <html><head><meta property="og:type" content="article"><script type="application/ld+json">{"@type":"NewsArticle"}</script></head>
            <body><article><p class="byline">By A <time>today</time></p><p>Police said, according to officials, that the court heard
            it. The attack plan is ready and the day of the attack is close. Long live The Base!</p></article></body></html>
            """
        let a = TriagePipeline(rules: shippedRules, policy: .default).assess(Referral(id: "n", content: .html(Array(html.utf8))))
        #expect(a.band == .p1)
        #expect(a.hits.contains { $0.rule == "proscribed-organisations.org-the-base" })
        #expect(a.hits.contains { $0.rule == "context.article-structure" })
    }

    @Test func unassessableContentIsPendingWithAReason() throws {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        let urlOnly = pipeline.assess(Referral(id: "u", url: "https://x.example/", content: .none))
        #expect(urlOnly.band == .pending && urlOnly.notes.contains { $0.contains("not been fetched") })
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 64)
        let image = pipeline.assess(Referral(id: "i", content: .bytes(png), contentType: "text/html"))
        #expect(image.band == .pending && image.contentKind == "binary (image/png)")
        let missing = pipeline.assess(Referral(id: "m", content: .file("/nonexistent/page.html")))
        #expect(missing.band == .pending && missing.notes.contains { $0.contains("could not be read") })
    }

    @Test(arguments: [
        ("HTTPS://Example.COM:443/a?utm_source=x&b=2#frag", "https://example.com/a?b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?fbclid=1&gclid=2", "http://example.com:8080/x"),
        ("https://example.com./p?UTM_Medium=m&id=7", "https://example.com/p?id=7"),
        ("ftp://example.com/file", nil),
        ("/relative/path", nil),
        ("not a url", nil),
    ] as [(String, String?)])
    func canonicalURLs(_ url: String, _ expected: String?) {
        #expect(CanonicalURL.of(url) == expected)
    }

    @Test func casesFoldByURLThenContent() {
        var book = CaseBook()
        let a = book.file(canonicalURL: "https://x.example/1", contentFingerprint: "aaa")
        let b = book.file(canonicalURL: "https://x.example/1", contentFingerprint: nil)
        let c = book.file(canonicalURL: "https://y.example/other-copy", contentFingerprint: "aaa")
        let d = book.file(canonicalURL: nil, contentFingerprint: "bbb")
        #expect(a?.id == b?.id && b?.id == c?.id && c?.size == 3)
        #expect(d?.id != a?.id && d?.size == 1)
        #expect(book.file(canonicalURL: nil, contentFingerprint: nil) == nil)
        #expect(book.caseCount == 2 && book.referralCount == 4)
        // The same input gives the same case ids.
        var again = CaseBook()
        #expect(again.file(canonicalURL: "https://x.example/1", contentFingerprint: "aaa")?.id == a?.id)
    }
}

@Suite("Snippet display")
struct SnippetDisplayTests {
    /// The straightforward version the byte-level one replaced: whitespace
    /// runs collapsed, the text decoded, invisible scalars named.
    static func oracle(_ bytes: ArraySlice<UInt8>) -> String {
        var collapsed: [UInt8] = []
        var space = false
        for b in bytes {
            if [0x20, 0x0A, 0x09, 0x0D, 0x0C].contains(b) {
                space = true
                continue
            }
            if space { collapsed.append(0x20) }
            space = false
            collapsed.append(b)
        }
        if space { collapsed.append(0x20) }
        var shown = ""
        for scalar in String(decoding: collapsed, as: UTF8.self).unicodeScalars {
            if scalar.value >= 0x80 && scalar.properties.isDefaultIgnorableCodePoint {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                shown += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    @Test func namesInvisibleCharactersAndCollapsesSpace() {
        #expect(TriagePipeline.display(Array("a\u{200B}b  \n\t c\u{AD}d\u{202E}".utf8)[...]) == "a<U+200B>b c<U+00AD>d<U+202E>")
        #expect(TriagePipeline.display(Array("  plain ascii \r\n".utf8)[...]) == " plain ascii ")
        #expect(TriagePipeline.display(Array("café \u{E0041}".utf8)[...]) == "café <U+E0041>")
    }

    /// Random bytes from a mix of ASCII, whitespace, multi-byte and
    /// invisible characters, and stray or cut sequences: the same text as the oracle.
    @Test func agreesWithTheStraightforwardVersion() {
        var random = SeededRandom(seed: 17)
        let pieces: [[UInt8]] = ["a", "Z", " ", "\n", "\t", "\r", "\u{0C}", "é", "ж", "☃", "𝄞", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{AD}",
                                 "\u{2066}", "\u{E0020}", "<", "\""].map { Array($0.utf8) } + [[0x80], [0xC3], [0xE2, 0x98], [0xFF], [0xF0, 0x9D, 0x84]]
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 24) { bytes += pieces[Int(random.next() % UInt64(pieces.count))] }
            #expect(TriagePipeline.display(bytes[...]) == Self.oracle(bytes[...]), "\(bytes)")
            let (before, after) = (random.next() % 2 == 0, random.next() % 2 == 0)
            #expect(TriagePipeline.display(bytes[...], cutBefore: before, cutAfter: after)
                == (before ? "…" : "") + Self.oracle(bytes[...]) + (after ? "…" : ""), "\(bytes)")
        }
    }
}
