import ArgumentParser
import Foundation
import TriageModel
import TriageEngine

/// `--db`, shared by every command that opens the queue.
struct QueueOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The queue file (default: $TRIAGE_DB, else ~/.local/share/triage/queue.sqlite).",
                                            valueName: "PATH"))
    var db: String?

    var path: String { QueueFactory.location(db) }

    /// The queue, or exit 2 naming the file and the problem (`QueueFactory`).
    /// A command that only reads (`reading`) opens it read-only.
    func open(command: String, reading: Bool = false) throws -> any QueueStore {
        try QueueFactory.open(path, access: reading ? .reading : .existing, command: command)
    }
}

/// Runs a queue operation; a refusal or failure is printed and exits 2.
func queueAction<T>(_ command: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as QueueError {
        printError("triage \(command): \(error)")
        throw ExitCode(2)
    }
}

