import Encoders
import Hummingbird
import TriageEngine
import TriageModel

/// Users and tokens over HTTP, for admins (what `triage users` and
/// `triage tokens` do on the machine):
///
///     GET    /api/v1/admin/users                         the users (never their hashes)
///     POST   /api/v1/admin/users                         {"name", "role", "password"}
///     POST   /api/v1/admin/users/{name}/disable|enable
///     GET    /api/v1/admin/tokens                        the tokens (never their secrets)
///     POST   /api/v1/admin/tokens                        {"name", "scope"}: the secret, shown once
///     DELETE /api/v1/admin/tokens/{name}                 revoke
///
/// Every change is an audit entry by the signed-in admin.
struct AccountsController {
    let accounts: Accounts
    let store: any QueueStore

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.get("admin/users", use: users)
        api.post("admin/users", use: addUser)
        api.post("admin/users/{name}/disable") { request, context in try await self.setDisabled(true, request, context) }
        api.post("admin/users/{name}/enable") { request, context in try await self.setDisabled(false, request, context) }
        api.get("admin/tokens", use: tokens)
        api.post("admin/tokens", use: createToken)
        api.delete("admin/tokens/{name}", use: revokeToken)
    }

    static func time(_ milliseconds: Int64?) -> String? { milliseconds.map { Timestamp(milliseconds: $0).iso8601 } }

    @Sendable func users(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.administer, request)
        let store = self.store
        let users = try await Blocking.run { try store.users() }
        let now = store.now()
        var object = JSONObject()
        object.add("users", objects: users.map { user in
            var u = JSONObject()
            u.add("created_at", string: Self.time(user.createdAt))
            u.add("disabled", bool: user.disabled)
            u.add("last_login_at", string: Self.time(user.lastLoginAt))
            u.add("locked", bool: (user.lockedUntil ?? 0) > now)
            u.add("name", string: user.name)
            u.add("role", string: user.role.rawValue)
            return u
        })
        return IntakeController.json(.ok, object)
    }

    @Sendable func addUser(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let body = try await JSONBody.read(request, limit: 16 << 10, allowed: ["name", "role", "password"])
        guard let name = try body.string("name"), let roleName = try body.string("role"), let password = try body.string("password") else {
            throw APIError.unprocessable("`name`, `role` and `password` are required")
        }
        guard let role = UserRole(rawValue: roleName) else { throw APIError.unprocessable("unknown role `\(roleName)` (officer, supervisor, admin)") }
        let accounts = self.accounts
        try await Blocking.run { try accounts.addUser(name, role: role, password: password, actor: identity.actor) }
        var object = JSONObject()
        object.add("name", string: name)
        object.add("role", string: role.rawValue)
        return IntakeController.json(.created, object)
    }

    func setDisabled(_ disabled: Bool, _ request: Request, _ context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let name = try context.parameters.require("name"), store = self.store
        guard name != identity.actor || !disabled else { throw APIError(.conflict, "conflict", "an admin cannot disable their own account") }
        try await Blocking.run { try store.setDisabled(name, disabled, actor: identity.actor) }
        return Response(status: .noContent)
    }

    @Sendable func tokens(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.administer, request)
        let store = self.store
        let tokens = try await Blocking.run { try store.tokens() }
        var object = JSONObject()
        object.add("tokens", objects: tokens.map { token in
            var t = JSONObject()
            t.add("created_at", string: Self.time(token.createdAt))
            t.add("created_by", string: token.createdBy)
            t.add("last_used_at", string: Self.time(token.lastUsedAt))
            t.add("name", string: token.name)
            t.add("revoked_at", string: Self.time(token.revokedAt))
            t.add("scope", string: token.scope.rawValue)
            return t
        })
        return IntakeController.json(.ok, object)
    }

    @Sendable func createToken(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let body = try await JSONBody.read(request, limit: 16 << 10, allowed: ["name", "scope"])
        guard let name = try body.string("name"), let scopeName = try body.string("scope") else {
            throw APIError.unprocessable("`name` and `scope` are required")
        }
        guard let scope = TokenScope(rawValue: scopeName) else { throw APIError.unprocessable("unknown scope `\(scopeName)` (intake, read, review, admin)") }
        let accounts = self.accounts
        let (token, secret) = try await Blocking.run { try accounts.createToken(name: name, scope: scope, actor: identity.actor) }
        var object = JSONObject()
        object.add("name", string: token.name)
        object.add("scope", string: token.scope.rawValue)
        object.add("token", string: secret)
        return IntakeController.json(.created, object)
    }

    @Sendable func revokeToken(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let name = try context.parameters.require("name"), store = self.store
        try await Blocking.run { try store.revokeToken(name: name, actor: identity.actor) }
        return Response(status: .noContent)
    }
}
