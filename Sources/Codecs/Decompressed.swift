/// What a capped decoder gives back: the bytes it produced, and why it
/// stopped if it did not reach the end of a valid stream.
public struct Decompressed: Sendable, Equatable {
    public var bytes: [UInt8]
    /// The output reached its limit: the rest was not decoded.
    public var truncated: Bool
    /// The input was not a complete, valid stream (what decoded before
    /// the damage is in `bytes`).
    public var damaged: Bool

    public init(bytes: [UInt8], truncated: Bool, damaged: Bool) {
        self.bytes = bytes
        self.truncated = truncated
        self.damaged = damaged
    }

    /// The verdict of a decoder that stopped with `finished` (a whole, valid
    /// stream) or not: cut at the limit when the output is full, damaged
    /// otherwise.
    init(bytes: [UInt8], finished: Bool, limit: Int) {
        self.init(bytes: bytes, truncated: !finished && bytes.count >= limit, damaged: !finished && bytes.count < limit)
    }
}
