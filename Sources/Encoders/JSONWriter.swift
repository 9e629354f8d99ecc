/// JSON written straight into one byte buffer as it is produced, the way a
/// streaming serialiser writes it: `beginObject`, members, `endObject`, with
/// commas placed by the writer. Nested objects and arrays go into the same
/// buffer, so an assessment with hundreds of evidence snippets is one
/// growing buffer, not one array per snippet copied into its parent's.
///
/// Each write makes room once and then stores bytes through a pointer: a
/// batch writes about 15 KB of JSON per referral with a large rule set, in
/// pieces of a few bytes, and `Array.append` per piece cost twice as much.
///
/// The writer does not check the shape (a key outside an object, an
/// unclosed array): its callers are a handful of hand-written encoders,
/// each tested against `JSONEncoder`.
public struct JSONWriter {
    /// The text is `storage[..<count]`; the rest is room to write into.
    private var storage: [UInt8]
    private var count = 0
    /// A value ends the text so far at this level: the next one needs a comma.
    private var needsComma = false

    public init(reservingCapacity capacity: Int = 0) {
        storage = [UInt8](repeating: 0, count: max(capacity, 64))
    }

    /// The UTF-8 text so far (a copy; `finish()` hands over the text
    /// without one).
    public var bytes: [UInt8] { Array(storage[..<count]) }

    /// The UTF-8 text, the writer's own buffer trimmed to it: for the end of
    /// a write, where copying `bytes` would copy every byte once more.
    public consuming func finish() -> [UInt8] {
        storage.removeLast(storage.count - count)
        return storage
    }

    /// Bytes written so far.
    public var byteCount: Int { count }

    public var text: String { String(decoding: storage[..<count], as: UTF8.self) }

    /// Runs `body` with room for `room` bytes at the end of the text;
    /// `body` returns how many it wrote.
    private mutating func write(room: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let needed = count + room + 1  // and a comma
        if needed > storage.count { storage += repeatElement(0, count: max(storage.count, needed - storage.count)) }
        let comma = needsComma, start = count
        let written = storage.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress! + start
            if comma { out.pointee = UInt8(ascii: ",") }
            return body(comma ? out + 1 : out) + (comma ? 1 : 0)
        }
        count += written
    }

    /// Writes `bytes` (a comma first where one is due) and sets what the
    /// next value needs.
    private mutating func put(_ bytes: StaticString, then comma: Bool) {
        write(room: bytes.utf8CodeUnitCount) { out in
            out.update(from: bytes.utf8Start, count: bytes.utf8CodeUnitCount)
            return bytes.utf8CodeUnitCount
        }
        needsComma = comma
    }

    private mutating func close(_ bytes: StaticString) {
        needsComma = false
        put(bytes, then: true)
    }

    public mutating func beginObject() { put("{", then: false) }

    public mutating func endObject() { close("}") }

    public mutating func beginArray() { put("[", then: false) }

    public mutating func endArray() { close("]") }

    /// A member's key, written as it is: keys are the encoders' own
    /// literals, plain ASCII that needs no escape (checked in debug builds).
    /// Its value comes next.
    public mutating func key(_ key: StaticString) {
        assert(!UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount).contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x80 },
               "a JSON key literal that needs escaping")
        let length = key.utf8CodeUnitCount
        write(room: length + 3) { out in
            out[0] = UInt8(ascii: "\"")
            (out + 1).update(from: key.utf8Start, count: length)
            (out[length + 1], out[length + 2]) = (UInt8(ascii: "\""), UInt8(ascii: ":"))
            return length + 3
        }
        needsComma = false
    }

    /// A member's key made at run time, escaped as any string is.
    public mutating func key(quoting key: String) {
        string(key)
        needsComma = false
        put(":", then: false)
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(room: JSON.quotedBound(utf8.count)) { JSON.writeQuoted(utf8, to: $0) }
        }
        needsComma = true
    }

    /// Decimal digits written in place: no `String` per number.
    public mutating func int(_ value: Int) {
        write(room: 20) { out in
            var magnitude = value.magnitude, n = 0
            if value < 0 {
                out[0] = UInt8(ascii: "-")
                n = 1
            }
            var digits = 1, scale: UInt = 10
            while digits < 20 && magnitude >= scale {
                digits += 1
                scale = scale &* 10
            }
            for i in stride(from: n + digits - 1, through: n, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            return n + digits
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) { put(value ? "true" : "false", then: true) }

    /// `text` is JSON already (a value, not a member).
    public mutating func raw(_ text: some Collection<UInt8>) {
        write(room: text.count) { out in
            _ = UnsafeMutableBufferPointer(start: out, count: text.count).initialize(from: text)
            return text.count
        }
        needsComma = true
    }

    // MARK: Members, nil left out (as `JSONEncoder` leaves out nil optionals)

    public mutating func member(_ key: StaticString, string value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    public mutating func member(_ key: StaticString, int value: Int?) {
        guard let value else { return }
        self.key(key)
        int(value)
    }

    public mutating func member(_ key: StaticString, bool value: Bool?) {
        guard let value else { return }
        self.key(key)
        bool(value)
    }

    public mutating func member(_ key: StaticString, strings values: [String]) {
        self.key(key)
        beginArray()
        for value in values { string(value) }
        endArray()
    }
}
