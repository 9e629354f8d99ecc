import Encoders
import Hummingbird
import TriageEngine
import TriageModel

/// The review queue over HTTP: the operations of `triage queue`, with the
/// same meanings and errors, for the authenticated officer.
///
///     GET  /api/v1/cases                  list (filters, cursor)        read-queue
///     GET  /api/v1/cases/{id}             a case in full                read-queue
///     POST /api/v1/claims                 claim the next case           review
///     POST /api/v1/cases/{id}/release     release a case one holds      review
///     POST /api/v1/cases/{id}/decision    decide a case one holds       review
///     POST /api/v1/cases/{id}/reopen      reopen a case one decided     review (supervise: any)
///     POST /api/v1/cases/{id}/notes       note a case one holds         review (supervise: any)
///     GET  /api/v1/stats                  statistics                    supervise
///     GET  /api/v1/verify                 the audit and evidence check  supervise
struct QueueController {
    let store: any QueueStore
    let configuration: ServerConfiguration

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.get("cases", use: list)
        api.get("cases/{id}", use: show)
        api.post("claims", use: claim)
        api.post("cases/{id}/release", use: release)
        api.post("cases/{id}/decision", use: decide)
        api.post("cases/{id}/reopen", use: reopen)
        api.post("cases/{id}/notes", use: note)
        api.get("stats", use: stats)
        api.get("verify", use: verify)
    }

    /// `?state=new,in-review&band=P1&category=…&mine=true&overdue=true&limit=50&cursor=…`
    @Sendable func list(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.readQueue, request)
        let parameters = request.uri.queryParameters
        var query = CaseQuery()
        if let states = parameters["state"] {
            query.states = try states.split(separator: ",").map { name in
                guard let state = CaseState(rawValue: String(name)) else {
                    throw APIError.unprocessable("unknown state `\(name)` (\(CaseState.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return state
            }
        }
        if let band = parameters["band"] {
            guard let value = Band(rawValue: String(band).uppercased()) else {
                throw APIError.unprocessable("unknown band `\(band)` (\(Band.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            query.band = value
        }
        query.category = parameters["category"].map(String.init)
        if try Self.flag(parameters["mine"], "mine") { query.officer = identity.actor }
        query.overdueOnly = try Self.flag(parameters["overdue"], "overdue")
        if let limit = parameters["limit"] {
            guard let value = Int(limit), (1...500).contains(value) else { throw APIError.unprocessable("`limit` must be within 1...500") }
            query.limit = value
        }
        if let cursor = parameters["cursor"] {
            guard let value = CaseCursor(String(cursor)) else { throw APIError.unprocessable("`cursor` is not one this server gave") }
            query.after = value
        }
        let store = self.store, asked = query
        // One more than asked tells whether there is a next page.
        var cases = try await Blocking.run { () -> [QueueCase] in
            var probe = asked
            probe.limit += 1
            return try store.list(probe)
        }
        let more = cases.count > query.limit
        if more { cases.removeLast() }
        var object = JSONObject()
        object.add("cases", objects: cases.map(\.jsonObject))
        object.add("next_cursor", string: more ? cases.last.map { CaseCursor($0).description } : nil)
        return IntakeController.json(.ok, object)
    }

    @Sendable func show(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.readQueue, request)
        let id = try context.parameters.require("id"), store = self.store
        let detail = try await Blocking.run { try store.show(id) }
        return Self.json(detail.json())
    }

    /// `{"band": "P1", "lease_seconds": 1800}`, both optional: the case
    /// claimed, or `204 No Content` when nothing is waiting.
    @Sendable func claim(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.review, request)
        let body = try await JSONBody.read(request, limit: 64 << 10, allowed: ["band", "lease_seconds"])
        let band = try body.string("band").map { name in
            guard let band = Band(rawValue: name.uppercased()) else { throw APIError.unprocessable("unknown band `\(name)`") }
            return band
        }
        let lease = try body.int("lease_seconds", in: 60...86_400).map { Duration.seconds($0) } ?? configuration.claimLease
        let store = self.store
        guard let claimed = try await Blocking.run({ try store.claimNext(officer: identity.actor, lease: lease, band: band) }) else {
            return Response(status: .noContent)
        }
        return Self.json(claimed.json)
    }

    @Sendable func release(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.review, request)
        let id = try context.parameters.require("id"), store = self.store
        _ = try await JSONBody.read(request, limit: 64 << 10, allowed: [])
        let released = try await Blocking.run { try store.release(id, officer: identity.actor) }
        return Self.json(released.json)
    }

    /// `{"decision": "refer-to-platform", "reason": "…", "duplicate_of": "C-…"}`.
    @Sendable func decide(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.review, request)
        let id = try context.parameters.require("id"), store = self.store
        let body = try await JSONBody.read(request, limit: 64 << 10, allowed: ["decision", "reason", "duplicate_of"])
        guard let name = try body.string("decision") else { throw APIError.unprocessable("`decision` is required") }
        guard let decision = Decision(rawValue: name) else {
            throw APIError.unprocessable("unknown decision `\(name)` (\(Decision.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let reason = try body.string("reason") ?? "", duplicateOf = try body.string("duplicate_of")
        let decided = try await Blocking.run {
            try store.decide(id, decision: decision, reason: reason, officer: identity.actor, duplicateOf: duplicateOf)
        }
        return Self.json(decided.json)
    }

    /// `{"reason": "…"}`: an officer reopens a case they decided; a supervisor any.
    @Sendable func reopen(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.review, request)
        let id = try context.parameters.require("id"), store = self.store
        let reason = try await JSONBody.read(request, limit: 64 << 10, allowed: ["reason"]).string("reason") ?? ""
        let reopened = try await Blocking.run { () -> QueueCase in
            if !identity.may(.supervise) {
                let current = try store.show(id).queueCase
                guard current.decidedBy == identity.actor else {
                    throw QueueError(.refused, "case \(current.id) was decided by \(current.decidedBy ?? "nobody"): only they or a supervisor may reopen it")
                }
            }
            return try store.reopen(id, reason: reason, officer: identity.actor)
        }
        return Self.json(reopened.json)
    }

    /// `{"text": "…"}`: an officer notes a case they hold; a supervisor any.
    @Sendable func note(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.review, request)
        let id = try context.parameters.require("id"), store = self.store
        let text = try await JSONBody.read(request, limit: 64 << 10, allowed: ["text"]).string("text") ?? ""
        try await Blocking.run {
            if !identity.may(.supervise) {
                let current = try store.show(id).queueCase
                guard current.officer == identity.actor else {
                    throw QueueError(.refused, "case \(current.id) is not held by \(identity.actor): claim it first")
                }
            }
            try store.note(id, text: text, officer: identity.actor)
        }
        return Response(status: .noContent)
    }

    @Sendable func stats(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.supervise, request)
        let store = self.store
        return Self.json(try await Blocking.run { try store.stats().json() })
    }

    @Sendable func verify(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.supervise, request)
        let store = self.store
        return Self.json(try await Blocking.run { try store.verify().json() })
    }

    static func flag(_ value: Substring?, _ name: String) throws -> Bool {
        switch value {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw APIError.unprocessable("`\(name)` is true or false")
        }
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
