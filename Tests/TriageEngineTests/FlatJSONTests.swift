import Foundation
import Testing
import TriageModel
import TestSupport
@testable import TriageEngine

/// The NDJSON record parser against Foundation's: on valid records, their
/// mutations (cut, a byte changed, added or removed) and edge cases, the
/// same verdict (valid object, valid JSON but not an object, invalid) and
/// the same string members.
@Suite("NDJSON records")
struct FlatJSONTests {
    static let pieces = ["plain", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\u0000", " ", "a b"]

    static func value(_ random: inout SeededRandom, depth: Int) -> String {
        switch random.next() % (depth > 2 ? 5 : 7) {
        case 0: return "\"" + (0..<Int(random.next() % 4)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() + "\""
        case 1: return ["0", "-1", "12", "1.5", "-0.25e-3", "1E10", "3e+2"][Int(random.next() % 7)]
        case 2: return ["true", "false"][Int(random.next() % 2)]
        case 3: return "null"
        case 4: return "\"" + pieces[Int(random.next() % UInt64(pieces.count))] + "\""
        case 5: return "[" + (0..<Int(random.next() % 3)).map { _ in value(&random, depth: depth + 1) }.joined(separator: ", ") + "]"
        default: return object(&random, depth: depth + 1)
        }
    }

    static func object(_ random: inout SeededRandom, depth: Int) -> String {
        let keys = ["id", "url", "text", "source", "note", "x", "é", "a\\\"b"]
        return "{" + (0..<Int(random.next() % 4)).map { _ in
            "\"\(keys[Int(random.next() % UInt64(keys.count))])\" : " + value(&random, depth: depth)
        }.joined(separator: ",") + "}"
    }

    static func mutated(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = bytes
        let noise: [UInt8] = Array("\"\\{}[],: 0-e.un".utf8) + [0x01, 0xFF, 0xC3, 0x80]
        let at = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
        switch random.next() % 4 {
        case 0: bytes.removeSubrange(at...)
        case 1 where !bytes.isEmpty: bytes[at] = noise[Int(random.next() % UInt64(noise.count))]
        case 2: bytes.insert(noise[Int(random.next() % UInt64(noise.count))], at: at)
        default: if !bytes.isEmpty { bytes.remove(at: at) }
        }
        return bytes
    }

    /// What Foundation makes of `bytes`, in FlatJSON's terms.
    static func foundation(_ bytes: [UInt8]) -> Result<([String: String], Set<String>), FlatJSON.Failure> {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)) else {
            return (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) == nil ? .failure(.invalid) : .failure(.notAnObject)
        }
        guard let object = parsed as? [String: Any] else { return .failure(.notAnObject) }
        var strings: [String: String] = [:], others = Set<String>()
        for (key, value) in object {
            if let string = value as? String { strings[key] = string } else if !(value is NSNull) { others.insert(key) }
        }
        return .success((strings, others))
    }

    static func check(_ bytes: [UInt8]) {
        let ours = FlatJSON.parse(bytes).map { ($0.strings, Set($0.others)) }
        switch (ours, foundation(bytes)) {
        case let (.success(a), .success(b)):
            #expect(a.0 == b.0, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(a.1 == b.1, "\(String(decoding: bytes, as: UTF8.self))")
        case let (.failure(a), .failure(b)):
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self)) \(bytes)")
        default:
            Issue.record("verdicts differ on \(String(decoding: bytes, as: UTF8.self)) \(bytes): ours \(ours), Foundation's \(foundation(bytes))")
        }
    }

    @Test func agreesWithFoundation() {
        var random = SeededRandom(seed: 23)
        for _ in 0..<6_000 {
            var bytes = Array(Self.object(&random, depth: 0).utf8)
            for _ in 0..<Int(random.next() % 3) { bytes = Self.mutated(bytes, &random) }
            Self.check(bytes)
        }
    }

    @Test(arguments: [
        "", " ", "{}", " {} ", "{} x", "[]", "[1", "\"id\"", "42", "null", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"tab\there\"}", "{\"a\":[{\"b\":[]}]}",
        "{\"a\":{\"b\":{\"c\":[1,[2,{}]]}}}", "{\"id\":\"x\",\"id\":\"y\"}", "{\"id\":\"x\",\"id\":null}", "{\"a\":[1,]}", "{\"a\":{\"b\"}}",
    ])
    func edgeCases(_ text: String) {
        Self.check(Array(text.utf8))
    }

    /// The first key that stands twice is named, whatever its values.
    @Test(arguments: [
        ("{\"id\":\"x\",\"id\":\"y\"}", "id"), ("{\"a\":1,\"b\":\"s\",\"a\":null}", "a"), ("{\"a\":1,\"b\":2,\"b\":3,\"a\":4}", "b"),
        ("{\"a\":{\"a\":1}}", nil), ("{\"a\":1,\"A\":2}", nil), ("{}", nil),
    ] as [(String, String?)])
    func repeatedKeysAreNamed(_ text: String, _ key: String?) throws {
        let parsed = try FlatJSON.parse(Array(text.utf8)).get()
        #expect(parsed.repeatedKey == key)
    }

    @Test func invalidUTF8AndDeepNesting() {
        Self.check([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D])  // {"a":"<FF>"}
        Self.check([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D])  // a cut sequence
        // 100,000 levels: no stack is used for them.
        let deep = Array(("{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}").utf8)
        #expect(throws: Never.self) { try FlatJSON.parse(deep).get() }
    }
}
