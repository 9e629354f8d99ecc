import Foundation
import Testing
import TestSupport

@Suite("triage rules")
struct RulesCommandTests {
    /// A scratch folder for one test, removed afterwards by the caller.
    static func scratch() throws -> URL { try temporaryFolder("triage-rules") }

    static let failing = """
        namespace demo

        rule obfuscated {
            meta:
                description = "a rule whose example is wrong on purpose"
                category = "attack-planning"
                severity = 5
                weight = 10
                reference = "none"
                author = "tests"
                reviewed = "2026-11-24"
            strings:
                $plan = "attack plan" leet
            condition:
                $plan
            examples:
                nomatch "Go: 4-t-t-4-c-k  p.l.4.n tonight"
        }

        """

    @Test func shippedRulesCheckAndPass() throws {
        let check = try TriageProcess.run(["rules", "check", "Rules/"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let test = try TriageProcess.run(["rules", "test", "Rules/"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains(" failed (") && test.stdout.contains("0 failed"))
    }

    @Test func aFailingExampleShowsWhatMatchedInTheTextAsWritten() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("demo.rules")
        try Self.failing.write(to: file, atomically: true, encoding: .utf8)
        let result = try TriageProcess.run(["rules", "test", file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL demo.obfuscated"))
        // The leet view matched; the evidence is the example's own bytes 4..<24.
        #expect(result.stdout.contains(#"matched: $plan ×1: 4-24 "4-t-t-4-c-k  p.l.4.n" (leet)"#), "\(result.stdout)")
    }

    @Test func compiledFilesWorkWhereSourcesDo() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let compiled = folder.appendingPathComponent("rules.trs").path
        let compile = try TriageProcess.run(["rules", "compile", "Rules/", "-o", compiled])
        #expect(compile.status == 0, "\(compile.stdout)\(compile.stderr)")
        let info = try TriageProcess.run(["rules", "info", compiled])
        #expect(info.status == 0)
        #expect(info.stdout.contains("leet, case-insensitive"))
        let fromSources = try TriageProcess.run(["rules", "info", "Rules/"])
        let fingerprint = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("fingerprint") } }
        #expect(fingerprint(info.stdout) != nil && fingerprint(info.stdout) == fingerprint(fromSources.stdout))
        let test = try TriageProcess.run(["rules", "test", compiled])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
    }

    @Test func aStaleOrForeignCompiledFileIsAClearError() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let foreign = folder.appendingPathComponent("not-rules.trs")
        try Data("TRIAGERS but not really a rule set".utf8).write(to: foreign)
        let result = try TriageProcess.run(["rules", "info", foreign.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(foreign.path), "\(result.stderr)")
    }
}
