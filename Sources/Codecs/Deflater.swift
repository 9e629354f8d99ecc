import CZlib

/// zlib compression for values stored whole (the queue's assessments: the
/// JSON of a referral's hits and evidence is most of a queue's size, and
/// deflates to less than half).
///
/// Stored form: the uncompressed length as 4 bytes (little-endian), then a
/// zlib stream. One compressor is kept per queue and reset between values:
/// setting up a stream (`compress2` does it every call) costs more than
/// compressing a kilobyte of JSON. Level 1 and a 4 KiB window: the queue
/// writes far more than it reads, and an assessment is a few kilobytes.
public final class Deflater {
    private var stream = z_stream()

    public init() {
        let status = deflateInit2_(&stream, 1, Z_DEFLATED, 12, 6, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit2 failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    public func compress(_ bytes: [UInt8]) -> [UInt8] {
        deflateReset(&stream)
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var out = [UInt8](repeating: 0, count: 4 + bound)
        let count = UInt32(bytes.count)
        for i in 0..<4 { out[i] = UInt8(truncatingIfNeeded: count >> (8 * UInt32(i))) }
        let written = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress! + 4
                stream.avail_out = uInt(bound)
                let status = deflate(&stream, Z_FINISH)
                // With deflateBound's room, one Z_FINISH call completes the stream.
                precondition(status == Z_STREAM_END, "zlib deflate did not finish: \(status)")
                return bound - Int(stream.avail_out)
            }
        }
        out.removeLast(bound - written)
        return out
    }
}

public enum Deflate {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    /// The bytes a `Deflater` was given; an error if `stored` is not such a
    /// value or claims more than `limit` bytes uncompressed.
    public static func decompress(_ stored: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
        guard stored.count >= 4 else { throw Error(description: "a compressed value shorter than its header") }
        let count = (0..<4).reduce(0) { $0 | Int(stored[$1]) << (8 * $1) }
        guard count <= limit else { throw Error(description: "a compressed value claims \(count) bytes") }
        var out = [UInt8](repeating: 0, count: max(count, 1))
        var length = uLong(count)
        let status = out.withUnsafeMutableBufferPointer { target in
            stored.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &length, source.baseAddress! + 4, uLong(source.count - 4))
            }
        }
        guard status == Z_OK, length == uLong(count) else { throw Error(description: "a compressed value is damaged (zlib status \(status))") }
        out.removeLast(out.count - count)
        return out
    }
}
