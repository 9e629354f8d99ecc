import ArgumentParser
import TriageEngine
import TriageStore

/// `triage queue show`: one case, everything an officer reviews.
struct QueueShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a case (or the case of a referral): its assessments, evidence, notes and history."
    )

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("A case id, or a referral id.", valueName: "ID"))
    var id: String

    func run() throws {
        let sqlite = try queue.open(command: "queue show", reading: true)
        let detail = try queueAction("queue show") { try sqlite.show(id) }
        var output = OutputWriter()
        output.write(Self.text(detail, now: SQLiteQueue.systemClock()))
        output.flush()
    }

    static func text(_ detail: CaseDetail, now: Int64) -> String {
        let c = detail.queueCase
        var out = "case \(c.id)  \(c.band.rawValue)  score \(c.score)  \(c.state.rawValue)"
        if let officer = c.officer, let until = c.leaseUntil { out += " by \(officer) until \(SQLiteQueue.timestamp(until))" }
        if let decision = c.decision {
            out += ": \(decision.rawValue)" + (c.duplicateOf.map { " \($0)" } ?? "") + " by \(c.decidedBy ?? "?")"
                + " at \(c.decidedAt.map(SQLiteQueue.timestamp) ?? "?")"
        }
        out += "\nopened \(SQLiteQueue.timestamp(c.openedAt)) (\(QueueCase.age(now - c.openedAt)) ago)"
            + (c.overdue ? ", OVERDUE for its band" : "") + "  \(c.referrals) referral\(c.referrals == 1 ? "" : "s")"
        if let url = c.url { out += "  \(url)" }
        out += "\n"
        for referral in detail.referrals {
            out += "\n== referral \(referral.id), received \(SQLiteQueue.timestamp(referral.receivedAt))\n"
            if let note = referral.reporterNote { out += "reporter's note: \(note)\n" }
            out += referral.assessment.text()
        }
        if !detail.captures.isEmpty {
            out += "\ncaptures:\n"
            for capture in detail.captures {
                out += "  #\(capture.id)  referral \(capture.referralID)  \(capture.size) bytes  sha256:\(capture.sha256)"
                    + (capture.contentType.map { "  \($0)" } ?? "") + "  \(SQLiteQueue.timestamp(capture.capturedAt))"
                    + (capture.previousID.map { "  after #\($0)" } ?? "") + (capture.recheck.map { "  RECHECK: \($0)" } ?? "")
                    + (capture.purgedAt.map { "  PURGED \(SQLiteQueue.timestamp($0))" } ?? "")
                    + (capture.bytesMatch == false ? "  WARNING: the stored bytes no longer match this SHA-256 (altered; run `triage queue verify`)" : "")
                    + "\n"
            }
        }
        if !detail.notes.isEmpty {
            out += "\nnotes:\n"
            for note in detail.notes { out += "  \(SQLiteQueue.timestamp(note.at))  \(note.officer): \(note.text)\n" }
        }
        out += "\nhistory:\n"
        for entry in detail.history {
            out += "  #\(entry.seq)  \(SQLiteQueue.timestamp(entry.at))  \(entry.actor)  \(entry.action)"
            if let from = entry.fromState, let to = entry.toState { out += "  \(from) -> \(to)" } else if let to = entry.toState { out += "  -> \(to)" }
            if let referral = entry.referralID { out += "  referral \(referral)" }
            if let reason = entry.reason { out += "  \"\(reason)\"" }
            out += "\n"
        }
        return out
    }
}
