import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageEngine
import TriageServer

@Suite("Intake API")
struct IntakeAPITests {
    /// Through the router alone, and through a live server on a loopback port.
    @Test(arguments: [false, true]) func aReferralIsAcceptedDurablyThenAssessedAndFiled(live: Bool) async throws {
        let harness = try Harness { $0.port = 0 }
        try await harness.app().test(live ? .live : .router) { client in
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
            let body = #"{"id":"ref-1","text":"notes on a synthetic attack plan","source":"trusted-flagger","reporter_note":"seen twice"}"#
            let accepted = try await client.send(flagger, .post, "/api/v1/referrals", body)
            #expect(accepted.status == .accepted)
            #expect(accepted.headers[.location] == "/api/v1/referrals/ref-1")
            // Durable before the answer: the intake log has it, whatever the workers have done since.
            #expect(try harness.store.intakeStatus("ref-1") != nil)
            let assessed = try await client.waitAssessed("ref-1", as: flagger)
            let assessment = try #require(assessed["assessment"] as? [String: Any])
            #expect(assessment["band"] as? String == "P1")
            #expect(assessment["rules"] as? String == harness.live.snapshot.rules.fingerprint.description)
            #expect((assessed["case"] as? [String: Any])?["band"] as? String == "P1")
            // The same again is already accepted; other content under the id is a conflict.
            let again = try await client.send(flagger, .post, "/api/v1/referrals", body)
            #expect(again.status == .ok)
            #expect(try json(again)["already_accepted"] as? Bool == true)
            let other = try await client.send(flagger, .post, "/api/v1/referrals", #"{"id":"ref-1","text":"something else"}"#)
            #expect(other.status == .conflict)
            // Filed by the intake worker, named in the audit log; the chain holds.
            let detail = try harness.store.show("ref-1")
            #expect(detail.history.contains { $0.action == "intake" && $0.actor == "intake:" + harness.configuration.workerName })
            #expect(try harness.store.verify().isIntact)
        }
    }

    /// A client that asks `Expect: 100-continue` (curl does, for a large
    /// body) is told to go on before it sends the body, so it does not
    /// wait; the request is then answered as usual. Over a raw socket, to
    /// see the interim answer that HTTP clients hide.
    @Test func aClientExpectingContinueIsToldToGoOnBeforeItSendsTheBody() async throws {
        let harness = try Harness { $0.port = 0 }
        try await harness.app().test(.live) { client in
            let port = try #require(client.port)
            let line = #"{"id":"cont-1","text":"notes on a synthetic attack plan"}"# + "\n"
            let connection = try RawConnection(port: port)
            try connection.send("POST /api/v1/referrals:batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(harness.tokens[.intake]!)\r\n"
                                + "Content-Type: application/x-ndjson\r\nContent-Length: \(line.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            // Nothing of the body has been sent: only the interim answer can come.
            let interim = try connection.receive(until: "\r\n\r\n")
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim)")
            try connection.send(line)
            let answer = try connection.receive(until: #""summary""#)
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer)")
            #expect(answer.contains(#""id":"cont-1","line":1,"status":"accepted""#), "\(answer)")
        }
    }

    @Test func badReferralsAreRefusedWithTheReasonAndNothingIsKept() async throws {
        let harness = try Harness { $0.maxBodyBytes = 4096 }
        try await harness.app().test(.router) { client in
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{", .unprocessableContent, "not valid JSON"),
                ("[1]", .unprocessableContent, "not a JSON object"),
                (#"{"text":"x"}"#, .unprocessableContent, "no `id`"),
                (#"{"id":"a","text":"x","colour":"red"}"#, .unprocessableContent, "unknown field `colour`"),
                (#"{"id":"a","text":7}"#, .unprocessableContent, "`text` must be a string"),
                (#"{"id":"a","path":"/etc/passwd"}"#, .unprocessableContent, "path"),
                (#"{"id":"a","source":"nobody"}"#, .unprocessableContent, "unknown source"),
                (#"{"id":"a"}"#, .unprocessableContent, "no content"),
                (#"{"id":"a","text":""# + String(repeating: "x", count: 5000) + #""}"#, .contentTooLarge, "larger"),
            ]
            for (body, status, words) in cases {
                let response = try await client.send(flagger, .post, "/api/v1/referrals", body)
                #expect(response.status == status, "\(body.prefix(40)): \(String(buffer: response.body))")
                let error = try #require(try json(response)["error"] as? [String: Any])
                #expect((error["message"] as? String)?.contains(words) == true, "\(body.prefix(40)): \(error)")
                #expect(error["request_id"] as? String == response.headers[HTTPField.Name("X-Request-Id")!])
            }
            #expect(try harness.store.intakeBacklog() == 0)
            #expect(try harness.store.intakeStatus("a") == nil)
        }
    }

    @Test func aBatchIsAnsweredLineByLineInOrder() async throws {
        let harness = try Harness { $0.maxBatchLineBytes = 200 }
        try await harness.app().test(.router) { client in
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
            let lines = [
                #"{"id":"b-1","text":"a synthetic attack plan"}"#,
                "not json",
                "",
                #"{"id":"b-2","url":"https://example.invalid/x"}"#,
                #"{"id":"b-1","text":"a synthetic attack plan"}"#,
                #"{"id":"b-3","text":""# + String(repeating: "y", count: 300) + #""}"#,
                #"{"text":"no id"}"#,
                #"{"id":"b-4","text":"benign"}"#,
            ]
            let response = try await client.send(flagger, .post, "/api/v1/referrals:batch", lines.joined(separator: "\r\n"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            let answers = try String(buffer: response.body).split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            let got = answers.dropLast().map { "\($0["line"] as? Int ?? 0):\($0["status"] as? String ?? "?")" }
            #expect(got == ["1:accepted", "2:rejected", "4:accepted", "5:rejected", "6:rejected", "7:rejected", "8:accepted"])
            // Line 5 repeats an id within the upload: refused as the file reader refuses it.
            #expect((answers[3]["reason"] as? String)?.contains("line 1") == true, "\(answers[3])")
            #expect((answers[4]["reason"] as? String)?.contains("longer than 200 bytes") == true)
            let summary = try #require(answers.last?["summary"] as? [String: Any])
            #expect(summary["accepted"] as? Int == 3 && summary["rejected"] as? Int == 4)
            _ = try await client.waitAssessed("b-4", as: flagger)
            // Sent again (a retry after a lost answer): already accepted, nothing twice.
            let retry = try await client.send(flagger, .post, "/api/v1/referrals:batch", lines[0])
            #expect(String(buffer: retry.body).contains(#""status":"already-accepted""#))
        }
    }
}

/// A TCP connection to the loopback server, bytes in and out as they are.
final class RawConnection {
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(socket) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socket, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EIO) }
    }

    /// What arrives until `marker` has (or the peer closes, or 30 s pass).
    func receive(until marker: String) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
