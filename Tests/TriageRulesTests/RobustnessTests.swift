import Foundation
import Testing
import TestSupport
@testable import TriageRules

/// Bad rule input gives diagnostics in bounded time and memory, never a crash.
@Suite("Robustness of the rule compiler")
struct RobustnessTests {
    static let good = ruleSource(strings: "        $a = \"alpha\"\n        $b = [\"bravo\", \"charlie\"] fullword", condition: "$a or #b >= 2")

    /// A file cut anywhere inside its rule (from the `rule` keyword to
    /// before the closing brace) is an error, pointed at a place inside
    /// what is left of the file; cut before the rule starts (nothing) or
    /// after it ends (a trailing newline), it compiles to one rule or none.
    @Test func everyTruncationOfAValidFile() {
        let bytes = Array(Self.good.utf8)
        let ruleStart = 0, ruleEnd = bytes.lastIndex(of: UInt8(ascii: "}"))!
        var errors = 0
        for length in 0...bytes.count {
            let (rules, diagnostics) = RuleCompiler(reader: { throw MissingFile(path: $0) })
                .compile(sources: [SourceFile(path: "cut.rules", bytes: Array(bytes[..<length]))])
            if length > ruleStart && length <= ruleEnd {
                #expect(diagnostics.hasErrors && rules == nil, "cut at \(length): \(diagnostics.items.map(\.message))")
                errors += 1
            } else {
                #expect(!diagnostics.hasErrors && rules?.rules.count == (length == 0 ? 0 : 1), "cut at \(length)")
            }
            for diagnostic in diagnostics.items {
                #expect(diagnostic.span.file.path == "cut.rules" && diagnostic.span.start <= length && diagnostic.span.end <= length,
                        "cut at \(length): \(diagnostic.message) at \(diagnostic.span.start)-\(diagnostic.span.end)")
            }
        }
        #expect(errors == ruleEnd)
    }

    @Test func randomBytes() {
        var rng = SeededRandom(seed: 20261124)  // seeded: a failure replays
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let (rules, diagnostics) = RuleCompiler(reader: { throw MissingFile(path: $0) })
                .compile(sources: [SourceFile(path: "noise.rules", bytes: bytes)])
            // Noise is never a rule set: it fails with errors, each placed
            // within the input, and renders without trapping.
            #expect(rules == nil || rules?.rules.count == 0)
            #expect(diagnostics.hasErrors || bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D })
            for diagnostic in diagnostics.items {
                #expect(diagnostic.span.start <= bytes.count && diagnostic.span.end <= bytes.count)
            }
            #expect(!DiagnosticRenderer.text(diagnostics).isEmpty || diagnostics.items.isEmpty)
        }
    }

    @Test func tenThousandLevelsOfNesting() {
        let deep = String(repeating: "(", count: 10_000) + "$a" + String(repeating: ")", count: 10_000)
        let nots = String(repeating: "not ", count: 10_000) + "$a"
        for condition in [deep, nots] {
            let (_, diagnostics) = compile(ruleSource(strings: #"        $a = "alpha""#, condition: condition))
            #expect(diagnostics.contains { $0.code == .nestingTooDeep })
        }
    }

    @Test func oneMegabyteStringLiteral() {
        let literal = String(repeating: "x", count: 1 << 20)
        let (_, diagnostics) = compile(ruleSource(strings: "        $a = \"\(literal)\"", condition: "$a"))
        #expect(diagnostics.contains { $0.code == .syntax && $0.message.contains("string literal is") })
    }

    @Test func unknownEscapesAndInvalidUTF8() {
        var bytes = Array(ruleSource(strings: #"        $a = "a\qb\x4""#, condition: "$a").utf8)
        bytes += [0xFF, 0xC3, 0x28, 0x0A]
        let (_, diagnostics) = RuleCompiler(reader: { throw MissingFile(path: $0) })
            .compile(sources: [SourceFile(path: "bad.rules", bytes: bytes)])
        #expect(diagnostics.filter { $0.code == .unknownEscape }.count == 2)
        #expect(diagnostics.contains { $0.code == .invalidUTF8 })
    }

    @Test func oneHundredThousandRules() throws {
        var source = ""
        source.reserveCapacity(100_000 * 330)
        for i in 0..<100_000 {
            source += "rule r\(i) {\n\(completeMeta)\n    strings:\n        $a = \"phrase number \(i) here\"\n    condition:\n        $a\n    examples:\n        match \"phrase number \(i) here\"\n}\n"
        }
        let (compiled, diagnostics) = compile(source)
        let rules = try #require(compiled, "\(diagnostics.items.prefix(3).map(DiagnosticRenderer.text))")
        #expect(rules.rules.count == 100_000)
        let hits = RuleScanner(rules).scan(TextViews(Array("... phrase number 99999 here ...".utf8)))
        #expect(hits.map(\.rule) == [try #require(rules.rule(named: "r99999")).id])
    }
}

extension RobustnessTests {
    /// Ten thousand alternatives are one flat node, evaluated without deep
    /// recursion (a chain would overflow a worker thread's stack).
    @Test func tenThousandAlternatives() async throws {
        let condition = (0..<10_000).map { _ in "$a" }.joined(separator: " or ")
        let (compiled, diagnostics) = compile(ruleSource(strings: #"        $a = "alpha""#, condition: condition))
        let rules = try #require(compiled, "\(diagnostics.items.prefix(2).map(DiagnosticRenderer.text))")
        guard case let .any(operands) = rules.rules[0].condition else { Issue.record("not flattened"); return }
        #expect(operands.count == 10_000)
        let hits = await Task.detached { RuleScanner(rules).scan(TextViews(Array("alpha".utf8))) }.value
        #expect(hits.count == 1)
    }
}

/// Regression (issue 18, item 10): `include "/dev/zero"` was accepted as an
/// empty file and `include "/etc/passwd"` printed its lines as syntax
/// errors. Through the real file reader: what is not a rule file is refused
/// by name and never read or quoted.
@Suite("Includes of what is not a rule file")
struct IncludeRefusalTests {
    func compile(_ folder: URL, _ main: String) throws -> Diagnostics {
        let path = folder.appendingPathComponent("main.rules").path
        try main.write(toFile: path, atomically: true, encoding: .utf8)
        return RuleCompiler().compile(paths: [path]).diagnostics
    }

    @Test func devicesFIFOsAndBinaryFilesAreRefusedUnread() throws {
        let folder = try temporaryFolder("triage-includes")
        let fifo = folder.appendingPathComponent("fifo.rules").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("zero.rules").path, withDestinationPath: "/dev/zero")
        try Data([0x72, 0x75, 0x6C, 0x65, 0x00, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74])
            .write(to: folder.appendingPathComponent("binary.rules"))
        try Data("root:x:0:0:root:/root:/bin/bash\n".utf8).write(to: folder.appendingPathComponent("passwd"))
        let diagnostics = try compile(folder, """
            include "fifo.rules"
            include "zero.rules"
            include "binary.rules"
            include "passwd"
            """)
        let messages = diagnostics.map(\.message)
        #expect(diagnostics.items.count == 4, "\(messages)")
        #expect(messages[0].contains("fifo.rules") && messages[0].contains("not a regular file"))
        #expect(messages[1].contains("zero.rules") && messages[1].contains("not a regular file"))
        #expect(messages[2].contains("binary.rules") && messages[2].contains("not rule source"))
        #expect(messages[3].contains("`\(folder.path)/passwd`: not a rule file"))
        let rendered = DiagnosticRenderer.text(diagnostics)
        #expect(!rendered.contains("root:x") && !rendered.contains("secret"))
    }

    @Test func includesNestAtMostSixteenDeep() throws {
        let folder = try temporaryFolder("triage-includes")
        for i in 0..<20 {
            try "include \"f\(i + 1).rules\"\n".write(to: folder.appendingPathComponent("f\(i).rules"), atomically: true, encoding: .utf8)
        }
        let diagnostics = try compile(folder, "include \"f0.rules\"\n")
        let refused = diagnostics.filter { $0.code == .includeRefused }
        #expect(refused.count == 1 && refused[0].message.contains("nest more than 16 deep"), "\(diagnostics.map(\.message))")
        let long = String(repeating: "a", count: 1_100) + ".rules"
        let tooLong = try compile(folder, "include \"\(long)\"\n")
        #expect(tooLong.contains { $0.code == .includeRefused && $0.message.contains("at most 1024") })
    }
}
