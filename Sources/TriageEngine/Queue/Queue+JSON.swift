import Encoders
import Foundation
import TriageModel

// The queue's records as JSON, the same for `triage queue … --format json`
// and the server's API: snake_case keys in sorted order, times as ISO 8601.

extension QueueCase {
    /// One case as `queue list --format json` writes a line, and the API lists it.
    public var json: String { jsonObject.text }

    public var jsonObject: JSONObject {
        var out = JSONObject()
        out.add("band", string: band.rawValue)
        out.add("decided_at", string: decidedAt.map { Timestamp(milliseconds: $0).iso8601 })
        out.add("decided_by", string: decidedBy)
        out.add("decision", string: decision?.rawValue)
        out.add("duplicate_of", string: duplicateOf)
        out.add("id", string: id)
        out.add("lease_until", string: leaseUntil.map { Timestamp(milliseconds: $0).iso8601 })
        out.add("officer", string: officer)
        out.add("opened_at", string: Timestamp(milliseconds: openedAt).iso8601)
        out.add("overdue", raw: overdue ? "true" : "false")
        out.add("primary_category", string: primaryCategory)
        out.add("referrals", int: referrals)
        out.add("score", int: score)
        out.add("state", string: state.rawValue)
        out.add("updated_at", string: Timestamp(milliseconds: updatedAt).iso8601)
        out.add("url", string: url)
        return out
    }
}

extension QueueStats {
    /// `triage queue stats --format json`.
    public func json() -> String {
        let stats = self
        var out = JSONObject()
        out.add("cases", int: stats.cases)
        var decisions = JSONObject()
        for decision in Decision.allCases { decisions.add(decision.rawValue, int: stats.decisions[decision, default: 0]) }
        out.add("decisions", raw: decisions.text)
        out.add("in_review", int: stats.inReview)
        var open = JSONObject()
        for band in Band.allCases {
            guard let counts = stats.open[band] else { continue }
            var buckets = JSONObject()
            for (bucket, n) in zip(QueueStats.ageBuckets, counts) { buckets.add(bucket.label, int: n) }
            buckets.add("overdue", int: stats.overdue[band, default: 0])
            open.add(band.rawValue, raw: buckets.text)
        }
        out.add("open", raw: open.text)
        var rechecks = JSONObject()
        for outcome in RecheckOutcome.allCases { rechecks.add(outcome.rawValue, int: stats.rechecks[outcome, default: 0]) }
        out.add("rechecks", object: rechecks)
        out.add("referrals", int: stats.referrals)
        out.add("rules", raw: "[" + stats.rules.map { line in
            var rule = JSONObject()
            rule.add("acted_on", int: line.actedOn)
            rule.add("cases", int: line.cases)
            rule.add("category", string: line.category)
            rule.add("no_further_action", int: line.noFurtherAction)
            rule.add("precision", raw: line.precision.map { String(format: "%.4f", $0) } ?? "null")
            rule.add("referrals", int: line.referrals)
            rule.add("rule", string: line.rule)
            return rule.text
        }.joined(separator: ",") + "]")
        return out.text
    }
}

extension AuditEntry {
    public var jsonObject: JSONObject {
        var out = JSONObject()
        out.add("action", string: action)
        out.add("actor", string: actor)
        out.add("at", string: Timestamp(milliseconds: at).iso8601Milliseconds)
        out.add("case_id", string: caseID)
        out.add("digest", string: digest)
        out.add("from_state", string: fromState)
        out.add("reason", string: reason)
        out.add("referral_id", string: referralID)
        out.add("rules", string: rules)
        out.add("seq", int: Int(seq))
        out.add("to_state", string: toState)
        return out
    }
}

extension CaseDetail {
    /// A case in full: the case, each referral with its assessment,
    /// captures (their records, never their bytes), notes and history.
    public func json() -> String {
        var out = JSONObject()
        out.add("captures", objects: captures.map { capture in
            var c = JSONObject()
            c.add("bytes_match", bool: capture.bytesMatch)
            c.add("captured_at", string: Timestamp(milliseconds: capture.capturedAt).iso8601)
            c.add("content_type", string: capture.contentType)
            c.add("id", int: Int(capture.id))
            c.add("previous_id", int: capture.previousID.map(Int.init))
            c.add("purged_at", string: capture.purgedAt.map { Timestamp(milliseconds: $0).iso8601 })
            c.add("recheck", string: capture.recheck)
            c.add("referral_id", string: capture.referralID)
            c.add("sha256", string: capture.sha256)
            c.add("size", int: capture.size)
            return c
        })
        out.add("case", object: queueCase.jsonObject)
        out.add("history", objects: history.map(\.jsonObject))
        out.add("notes", objects: notes.map { note in
            var n = JSONObject()
            n.add("at", string: Timestamp(milliseconds: note.at).iso8601)
            n.add("officer", string: note.officer)
            n.add("text", string: note.text)
            return n
        })
        out.add("referrals", raw: "[" + referrals.map { referral in
            var r = JSONObject()
            r.add("assessment", raw: referral.assessment.json())
            r.add("id", string: referral.id)
            r.add("received_at", string: Timestamp(milliseconds: referral.receivedAt).iso8601)
            r.add("reporter_note", string: referral.reporterNote)
            return r.text
        }.joined(separator: ",") + "]")
        return out.text
    }
}

extension VerifyReport {
    public func json() -> String {
        var out = JSONObject()
        out.add("audit_break", string: auditBreak)
        out.add("audit_entries", int: auditEntries)
        out.add("captures", int: captures)
        out.add("evidence_break", string: evidenceBreak)
        out.add("evidence_files", int: evidenceFiles)
        out.add("head", string: head)
        out.add("intact", bool: isIntact)
        out.add("referral_break", string: referralBreak)
        out.add("referrals", int: referrals)
        return out.text
    }
}
