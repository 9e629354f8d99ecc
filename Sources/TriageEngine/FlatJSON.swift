import TriageModel
/// One NDJSON referral record, parsed as RFC 8259 JSON straight from its
/// bytes (a trailing comma in an object or array is let through, as
/// Foundation's parser lets it through): a JSON object whose string members are kept, `null` members
/// dropped, and any other member's key noted, so a caller can reject a known
/// field that is not a string. Nested objects and arrays are checked and
/// skipped without recursion, so a deeply nested line costs no stack.
///
/// It replaces `JSONSerialization`, which built a Foundation object graph
/// per line on the thread that also writes every assessment (2% of a batch).
/// A randomized test holds the two to the same verdicts and values.
struct FlatJSON {
    enum Failure: Error, Equatable {
        /// Not JSON.
        case invalid
        /// JSON, but not an object.
        case notAnObject
    }

    /// String members (a repeated key keeps its last value).
    var strings: [String: String] = [:]
    /// Keys of members that are neither strings nor null, in line order.
    var others: [String] = []
    /// The first key that stands twice in the object (RFC 8259 leaves
    /// their meaning open; a reader must not pick one silently).
    var repeatedKey: String?

    static func parse(_ bytes: [UInt8]) -> Result<FlatJSON, Failure> {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            do throws(Failure) {
                return .success(try parser.record())
            } catch {
                return .failure(error)
            }
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        /// Decoded string bytes, reused.
        var scratch: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            // A UTF-8 byte order mark may be ignored (RFC 8259 section 8.1).
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { at = 3 }
        }

        var current: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipSpace() {
            while at < bytes.count, case let b = bytes[at], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { at += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard current == byte else { throw .invalid }
            at += 1
        }

        mutating func record() throws(Failure) -> FlatJSON {
            skipSpace()
            guard let first = current else { throw .invalid }
            guard first == UInt8(ascii: "{") else {
                try skipValue()
                skipSpace()
                throw at == bytes.count ? .notAnObject : .invalid
            }
            at += 1
            var result = FlatJSON()
            // Keys so far, to find a repeated one (records have a few).
            var keys: [String] = []
            skipSpace()
            if current == UInt8(ascii: "}") {
                at += 1
            } else {
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                    // A repeated key keeps its last value, whatever its kind,
                    // and is noted.
                    if result.repeatedKey == nil {
                        if keys.contains(key) { result.repeatedKey = key } else { keys.append(key) }
                    }
                    if !result.others.isEmpty { result.others.removeAll { $0 == key } }
                    switch current {
                    case UInt8(ascii: "\""): result.strings[key] = try string()
                    case UInt8(ascii: "n"):
                        try literal("null")
                        result.strings[key] = nil
                    default:
                        try skipValue()
                        result.strings[key] = nil
                        result.others.append(key)
                    }
                    skipSpace()
                    if current == UInt8(ascii: ",") {
                        at += 1
                        skipSpace()
                        // A trailing comma is accepted, as Foundation's parser accepted it.
                        if current != UInt8(ascii: "}") { continue }
                    }
                    try expect(UInt8(ascii: "}"))
                    break
                }
            }
            skipSpace()
            guard at == bytes.count else { throw .invalid }
            return result
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - at >= count else { throw .invalid }
            for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw .invalid }
            at += count
        }

        /// A string's value: its escapes undone, valid UTF-8 required.
        mutating func string() throws(Failure) -> String {
            try expect(UInt8(ascii: "\""))
            scratch.removeAll(keepingCapacity: true)
            var start = at
            while true {
                guard at < bytes.count else { throw .invalid }
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { break }
                if b < 0x20 { throw .invalid }
                guard b == UInt8(ascii: "\\") else {
                    at += 1
                    continue
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<at]))
                at += 1
                guard let escaped = current else { throw .invalid }
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by a low one.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw .invalid }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw .invalid
                    }
                    UTF8.encode(Unicode.Scalar(scalar)!) { scratch.append($0) }
                default: throw .invalid
                }
                start = at
            }
            defer { at += 1 }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<at])
            if scratch.isEmpty {
                guard let value = String(validating: raw, as: UTF8.self) else { throw .invalid }
                return value
            }
            scratch.append(contentsOf: raw)
            guard let value = String(validating: scratch, as: UTF8.self) else { throw .invalid }
            return value
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard bytes.count - at >= 4 else { throw .invalid }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[at]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: throw .invalid
                }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { at += 1 }
            guard let first = current, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") else { throw .invalid }
            at += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if current == UInt8(ascii: ".") {
                at += 1
                guard digits() else { throw .invalid }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                at += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
                guard digits() else { throw .invalid }
            }
        }

        mutating func skipDigits() {
            while let b = current, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { at += 1 }
        }

        /// Skips digits; whether there was at least one.
        mutating func digits() -> Bool {
            let start = at
            skipDigits()
            return at > start
        }

        /// Checks and skips one value of any kind. Nesting is tracked in a
        /// bit stack (true: inside an object), not by recursion.
        mutating func skipValue() throws(Failure) {
            var stack: [Bool] = []
            while true {
                skipSpace()
                guard let b = current else { throw .invalid }
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    at += 1
                    skipSpace()
                    let object = b == UInt8(ascii: "{")
                    if current == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        at += 1  // empty: a complete value
                    } else {
                        stack.append(object)
                        if object { try memberKey() }
                        continue
                    }
                case UInt8(ascii: "\""): _ = try string()
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                default: try number()
                }
                // A value ended: close what it ends, or go on to the next one.
                while let object = stack.last {
                    skipSpace()
                    let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    if current == UInt8(ascii: ",") {
                        at += 1
                        skipSpace()
                        if current != close {  // else a trailing comma, accepted
                            if object { try memberKey() }
                            break
                        }
                    }
                    try expect(close)
                    stack.removeLast()
                }
                if stack.isEmpty { return }
            }
        }

        /// `"key":` inside a skipped object.
        mutating func memberKey() throws(Failure) {
            skipSpace()
            _ = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
        }
    }
}
