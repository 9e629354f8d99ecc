import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageEngine
import TriageModel
import TriageServer

@Suite("Queue API")
struct QueueAPITests {
    /// Files `count` referrals through the API and waits for the last.
    static func fill(_ client: some TestClientProtocol, _ harness: Harness, count: Int, prefix: String = "q") async throws {
        let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
        let body = (0..<count).map { i in
            #"{"id":"\#(prefix)-\#(i)","url":"https://example.invalid/\#(prefix)/\#(i)","text":"\#(i % 3 == 0 ? "a synthetic attack plan" : "benign") \#(i)"}"#
        }.joined(separator: "\n")
        _ = try await client.send(flagger, .post, "/api/v1/referrals:batch", body)
        _ = try await client.waitAssessed("\(prefix)-\(count - 1)", as: flagger)
        // Wait for every one (the last may be filed before others in its batch's transaction: no, one transaction; but be sure).
        while try harness.store.intakeBacklog() > 0 { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func anOfficerClaimsDecidesAndReopensWithTheQueuesMeanings() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            try await Self.fill(client, harness, count: 4)
            let officer = try await Caller.session("officer1", client), other = Caller.token(harness.tokens[.review]!, "other")
            let claimed = try await client.send(officer, .post, "/api/v1/claims", #"{"band":"P1"}"#)
            #expect(claimed.status == .ok)
            let caseID = try #require(try json(claimed)["id"] as? String)
            #expect(try json(claimed)["officer"] as? String == "officer1")
            // Someone else cannot decide or release it: 409.
            let theirs = try await client.send(other, .post, "/api/v1/cases/\(caseID)/decision", #"{"decision":"refer-to-platform","reason":"r"}"#)
            #expect(theirs.status == .conflict)
            // Invalid decisions: 422, and nothing changes.
            for body in [#"{"decision":"delete-it","reason":"r"}"#, #"{"decision":"refer-to-platform","reason":"  "}"#,
                         #"{"decision":"refer-to-platform"}"#, #"{"decision":"refer-to-platform","reason":"r","extra":1}"#,
                         #"{"decision":3,"reason":"r"}"#] {
                let response = try await client.send(officer, .post, "/api/v1/cases/\(caseID)/decision", body)
                #expect(response.status == .unprocessableContent, "\(body): \(String(buffer: response.body))")
            }
            let note = try await client.send(officer, .post, "/api/v1/cases/\(caseID)/notes", #"{"text":"checked the synthetic page"}"#)
            #expect(note.status == .noContent)
            let decided = try await client.send(officer, .post, "/api/v1/cases/\(caseID)/decision",
                                                #"{"decision":"refer-to-platform","reason":"synthetic: unlawful under the test's rules"}"#)
            #expect(decided.status == .ok)
            #expect(try json(decided)["decision"] as? String == "refer-to-platform")
            // Another officer may not reopen it; the one who decided may; a supervisor may reopen any.
            let r1 = try await client.send(other, .post, "/api/v1/cases/\(caseID)/reopen", #"{"reason":"second look"}"#)
            #expect(r1.status == .conflict)
            let r2 = try await client.send(officer, .post, "/api/v1/cases/\(caseID)/reopen", #"{"reason":"second look"}"#)
            #expect(r2.status == .ok)
            let unknown = try await client.send(officer, .get, "/api/v1/cases/case-0000000000000000")
            #expect(unknown.status == .notFound)
            // The case in full: its history names the signed-in officer for each change.
            let detail = try json(try await client.send(officer, .get, "/api/v1/cases/\(caseID)"))
            let actions = try #require(detail["history"] as? [[String: Any]]).filter { $0["actor"] as? String == "officer1" }.map { $0["action"] as? String }
            #expect(actions == ["claimed", "noted", "decided", "reopened"])
            #expect((detail["notes"] as? [[String: Any]])?.first?["text"] as? String == "checked the synthetic page")
            let verify = try json(try await client.send(try await Caller.session("supervisor1", client), .get, "/api/v1/verify"))
            #expect(verify["intact"] as? Bool == true)
        }
    }

    @Test func pagingByCursorNeitherRepeatsNorSkipsWhileTheQueueChanges() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            try await Self.fill(client, harness, count: 30)
            let reader = Caller.token(harness.tokens[.read]!, "reader")
            let all = try json(try await client.send(reader, .get, "/api/v1/cases?limit=500"))["cases"] as? [[String: Any]] ?? []
            #expect(all.count == 30)
            var seen: [String] = [], cursor: String?
            var pages = 0
            repeat {
                let uri = "/api/v1/cases?limit=7" + (cursor.map { "&cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
                let page = try json(try await client.send(reader, .get, uri))
                seen += (page["cases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
                pages += 1
                // New cases arrive between pages; they sort where they sort, and the pages go on past the cursor.
                if pages == 2 { try await Self.fill(client, harness, count: 3, prefix: "late") }
            } while cursor != nil && pages < 20
            let before = all.compactMap { $0["id"] as? String }
            #expect(Set(seen).count == seen.count, "a case was shown twice")
            #expect(Set(before).isSubset(of: Set(seen)), "a case that was there all along was skipped")
            let filtered = try json(try await client.send(reader, .get, "/api/v1/cases?band=p1&state=new"))["cases"] as? [[String: Any]] ?? []
            #expect(filtered.count == 10 && filtered.allSatisfy { $0["band"] as? String == "P1" })
            for bad in ["band=P9", "state=lost", "limit=0", "limit=x", "cursor=nonsense", "overdue=maybe"] {
                #expect(try await client.send(reader, .get, "/api/v1/cases?" + bad).status == .unprocessableContent, "\(bad)")
            }
        }
    }

    @Test func anAdminReloadsTheRulesAndABrokenSetLeavesTheRunningOne() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let admin = Caller.token(harness.tokens[.admin]!, "admin")
            let old = harness.live.snapshot.rules.fingerprint.description
            let replacement = Harness.rules("synthetic convoy route")
            harness.nextLoad.withLock { $0 = .success(replacement) }
            let reloaded = try json(try await client.send(admin, .post, "/api/v1/admin/rules/reload"))
            #expect(reloaded["from"] as? String == old && reloaded["to"] as? String == replacement.fingerprint.description)
            harness.nextLoad.withLock { $0 = .failure(Harness.ReloadFailure(description: "error[R012]: duplicate rule `plan`")) }
            let refused = try await client.send(admin, .post, "/api/v1/admin/rules/reload")
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("R012"))
            #expect(harness.live.snapshot.rules.fingerprint == replacement.fingerprint)
            // New referrals are assessed with the new set, and the swap is in the audit log with both fingerprints.
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
            _ = try await client.send(flagger, .post, "/api/v1/referrals", #"{"id":"after","text":"a synthetic convoy route"}"#)
            let assessed = try await client.waitAssessed("after", as: flagger)
            #expect((assessed["assessment"] as? [String: Any])?["rules"] as? String == replacement.fingerprint.description)
            #expect((assessed["assessment"] as? [String: Any])?["band"] as? String == "P1")
            let reloads = try harness.store.auditEntries(after: 0, limit: 1000).filter { $0.action == "rules-reloaded" }
            #expect(reloads.count == 1)
            #expect(reloads.first?.actor == "token:t-admin" && reloads.first?.fromState == old
                    && reloads.first?.toState == replacement.fingerprint.description)
            #expect(try harness.store.verify().isIntact)
        }
    }

    /// Rules swapped while referrals stream in: every assessment names one
    /// of the two rule sets, none is lost, and each referral accepted after
    /// the swap returned is assessed with the new set.
    @Test func rulesSwappedWhileReferralsStreamIn() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger"), admin = Caller.token(harness.tokens[.admin]!, "admin")
            let old = harness.live.snapshot.rules.fingerprint.description
            let replacement = Harness.rules("synthetic convoy route")
            harness.nextLoad.withLock { $0 = .success(replacement) }
            var afterSwap: Set<String> = []
            for chunk in 0..<8 {
                let body = (0..<50).map { i in #"{"id":"s-\#(chunk)-\#(i)","text":"a synthetic attack plan and a synthetic convoy route \#(i)"}"# }
                    .joined(separator: "\n")
                let answer = try await client.send(flagger, .post, "/api/v1/referrals:batch", body)
                #expect(String(buffer: answer.body).contains(#""accepted":50"#))
                if chunk >= 3 { for i in 0..<50 { afterSwap.insert("s-\(chunk)-\(i)") } }
                if chunk == 2 {
                    let swapped = try await client.send(admin, .post, "/api/v1/admin/rules/reload")
                    #expect(swapped.status == .ok)
                }
            }
            while try harness.store.intakeBacklog() > 0 { try await Task.sleep(for: .milliseconds(20)) }
            var counts: [String: Int] = [:]
            for chunk in 0..<8 {
                for i in 0..<50 {
                    let id = "s-\(chunk)-\(i)"
                    let status = try json(try await client.send(flagger, .get, "/api/v1/referrals/\(id)"))
                    let rules = (status["assessment"] as? [String: Any])?["rules"] as? String ?? "none"
                    counts[rules, default: 0] += 1
                    if afterSwap.contains(id) { #expect(rules == replacement.fingerprint.description, "\(id) assessed with \(rules)") }
                }
            }
            #expect(counts.values.reduce(0, +) == 400)
            #expect(Set(counts.keys).isSubset(of: [old, replacement.fingerprint.description]), "\(counts)")
        }
    }

    @Test func supervisorsExportAndSetServiceLevels() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            try await Self.fill(client, harness, count: 9)
            let supervisor = try await Caller.session("supervisor1", client)
            let csv = try await client.send(supervisor, .get, "/api/v1/export")
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = String(buffer: csv.body).split(separator: "\n")
            #expect(rows.first.map(String.init) == ExportRow.csvHeader.dropLast().description && rows.count == 1 + 9)
            let ndjson = try await client.send(supervisor, .get, "/api/v1/export?format=ndjson&since=2020-01-01")
            #expect(String(buffer: ndjson.body).split(separator: "\n").count == 9)
            let aggregate = try await client.send(supervisor, .get, "/api/v1/export?aggregate=true&format=ndjson")
            #expect(String(buffer: aggregate.body).contains(#""group":"band""#))
            for bad in ["format=xml", "since=yesterday", "aggregate=perhaps"] {
                let r = try await client.send(supervisor, .get, "/api/v1/export?" + bad)
                #expect(r.status == .unprocessableContent, "\(bad)")
            }
            let set = try await client.send(supervisor, .put, "/api/v1/service-levels/p1", #"{"seconds":1800}"#)
            let levels = try json(set)
            #expect(set.status == .ok && levels["P1"] as? Int == 1800)
            let bad = try await client.send(supervisor, .put, "/api/v1/service-levels/P1", #"{"seconds":1}"#)
            #expect(bad.status == .unprocessableContent)
            let entries = try harness.store.auditEntries(after: 0, limit: 10_000).filter { $0.action == "service-levels" }
            #expect(entries.last?.actor == "supervisor1")
        }
    }
}
