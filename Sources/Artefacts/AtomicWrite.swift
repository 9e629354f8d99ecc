#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
