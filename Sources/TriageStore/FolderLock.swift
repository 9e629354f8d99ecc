import TriageModel
import TriageEngine
import Foundation

/// An advisory lock (`flock`) on a queue's folder, held while a queue is
/// opened: exclusive while it may be created or migrated, shared for reading.
///
/// Why the folder and not the file: SQLite holds POSIX record locks on the
/// database file, and closing any other descriptor of that file in the same
/// process would drop them, so this process never opens the file itself.
/// Why not a `.lock` file beside it: it would be left behind, and a
/// read-only folder could not have one. The lock is held only while
/// opening, so queues that share a folder wait for each other for no longer
/// than that.
final class FolderLock {
    private var descriptor: Int32

    /// Waits up to `timeout` for the lock; `queue` names the queue in errors.
    init(_ folder: String, exclusive: Bool, timeout: TimeInterval, queue: String) throws {
        descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw QueueError(.readOnly, "\(queue): its folder \(folder) cannot be opened: \(reason)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw QueueError(.database, "\(queue): its folder \(folder) cannot be locked: \(reason)")
            }
            guard Date() < deadline else {
                close(descriptor)
                throw QueueError(.busy, "\(queue): another process has been creating or migrating a queue in \(folder) "
                                     + "for more than \(Int(timeout)) s: try again when it has finished")
            }
            usleep(5_000)
        }
    }

    /// Releases the lock (also done when the value goes away).
    func unlock() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
