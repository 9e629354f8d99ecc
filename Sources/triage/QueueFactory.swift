import ArgumentParser
import Foundation
import Logging
import TriageEngine
import TriageStore

/// The one place the command line picks a queue store: every command gets
/// its queue here, as the engine's protocols (`QueueStore`), from `--db`
/// or `$TRIAGE_DB`. A path is a SQLite queue; a `postgres://` URL will be
/// the PostgreSQL store once it exists.
enum QueueFactory {
    /// How a command uses the queue.
    enum Access {
        /// Create it if missing (`triage batch --db`).
        case create
        /// It must exist: a mistyped path is an error, not a new empty queue.
        case existing
        /// It must exist, and is only read: opened read-only, so it works
        /// on a queue this user cannot write and while another process
        /// holds the write lock (a queue written by an older triage is
        /// opened for writing once, to migrate it).
        case reading
    }

    /// `--db` if given, else `$TRIAGE_DB`, else the default file
    /// (`$XDG_DATA_HOME/triage/queue.sqlite`, else `~/.local/share/triage/queue.sqlite`).
    static func location(_ db: String?) -> String { db ?? SQLiteQueue.defaultPath() }

    /// The queue at `location`, or exit 2 naming it and the problem.
    static func open(_ location: String, access: Access, command: String) throws -> any QueueStore {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            printError("triage \(command): \(location): this build has no PostgreSQL store yet; use a SQLite file path")
            throw ExitCode(2)
        }
        if access != .create && !FileManager.default.fileExists(atPath: location) {
            printError("triage \(command): no queue at \(location) (`triage batch --db \(location)` creates one)")
            throw ExitCode(2)
        }
        do {
            if access == .reading {
                do { return try SQLiteQueue(path: location, readOnly: true, logger: Logger(label: "triage.queue")) } catch let error as QueueError where error.kind == .olderSchema {}
            }
            return try SQLiteQueue(path: location, logger: Logger(label: "triage.queue"))
        } catch {
            printError("triage \(command): \(error)")
            throw ExitCode(2)
        }
    }
}
