import TriageEngine
#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to a file descriptor: one `write(2)` per 64 KiB rather
/// than one per line, which matters when a scan prints millions of matches.
/// Call `flush()` before the program exits or writes to standard error.
struct OutputWriter: ~Copyable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    init(fd: Int32 = STDOUT_FILENO) {
        self.fd = fd
        buffer.reserveCapacity(capacity)
    }

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(bytes: $0) }
    }

    mutating func write(bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    mutating func write(decimal value: Int) {
        write(String(value))
    }

    mutating func flush() {
        buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // e.g. a closed pipe: nothing more can be written
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Prints a message to standard error, unbuffered.
func printError(_ message: String, newline: Bool = true) {
    var line = newline ? message + "\n" : message
    line.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// An `OutputWriter` for the engine's sinks (`ByteOutput`).
final class StandardOutput: ByteOutput {
    private var writer: OutputWriter

    init(fd: Int32 = STDOUT_FILENO) {
        writer = OutputWriter(fd: fd)
    }

    func write(_ bytes: [UInt8]) { writer.write(bytes) }
    func write(_ text: String) { writer.write(text) }
    func flush() { writer.flush() }
}
