import Foundation

/// A value that threads share behind a lock. An `NSLock` (a pthread mutex)
/// rather than `Synchronization.Mutex`: the thread sanitizer, which `make
/// test` runs over the batch, intake and server code, does not see the
/// futex under `Mutex` on Linux and reports every access through it as a
/// race.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
