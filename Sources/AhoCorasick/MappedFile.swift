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
    /// The file's bytes, valid while this object lives. Outside this module
    /// they are reached through `withUnsafeBytes(_:)`, which guarantees that.
    let bytes: UnsafeRawBufferPointer
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
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
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
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// The file's size in bytes.
    public var count: Int { bytes.count }

    /// Calls `body` with the file's bytes; the mapping stays valid until
    /// `body` returns. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(bytes)
    }

    deinit {
        if let mapped { munmap(mapped, bytes.count) }
    }
}

/// A file system operation that failed, with the path and the system's reason.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the operation was on.
    public let path: String
    /// What was being done: "open", "stat", "map", "write", …
    public let operation: String
    /// The C `errno` value.
    public let errno: Int32
    /// The reason in words where `errno`'s text would mislead.
    public let reason: String?

    public init(path: String, operation: String, errno: Int32, reason: String? = nil) {
        self.path = path
        self.operation = operation
        self.errno = errno
        self.reason = reason
    }

    public var description: String {
        let reason = reason ?? strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
        return "cannot \(operation) '\(path)': \(reason)"
    }
}

/// Writes `bytes` to `path`, replacing the file atomically: the bytes go to a
/// temporary file beside it, which is flushed and then renamed over `path`,
/// so a reader never sees a half-written file. Errors name `path`, the file
/// the caller asked for, not the temporary one.
public func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FileError) {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError(path: path, operation: "create", errno: errno) }
    var written = 0
    while written < bytes.count {
        let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
        if n < 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            unlink(temporary)
            throw FileError(path: path, operation: "write", errno: code)
        }
        written += n
    }
    if fsync(fd) != 0 {
        let code = errno
        close(fd)
        unlink(temporary)
        throw FileError(path: path, operation: "flush", errno: code)
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
        let code = errno
        unlink(temporary)
        throw FileError(path: path, operation: "rename onto", errno: code)
    }
}
