import Encoders
import Foundation
import TestSupport
import Testing

/// A JSON value to write both ways: with `JSONWriter` and with `JSONEncoder`
/// (sorted keys, slashes unescaped: how the engine's hand-written encoders
/// are specified). Object keys are generated sorted and distinct.
private indirect enum Value: Encodable {
    case int(Int), string(String), bool(Bool), array([Value]), object([(String, Value)])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        switch self {
        case let .int(value): var c = encoder.singleValueContainer(); try c.encode(value)
        case let .string(value): var c = encoder.singleValueContainer(); try c.encode(value)
        case let .bool(value): var c = encoder.singleValueContainer(); try c.encode(value)
        case let .array(values):
            var c = encoder.unkeyedContainer()
            for value in values { try c.encode(value) }
        case let .object(members):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try c.encode(value, forKey: Key(stringValue: key)) }
        }
    }

    func write(to out: inout JSONWriter) {
        switch self {
        case let .int(value): out.int(value)
        case let .string(value): out.string(value)
        case let .bool(value): out.bool(value)
        case let .array(values):
            out.beginArray()
            for value in values { value.write(to: &out) }
            out.endArray()
        case let .object(members):
            out.beginObject()
            for (key, value) in members {
                out.key(quoting: key)
                value.write(to: &out)
            }
            out.endObject()
        }
    }
}

private let awkward = ["", "plain", "quote \" here", "back\\slash", "a/b", "tab\tnew\nline\r", "\u{1}\u{1f}", "café ✓ \u{200B}", "😀"]

private func randomValue(_ rng: inout SeededRandom, depth: Int) -> Value {
    switch Int.random(in: depth > 3 ? 0...2 : 0...4, using: &rng) {
    case 0:
        let edges = [0, -1, 9, 10, -10, 99, 100, Int.max, Int.min, Int(Int32.max)]
        return .int(Bool.random(using: &rng) ? edges.randomElement(using: &rng)! : Int.random(in: -1_000_000...1_000_000, using: &rng))
    case 1: return .string(awkward.randomElement(using: &rng)! + String(Int.random(in: 0...9, using: &rng)))
    case 2: return .bool(Bool.random(using: &rng))
    case 3: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
        let keys = Set((0..<Int.random(in: 0...4, using: &rng)).map { _ in awkward.randomElement(using: &rng)! + "k\(Int.random(in: 0...20, using: &rng))" })
        return .object(keys.sorted().map { ($0, randomValue(&rng, depth: depth + 1)) })
    }
}

@Suite struct JSONWriterTests {
    @Test func writesWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var rng = SeededRandom(seed: 7)
        for i in 0..<2_000 {
            let value = randomValue(&rng, depth: 0)
            var out = JSONWriter()
            value.write(to: &out)
            #expect(out.text == String(decoding: try encoder.encode(value), as: UTF8.self), "value \(i)")
        }
    }

    @Test func membersLeaveOutNil() {
        var out = JSONWriter()
        out.beginObject()
        out.member("a", int: nil)
        out.member("b", string: "x")
        out.member("c", bool: nil)
        out.member("d", strings: [])
        out.member("e", int: -42)
        out.endObject()
        #expect(out.text == #"{"b":"x","d":[],"e":-42}"#)
    }

    @Test func objectBuiltMemberByMemberNestsWhole() {
        var inner = JSONObject()
        inner.add("n", int: 1)
        var outer = JSONObject()
        outer.add("empty", objects: [])
        outer.add("inner", object: inner)
        outer.add("list", objects: [inner, inner])
        outer.add("raw", raw: "null")
        #expect(outer.text == #"{"empty":[],"inner":{"n":1},"list":[{"n":1},{"n":1}],"raw":null}"#)
        #expect(JSONObject().text == "{}")
    }
}
