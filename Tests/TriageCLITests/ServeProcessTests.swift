import Foundation
import Testing
import TestSupport

/// `triage serve` as a process: killed mid-intake and restarted, over TLS,
/// reloading its rules on SIGHUP, stopping on SIGTERM. Requests go through
/// curl, a client nobody here wrote.
@Suite("triage serve, as a process", .serialized)
struct ServeProcessTests {
    /// A running `triage serve` and where it listens.
    final class Server {
        let process = Process()
        let log: URL
        private(set) var url = ""

        init(_ arguments: [String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = TriageProcess.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
            process.currentDirectoryURL = TriageProcess.packageRoot
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"listening on (https?://[^ ]+)"#, options: .regularExpression) {
                    url = String(text[range].dropFirst("listening on ".count))
                    return
                }
                guard process.isRunning else { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "triage serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")"])
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Sends `number` and waits for the process to end; its exit status.
        @discardableResult
        func stop(_ number: Int32 = SIGTERM) -> Int32 {
            signal(number)
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// One request through curl: the status and body (status 0: no answer).
    static func curl(_ arguments: [String]) throws -> (status: Int, body: String, headers: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: headerFile) }
        process.arguments = ["-sS", "--max-time", "10", "-D", headerFile.path, "-w", "\n%{http_code}"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        if let newline = text.lastIndex(of: "\n") { text = String(text[..<newline]) }
        return (status, text, (try? String(contentsOf: headerFile, encoding: .utf8)) ?? "")
    }

    static func token(_ db: String, scope: String, name: String) throws -> String {
        let made = try TriageProcess.run(["tokens", "create", "--db", db, "--name", name, "--scope", scope])
        #expect(made.status == 0, "\(made.stderr)")
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Concurrent clients submit referrals while the server is SIGKILLed at
    /// random points, three times over; after a last restart every referral
    /// that was answered 202 is assessed, each once, and the audit chain holds.
    @Test func everyAcknowledgedReferralSurvivesSIGKILL() throws {
        let folder = try temporaryFolder("serve-kill")
        let db = folder.appendingPathComponent("queue.sqlite").path
        _ = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db])
        let token = try Self.token(db, scope: "intake", name: "flagger")
        var random = SeededRandom(seed: 21)
        final class Acknowledged: @unchecked Sendable {
            private let lock = NSLock()
            private var ids: Set<String> = []
            func add(_ id: String) { lock.withLock { _ = ids.insert(id) } }
            var all: [String] { lock.withLock { ids.sorted() } }
        }
        let acknowledged = Acknowledged()
        for round in 0..<3 {
            let server = try Server(["--db", db, "--jobs", "2"], log: folder.appendingPathComponent("serve-\(round).log"))
            let url = server.url
            let stop = Date().addingTimeInterval(0.3 + Double(random.next() % 700) / 1000)
            let clients = (0..<4).map { client in
                Thread {
                    var n = 0
                    while Date() < stop {
                        let id = "kill-\(round)-\(client)-\(n)"
                        n += 1
                        let body = #"{"id":"\#(id)","text":"synthetic report \#(id): a synthetic attack plan"}"#
                        guard let answer = try? Self.curl(["-X", "POST", url + "/api/v1/referrals", "-H", "Authorization: Bearer \(token)",
                                                           "-H", "Content-Type: application/json", "--data-binary", body]) else { continue }
                        if answer.status == 202 { acknowledged.add(id) }
                    }
                }
            }
            clients.forEach { $0.start() }
            while Date() < stop { Thread.sleep(forTimeInterval: 0.01) }
            server.stop(SIGKILL)
            while clients.contains(where: { $0.isExecuting }) { Thread.sleep(forTimeInterval: 0.01) }
        }
        let ids = acknowledged.all
        #expect(ids.count > 10, "too few referrals were acknowledged to test anything")
        // Restarted, the server files what the killed ones left pending.
        let server = try Server(["--db", db, "--jobs", "2"], log: folder.appendingPathComponent("serve-last.log"))
        let deadline = Date().addingTimeInterval(60)
        var pending = ids
        while !pending.isEmpty && Date() < deadline {
            pending = try pending.filter { id in
                let answer = try Self.curl([server.url + "/api/v1/referrals/" + id, "-H", "Authorization: Bearer \(token)"])
                return !answer.body.contains(#""status":"assessed""#)
            }
            if !pending.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(pending.isEmpty, "acknowledged but never assessed: \(pending.prefix(5))")
        #expect(server.stop(SIGTERM) == 0, "\(server.logText)")
        let verify = try TriageProcess.run(["queue", "verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // Each once: one intake entry names each acknowledged referral's row, and no referral is in two cases.
        for id in ids.prefix(20) {
            let shown = try TriageProcess.run(["queue", "show", "--db", db, id])
            #expect(shown.status == 0 && shown.stdout.components(separatedBy: "referral \(id)").count - 1 >= 1, "\(id): \(shown.stderr)")
        }
    }

    @Test func httpsWithACertificateTheTestMade() throws {
        let folder = try temporaryFolder("serve-tls")
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                             "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        let db = folder.appendingPathComponent("queue.sqlite").path
        _ = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db])
        let added = try TriageProcess.run(["users", "add", "alice", "--role", "officer", "--db", db], stdin: Data("synthetic password 1\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        let server = try Server(["--db", db, "--tls-cert", cert, "--tls-key", key], log: folder.appendingPathComponent("serve.log"))
        defer { server.stop() }
        #expect(server.url.hasPrefix("https://"))
        let health = try Self.curl(["--cacert", cert, server.url + "/healthz"])
        #expect(health.status == 200)
        #expect(health.headers.lowercased().contains("strict-transport-security: max-age="))
        let signIn = try Self.curl(["--cacert", cert, "-X", "POST", server.url + "/api/v1/session", "-H", "Content-Type: application/json",
                                    "--data-binary", #"{"name":"alice","password":"synthetic password 1"}"#])
        #expect(signIn.status == 200)
        let cookie = signIn.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") } ?? ""
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
        // Plain HTTP to the TLS port gets nothing served.
        let plain = try Self.curl([server.url.replacingOccurrences(of: "https://", with: "http://") + "/healthz"])
        #expect(plain.status != 200)
        #expect(!server.logText.contains("serving plain HTTP"))
    }

    @Test func plainHTTPSaysItExpectsAProxyAndSIGHUPReloadsTheRules() throws {
        let folder = try temporaryFolder("serve-hup")
        let rules = folder.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        func write(_ phrase: String, broken: Bool = false) throws {
            let text = syntheticRuleSource([SyntheticRule("plan", phrase: phrase)], namespace: "hup", broken: broken)
            try text.write(to: rules.appendingPathComponent("hup.rules"), atomically: true, encoding: .utf8)
        }
        try write("synthetic first phrase")
        let db = folder.appendingPathComponent("queue.sqlite").path
        let server = try Server(["--db", db, "--rules", rules.path, "--log-level", "info"], log: folder.appendingPathComponent("serve.log"))
        defer { server.stop() }
        #expect(server.logText.contains("serving plain HTTP: put a TLS-terminating proxy in front"))
        func fingerprint() throws -> String {
            let ready = try Self.curl([server.url + "/readyz"])
            let object = try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any]
            return object?["rules"] as? String ?? ""
        }
        let first = try fingerprint()
        #expect(first.hasPrefix("sha256:"))
        func waitFor(_ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline { if try condition() { return }; Thread.sleep(forTimeInterval: 0.05) }
        }
        try write("synthetic second phrase")
        server.signal(SIGHUP)
        try waitFor { try fingerprint() != first }
        let second = try fingerprint()
        #expect(second != first && second.hasPrefix("sha256:"))
        // A broken rule set is refused; the running one stays.
        try write("synthetic third phrase", broken: true)
        server.signal(SIGHUP)
        try waitFor { server.logText.contains("rules reload failed") }
        #expect(server.logText.contains("rules reload failed"))
        #expect(try fingerprint() == second)
        #expect(server.stop(SIGTERM) == 0)
        let audit = try TriageProcess.run(["queue", "verify", "--db", db])
        #expect(audit.status == 0)
    }
}
