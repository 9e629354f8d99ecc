#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
