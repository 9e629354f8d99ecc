import CZlib

/// zlib compression for stored assessments: JSON of a referral's hits and
/// evidence is most of a queue's size, and deflates to less than half.
///
/// Stored form: the uncompressed length as 4 bytes (little-endian), then the
/// zlib stream. Level 1: the queue writes far more than it reads, so speed
/// over the last few percent of size.
enum Deflate {
    struct Error: Swift.Error, CustomStringConvertible {
        let description: String
    }

    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [0, 0, 0, 0] }
        var bound = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: 4 + Int(bound))
        let count = UInt32(bytes.count)
        for i in 0..<4 { out[i] = UInt8(truncatingIfNeeded: count >> (8 * UInt32(i))) }
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress! + 4, &bound, source.baseAddress, uLong(source.count), 1)
            }
        }
        // compress2 fails only without memory, or with a buffer smaller than compressBound.
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        out.removeLast(out.count - 4 - Int(bound))
        return out
    }

    /// The bytes `compress` was given; an error if `stored` is not such a value
    /// or longer than `limit` uncompressed.
    static func decompress(_ stored: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
        guard stored.count >= 4 else { throw Error(description: "a compressed value shorter than its header") }
        let count = (0..<4).reduce(0) { $0 | Int(stored[$1]) << (8 * $1) }
        guard count <= limit else { throw Error(description: "a compressed value claims \(count) bytes") }
        if count == 0 { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var length = uLong(count)
        let status = out.withUnsafeMutableBufferPointer { target in
            stored.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &length, source.baseAddress! + 4, uLong(source.count - 4))
            }
        }
        guard status == Z_OK, length == uLong(count) else { throw Error(description: "a compressed value is damaged (zlib status \(status))") }
        return out
    }
}
