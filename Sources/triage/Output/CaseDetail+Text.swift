import TriageEngine
import TriageModel

extension CaseDetail {
    /// `triage queue show`: the case, its referrals with their assessments
    /// explained, captures, notes and history.
    func text(now: Int64) -> String {
        let detail = self
        let c = detail.queueCase
        var out = "case \(c.id)  \(c.band.rawValue)  score \(c.score)  \(c.state.rawValue)"
        if let officer = c.officer, let until = c.leaseUntil { out += " by \(officer) until \(Timestamp(milliseconds: until).iso8601)" }
        if let decision = c.decision {
            out += ": \(decision.rawValue)" + (c.duplicateOf.map { " \($0)" } ?? "") + " by \(c.decidedBy ?? "?")"
                + " at \(c.decidedAt.map { Timestamp(milliseconds: $0).iso8601 } ?? "?")"
        }
        out += "\nopened \(Timestamp(milliseconds: c.openedAt).iso8601) (\(Timestamp.age(now - c.openedAt)) ago)"
            + (c.overdue ? ", OVERDUE for its band" : "") + "  \(c.referrals) referral\(c.referrals == 1 ? "" : "s")"
        if let url = c.url { out += "  \(url)" }
        out += "\n"
        for referral in detail.referrals {
            out += "\n== referral \(referral.id), received \(Timestamp(milliseconds: referral.receivedAt).iso8601)\n"
            if let note = referral.reporterNote { out += "reporter's note: \(note)\n" }
            out += referral.assessment.explanation()
        }
        if !detail.captures.isEmpty {
            out += "\ncaptures:\n"
            for capture in detail.captures {
                out += "  #\(capture.id)  referral \(capture.referralID)  \(capture.size) bytes  sha256:\(capture.sha256)"
                    + (capture.contentType.map { "  \($0)" } ?? "") + "  \(Timestamp(milliseconds: capture.capturedAt).iso8601)"
                    + (capture.previousID.map { "  after #\($0)" } ?? "") + (capture.recheck.map { "  RECHECK: \($0)" } ?? "")
                    + (capture.purgedAt.map { "  PURGED \(Timestamp(milliseconds: $0).iso8601)" } ?? "")
                    + (capture.bytesMatch == false ? "  WARNING: the stored bytes no longer match this SHA-256 (altered; run `triage queue verify`)" : "")
                    + "\n"
            }
        }
        if !detail.notes.isEmpty {
            out += "\nnotes:\n"
            for note in detail.notes { out += "  \(Timestamp(milliseconds: note.at).iso8601)  \(note.officer): \(note.text)\n" }
        }
        out += "\nhistory:\n"
        for entry in detail.history {
            out += "  #\(entry.seq)  \(Timestamp(milliseconds: entry.at).iso8601)  \(entry.actor)  \(entry.action)"
            if let from = entry.fromState, let to = entry.toState { out += "  \(from) -> \(to)" } else if let to = entry.toState { out += "  -> \(to)" }
            if let referral = entry.referralID { out += "  referral \(referral)" }
            if let reason = entry.reason { out += "  \"\(reason)\"" }
            out += "\n"
        }
        return out
    }
}
