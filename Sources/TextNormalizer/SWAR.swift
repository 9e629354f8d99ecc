/// Byte tests on eight bytes at once (SIMD within a register), for the
/// normaliser's and the leet view's fast paths. Bit 7 of each byte of the
/// result is set where the test holds; bytes are little-endian in the word.
/// Public for the page-text builder's own fast path (`PageText`).
public enum SWAR {
    public static let high: UInt64 = 0x8080_8080_8080_8080
    public static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Bytes in `from...to` (ASCII bounds): the low seven bits plus a bias
    /// carry into bit 7 exactly from the bound up, never into the next byte;
    /// bytes of 0x80 and above never match.
    @inlinable @inline(__always) public static func rangeMask(_ x: UInt64, _ from: UInt8, _ to: UInt8) -> UInt64 {
        let low = x & low7
        let atLeastFrom = low &+ UInt64(0x80 - from) &* 0x0101_0101_0101_0101
        let aboveTo = low &+ UInt64(0x80 - to - 1) &* 0x0101_0101_0101_0101
        return atLeastFrom & ~aboveTo & ~x & high
    }

    /// Bytes equal to `b`.
    @inlinable @inline(__always) public static func equalMask(_ x: UInt64, _ b: UInt8) -> UInt64 {
        let t = x ^ (UInt64(b) &* 0x0101_0101_0101_0101)
        return ~((t & low7) &+ low7 | t) & high
    }
}
