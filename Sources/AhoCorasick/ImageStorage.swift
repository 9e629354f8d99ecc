import Artefacts

/// Owns the bytes of an automaton image: either a heap buffer (built here, or
/// copied from a caller's bytes) or a read-only file mapping.
///
/// Immutable after construction (the one mutable accessor is used by the
/// writer before the storage is handed to anyone), so sharing it across
/// tasks is safe.
final class ImageStorage: @unchecked Sendable {
    /// Start of the image; 64-byte aligned for heap buffers, page aligned
    /// for mappings.
    let base: UnsafeRawPointer
    /// Size of the image in bytes.
    let count: Int
    private let mapping: MappedFile?

    /// A zeroed heap buffer of `zeroedByteCount` bytes.
    init(zeroedByteCount: Int) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(zeroedByteCount, 1), alignment: 64)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: max(zeroedByteCount, 1))
        base = UnsafeRawPointer(buffer)
        count = zeroedByteCount
        mapping = nil
    }

    /// A heap copy of `bytes`, aligned for the image's tables.
    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(zeroedByteCount: bytes.count)
        if let source = bytes.baseAddress {
            mutableBase.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// The bytes of a mapped file, kept mapped as long as this storage lives.
    init(mapping file: MappedFile) {
        base = file.unsafeBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        count = file.unsafeBytes.count
        mapping = file
    }

    /// A 64-byte aligned part of a mapped file (an automaton embedded in a
    /// larger file), kept mapped as long as this storage lives.
    init(mapping file: MappedFile, range: Range<Int>) {
        base = (file.unsafeBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!) + range.lowerBound
        count = range.count
        mapping = file
    }

    /// Write access for the image writer; only valid on heap storage that
    /// has not been shared yet.
    var mutableBase: UnsafeMutableRawPointer {
        precondition(mapping == nil, "a mapped image is read-only")
        return UnsafeMutableRawPointer(mutating: base)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit {
        if mapping == nil {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
