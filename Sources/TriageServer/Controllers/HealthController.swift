import Hummingbird
import TriageEngine

/// `GET /healthz`: the process answers. `GET /readyz`: it can do its job —
/// the queue answers, a rule set is loaded, and the intake backlog is below
/// `readyBacklog` (a load balancer sends work elsewhere while it is not).
struct HealthController {
    let store: any QueueStore
    let live: LiveRules
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    func register(_ router: Router<TriageRequestContext>) {
        router.get("healthz") { _, _ in QueueController.json(#"{"status":"ok"}"#) }
        router.get("readyz", use: ready)
        router.get("metrics", use: scrape)
        router.get("api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }

    /// Prometheus's text format. Open to whoever can reach the port, as
    /// scrapers expect: it says how busy the unit is, never what a case is.
    @Sendable func scrape(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let store = self.store, metrics = self.metrics, rules = live.snapshot.rules.fingerprint.description
        let text = try await Blocking.run { try metrics.scrape(store: store, rules: rules) }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }

    @Sendable func ready(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let store = self.store
        let backlog: Int
        do { backlog = try await Blocking.run { try store.intakeBacklog() } } catch {
            throw APIError(.serviceUnavailable, "not-ready", "the queue does not answer: \(error)", retryAfter: 5)
        }
        guard backlog <= configuration.readyBacklog else {
            throw APIError(.serviceUnavailable, "not-ready", "\(backlog) referrals wait to be assessed (more than \(configuration.readyBacklog))",
                           retryAfter: 5)
        }
        let rules = live.snapshot.rules
        return QueueController.json(#"{"backlog":\#(backlog),"rules":"\#(rules.fingerprint)","status":"ready"}"#)
    }
}
