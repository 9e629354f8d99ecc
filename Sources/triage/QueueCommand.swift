import ArgumentParser
import Encoders
import Foundation
import TriageEngine
import TriageStore

/// `triage queue`: the review queue, for officers and for reports.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Review cases: list, show, claim, decide, and account for them.",
        discussion: """
            The queue is one SQLite file (--db; default $TRIAGE_DB, else
            $XDG_DATA_HOME/triage/queue.sqlite, else ~/.local/share/triage/queue.sqlite), filled by
            `triage batch --db`. Cases come in order: band, then score, then age. Every change is in an
            append-only audit log chained by hash; `queue verify` checks it.
            Exit status: 0 done, 1 nothing to claim or verify found a break, 2 refused (unknown case,
            a case not held, an invalid decision or reason) or the queue could not be used.
            """,
        subcommands: [QueueListCommand.self, QueueShowCommand.self, QueueClaimCommand.self, QueueReleaseCommand.self,
                      QueueDecideCommand.self, QueueReopenCommand.self, QueueNoteCommand.self, QueueStatsCommand.self,
                      QueueExportCommand.self, QueueVerifyCommand.self, QueuePurgeCommand.self, QueueSLACommand.self]
    )
}

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

enum QueueFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Band: ExpressibleByArgument {}
extension Decision: ExpressibleByArgument {}
extension CaseState: ExpressibleByArgument {}

extension QueueCase {
    /// One line of `queue list`.
    func line(now: Int64) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        let age = Self.age(now - openedAt)
        var line = pad(band.rawValue, 8) + pad(String(score), 6) + pad(id, 22) + pad(state.rawValue, 10) + pad(age, 6)
            + pad(String(referrals), 5) + pad(overdue ? "overdue" : "", 8) + pad(primaryCategory ?? "-", 34)
        if let officer { line += officer + "  " }
        if let decision { line += decision.rawValue + (duplicateOf.map { " " + $0 } ?? "") + "  " }
        line += url ?? ""
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    static let header = "BAND    SCORE CASE                  STATE     AGE   REFS SLA     CATEGORY"

    /// 45s, 12m, 3h, 9d.
    static func age(_ milliseconds: Int64) -> String {
        let s = max(milliseconds, 0) / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    var json: String {
        var out = JSONObject()
        out.add("band", string: band.rawValue)
        out.add("decided_at", string: decidedAt.map(SQLiteQueue.timestamp))
        out.add("decided_by", string: decidedBy)
        out.add("decision", string: decision?.rawValue)
        out.add("duplicate_of", string: duplicateOf)
        out.add("id", string: id)
        out.add("lease_until", string: leaseUntil.map(SQLiteQueue.timestamp))
        out.add("officer", string: officer)
        out.add("opened_at", string: SQLiteQueue.timestamp(openedAt))
        out.add("overdue", raw: overdue ? "true" : "false")
        out.add("primary_category", string: primaryCategory)
        out.add("referrals", int: referrals)
        out.add("score", int: score)
        out.add("state", string: state.rawValue)
        out.add("updated_at", string: SQLiteQueue.timestamp(updatedAt))
        out.add("url", string: url)
        return out.text
    }
}
