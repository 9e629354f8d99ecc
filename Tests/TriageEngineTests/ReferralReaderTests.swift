import Foundation
import Testing
import TriageModel
import TestSupport
@testable import TriageEngine

/// Writes `text` to a scratch file and reads every record from it.
func readAll(_ text: String, name: String = "input.ndjson", format: ReferralReader.Format? = nil,
             files: [String: String] = [:]) throws -> [ReferralReader.Record] {
    let folder = try temporaryFolder("triage-engine")
    defer { try? FileManager.default.removeItem(at: folder) }
    for (file, content) in files { try content.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8) }
    let path = folder.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return Array(try ReferralReader(path: path, format: format))
}

extension ReferralReader.Record {
    var referral: Referral? { if case let .referral(r, _) = self { r } else { nil } }
    var error: ReferralError? { if case let .rejected(e) = self { e } else { nil } }
    var line: Int {
        switch self {
        case let .referral(_, line): line
        case let .rejected(error): error.line
        }
    }
}

@Suite("Referral input")
struct ReferralReaderTests {
    @Test func ndjsonFieldsAndDefaults() throws {
        let records = try readAll("""
            {"id":"a","url":"https://x.example/","html":"<p>hi</p>","source":"trusted-flagger","reported_at":"2026-11-20T10:00:00Z","reporter_note":"n","platform":"p","content_type":"text/html; charset=utf-8"}
            {"id":"b","text":"plain"}
            {"id":"c","url":"https://only.example/"}
            """)
        let a = try #require(records[0].referral)
        #expect(a == Referral(id: "a", url: "https://x.example/", content: .html(Array("<p>hi</p>".utf8)), contentType: "text/html; charset=utf-8",
                              source: .trustedFlagger, reportedAt: "2026-11-20T10:00:00Z", reporterNote: "n", platform: "p"))
        #expect(records[1].referral?.source == .public && records[1].referral?.content == .text(Array("plain".utf8)))
        #expect(records[2].referral?.content == Referral.Content.none)
        #expect(records.map(\.line) == [1, 2, 3])
    }

    /// Every rejection names its line and reason; the records after it are still read.
    @Test(arguments: [
        ("{\"id\":\"x\",\"text\":", "not valid JSON"),
        ("[1,2]", "not a JSON object"),
        ("{\"text\":\"no id\"}", "no `id`"),
        ("{\"id\":\"  \",\"text\":\"blank id\"}", "no `id`"),
        ("{\"id\":\"x\",\"text\":\"t\",\"source\":\"anonymous\"}", "unknown source `anonymous`"),
        ("{\"id\":\"x\",\"text\":\"t\",\"html\":\"h\"}", "more than one of html, text and path"),
        ("{\"id\":\"x\"}", "no content (html, text or path) and no url"),
        ("{\"id\":\"x\",\"text\":5}", "`text` must be a string"),
        ("{\"id\":\"x\",\"path\":\"missing.html\"}", "path `missing.html` cannot be read"),
        // Regression (issue 18, item 10): an attack-plan `text` followed by a
        // benign one was read with the last, and assessed NFA.
        ("{\"id\":\"x\",\"text\":\"the attack plan\",\"text\":\"a bread recipe\"}", "the key `text` stands twice in one record"),
        ("{\"id\":\"x\",\"text\":\"t\",\"id\":\"y\"}", "the key `id` stands twice"),
        ("{\"id\":\"x\",\"text\":\"t\",\"extra\":1,\"extra\":null}", "the key `extra` stands twice"),
    ])
    func rejections(_ line: String, _ reason: String) throws {
        let records = try readAll("{\"id\":\"first\",\"text\":\"ok\"}\n\n" + line + "\n{\"id\":\"last\",\"text\":\"ok\"}\n")
        #expect(records.count == 3)
        let error = try #require(records[1].error)
        #expect(error.line == 3)
        #expect(error.reason.hasPrefix(reason), "\(error)")
        #expect(error.description.contains("input.ndjson:3"))
        #expect(records[2].referral?.id == "last")
    }

    @Test func duplicateIdsAreRejectedWithTheFirstLine() throws {
        let records = try readAll("{\"id\":\"a\",\"text\":\"1\"}\n{\"id\":\"b\",\"text\":\"2\"}\n{\"id\":\"a\",\"text\":\"3\"}\n")
        #expect(records[2].error?.reason == "duplicate id, first on line 1")
        #expect(records[2].error?.id == "a")
    }

    @Test func contentOverTheLimitIsRejected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("triage-limit-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "{\"id\":\"big\",\"text\":\"\(String(repeating: "x", count: 2000))\"}\n{\"id\":\"ok\",\"text\":\"x\"}\n"
            .write(to: folder, atomically: true, encoding: .utf8)
        let reader = try ReferralReader(path: folder.path)
        reader.maxContentBytes = 1000
        let records = Array(reader)
        #expect(records[0].error?.reason.contains("over the limit of 1000") == true)
        #expect(records[1].referral?.id == "ok")
    }

    @Test func pathsResolveAgainstTheInputsFolder() throws {
        let records = try readAll("{\"id\":\"p\",\"path\":\"page.html\"}\n", files: ["page.html": "<p>x</p>"])
        guard case let .file(path)? = records[0].referral?.content else {
            Issue.record("expected a file")
            return
        }
        #expect(path.hasSuffix("/page.html") && path.hasPrefix("/"))
    }

    @Test func csvWithQuotedFieldsAcrossLines() throws {
        let records = try readAll("""
            id,url,text,source
            a,https://x.example/,"one, ""quoted"" field",public
            b,,"two
            lines",platform
            c,,three,nobody
            d,,too,many,fields
            """, name: "input.csv")
        #expect(records[0].referral?.content == .text(Array("one, \"quoted\" field".utf8)))
        #expect(records[1].referral?.content == .text(Array("two\nlines".utf8)) && records[1].referral?.source == .platform)
        #expect(records[1].line == 3)
        #expect(records[2].error?.line == 5 && records[2].error?.reason.hasPrefix("unknown source") == true)
        #expect(records[3].error?.reason == "5 fields where the header has 4")
    }

    /// A header that names a column twice would read each row with one of
    /// the two cells silently: every row is refused, naming the column.
    @Test func csvHeaderWithAColumnTwiceIsRefused() throws {
        let records = try readAll("id,text,TEXT\na,the attack plan,a bread recipe\nb,x,y\n", name: "input.csv")
        #expect(records.count == 3)
        #expect(records[0].error?.reason == "the CSV header names `text` twice: no row is read")
        #expect(records[1].error?.reason == "the CSV header (line 1) names `text` twice" && records[1].line == 2)
        #expect(records[2].referral == nil)
    }

    @Test func csvNeedsAnIdColumn() throws {
        let records = try readAll("url,text\nhttps://x.example/,t\n", name: "input.csv")
        #expect(records.first?.error?.reason == "the CSV header has no `id` column")
    }

    @Test func formatFollowsTheExtensionUnlessGiven() throws {
        #expect(ReferralReader.Format(path: "a/b.CSV") == .csv)
        #expect(ReferralReader.Format(path: "a/b.ndjson") == .ndjson)
        let records = try readAll("id,text\na,t\n", name: "input.txt", format: .csv)
        #expect(records.first?.referral?.id == "a")
    }

    @Test func anUnopenableInputIsAnError() {
        #expect(throws: ReferralError.self) { try ReferralReader(path: "/nonexistent/referrals.ndjson") }
    }

    @Test func trimmingAgreesWithFoundation() {
        for text in ["", "a", " a", "a ", "\ta\t", "\u{00A0}id-1", "id-1\u{3000}", "a b", "\na\n", " ", "\u{200B}a", "é ", " 😀 "] {
            #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func contentFilesAreReadWhole() throws {
        let folder = try temporaryFolder("triage-engine")
        defer { try? FileManager.default.removeItem(at: folder) }
        for size in [0, 1, 65_535, 65_536, 200_001] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let path = folder.appendingPathComponent("page-\(size)").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            #expect(Referral.readFile(path) == bytes)
        }
        #expect(Referral.readFile(folder.appendingPathComponent("missing").path) == nil)
        #expect(Referral.readFile(folder.path) == nil)  // a folder
    }

    /// A server's intake parses one record a request with the reader's
    /// rules and words, and never reads a file a record names.
    @Test func aParserForTheNetworkRefusesPaths() {
        var parser = ReferralParser(input: "request r-1", paths: .refused)
        guard case let .referral(referral, 1) = parser.record(json: Array(#"{"id":"N-1","text":"hello","source":"platform"}"#.utf8), line: 1) else {
            Issue.record("an inline referral must be accepted")
            return
        }
        #expect(referral == Referral(id: "N-1", content: .text(Array("hello".utf8)), source: .platform))
        let cases: [(String, String)] = [
            (#"{"id":"N-2","path":"/etc/passwd"}"#, "`path` is not accepted here: send the content as `html` or `text`"),
            (#"{"id":"N-1","text":"again"}"#, "duplicate id, first on line 1"),
            (#"{"id":"N-3","source":"anonymous","text":"x"}"#, "unknown source `anonymous` (public, trusted-flagger, platform, internal)"),
            (#"{"id":"N-4"}"#, "no content (html, text or path) and no url"),
            (#"{"id":7,"text":"x"}"#, "`id` must be a string"),
            ("not json", "not valid JSON"),
        ]
        for (line, (json, reason)) in cases.enumerated() {
            guard case let .rejected(error) = parser.record(json: Array(json.utf8), line: line + 2) else {
                Issue.record("\(json) must be rejected")
                continue
            }
            #expect(error.input == "request r-1" && error.line == line + 2 && error.reason == reason, "\(error)")
        }
    }
}
