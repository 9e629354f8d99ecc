/// One JSON object built member by member, for the few places that write a
/// small object with keys made at run time and pass it around whole (queue
/// commands' output). Members are added in key order; nil values are left
/// out, as `JSONEncoder` leaves out nil optionals. Large or nested output
/// writes into a `JSONWriter`.
public struct JSONObject {
    private var writer = JSONWriter()

    public init() { writer.beginObject() }

    /// `value` is JSON text already.
    public mutating func add(_ key: String, raw value: String) {
        writer.key(quoting: key)
        writer.raw(value.utf8)
    }

    public mutating func add(_ key: String, string value: String?) {
        guard let value else { return }
        writer.key(quoting: key)
        writer.string(value)
    }

    public mutating func add(_ key: String, int value: Int?) {
        guard let value else { return }
        writer.key(quoting: key)
        writer.int(value)
    }

    public mutating func add(_ key: String, bool value: Bool?) {
        guard let value else { return }
        writer.key(quoting: key)
        writer.bool(value)
    }

    public mutating func add(_ key: String, object value: JSONObject) {
        writer.key(quoting: key)
        writer.raw(value.bytes)
    }

    public mutating func add(_ key: String, objects values: [JSONObject]) {
        writer.key(quoting: key)
        writer.beginArray()
        for value in values { writer.raw(value.bytes) }
        writer.endArray()
    }

    /// The object's UTF-8 bytes.
    public var bytes: [UInt8] {
        var closed = writer
        closed.endObject()
        return closed.finish()
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
