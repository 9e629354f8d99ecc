/// The 32 bytes every artefact this project writes starts with, and the
/// checks every loader runs on them first, in one order, so each failure gets
/// the right name:
///
/// ```
/// offset  size  field
///      0     8  magic (the artefact kind's)
///      8     4  format version
///     12     4  endianness marker 0x0A0B0C0D, in the writer's byte order
///     16     8  total length in bytes
///     24     8  Checksum of bytes 32..<checksum end (the artefact decides the end)
/// ```
///
/// Identity first (a foreign file is called foreign, not "damaged"), then
/// byte order and version, then length (truncated or trailing bytes), then
/// the checksum (accidental damage). Structure is each artefact's own check.
public enum ArtefactHeader {
    public static let size = 32
    public static let endiannessMarker: UInt32 = 0x0A0B_0C0D

    /// Checks the header of `bytes`, which must be at least `headerSize`
    /// bytes (the artefact's full header). `checksumEnd` reads, from a header
    /// already known to be complete, where the checksummed region ends.
    /// `checksum: false` leaves the checksum to `verifyChecksum`.
    public static func verify(
        _ bytes: UnsafeRawBufferPointer, kind: ArtefactKind, version supported: UInt32, headerSize: Int,
        checksum: Bool = true, checksumEnd: (UnsafeRawBufferPointer) -> Int = { $0.count }
    ) throws(LoadError) {
        func fail(_ problem: LoadError.Problem) -> LoadError { LoadError(problem, artefact: kind) }
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(kind.magic) else {
            // A prefix of the magic is a cut-off file; anything else is foreign.
            throw fail(bytes.count < 8 && kind.magic.starts(with: bytes) ? .truncated(expected: headerSize, actual: bytes.count) : .foreign)
        }
        guard bytes.count >= headerSize else { throw fail(.truncated(expected: headerSize, actual: bytes.count)) }
        let marker = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        if marker != endiannessMarker {
            throw fail(marker == endiannessMarker.byteSwapped ? .wrongEndianness : .malformed("bad endianness marker"))
        }
        let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard version == supported else { throw fail(.unsupportedVersion(found: version, supported: supported)) }
        let stated = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        guard stated <= UInt64(Int.max) else { throw fail(.malformed("impossible total length")) }
        if Int(stated) > bytes.count { throw fail(.truncated(expected: Int(stated), actual: bytes.count)) }
        if Int(stated) < bytes.count { throw fail(.trailingBytes(expected: Int(stated), actual: bytes.count)) }
        let end = checksumEnd(bytes)
        guard end >= size, end <= bytes.count else { throw fail(.malformed("checksummed region ends at \(end), outside the file")) }
        if checksum { try verifyChecksum(bytes, kind: kind, end: end) }
    }

    /// The last check of `verify`, for loaders that run it beside their own
    /// structural checks (which must then be safe on damaged bytes) and
    /// report its failure first: `bytes[32..<end]` against the stored sum.
    public static func verifyChecksum(_ bytes: UnsafeRawBufferPointer, kind: ArtefactKind, end: Int) throws(LoadError) {
        let stored = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        let computed = Checksum.of(UnsafeRawBufferPointer(rebasing: bytes[size..<end]))
        guard stored == computed else { throw LoadError(.checksumMismatch(stored: stored, computed: computed), artefact: kind) }
    }
}
