import Crypto
import Foundation
import Testing
import TestSupport
import TriageModel
import TriageStore
import GRDB

/// `check URL` and `batch --fetch` against a server the test starts on
/// loopback (admitted with the test-only `--allow-loopback-port`).
@Suite("triage fetching", .serialized)
struct FetchCommandTests {
    static let page = (try? String(contentsOfFile: TriageProcess.packageRoot.appendingPathComponent("Samples/pages/05-evasion-synthetic.html").path,
                                   encoding: .utf8)) ?? ""

    static func server() throws -> LoopbackServer {
        try LoopbackServer { path in
            switch path {
            case "/moved": return .redirect("/page")
            case "/page": return .ok(page)
            default: return .response(status: 404, headers: [], body: Array("not here".utf8))
            }
        }
    }

    @Test func checkFetchesAURLAndExplainsIt() throws {
        let server = try Self.server()
        defer { server.stop() }
        let port = String(server.port)
        let result = try TriageProcess.run(["check", server.base + "/moved", "--allow-loopback-port", port, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"band\":\"P1\""))
        #expect(result.stdout.contains("\"hops\":[{\"location\":\"\(server.base)/page\",\"status\":302,\"url\":\"\(server.base)/moved\"}]"))
        #expect(result.stdout.contains("\"primary_ip\":\"127.0.0.1\""))
        let agent = try TriageProcess.run(["check", server.base + "/page", "--allow-loopback-port", port, "--user-agent", "triage-test/2"])
        #expect(agent.status == 0 && server.requestHeads.last?.contains("\r\nUser-Agent: triage-test/2\r\n") == true)
        let badAgent = try TriageProcess.run(["check", server.base + "/page", "--allow-loopback-port", port, "--user-agent", "two\nlines"])
        #expect(badAgent.status == 64 && badAgent.stderr.contains("--user-agent must be one line"), "\(badAgent.stderr)")

        // Without the test allowance, loopback is refused and nothing connects.
        let before = server.connections
        let refused = try TriageProcess.run(["check", server.base + "/page"])
        // Exit 3: the page could not be fetched (the assessment, PENDING, still says why).
        #expect(refused.status == 3 && refused.stdout.hasPrefix("PENDING"), "\(refused.status)")
        #expect(refused.stdout.contains("fetch failed (blocked-destination)"))
        #expect(server.connections == before)

        // Regression (issue 18, item 10): with a proxy the destination check
        // sees the proxy's address, and nothing said so. Now a warning does
        // (the proxy here is the loopback server, admitted for the test).
        let proxied = try TriageProcess.run(["check", "http://example.invalid/page", "--proxy", server.base,
                                             "--allow-loopback-port", port, "--format", "json"])
        #expect(proxied.stderr.contains("warning: with --proxy \(server.base), fetches connect to the proxy"), "\(proxied.stderr)")
        #expect(proxied.stderr.contains("see only the proxy's address"))
        #expect(!result.stderr.contains("--proxy"))
    }

    /// A gzip- or brotli-encoded page is read decoded and kept as sent; a
    /// bomb is read only up to the decoding limit.
    @Test func compressedPagesAreDecodedWithACap() throws {
        let html = try piped([], through: "/bin/cat", "Samples/pages/05-evasion-synthetic.html")
        let gzipped = try piped(html, through: "/bin/gzip", "-c")
        let brotli = try piped(html, through: "/usr/bin/brotli", "-c")
        let bomb = try piped([], through: "/bin/sh", "-c", "head -c 200000000 /dev/zero | gzip -c")
        let brotliBomb = try piped([], through: "/bin/sh", "-c", "head -c 200000000 /dev/zero | brotli -c -q 5")
        let server = try LoopbackServer { path in
            switch path {
            case "/br": .response(status: 200, headers: ["Content-Type: text/html", "Content-Encoding: br"], body: brotli)
            case "/bomb": .response(status: 200, headers: ["Content-Type: text/html", "Content-Encoding: gzip"], body: bomb)
            case "/br-bomb": .response(status: 200, headers: ["Content-Type: text/html", "Content-Encoding: br"], body: brotliBomb)
            default: .response(status: 200, headers: ["Content-Type: text/html", "Content-Encoding: gzip"], body: gzipped)
            }
        }
        defer { server.stop() }
        let port = String(server.port)
        for (path, encoding, sent) in [("/page", "gzip", gzipped), ("/br", "br", brotli)] {
            let result = try TriageProcess.run(["check", server.base + path, "--allow-loopback-port", port, "--format", "json"])
            #expect(result.stdout.contains("\"band\":\"P1\""), "\(path)")
            #expect(result.stdout.contains("content-encoding \(encoding): \(sent.count) bytes decoded to \(html.count)"), "\(path)")
            #expect(result.stdout.contains("\"body_bytes\":\(sent.count)"), "\(path)")
        }
        for path in ["/bomb", "/br-bomb"] {
            let bombed = try TriageProcess.run(["check", server.base + path, "--allow-loopback-port", port, "--format", "json"])
            #expect(bombed.status == 0)
            #expect(bombed.stdout.contains("decoding stopped at the limit of 33554432 bytes"), "\(path)")
        }
    }

