/// Members added in key order, written as UTF-8 as they are added; nil
/// values are left out, as `JSONEncoder` leaves out nil optionals.
public struct JSONObject {
    private var members: [UInt8] = [UInt8(ascii: "{")]

    public init() {}

    private mutating func key(_ key: String) {
        if members.count > 1 { members.append(UInt8(ascii: ",")) }
        JSON.appendQuoted(key, to: &members)
        members.append(UInt8(ascii: ":"))
    }

    /// `value` is JSON text already.
    public mutating func add(_ key: String, raw value: String) {
        self.key(key)
        members += value.utf8
    }

    public mutating func add(_ key: String, string value: String?) {
        guard let value else { return }
        self.key(key)
        JSON.appendQuoted(value, to: &members)
    }

    public mutating func add(_ key: String, int value: Int?) {
        guard let value else { return }
        self.key(key)
        members += String(value).utf8
    }

    public mutating func add(_ key: String, bool value: Bool?) {
        guard let value else { return }
        self.key(key)
        members += (value ? "true" : "false").utf8
    }

    public mutating func add(_ key: String, object value: JSONObject) {
        self.key(key)
        value.write(to: &members)
    }

    public mutating func add(_ key: String, strings values: [String]) {
        add(key, array: values) { JSON.appendQuoted($0, to: &$1) }
    }

    public mutating func add(_ key: String, objects values: [JSONObject]) {
        add(key, array: values) { $0.write(to: &$1) }
    }

    private mutating func add<Element>(_ key: String, array values: [Element], _ write: (Element, inout [UInt8]) -> Void) {
        self.key(key)
        members.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { members.append(UInt8(ascii: ",")) }
            write(value, &members)
        }
        members.append(UInt8(ascii: "]"))
    }

    private func write(to out: inout [UInt8]) {
        out += members
        out.append(UInt8(ascii: "}"))
    }

    /// The object's UTF-8 bytes.
    public var bytes: [UInt8] { members + [UInt8(ascii: "}")] }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
