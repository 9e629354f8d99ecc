/// One JSON object built member by member, for the few places that write a
/// small object and pass it around whole (queue commands' output). Members
/// are added in key order; nil values are left out, as `JSONEncoder` leaves
/// out nil optionals. Large or nested output writes into a `JSONWriter`.
public struct JSONObject {
    private var writer = JSONWriter()

    public init() { writer.beginObject() }

    /// `value` is JSON text already.
    public mutating func add(_ key: String, raw value: String) {
        writer.key(key)
        writer.raw(value.utf8)
    }

    public mutating func add(_ key: String, string value: String?) { writer.member(key, string: value) }

    public mutating func add(_ key: String, int value: Int?) { writer.member(key, int: value) }

    public mutating func add(_ key: String, bool value: Bool?) { writer.member(key, bool: value) }

    public mutating func add(_ key: String, object value: JSONObject) {
        writer.key(key)
        writer.raw(value.bytes)
    }

    public mutating func add(_ key: String, strings values: [String]) { writer.member(key, strings: values) }

    public mutating func add(_ key: String, objects values: [JSONObject]) {
        writer.key(key)
        writer.beginArray()
        for value in values { writer.raw(value.bytes) }
        writer.endArray()
    }

    /// The object's UTF-8 bytes.
    public var bytes: [UInt8] {
        var closed = writer
        closed.endObject()
        return closed.bytes
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
