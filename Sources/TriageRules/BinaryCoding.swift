/// Little helpers for the compiled rule-set format: a writer that appends
/// fixed-width little-endian integers and length-prefixed byte strings, and a
/// reader that checks every read against the end of its buffer, so a damaged
/// or forged file is an error, never an out-of-bounds read.
import Artefacts
import AhoCorasick

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u32(_ v: Int) { u32(UInt32(v)) }
    mutating func i32(_ v: Int) { u32(UInt32(bitPattern: Int32(v))) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func data(_ v: [UInt8]) { u32(v.count); bytes += v }
    mutating func string(_ v: String) { data(Array(v.utf8)) }
    mutating func optionalString(_ v: String?) {
        u8(v == nil ? 0 : 1)
        if let v { string(v) }
    }
    /// Pads with zeros to a multiple of `alignment`.
    mutating func align(_ alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
}

struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    private mutating func take(_ n: Int) throws(LoadError) -> Int {
        guard n >= 0, n <= bytes.count - position else {
            throw LoadError.malformedRuleSet("a field at byte \(position) runs past the end")
        }
        defer { position += n }
        return position
    }

    mutating func u8() throws(LoadError) -> UInt8 { bytes[try take(1)] }
    mutating func u32() throws(LoadError) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self))
    }
    mutating func int() throws(LoadError) -> Int { Int(try u32()) }
    mutating func i32() throws(LoadError) -> Int { Int(Int32(bitPattern: try u32())) }
    mutating func u64() throws(LoadError) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self))
    }
    mutating func data() throws(LoadError) -> [UInt8] {
        let n = try int()
        let start = try take(n)
        return Array(bytes[start..<(start + n)])
    }
    /// Steps over a length-prefixed field (bounds checked, nothing copied).
    mutating func skipData() throws(LoadError) {
        _ = try take(try int())
    }
    /// A length-prefixed string from a record already checked by
    /// `skipData`; invalid UTF-8 is repaired, never an error.
    mutating func checkedText() -> String { String(decoding: checkedData(), as: UTF8.self) }
    // The `checked…` readers are for records that loading has walked with
    // the throwing readers; they cannot fail there, and give empty values
    // rather than trap if they somehow did.
    mutating func checkedData() -> [UInt8] { (try? data()) ?? [] }
    mutating func checkedCount() -> Int { (try? int()) ?? 0 }
    mutating func checkedByte() -> UInt8 { (try? u8()) ?? 0 }
    mutating func checkedOptionalText() -> String? { checkedByte() == 0 ? nil : checkedText() }
    mutating func string() throws(LoadError) -> String {
        let raw = try data()
        let text = String(decoding: raw, as: UTF8.self)
        guard text.utf8.elementsEqual(raw) else { throw LoadError.malformedRuleSet("invalid UTF-8 at byte \(position)") }
        return text
    }
    mutating func optionalString() throws(LoadError) -> String? {
        try u8() == 0 ? nil : try string()
    }
    /// A count of items each at least `minimumSize` bytes long: rejects
    /// counts that could not fit in what is left, before anything allocates.
    mutating func count(minimumSize: Int) throws(LoadError) -> Int {
        let n = try int()
        guard n <= (bytes.count - position) / max(minimumSize, 1) else {
            throw LoadError.malformedRuleSet("a count of \(n) at byte \(position - 4) cannot fit in the file")
        }
        return n
    }
}
