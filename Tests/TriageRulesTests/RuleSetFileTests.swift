import Artefacts
import AhoCorasick
import Foundation
import Testing
@testable import TriageRules

@Suite("Compiled rule-set files")
struct RuleSetFileTests {
    static let compiled: CompiledRules = {
        let (rules, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand([ShippedRulesTests.rulesFolder]))
        guard let rules else { fatalError(DiagnosticRenderer.text(diagnostics)) }
        return rules
    }()

    /// A small set with every kind of table entry (strings, lists, modifiers,
    /// rule references, examples), for tests that load thousands of variants.
    static let small: CompiledRules = {
        let source = ruleSource("a", strings: "        $a = [\"alpha\", \"ALPHA two\"] fullword\n        $b = \"EMF\" exact", condition: "($a or #b >= 2) and not b")
            + ruleSource("b", strings: #"        $c = "court heard""#, condition: "$c near $c within 3 words", status: "shadow")
        guard let rules = compile(source).0 else { fatalError("small rule set does not compile") }
        return rules
    }()

    func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "ruleset-\(getpid())-\(name).trs" }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Loads `bytes` from a file of their own (tests run in parallel).
    func loadError(_ bytes: [UInt8]) throws -> LoadError.Problem? {
        let path = try write(bytes, UUID().uuidString)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try RuleSetFile.load(path: path)
            return nil
        } catch {
            #expect(error.description.contains(path))
            return error.problem
        }
    }

    @Test func roundTripGivesTheSameRulesAndHits() throws {
        let path = temporaryPath("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try RuleSetFile.write(Self.compiled, to: path)
        let loaded = try RuleSetFile.load(path: path)
        #expect(loaded.fingerprint == Self.compiled.fingerprint)
        #expect(Array(loaded.rules) == Array(Self.compiled.rules))
        #expect(Array(loaded.patterns) == Array(Self.compiled.patterns))
        #expect(loaded.literalCount == Self.compiled.literalCount)
        #expect(RuleTester.run(loaded).allSatisfy { $0.passed })
        let text = Array("The attack plan and the target list. Long live ETA. The court heard it.".utf8)
        #expect(RuleScanner(loaded).scan(TextViews(text)) == RuleScanner(Self.compiled).scan(TextViews(text)))
        // Deterministic: the same rules give the same bytes.
        #expect(RuleSetFile.serialize(loaded) == RuleSetFile.serialize(Self.compiled))
    }

    @Test func everyTruncationIsReported() throws {
        let bytes = RuleSetFile.serialize(Self.small)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let problem = try loadError(Array(bytes[..<length]))
            switch problem {
            case .truncated?: break
            case .foreign? where length < 8: break
            default: Issue.record("length \(length): \(String(describing: problem))")
            }
        }
    }

    @Test func damageIsReported() throws {
        let bytes = RuleSetFile.serialize(Self.small)
        // Every byte of the header and tables, then a sample of the automata.
        let automata = Int(bytes[64..<72].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let offsets = Array(0..<automata) + Array(stride(from: automata, to: bytes.count, by: 61))
        // Reserved bytes 72..<128 are checksummed, so they count too.
        for offset in offsets {
            var damaged = bytes
            damaged[offset] ^= 0x04
            #expect(try loadError(damaged) != nil, "a flipped bit at \(offset) was accepted")
        }
    }

    @Test func foreignAndNewerFiles() throws {
        #expect(try loadError(Array("rule a { condition: true }".utf8)) == .foreign)
        let automaton = try AhoCorasickBuilder().build(["x"]).serialized()
        #expect(try loadError(automaton) == .foreign)
        var newer = RuleSetFile.serialize(Self.compiled)
        newer[8] = UInt8(RuleSetFile.formatVersion + 1)
        guard case .unsupportedVersion(found: RuleSetFile.formatVersion + 1, supported: RuleSetFile.formatVersion)? = try loadError(newer) else {
            Issue.record("a newer version was not named"); return
        }
    }

    /// Seals `bytes` again after a forgery, as a forger would.
    func reseal(_ bytes: inout [UInt8]) {
        let automata = Int(bytes[64..<72].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let sum = bytes.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[32..<automata])) }
        withUnsafeBytes(of: sum.littleEndian) { bytes.replaceSubrange(24..<32, with: $0) }
    }

    /// Where `words` (little-endian 32-bit) first occur in `bytes`.
    func find(_ words: [Int32], in bytes: [UInt8]) throws -> Int {
        let needle = words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        return try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
    }

    /// A forger who re-seals the checksum still cannot point a condition at
    /// a rule that does not exist, tie rules in a cycle, or break a
    /// condition program's shape.
    @Test func forgedTablesAreRejected() throws {
        let source = ruleSource("a", strings: #"        $a = "alpha""#, condition: "$a and b") + ruleSource("b", strings: #"        $b = "bravo""#, condition: "$b or $b")
        let rules = try #require(compile(source).0)
        let original = RuleSetFile.serialize(rules)
        func malformed(_ forge: (inout [UInt8]) throws -> Void) throws -> String? {
            var bytes = original
            try forge(&bytes)
            reseal(&bytes)
            guard case let .malformed(detail)? = try loadError(bytes) else { return nil }
            return detail
        }
        // Rule a's condition: all(2) [7, 2, end] string(0) [1, 0] rule(1) [5, 1].
        let reference = try find([5, 1], in: original)
        #expect(try malformed { $0[reference + 4] = 9 }?.contains("unknown rule 9") == true)
        // Rule b's condition names rule b: a cycle.
        let bString = try find([1, 1, 1, 1], in: original)  // any(...) operands `$b`, `$b`
        #expect(try malformed { bytes in
            bytes[bString] = 5
            bytes[bString + 4] = 1
        }?.contains("cycle") == true)
        // A composite node whose end lies beyond its rule's program.
        let all = try find([7, 2], in: original)
        #expect(try malformed { $0[all + 8] = 200 }?.contains("overruns") == true)
        // An unknown node.
        #expect(try malformed { $0[reference] = 42 }?.contains("unknown node") == true)
    }
}
