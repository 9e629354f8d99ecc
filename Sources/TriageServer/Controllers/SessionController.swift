import Encoders
import Foundation
import HTTPTypes
import Hummingbird
import TriageEngine

/// Signing in and out for browsers: `POST /api/v1/session` with a name and
/// password sets the session cookie (HttpOnly, SameSite=Strict, Secure over
/// TLS) and returns the session's CSRF token, which every request that
/// changes something must carry; `DELETE /api/v1/session` ends it.
struct SessionController {
    let accounts: Accounts
    let configuration: ServerConfiguration

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.post("session", use: signIn)
        api.get("session", use: current)
        api.delete("session", use: signOut)
    }

    /// `{"name": "…", "password": "…"}`: `200` with the user, role and CSRF
    /// token; `401` for a wrong name or password, a disabled or a locked
    /// account alike (the answer never tells which, nor whether the user exists).
    @Sendable func signIn(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let body = try await JSONBody.read(request, limit: 16 << 10, allowed: ["name", "password"])
        guard let name = try body.string("name"), let password = try body.string("password") else {
            throw APIError.unprocessable("`name` and `password` are required")
        }
        switch try await accounts.signIn(name, password: password) {
        case .refused:
            // Slows guessing further than bcrypt does on its own.
            try await Task.sleep(for: .milliseconds(250))
            throw APIError(.unauthorized, "sign-in-refused", "the name or password is wrong, or the account cannot sign in now")
        case let .signedIn(session, csrf, user):
            var object = JSONObject()
            object.add("csrf_token", string: csrf)
            object.add("role", string: user.role.rawValue)
            object.add("user", string: user.name)
            var response = IntakeController.json(.ok, object)
            response.setCookie(Cookie(name: Accounts.sessionCookie, value: session, maxAge: Int(configuration.sessionAbsolute.components.seconds),
                                      path: "/", secure: configuration.tls != nil, httpOnly: true, sameSite: .strict))
            return response
        }
    }

    /// Who is signed in, with the CSRF token (a page reloaded needs it again).
    @Sendable func current(_ request: Request, context: TriageRequestContext) async throws -> Response {
        guard case let .user(user, csrf) = context.identity else { throw APIError.unauthenticated }
        var object = JSONObject()
        object.add("csrf_token", string: csrf)
        object.add("role", string: user.role.rawValue)
        object.add("user", string: user.name)
        return IntakeController.json(.ok, object)
    }

    @Sendable func signOut(_ request: Request, context: TriageRequestContext) async throws -> Response {
        guard case .user = context.identity, let cookie = request.cookies[Accounts.sessionCookie] else { throw APIError.unauthenticated }
        _ = try context.require(.submit, request)  // the CSRF check: signing someone out is a change too
        try await accounts.signOut(cookie.value)
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: Accounts.sessionCookie, value: "", maxAge: 0, path: "/", secure: configuration.tls != nil,
                                  httpOnly: true, sameSite: .strict))
        return response
    }
}
