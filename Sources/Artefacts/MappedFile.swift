#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when released.
///
/// Used to load automaton images without copying or rebuilding them, and by
/// tools that scan large files without reading them into a buffer first.
public final class MappedFile: @unchecked Sendable {
    /// The file's bytes, valid while this object lives: whoever keeps them
    /// past a call keeps the `MappedFile` too (an automaton's storage does).
    /// Anything else reaches them through `withUnsafeBytes(_:)`, which
    /// guarantees it.
    public let unsafeBytes: UnsafeRawBufferPointer
    /// The path the file was opened with.
    public let path: String
    private let mapped: UnsafeMutableRawPointer?

    /// Maps the file at `path`.
    public init(path: String) throws(FileError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO returns at once (and is refused
        // below) instead of waiting for a writer; regular files ignore it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(path: path, operation: "open", errno: EISDIR)
        }
        // A device, FIFO or socket has no size to map (`/dev/zero` read as
        // empty, a FIFO waited forever): only regular files are read.
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw FileError(path: path, operation: "read", errno: EINVAL, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            mapped = nil
            unsafeBytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        // Populating the whole mapping up front costs one system call instead
        // of a page fault per 4 KiB on first touch; every caller here reads
        // the whole file anyway (a checksum, a validation pass, a scan).
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, fd, 0), address != MAP_FAILED else {
            throw FileError(path: path, operation: "map", errno: errno)
        }
        mapped = address
        unsafeBytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// The file's size in bytes.
    public var count: Int { unsafeBytes.count }

    /// Calls `body` with the file's bytes; the mapping stays valid until
    /// `body` returns. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(unsafeBytes)
    }

    deinit {
        if let mapped { munmap(mapped, unsafeBytes.count) }
    }
}
