import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageEngine
import TriageModel
import TriageServer

@Suite("Public report form")
struct ReportFormTests {
    /// The form's CSRF cookie and hidden token, as a browser would get them.
    static func open(_ client: some TestClientProtocol) async throws -> (cookie: String, token: String) {
        let page = try await client.execute(uri: "/report", method: .get)
        #expect(page.status == .ok)
        #expect(page.headers[.contentType] == "text/html; charset=utf-8")
        let cookie = try #require(page.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let html = String(buffer: page.body)
        let range = try #require(html.range(of: #"name="csrf_token" value="[^"]+""#, options: .regularExpression))
        let token = html[range].split(separator: "\"")[3]
        return (String(cookie.split(separator: ";")[0]), String(token))
    }

    static func post(_ client: some TestClientProtocol, cookie: String?, fields: [(String, String)]) async throws -> TestResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: "/report", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aMemberOfThePublicReportsAPageAndGetsAReferenceNumberOnly() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (cookie, token) = try await Self.open(client)
            let thanks = try await Self.post(client, cookie: cookie, fields: [("csrf_token", token), ("url", "https://video.example.invalid/v/1"),
                                                                                ("text", "a synthetic attack plan"), ("note", "seen on a forum")])
            #expect(thanks.status == .ok)
            let html = String(buffer: thanks.body)
            let range = try #require(html.range(of: "public-[a-z0-9]+", options: .regularExpression))
            let reference = String(html[range])
            // Nothing of the assessment: no band, no score.
            for word in ["P1", "band", "score", "attack"] { #expect(!html.contains(word), "\(word)") }
            let flagger = Caller.token(harness.tokens[.read]!, "reader")
            let assessed = try await client.waitAssessed(reference, as: flagger)
            let assessment = try #require(assessed["assessment"] as? [String: Any])
            #expect(assessment["source"] as? String == "public" && assessment["band"] as? String == "P1")
            #expect(try harness.store.acceptedBy(reference) == "public-form")
        }
    }

    @Test func withoutTheFormsTokenNothingIsAccepted() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (cookie, token) = try await Self.open(client)
            let fields = [("url", "https://example.invalid/a")]
            #expect(try await Self.post(client, cookie: nil, fields: fields + [("csrf_token", token)]).status == .forbidden)
            #expect(try await Self.post(client, cookie: cookie, fields: fields).status == .forbidden)
            #expect(try await Self.post(client, cookie: cookie, fields: fields + [("csrf_token", "forged")]).status == .forbidden)
            #expect(try harness.store.intakeBacklog() == 0)
        }
    }

    @Test func badInputIsShownBackEscapedAndLimitsHold() async throws {
        let harness = try Harness {
            $0.reportBurst = 3
            $0.reportInterval = .seconds(3600)
            $0.maxReportBytes = 2048
        }
        try await harness.app().test(.router) { client in
            let (cookie, token) = try await Self.open(client)
            let hostile = #""><script>alert(1)</script>"#
            let refused = try await Self.post(client, cookie: cookie, fields: [("csrf_token", token), ("url", "javascript:" + hostile), ("note", hostile)])
            #expect(refused.status == .unprocessableContent)
            let html = String(buffer: refused.body)
            #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
            #expect(refused.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            let large = try await Self.post(client, cookie: cookie, fields: [("csrf_token", token), ("text", String(repeating: "z", count: 4000))])
            #expect(large.status == .contentTooLarge)
            // The third report from the address used its last token; the fourth waits.
            let third = try await Self.post(client, cookie: cookie, fields: [("csrf_token", token), ("url", "https://example.invalid/ok")])
            #expect(third.status == .ok)
            let limited = try await Self.post(client, cookie: cookie, fields: [("csrf_token", token), ("url", "https://example.invalid/more")])
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }
}
