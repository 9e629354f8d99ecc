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
