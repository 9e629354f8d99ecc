import Encoders
import Hummingbird
import TriageEngine

/// What only admins do over HTTP: reload the rule set.
struct AdminController {
    let reloader: RulesReloader

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.post("admin/rules/reload", use: reload)
    }

    /// `200` with both fingerprints, or `422` saying why the rule set on
    /// disk cannot be used (the running one stays).
    @Sendable func reload(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let reloader = self.reloader
        switch try await Blocking.run({ reloader.reload(actor: identity.actor) }) {
        case let .reloaded(from, to):
            var object = JSONObject()
            object.add("from", string: from)
            object.add("to", string: to)
            return IntakeController.json(.ok, object)
        case let .failed(reason):
            throw APIError(.unprocessableContent, "rules-invalid", "the rule set was not reloaded (the running one stays): \(reason)")
        }
    }
}
