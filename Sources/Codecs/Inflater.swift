import CZlib

/// Decompresses a body someone else compressed, never past a cap: a few
/// kilobytes can expand to gigabytes (a "zip bomb"), so the output stops at
/// `limit` bytes and says it was cut.
public enum Inflater {
    public enum Format: Sendable {
        /// gzip or zlib, told apart by their headers.
        case gzipOrZlib
        /// Raw deflate (what some servers send as `Content-Encoding: deflate`).
        case raw
    }

    public static func inflate(_ input: [UInt8], format: Format = .gzipOrZlib, limit: Int) -> Decompressed {
        var stream = z_stream()
        // 15 + 32: a 32 KiB window, gzip or zlib header detected; -15: raw.
        let windowBits: Int32 = format == .raw ? -15 : 15 + 32
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return Decompressed(bytes: [], truncated: false, damaged: true)
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while out.count < limit {
                let room = min(chunk.count, limit - out.count)
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(room)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return room - Int(stream.avail_out)
                }
                out += chunk[0..<produced]
                if status == Z_STREAM_END {
                    // Concatenated gzip members are one body.
                    guard stream.avail_in > 0, format == .gzipOrZlib, inflateReset(&stream) == Z_OK else { break }
                    continue
                }
                if status != Z_OK || (produced == 0 && stream.avail_in == 0) { break }
            }
        }
        return Decompressed(bytes: out, finished: status == Z_STREAM_END, limit: limit)
    }
}
