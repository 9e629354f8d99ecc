import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import Testing
import TriageEngine
import TriageModel
import TriageRules
import TriageServer
import TriageStore
import TestSupport

/// A server over an in-memory queue with a small synthetic rule set, its
/// accounts made: a token of each scope, one revoked, and a user of each
/// role. Tests drive `app()` through Hummingbird's test client.
final class Harness: Sendable {
    static let password = "synthetic password 1"

    static func rules(_ phrase: String = "synthetic attack plan") -> CompiledRules {
        let source = syntheticRuleSource([SyntheticRule("plan", phrase: phrase)])
        let (compiled, diagnostics) = RuleCompiler().compile(sources: [SourceFile(path: "test.rules", bytes: Array(source.utf8))])
        guard let compiled else { fatalError(DiagnosticRenderer.text(diagnostics)) }
        return compiled
    }

    let store: SQLiteQueue
    let live: LiveRules
    let configuration: ServerConfiguration
    /// What the next reload reads (a rule set, or an error).
    let nextLoad = Locked<Result<CompiledRules, ReloadFailure>>(.success(Harness.rules()))
    /// Token secrets by scope; `revoked` was revoked after it was made.
    let tokens: [TokenScope: String]
    let revoked: String

    struct ReloadFailure: Error, CustomStringConvertible {
        var description: String
    }

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        store = try SQLiteQueue(inMemory: SQLiteQueue.systemClock)
        live = LiveRules(rules: Self.rules(), policy: .default)
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        configuration.intakePoll = .milliseconds(50)
        // An in-memory queue serialises readers behind the writer: workers at
        // nice 10, starved by tests running beside them, would hold every
        // request up (a live-server test timed out so under the thread sanitizer).
        configuration.intakeBelowRequests = false
        configure(&configuration)
        self.configuration = configuration
        let accounts = Accounts(store: store, configuration: configuration)
        var tokens: [TokenScope: String] = [:]
        for scope in TokenScope.allCases { tokens[scope] = try accounts.createToken(name: "t-\(scope.rawValue)", scope: scope, actor: "test").secret }
        self.tokens = tokens
        revoked = try accounts.createToken(name: "gone", scope: .admin, actor: "test").secret
        try store.revokeToken(name: "gone", actor: "test")
        for role in UserRole.allCases { try accounts.addUser(role.rawValue + "1", role: role, password: Self.password, actor: "test") }
    }

    func app() throws -> some ApplicationProtocol {
        let dependencies = ServerDependencies(store: store, live: live, assessing: BatchRun.Options(jobs: 2), logger: Logger(label: "test")) {
            [self] in (try self.nextLoad.withLock { try $0.get() }, .default)
        }
        return try buildApplication(configuration, dependencies)
    }
}

/// A caller, as the tests name them: headers to send, and the CSRF token
/// to add to unsafe requests made with a session cookie.
struct Caller: Sendable, CustomStringConvertible {
    var description: String
    var headers: HTTPFields = [:]
    var csrf: String?

    static let anonymous = Caller(description: "anonymous")

    static func token(_ secret: String, _ name: String) -> Caller {
        Caller(description: name, headers: [.authorization: "Bearer " + secret])
    }

    /// Signs `user` in through the API and keeps the cookie and CSRF token.
    static func session(_ user: String, _ client: some TestClientProtocol) async throws -> Caller {
        let response = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: #"{"name":"\#(user)","password":"\#(Harness.password)"}"#))
        #expect(response.status == .ok, "sign-in of \(user): \(String(buffer: response.body))")
        let cookie = try #require(response.headers[.setCookie]).split(separator: ";")[0]
        let object = try json(response)
        return Caller(description: "session:\(user)", headers: [.cookie: String(cookie)], csrf: object["csrf_token"] as? String)
    }

    /// Headers for a request of `method`: with the CSRF token when it changes something.
    func headers(for method: HTTPRequest.Method, csrf includeCSRF: Bool = true) -> HTTPFields {
        var headers = self.headers
        headers[.contentType] = "application/json"
        if includeCSRF, let csrf, method != .get { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        return headers
    }
}

func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(String(buffer: response.body))")
}

extension TestClientProtocol {
    func send(_ caller: Caller, _ method: HTTPRequest.Method, _ uri: String, _ body: String = "", csrf: Bool = true) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: caller.headers(for: method, csrf: csrf), body: ByteBuffer(string: body))
    }

    /// Waits until the referral `id` is assessed (the intake workers run
    /// beside the test), at most 20 s.
    func waitAssessed(_ id: String, as caller: Caller) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let response = try await send(caller, .get, "/api/v1/referrals/\(id)")
            let object = try json(response)
            if object["status"] as? String == "assessed" { return object }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("referral \(id) was not assessed within 20 s")
        return [:]
    }
}
