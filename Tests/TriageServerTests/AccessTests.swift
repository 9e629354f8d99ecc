import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageEngine
import TriageServer

/// Who may do what: every route of the API against every kind of caller.
@Suite("Roles and scopes")
struct AccessTests {
    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: @Sendable (String) -> String
        /// Any one of these admits a caller.
        var permission: Set<Permission>
        /// The status an allowed caller gets (on a queue with nothing to claim in P1, no case `nope`).
        var allowed: HTTPResponse.Status

        var description: String { "\(method) \(path)" }
    }

    static let routes: [Route] = [
        Route(method: .post, path: "/api/v1/referrals", body: { #"{"id":"r-\#($0)","text":"a synthetic benign page"}"# }, permission: [.submit], allowed: .accepted),
        Route(method: .post, path: "/api/v1/referrals:batch", body: { #"{"id":"b-\#($0)","text":"a synthetic benign page"}"# }, permission: [.submit], allowed: .ok),
        Route(method: .get, path: "/api/v1/referrals/none", body: { _ in "" }, permission: [.submit, .readQueue], allowed: .notFound),
        Route(method: .get, path: "/api/v1/cases", body: { _ in "" }, permission: [.readQueue], allowed: .ok),
        Route(method: .get, path: "/api/v1/cases/nope", body: { _ in "" }, permission: [.readQueue], allowed: .notFound),
        Route(method: .post, path: "/api/v1/claims", body: { _ in #"{"band":"P1"}"# }, permission: [.review], allowed: .noContent),
        Route(method: .post, path: "/api/v1/cases/nope/release", body: { _ in "" }, permission: [.review], allowed: .notFound),
        Route(method: .post, path: "/api/v1/cases/nope/decision", body: { _ in #"{"decision":"no-further-action","reason":"r"}"# },
              permission: [.review], allowed: .notFound),
        Route(method: .post, path: "/api/v1/cases/nope/reopen", body: { _ in #"{"reason":"r"}"# }, permission: [.review], allowed: .notFound),
        Route(method: .post, path: "/api/v1/cases/nope/notes", body: { _ in #"{"text":"t"}"# }, permission: [.review], allowed: .notFound),
        Route(method: .get, path: "/api/v1/stats", body: { _ in "" }, permission: [.supervise], allowed: .ok),
        Route(method: .get, path: "/api/v1/verify", body: { _ in "" }, permission: [.supervise], allowed: .ok),
        Route(method: .post, path: "/api/v1/admin/rules/reload", body: { _ in "" }, permission: [.administer], allowed: .ok),
        Route(method: .get, path: "/api/v1/export?format=ndjson", body: { _ in "" }, permission: [.supervise], allowed: .ok),
        Route(method: .get, path: "/api/v1/service-levels", body: { _ in "" }, permission: [.readQueue], allowed: .ok),
        Route(method: .put, path: "/api/v1/service-levels/P1", body: { _ in #"{"seconds":1800}"# }, permission: [.supervise], allowed: .ok),
        Route(method: .get, path: "/api/v1/admin/users", body: { _ in "" }, permission: [.administer], allowed: .ok),
        Route(method: .post, path: "/api/v1/admin/users", body: { #"{"name":"new-\#($0)","role":"officer","password":"synthetic password 2"}"# },
              permission: [.administer], allowed: .created),
        Route(method: .post, path: "/api/v1/admin/users/nobody/disable", body: { _ in "" }, permission: [.administer], allowed: .notFound),
        Route(method: .get, path: "/api/v1/admin/tokens", body: { _ in "" }, permission: [.administer], allowed: .ok),
        Route(method: .post, path: "/api/v1/admin/tokens", body: { #"{"name":"made-\#($0)","scope":"read"}"# }, permission: [.administer], allowed: .created),
        Route(method: .delete, path: "/api/v1/admin/tokens/nothing", body: { _ in "" }, permission: [.administer], allowed: .notFound),
        Route(method: .post, path: "/api/v1/admin/purge", body: { _ in #"{"older_than_days":365}"# }, permission: [.administer], allowed: .ok),
    ]

    /// What each caller may do; nil: not authenticated at all (401).
    static let grants: [String: Set<Permission>?] = [
        "anonymous": nil, "revoked-token": nil, "unknown-session": nil, "malformed-authorization": nil,
        "token:intake": [.submit],
        "token:read": [.readQueue],
        "token:review": [.submit, .readQueue, .review],
        "token:admin": Set(Permission.allCases),
        "session:officer1": [.submit, .readQueue, .review],
        "session:supervisor1": [.submit, .readQueue, .review, .supervise],
        "session:admin1": Set(Permission.allCases),
    ]

    @Test func everyRouteAgainstEveryCaller() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            var callers: [Caller] = [
                .anonymous,
                .token(harness.revoked, "revoked-token"),
                Caller(description: "unknown-session", headers: [.cookie: "triage_session=not-a-session"]),
                Caller(description: "malformed-authorization", headers: [.authorization: "Basic b2ZmaWNlcjE6eA=="]),
            ]
            for scope in TokenScope.allCases { callers.append(.token(harness.tokens[scope]!, "token:\(scope.rawValue)")) }
            for role in UserRole.allCases { callers.append(try await .session(role.rawValue + "1", client)) }
            for (n, caller) in callers.enumerated() {
                let grant = try #require(Self.grants[caller.description])
                for route in Self.routes {
                    let response = try await client.send(caller, route.method, route.path, route.body("\(n)"))
                    let expected: HTTPResponse.Status = grant == nil ? .unauthorized : !grant!.isDisjoint(with: route.permission) ? route.allowed : .forbidden
                    #expect(response.status == expected, "\(route) as \(caller): \(String(buffer: response.body))")
                    if response.status.code >= 400 {
                        let error = try json(response)["error"] as? [String: Any]
                        #expect(error?["request_id"] as? String == response.headers[HTTPField.Name("X-Request-Id")!], "\(route) as \(caller)")
                    }
                }
            }
        }
    }

    @Test func aReadTokenReadsAnyReferralsStatusAndAnIntakeTokenOnlyItsOwn() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let intake = Caller.token(harness.tokens[.intake]!, "intake"), other = Caller.token(harness.tokens[.review]!, "review")
            let read = Caller.token(harness.tokens[.read]!, "read")
            let r1 = try await client.send(other, .post, "/api/v1/referrals", #"{"id":"theirs","text":"synthetic"}"#)
            #expect(r1.status == .accepted)
            let r2 = try await client.send(intake, .post, "/api/v1/referrals", #"{"id":"mine","text":"synthetic"}"#)
            #expect(r2.status == .accepted)
            let r3 = try await client.send(intake, .get, "/api/v1/referrals/mine")
            #expect(r3.status == .ok)
            let r4 = try await client.send(intake, .get, "/api/v1/referrals/theirs")
            #expect(r4.status == .notFound)
            let r5 = try await client.send(read, .get, "/api/v1/referrals/theirs")
            #expect(r5.status == .ok)
        }
    }

    @Test func aCookieRequestThatChangesSomethingNeedsTheCSRFToken() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let officer = try await Caller.session("officer1", client)
            let without = try await client.send(officer, .post, "/api/v1/claims", "{}", csrf: false)
            #expect(without.status == .forbidden)
            #expect((try json(without)["error"] as? [String: Any])?["code"] as? String == "csrf")
            var wrong = officer
            wrong.csrf = "not-the-token"
            let r6 = try await client.send(wrong, .post, "/api/v1/claims", "{}")
            #expect(r6.status == .forbidden)
            let r7 = try await client.send(officer, .post, "/api/v1/claims", "{}")
            #expect(r7.status == .noContent)
            // Reading needs no token; signing out does.
            let r8 = try await client.send(officer, .get, "/api/v1/cases", csrf: false)
            #expect(r8.status == .ok)
            let r9 = try await client.send(officer, .delete, "/api/v1/session", csrf: false)
            #expect(r9.status == .forbidden)
            let r10 = try await client.send(officer, .delete, "/api/v1/session")
            #expect(r10.status == .noContent)
            let r11 = try await client.send(officer, .get, "/api/v1/cases")
            #expect(r11.status == .unauthorized)
        }
    }

    @Test func signInIsSlowedLockedOutAndNeverSaysWhetherTheUserExists() async throws {
        let harness = try Harness { $0.loginFailureLimit = 3 }
        try await harness.app().test(.router) { client in
            func signIn(_ name: String, _ password: String) async throws -> TestResponse {
                try await client.send(.anonymous, .post, "/api/v1/session", #"{"name":"\#(name)","password":"\#(password)"}"#)
            }
            let unknown = try await signIn("nobody", "wrong password 1")
            let wrong = try await signIn("officer1", "wrong password 1")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            let message = { (r: TestResponse) in ((try? json(r))?["error"] as? [String: Any])?["message"] as? String }
            #expect(message(unknown) != nil && message(unknown) == message(wrong))
            _ = try await signIn("officer1", "wrong password 2")
            _ = try await signIn("officer1", "wrong password 3")
            // Locked: the right password is refused too, in the same words.
            let locked = try await signIn("officer1", Harness.password)
            #expect(locked.status == .unauthorized && message(locked) == message(wrong))
            #expect(try harness.store.user("officer1")?.lockedUntil != nil)
            // Another user is not affected.
            let r12 = try await signIn("supervisor1", Harness.password)
            #expect(r12.status == .ok)
            // A disabled user cannot sign in, and their session ends.
            let admin = try await Caller.session("admin1", client)
            try harness.store.setDisabled("admin1", true, actor: "test")
            let r13 = try await client.send(admin, .get, "/api/v1/cases")
            #expect(r13.status == .unauthorized)
            let r14 = try await signIn("admin1", Harness.password)
            #expect(r14.status == .unauthorized)
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndStrict() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.send(.anonymous, .post, "/api/v1/session", #"{"name":"officer1","password":"\#(Harness.password)"}"#)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("triage_session="))
            #expect(!cookie.contains("Secure"), "plain HTTP: the TLS test checks Secure")
        }
    }

    /// An admin makes a token over HTTP, the token works, the admin revokes
    /// it, and it stops working; a disabled user's session ends. The
    /// changes are audit entries by the admin.
    @Test func adminsManageTokensAndUsersOverHTTP() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let admin = try await Caller.session("admin1", client)
            let made = try json(try await client.send(admin, .post, "/api/v1/admin/tokens", #"{"name":"platform-x","scope":"intake"}"#))
            let secret = try #require(made["token"] as? String)
            let platform = Caller.token(secret, "platform-x")
            let accepted = try await client.send(platform, .post, "/api/v1/referrals", #"{"id":"px-1","text":"synthetic"}"#)
            #expect(accepted.status == .accepted)
            let listed = String(buffer: try await client.send(admin, .get, "/api/v1/admin/tokens").body)
            #expect(listed.contains("platform-x") && !listed.contains(secret))
            let revoked = try await client.send(admin, .delete, "/api/v1/admin/tokens/platform-x")
            #expect(revoked.status == .noContent)
            let after = try await client.send(platform, .post, "/api/v1/referrals", #"{"id":"px-2","text":"synthetic"}"#)
            #expect(after.status == .unauthorized)
            let officer = try await Caller.session("officer1", client)
            let disabled = try await client.send(admin, .post, "/api/v1/admin/users/officer1/disable")
            #expect(disabled.status == .noContent)
            let gone = try await client.send(officer, .get, "/api/v1/cases")
            #expect(gone.status == .unauthorized)
            let selfDisable = try await client.send(admin, .post, "/api/v1/admin/users/admin1/disable")
            #expect(selfDisable.status == .conflict)
            let weak = try await client.send(admin, .post, "/api/v1/admin/users", #"{"name":"x","role":"officer","password":"short"}"#)
            #expect(weak.status == .unprocessableContent)
            let actions = try harness.store.auditEntries(after: 0, limit: 1000).filter { $0.actor == "admin1" }.map(\.action)
            #expect(actions == ["token-created", "token-revoked", "user-disabled"])
        }
    }
}
