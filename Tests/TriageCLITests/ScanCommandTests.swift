import Foundation
import Testing
import TestSupport

@Suite("triage scan")
struct ScanCommandTests {
    static var pageFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(
            atPath: TriageProcess.packageRoot.appendingPathComponent("Samples/pages").path)) ?? []
        return names.filter { $0.hasSuffix(".html") }.sorted().map { "Samples/pages/\($0)" }
    }
    static let indicators = ["--patterns", "Samples/indicators.txt", "--ignore-case"]

    @Test func helpIsDocumented() throws {
        let result = try TriageProcess.run(["scan", "--help"])
        #expect(result.status == 0)
        try expectGolden(result.stdout, golden("scan-help.txt"))
    }

    @Test func samplesAsText() throws {
        let result = try TriageProcess.run(["scan"] + Self.indicators + ["--match-kind", "leftmost-longest"] + Self.pageFiles)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        try expectGolden(result.stdout, golden("scan-samples.txt"))
    }

    @Test func samplesAsNDJSON() throws {
        let result = try TriageProcess.run(["scan"] + Self.indicators + ["--format", "ndjson"] + Self.pageFiles)
        #expect(result.status == 0)
        for line in result.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(Set(object?.keys ?? [:].keys) == ["input", "pattern", "start", "end"])
        }
        try expectGolden(result.stdout, golden("scan-samples.ndjson"))
    }

    @Test func countsPerInput() throws {
        let result = try TriageProcess.run(["scan"] + Self.indicators + ["--count"] + Self.pageFiles)
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").contains("Samples/pages/04-benign.html:0"))
    }

    @Test func nothingMatchedExitsOne() throws {
        let result = try TriageProcess.run(["scan"] + Self.indicators + ["Samples/pages/04-benign.html"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test func standardInputMatchesTheFile() throws {
        let page = "Samples/pages/01-threat-synthetic.html"
        let bytes = try Data(contentsOf: TriageProcess.packageRoot.appendingPathComponent(page))
        for kind in ["standard", "leftmost-first", "leftmost-longest"] {
            let fromFile = try TriageProcess.run(["scan"] + Self.indicators + ["--match-kind", kind, page])
            let fromPipe = try TriageProcess.run(["scan"] + Self.indicators + ["--match-kind", kind, "-"], stdin: bytes)
            #expect(fromPipe.status == 0)
            #expect(fromPipe.stdout == fromFile.stdout.replacingOccurrences(of: page + ":", with: "-:"))
        }
    }

    @Test func savedAutomatonGivesTheSameMatches() throws {
        let path = NSTemporaryDirectory() + "scan-test-\(getpid()).ac"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let compiled = try TriageProcess.run(["scan"] + Self.indicators + ["--save", path] + Self.pageFiles)
        let loaded = try TriageProcess.run(["scan", "--automaton", path] + Self.pageFiles)
        #expect(compiled.status == 0 && loaded.status == 0)
        #expect(loaded.stdout == compiled.stdout)
    }

    @Test func unreadableInputIsReportedAndTheRestScanned() throws {
        let result = try TriageProcess.run(["scan"] + Self.indicators + ["missing.html", "Samples/pages/01-threat-synthetic.html"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot open 'missing.html': No such file or directory"))
        #expect(result.stdout.contains("Samples/pages/01-threat-synthetic.html:"))
    }

    @Test func foreignAutomatonIsRefusedByName() throws {
        let result = try TriageProcess.run(["scan", "--automaton", "Samples/indicators.txt", "Samples/pages/04-benign.html"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot load automaton 'Samples/indicators.txt': not a compiled automaton"))
    }

    @Test(arguments: [
        ["scan", "Samples/pages/04-benign.html"],
        ["scan", "--patterns", "Samples/indicators.txt"],
        ["scan", "--automaton", "x.ac", "--ignore-case", "y"],
        ["scan", "--patterns", "a", "--automaton", "b", "c"],
        ["scan", "--patterns", "Samples/indicators.txt", "--match-kind", "longest", "x"],
    ])
    func invalidCommandLinesExit64(arguments: [String]) throws {
        let result = try TriageProcess.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Error:"))
    }
}
