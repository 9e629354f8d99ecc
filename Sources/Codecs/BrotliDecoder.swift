import CBrotli

/// Decodes brotli (`Content-Encoding: br`), never past a cap, like
/// `Inflater` does for gzip and deflate.
///
/// Memory: besides the output (at most `limit` bytes) the decoder holds a
/// ring buffer no larger than the stream's window, 16 MiB at most: the
/// large-window extension (up to 1 GiB) is not for HTTP and stays off.
public enum BrotliDecoder {
    public static func decode(_ input: [UInt8], limit: Int) -> Decompressed {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            return Decompressed(bytes: [], truncated: false, damaged: true)
        }
        defer { BrotliDecoderDestroyInstance(state) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT
        var unread = input.count
        input.withUnsafeBufferPointer { source in
            var nextIn = source.baseAddress
            var availableIn = source.count
            while out.count < limit {
                let room = min(chunk.count, limit - out.count)
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    var nextOut = target.baseAddress
                    var availableOut = room
                    result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                    return room - availableOut
                }
                out += chunk[0..<produced]
                // Anything but "give me more room" ends it: success, an
                // error, or input that stopped before the stream did.
                if result != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT { break }
            }
            unread = availableIn
        }
        // A stream that ends before its input does has trailing garbage:
        // damaged, though what decoded is kept.
        let finished = result == BROTLI_DECODER_RESULT_SUCCESS && unread == 0
        return Decompressed(bytes: out, finished: finished, limit: limit)
    }
}
