import Hummingbird
import TriageEngine

/// `GET /healthz`: the process answers. `GET /readyz`: it can do its job —
/// the queue answers, a rule set is loaded, and the intake backlog is below
/// `readyBacklog` (a load balancer sends work elsewhere while it is not).
struct HealthController {
    let store: any QueueStore
    let live: LiveRules
    let configuration: ServerConfiguration

    func register(_ router: Router<TriageRequestContext>) {
        router.get("healthz") { _, _ in QueueController.json(#"{"status":"ok"}"#) }
        router.get("readyz", use: ready)
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
