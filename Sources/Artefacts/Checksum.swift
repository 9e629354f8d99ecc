/// A fast non-cryptographic 64-bit checksum for automaton images.
///
/// It exists to catch accidental damage (truncated copies, flipped bits, a
/// file overwritten by something else) when an image is loaded, so it must
/// be much cheaper than rebuilding (compiled rule sets use it for the same
/// reason): it reads 32 bytes per step in four
/// independent multiply-rotate lanes, several GB/s in release builds. It is
/// not a defence against deliberate forgery; structural validation on load
/// is what keeps a forged image from causing out-of-bounds reads.
public enum Checksum {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    /// The checksum of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (prime1, prime2, prime3, prime1 ^ prime2)
        guard let base = bytes.baseAddress else { return finish(lanes, length: 0) }
        let count = bytes.count
        var offset = 0
        @inline(__always) func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
            let mixed = (lane ^ word) &* prime1
            return (mixed << 31 | mixed >> 33) &* prime2
        }
        while offset + 32 <= count {
            lanes.0 = round(lanes.0, base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            lanes.1 = round(lanes.1, base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            lanes.2 = round(lanes.2, base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
            lanes.3 = round(lanes.3, base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
            offset += 32
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << shift
            shift += 8
            if shift == 64 {
                lanes.0 = round(lanes.0, tail)
                tail = 0
                shift = 0
            }
            offset += 1
        }
        lanes.1 = round(lanes.1, tail)
        return finish(lanes, length: count)
    }

    private static func finish(_ lanes: (UInt64, UInt64, UInt64, UInt64), length: Int) -> UInt64 {
        var h = lanes.0 &+ (lanes.1 << 7 | lanes.1 >> 57) &+ (lanes.2 << 12 | lanes.2 >> 52)
            &+ (lanes.3 << 18 | lanes.3 >> 46)
        h ^= UInt64(length) &* prime3
        h ^= h >> 33
        h = h &* prime2
        h ^= h >> 29
        h = h &* prime3
        h ^= h >> 32
        return h
    }
}
