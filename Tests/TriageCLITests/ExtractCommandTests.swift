import Foundation
import Testing
import TestSupport

@Suite("triage extract")
struct ExtractCommandTests {
    @Test func helpIsDocumented() throws {
        let result = try TriageProcess.run(["extract", "--help"])
        #expect(result.status == 0)
        try expectGolden(result.stdout, golden("extract-help.txt"))
    }

    /// Every sample page in every view, as a reader of the golden file sees it.
    @Test func samplesInEveryView() throws {
        var all = ""
        for view in ["raw", "normalized", "leet"] {
            for page in ScanCommandTests.pageFiles {
                let result = try TriageProcess.run(["extract", "--view", view, page])
                #expect(result.status == 0 && result.stderr.isEmpty)
                all += "## \(view)\n" + result.stdout
            }
        }
        try expectGolden(all, golden("extract-samples.txt"))
    }

    /// Each part's source range holds that part's text in the page file
    /// (body text with no markup or entities inside).
    @Test func jsonSourceRangesPointIntoThePage() throws {
        let path = "Samples/pages/01-threat-synthetic.html"
        let result = try TriageProcess.run(["extract", "--format", "json", path])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "html" && object["charset"] as? String == "utf-8")
        let page = try Data(contentsOf: TriageProcess.packageRoot.appendingPathComponent(path))
        let segments = try #require(object["segments"] as? [[String: Any]])
        #expect(segments.count >= 3)
        for segment in segments where segment["origin"] as? String == "body" {
            let source = try #require(segment["source"] as? [Int])
            let text = String(decoding: page[source[0]..<source[1]], as: UTF8.self)
            #expect(text == segment["text"] as? String)
        }
    }

    @Test func standardInputAndContentType() throws {
        let html = Data("<p>one <b>two</b></p>".utf8)
        let asHTML = try TriageProcess.run(["extract", "--content-type", "text/html", "-"], stdin: html)
        #expect(asHTML.stdout.hasSuffix("[body] one two\n"))
        let asText = try TriageProcess.run(["extract", "--content-type", "text/plain", "-"], stdin: html)
        #expect(asText.stdout.hasSuffix("[body] <p>one <b>two</b></p>\n"))
    }

    @Test func binaryIsReportedNotParsed() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        let result = try TriageProcess.run(["extract", "-"], stdin: png)
        #expect(result.status == 0)
        #expect(result.stdout.contains("binary (image/png)"))
    }

    @Test func missingFileExitsTwo() throws {
        let result = try TriageProcess.run(["extract", "no-such-page.html"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-page.html"))
    }
}
