/// JSON written straight into one byte buffer as it is produced, the way a
/// streaming serialiser writes it: `beginObject`, members, `endObject`, with
/// commas placed by the writer. Nested objects and arrays go into the same
/// buffer, so an assessment with hundreds of evidence snippets is one
/// growing array, not one array per snippet copied into its parent's.
///
/// The writer does not check the shape (a key outside an object, an
/// unclosed array): its callers are a handful of hand-written encoders,
/// each tested against `JSONEncoder`.
public struct JSONWriter {
    /// The UTF-8 text so far.
    public private(set) var bytes: [UInt8] = []
    /// A value ends the text so far at this level: the next one needs a comma.
    private var needsComma = false

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member's key, written as it is: keys are the encoders' own
    /// literals, plain ASCII that needs no escape (checked in debug builds).
    /// Its value comes next.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { utf8 in
            assert(!utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x80 }, "a JSON key literal that needs escaping")
            bytes.append(contentsOf: utf8)
        }
        bytes += "\":".utf8
        needsComma = false
    }

    /// A member's key made at run time, escaped as any string is.
    public mutating func key(quoting key: String) {
        separate()
        JSON.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSON.appendQuoted(value, to: &bytes)
        needsComma = true
    }

    /// Decimal digits written in place: no `String` per number.
    public mutating func int(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: Int's 20 digits fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var at = buffer.count
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[at...]))
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes += value ? "true".utf8 : "false".utf8
        needsComma = true
    }

    /// `text` is JSON already (a value, not a member).
    public mutating func raw(_ text: some Collection<UInt8>) {
        separate()
        bytes += text
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
