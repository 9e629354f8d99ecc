import Encoders
import HTTPTypes
import Hummingbird
import TriageEngine

/// Finds who is calling: an API token (`Authorization: Bearer …`) or a
/// session cookie. A token that is unknown or revoked is refused here
/// (401), never treated as no token; a session cookie that has expired is
/// as if absent. Routes then ask for a permission (`Context.require`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = TriageRequestContext
    let accounts: Accounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), let token = try await accounts.token(String(authorization.dropFirst(7))) else {
                throw APIError(.unauthorized, "unauthenticated", "the API token is unknown or revoked")
            }
            context.identity = .token(token)
        } else if let cookie = request.cookies[Accounts.sessionCookie], let session = try await accounts.session(cookie.value) {
            context.identity = .user(session.user, csrfToken: session.csrfToken)
            context.viaCookie = true
            context.csrfVerified = request.headers[.csrfToken].map { Accounts.constantTimeEqual($0, session.csrfToken) } ?? false
        }
        return try await next(request, context)
    }
}

extension TriageRequestContext {
    /// The caller, if they may do `permission`: 401 with no credentials,
    /// 403 for a role or scope without it, and for a request made with a
    /// session cookie that changes something, 403 without the session's
    /// CSRF token.
    func require(_ permission: Permission, _ request: Request) throws -> Identity {
        guard let identity else { throw APIError.unauthenticated }
        guard identity.may(permission) else { throw APIError.forbidden(permission) }
        if viaCookie && !csrfVerified && ![.get, .head, .options].contains(request.method) {
            throw APIError(.forbidden, "csrf", "a request signed in by cookie that changes something must carry the session's CSRF token (X-CSRF-Token)")
        }
        return identity
    }
}
