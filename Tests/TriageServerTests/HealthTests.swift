import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageEngine
import TriageServer

@Suite("Health, readiness and metrics")
struct HealthTests {
    @Test func healthReadinessAndSecurityHeadersOnEveryResponse() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for uri in ["/healthz", "/readyz", "/metrics", "/nowhere", "/report"] {
                let response = try await client.execute(uri: uri, method: .get)
                let headers = response.headers
                #expect(headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(uri)")
                #expect(headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true && headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
                #expect(headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri)")
                #expect(headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(uri)")
                #expect((headers[HTTPField.Name("X-Request-Id")!]?.count ?? 0) >= 16, "\(uri)")
            }
            let ready = try json(try await client.execute(uri: "/readyz", method: .get))
            #expect(ready["status"] as? String == "ready" && ready["rules"] as? String == harness.live.snapshot.rules.fingerprint.description)
        }
    }

    @Test func metricsCountWhatHappenedAndSayNothingOfACase() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let flagger = Caller.token(harness.tokens[.intake]!, "flagger")
            _ = try await client.send(flagger, .post, "/api/v1/referrals",
                                      #"{"id":"m-1","url":"https://secret.example.invalid/page","text":"a synthetic attack plan","source":"trusted-flagger"}"#)
            _ = try await client.send(flagger, .post, "/api/v1/referrals", #"{"id":"m-2"}"#)
            _ = try await client.waitAssessed("m-1", as: flagger)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            for line in [#"triage_referrals_accepted_total{source="trusted-flagger"} 1"#,
                         #"triage_referrals_assessed_total{source="trusted-flagger",band="P1"} 1"#,
                         #"triage_referrals_rejected_total{reason="invalid"} 1"#,
                         "triage_intake_backlog 0",
                         #"triage_rules_info{fingerprint="\#(harness.live.snapshot.rules.fingerprint)"} 1"#,
                         #"triage_cases_open{band="P1"} 1"#] {
                #expect(text.contains(line), "no `\(line)` in:\n\(text)")
            }
            #expect(text.contains("triage_assessment_seconds_bucket"))
            #expect(!text.contains("secret.example") && !text.contains("m-1"))
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The served document is `docs/openapi.json` (UPDATE_GOLDEN=1 rewrites
    /// that file), is JSON, and names every route the server has.
    @Test func theServedDocumentIsTheOneInTheRepository() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            let served = String(buffer: response.body)
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("docs/openapi.json")
            if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try served.write(to: file, atomically: true, encoding: .utf8) }
            #expect(served == (try String(contentsOf: file, encoding: .utf8)), "docs/openapi.json differs from the served document")
            let object = try json(response)
            #expect(object["openapi"] as? String == "3.1.0")
            let paths = try #require(object["paths"] as? [String: Any])
            for path in ["/api/v1/referrals", "/api/v1/referrals:batch", "/api/v1/referrals/{id}", "/api/v1/cases", "/api/v1/cases/{id}",
                         "/api/v1/claims", "/api/v1/cases/{id}/release", "/api/v1/cases/{id}/decision", "/api/v1/cases/{id}/reopen",
                         "/api/v1/cases/{id}/notes", "/api/v1/stats", "/api/v1/verify", "/api/v1/admin/rules/reload", "/api/v1/session",
                         "/healthz", "/readyz", "/metrics"] {
                #expect(paths[path] != nil, "\(path) is not in the document")
            }
        }
    }
}