    @Test func batchFetchesURLOnlyReferralsIntoTheQueueWithTheirBytes() throws {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try temporaryFolder("triage-fetch")
        let input = folder.appendingPathComponent("referrals.ndjson")
        let lines = [
            "{\"id\":\"F-1\",\"url\":\"\(server.base)/page\"}",
            "{\"id\":\"F-2\",\"url\":\"\(server.base)/missing\"}",
            "{\"id\":\"F-3\",\"url\":\"http://10.0.0.1/internal\"}",
            "{\"id\":\"F-4\",\"url\":\"\(server.base)/page\",\"text\":\"a recipe for bread\"}",
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("q.sqlite").path
        let result = try TriageProcess.run(["batch", input.path, "--fetch", "--allow-loopback-port", String(server.port), "--db", db,
                                            "--format", "ndjson", "--connect-timeout", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let byID = Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").map { line in
            (String(line.firstRange(of: "\"referral\":\"").map { line[$0.upperBound...].prefix { $0 != "\"" } } ?? ""), String(line))
        })
        #expect(byID["F-1"]?.contains("\"band\":\"P1\"") == true)
        #expect(byID["F-2"]?.contains("fetch failed (http-status)") == true)
        #expect(byID["F-3"]?.contains("\"band\":\"PENDING\"") == true && byID["F-3"]?.contains("blocked-destination") == true)
        // Content came with the referral: not fetched.
        #expect(byID["F-4"]?.contains("\"fetch\"") == false)

        let queue = try SQLiteQueue(path: db)
        let detail = try queue.show("F-1")
        let capture = try #require(detail.captures.first { $0.referralID == "F-1" })
        let kept = try #require(try queue.evidence(sha256: capture.sha256))
        #expect(kept == Array(Self.page.utf8))
        #expect(detail.referrals.first { $0.id == "F-1" }?.assessment.fetch?.sha256 == capture.sha256)
        #expect(try queue.verify().isIntact)
    }

    /// Regression: in `batch --fetch`, a referral whose URL was refused
    /// before any transfer (a scheme other than http/https) inherited the
    /// fetch before it on the same fetch thread: its body, SHA-256, headers
    /// and address, so it was scored on that page and joined its case. Every
    /// failure class, after a page, with one fetch thread and with many.
    @Test(arguments: [1, 8])
    func aFailedFetchNeverInheritsThePageBefore(fetchJobs: Int) throws {
        let server = try LoopbackServer { path in
            switch path {
            case "/reset": .reset
            case "/silent": .silence
            default: .ok(Self.page)
            }
        }
        defer { server.stop() }
        let folder = try temporaryFolder("triage-fetch-leak")
        let input = folder.appendingPathComponent("referrals.ndjson")
        let failing = ["gopher://127.0.0.1:1/_x", "file:///etc/passwd", "ftp://127.0.0.1/x", "dict://127.0.0.1:1/", "http://",
                       "http://referral-test.invalid/", "http://10.0.0.1/internal", "http://127.0.0.1:1/",
                       "\(server.base)/reset", "\(server.base)/silent"]
        var lines: [String] = []
        for (n, url) in failing.enumerated() {
            lines.append("{\"id\":\"page-\(n)\",\"url\":\"\(server.base)/page?\(n)\"}")
            lines.append("{\"id\":\"fail-\(n)\",\"url\":\"\(url)\"}")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("q.sqlite").path
        let result = try TriageProcess.run(["batch", input.path, "--fetch", "--fetch-jobs", String(fetchJobs), "--allow-loopback-port",
                                            String(server.port), "--db", db, "--format", "ndjson", "--no-timings",
                                            "--connect-timeout", "2", "--fetch-timeout", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let pageSHA = Self.sha256Hex(Array(Self.page.utf8))
        var pageCase: String?
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = try #require(object["referral"] as? String)
            let fetch = try #require(object["fetch"] as? [String: Any], "\(id)")
            let caseID = try #require(object["case"] as? String, "\(id)")
            if id.hasPrefix("page-") {
                #expect(fetch["sha256"] as? String == pageSHA && object["band"] as? String == "P1", "\(id)")
                if let pageCase { #expect(caseID == pageCase) } else { pageCase = caseID }
                continue
            }
            #expect(fetch["failure"] is String, "\(id): \(fetch)")
            #expect(fetch["sha256"] == nil || fetch["sha256"] is NSNull, "\(id): \(fetch["sha256"] ?? "")")
            #expect((fetch["headers"] as? [Any])?.isEmpty == true && (fetch["body_bytes"] as? Int) == 0, "\(id): \(fetch)")
            #expect(object["band"] as? String == "PENDING", "\(id): \(object["band"] ?? "")")
            #expect(caseID != pageCase, "\(id) joined the page's case")
        }
        let queue = try SQLiteQueue(path: db)
        for n in failing.indices {
            let detail = try queue.show("fail-\(n)")
            #expect(detail.captures.allSatisfy { $0.referralID != "fail-\(n)" }, "fail-\(n) was stored with a capture")
        }
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// --refetch: submitted content is assessed, the live page kept beside it.
    @Test func refetchKeepsTheSubmittedContentAndTheLivePage() throws {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try temporaryFolder("triage-refetch")
        let input = folder.appendingPathComponent("referrals.ndjson")
        try "{\"id\":\"R-1\",\"url\":\"\(server.base)/page\",\"text\":\"a recipe for bread\"}\n".write(to: input, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("q.sqlite").path
        let result = try TriageProcess.run(["batch", input.path, "--refetch", "--allow-loopback-port", String(server.port), "--db", db,
                                            "--format", "ndjson"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"band\":\"NFA\""))
        #expect(result.stdout.contains("not the submitted content: the live page differs; the submitted content was assessed"))
        let detail = try SQLiteQueue(path: db).show("R-1")
        #expect(detail.captures.count == 2 && detail.captures[1].previousID == detail.captures[0].id)
        #expect(try SQLiteQueue(path: db).evidence(sha256: detail.captures[0].sha256) == Array("a recipe for bread".utf8))
        #expect(try SQLiteQueue(path: db).evidence(sha256: detail.captures[1].sha256) == Array(Self.page.utf8))
        #expect(detail.referrals[0].assessment.fetch?.sha256 == detail.captures[1].sha256)
    }

    /// Decided content is fetched again: each recheck is a new capture with a
    /// verdict, and stats count the latest verdict per case.
    @Test func recheckRecordsWhetherDecidedContentIsStillThere() throws {
        final class Mode: @unchecked Sendable {
            let lock = NSLock()
            var reply = "page"
        }
        let mode = Mode()
        let server = try LoopbackServer { _ in
            switch mode.lock.withLock({ mode.reply }) {
            case "page": return .ok(Self.page)
            case "edited": return .ok(Self.page + "<p>edited</p>")
            default: return .response(status: 404, headers: [], body: Array("removed".utf8))
            }
        }
        defer { server.stop() }
        let port = String(server.port)
        let folder = try temporaryFolder("triage-recheck")
        let input = folder.appendingPathComponent("referrals.ndjson")
        try "{\"id\":\"K-1\",\"url\":\"\(server.base)/post\"}\n".write(to: input, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("q.sqlite").path
        _ = try TriageProcess.run(["batch", input.path, "--fetch", "--allow-loopback-port", port, "--db", db])
        let queue = try SQLiteQueue(path: db)
        let claimed = try #require(try queue.claimNext(officer: "alice", lease: .seconds(600), band: nil))
        _ = try queue.decide(claimed.id, decision: .referToPlatform, reason: "unlawful", officer: "alice")

        var verdicts: [String] = []
        for reply in ["page", "edited", "gone"] {
            mode.lock.withLock { mode.reply = reply }
            let result = try TriageProcess.run(["recheck", "--db", db, "--officer", "records", "--older-than", "0", "--allow-loopback-port", port])
            #expect(result.status == 0, "\(result.stderr)")
            verdicts.append(String(result.stdout.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true)[1] ?? ""))
        }
        #expect(verdicts == ["present", "changed", "removed"])
        let detail = try queue.show(claimed.id)
        #expect(detail.captures.map(\.recheck) == [nil, "present", "changed", "removed"])
        #expect(detail.captures.dropFirst().map(\.previousID) == detail.captures.dropLast().map(\.id))
        #expect(detail.history.filter { $0.action == "rechecked" }.count == 3)
        #expect(try queue.stats().rechecks == [.removed: 1])
        #expect(try queue.verify().isIntact)
        let stats = try TriageProcess.run(["queue", "stats", "--db", db])
        #expect(stats.stdout.contains("present 0, changed 0, removed 1, failed 0 (100% removed)"))
    }

    /// Fetched captures as WARC/1.1: records parse back, lengths and digests hold.
    @Test func exportWARCWritesTheFetchedBytesWithTheirRecord() throws {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try temporaryFolder("triage-warc")
        let input = folder.appendingPathComponent("referrals.ndjson")
        try "{\"id\":\"W-1\",\"url\":\"\(server.base)/moved\"}\n{\"id\":\"W-2\",\"text\":\"pasted, not fetched\"}\n"
            .write(to: input, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("q.sqlite").path
        _ = try TriageProcess.run(["batch", input.path, "--fetch", "--allow-loopback-port", String(server.port), "--db", db])
        let warc = folder.appendingPathComponent("out.warc").path
        let result = try TriageProcess.run(["export-warc", "--db", db, "-o", warc])
        #expect(result.status == 0 && result.stderr.contains("1 capture written"), "\(result.stderr)")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: warc)))[...]
        var records: [(fields: [String: String], block: [UInt8])] = []
        while !bytes.isEmpty {
            let separator = Array("\r\n\r\n".utf8)
            let end = try #require((0...(bytes.count - 4)).first { Array(bytes[(bytes.startIndex + $0)..<(bytes.startIndex + $0 + 4)]) == separator })
            let head = String(decoding: bytes.prefix(end), as: UTF8.self).components(separatedBy: "\r\n")
            #expect(head[0] == "WARC/1.1")
            var fields: [String: String] = [:]
            for line in head.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces)
            }
            let length = try #require(Int(fields["Content-Length"] ?? ""))
            let blockStart = bytes.startIndex + end + 4
            records.append((fields, Array(bytes[blockStart..<(blockStart + length)])))
            #expect(Array(bytes[(blockStart + length)..<(blockStart + length + 4)]) == separator)
            bytes = bytes[(blockStart + length + 4)...]
        }
        #expect(records.map { $0.fields["WARC-Type"] } == ["warcinfo", "response", "metadata"])
        let response = records[1]
        let page = Array(Self.page.utf8)
        #expect(response.block.suffix(page.count) == page[...])
        #expect(String(decoding: response.block.prefix(17), as: UTF8.self) == "HTTP/1.1 200\r\nCon")
        #expect(response.fields["WARC-Target-URI"] == server.base + "/page" && response.fields["WARC-IP-Address"] == "127.0.0.1")
        #expect(response.fields["WARC-Payload-Digest"] == "sha256:" + FetcherDigest.hex(page))
        #expect(response.fields["WARC-Block-Digest"] == "sha256:" + FetcherDigest.hex(response.block))
        let metadata = String(decoding: records[2].block, as: UTF8.self)
        #expect(records[2].fields["WARC-Concurrent-To"] == response.fields["WARC-Record-ID"])
        #expect(metadata.contains("fetch-record: {") && metadata.contains("via: 302 \(server.base)/moved -> \(server.base)/page"))

        // Regression: a body altered behind the queue's back was exported
        // with freshly computed digests, so the WARC verified. Now it is
        // refused and named, and `queue show` warns.
        let sha = FetcherDigest.hex(page)
        let tamperer = try DatabaseQueue(path: db)
        try tamperer.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS evidence_no_update")
            try db.execute(sql: "UPDATE evidence SET bytes = ? WHERE sha256 = ?", arguments: [Data("<p>something else</p>".utf8), sha])
        }
        try tamperer.close()
        let tampered = try TriageProcess.run(["export-warc", "--db", db, "-o", warc])
        #expect(tampered.status == 1, "\(tampered.stderr)")
        #expect(tampered.stderr.contains("the stored bytes of capture sha256:\(sha) no longer match its SHA-256: not exported"), "\(tampered.stderr)")
        #expect(tampered.stderr.contains("0 captures written; 1 refused because their bytes were altered"), "\(tampered.stderr)")
        let exported = try String(contentsOfFile: warc, encoding: .utf8)
        #expect(!exported.contains("something else") && !exported.contains("WARC-Type: response"))
        let shown = try TriageProcess.run(["queue", "show", "W-1", "--db", db])
        #expect(shown.stdout.contains("sha256:\(sha)") && shown.stdout.contains("WARNING: the stored bytes no longer match this SHA-256"), "\(shown.stdout)")
    }
}

enum FetcherDigest {
    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
}
