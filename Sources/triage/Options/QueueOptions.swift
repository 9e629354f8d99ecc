import ArgumentParser
import Foundation
import TriageEngine
import TriageStore

/// `--db`, shared by every command that opens the queue.
struct QueueOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The queue file (default: $TRIAGE_DB, else ~/.local/share/triage/queue.sqlite).",
                                            valueName: "PATH"))
    var db: String?

    var path: String { db ?? SQLiteQueue.defaultPath() }

    /// The queue, or exit 2 naming the file and the problem. Only
    /// `triage batch --db` creates a queue: a mistyped path here is an error,
    /// not a new empty queue. A command that only reads (`reading`) opens it
    /// read-only, so it works on a queue this user cannot write and while
    /// another process holds the write lock; a queue written by an older
    /// triage is opened for writing once, to migrate it.
    func open(command: String, reading: Bool = false) throws -> SQLiteQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            printError("triage \(command): no queue at \(path) (`triage batch --db \(path)` creates one)")
            throw ExitCode(2)
        }
        do {
            if reading {
                do { return try SQLiteQueue(path: path, readOnly: true) } catch let error as QueueError where error.kind == .olderSchema {}
            }
            return try SQLiteQueue(path: path)
        } catch {
            printError("triage \(command): \(error)")
            throw ExitCode(2)
        }
    }
}

/// Runs a queue operation; a refusal or failure is printed and exits 2.
func queueAction<T>(_ command: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as QueueError {
        printError("triage \(command): \(error)")
        throw ExitCode(2)
    }
}

