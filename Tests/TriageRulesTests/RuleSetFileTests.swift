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
        #expect(loaded.rules == Self.compiled.rules)
        #expect(loaded.strings == Self.compiled.strings)
        #expect(loaded.patternCount == Self.compiled.patternCount)
        #expect(RuleTester.run(loaded).allSatisfy { $0.passed })
        let text = Array("The attack plan and the target list. Long live ETA. The court heard it.".utf8)
        #expect(RuleScanner(loaded).scan(.plain(text)) == RuleScanner(Self.compiled).scan(.plain(text)))
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
        newer[8] = 2
        guard case .unsupportedVersion(found: 2, supported: 1)? = try loadError(newer) else {
            Issue.record("a newer version was not named"); return
        }
    }

    /// A forger who re-seals the checksum still cannot point a condition
    /// at a rule that does not exist.
    @Test func forgedReferencesAreRejected() throws {
        let source = ruleSource("a", strings: #"        $a = "alpha""#, condition: "$a and b") + ruleSource("b", strings: #"        $b = "bravo""#, condition: "$b")
        let rules = try #require(compile(source).0)
        var bytes = RuleSetFile.serialize(rules)
        // The `.rule(1)` reference is encoded as tag 5 then UInt32 1: make it 9.
        let needle: [UInt8] = [5, 1, 0, 0, 0]
        let at = try #require((0..<(bytes.count - 5)).first { Array(bytes[$0..<($0 + 5)]) == needle })
        bytes[at + 1] = 9
        let automata = Int(bytes[64..<72].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let sum = bytes.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[32..<automata])) }
        withUnsafeBytes(of: sum.littleEndian) { bytes.replaceSubrange(24..<32, with: $0) }
        guard case let .malformed(detail)? = try loadError(bytes) else { Issue.record("forged reference accepted"); return }
        #expect(detail.contains("unknown rule 9"))
    }
}
