import Foundation
import Testing
import TestSupport
@testable import TriageRules

/// Every diagnostic code has an input in Diagnostics/ named after it, and its
/// rendered output (text and JSON) is checked in beside it.
@Suite("Diagnostic golden files")
struct DiagnosticGoldenTests {
    static let folder = testsFolder.appendingPathComponent("Diagnostics")

    /// The input for a code: `Rxxx-….rules` (R032 names a file that does not exist).
    static func input(for code: Diagnostic.Code) -> String? {
        if code == .unreadableFile { return "R032-no-such-file.rules" }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix(code.rawValue + "-") && $0.hasSuffix(".rules") }.sorted().first
    }

    @Test(arguments: Diagnostic.Code.allCases)
    func rendered(code: Diagnostic.Code) throws {
        let input = try #require(Self.input(for: code), "no input file for \(code.rawValue) in Diagnostics/")
        let (_, diagnostics) = RuleCompiler(reader: reader(in: Self.folder)).compile(paths: [input])
        #expect(diagnostics.contains { $0.code == code }, "\(input) does not produce \(code.rawValue)")
        #expect(diagnostics.allSatisfy { $0.severity == $0.code.defaultSeverity })
        let stem = String(input.dropLast(".rules".count))
        try expectGolden(DiagnosticRenderer.text(diagnostics), Self.folder.appendingPathComponent(stem + ".txt"))
        try expectGolden(DiagnosticRenderer.json(diagnostics), Self.folder.appendingPathComponent(stem + ".json"))
    }

    @Test func jsonIsValid() throws {
        let (_, diagnostics) = RuleCompiler(reader: reader(in: Self.folder)).compile(paths: ["R011-invalid-metadata.rules"])
        let parsed = try JSONSerialization.jsonObject(with: Data(DiagnosticRenderer.json(diagnostics).utf8)) as? [[String: Any]]
        let first = try #require(parsed?.first)
        #expect(first["code"] as? String == "R011")
        #expect(first["line"] as? Int == 4)
        #expect(first["file"] as? String == "R011-invalid-metadata.rules")
    }

    @Test func warningsCanBeErrors() {
        let (_, diagnostics) = RuleCompiler(reader: reader(in: Self.folder)).compile(paths: ["R045-no-examples.rules"])
        #expect(!diagnostics.hasErrors)
        #expect(diagnostics.promotingWarnings().hasErrors)
    }
}
