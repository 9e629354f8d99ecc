import ArgumentParser
import Encoders
import Foundation
import TriageModel
import TriageEngine

/// `triage queue`: the review queue, for officers and for reports.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Review cases: list, show, claim, decide, and account for them.",
        discussion: """
            The queue is one SQLite file (--db; default $TRIAGE_DB, else \
            $XDG_DATA_HOME/triage/queue.sqlite, else ~/.local/share/triage/queue.sqlite), filled by \
            `triage batch --db`. Cases come in order: band, then score, then age. Every change is in an \
            append-only audit log chained by hash; `queue verify` checks it.

            Exit status: 0 done, 1 nothing to claim or verify found a break, 2 refused (unknown case, \
            a case not held, an invalid decision or reason) or the queue could not be used.
            """,
        subcommands: [QueueListCommand.self, QueueShowCommand.self, QueueClaimCommand.self, QueueReleaseCommand.self,
                      QueueDecideCommand.self, QueueReopenCommand.self, QueueNoteCommand.self, QueueStatsCommand.self,
                      QueueExportCommand.self, QueueVerifyCommand.self, QueuePurgeCommand.self, QueueSLACommand.self]
    )
}

enum QueueFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Band: ExpressibleByArgument {}
extension Decision: ExpressibleByArgument {}
extension CaseState: ExpressibleByArgument {}
