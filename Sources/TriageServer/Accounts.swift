import Crypto
import Encoders
import Foundation
import HummingbirdBcrypt
import TriageEngine

/// Passwords, tokens and sessions over an `AccountStore`: what makes and
/// checks the secrets, so the store keeps only their hashes. Used by the
/// server for every request and by `triage users` and `triage tokens`.
public struct Accounts: Sendable {
    public static let sessionCookie = "triage_session"
    /// Every API token starts so, which lets secret scanners find leaked ones.
    public static let tokenPrefix = "trg_"

    let store: any AccountStore
    let configuration: ServerConfiguration
    /// A hash of nothing anyone knows, at the configured cost, checked when
    /// the user does not exist so that the answer takes as long as for one
    /// who does.
    private let decoyHash: String

    public init(store: any AccountStore, configuration: ServerConfiguration = ServerConfiguration()) {
        self.store = store
        self.configuration = configuration
        decoyHash = Bcrypt.hash(Self.secret(), cost: configuration.bcryptCost)
    }

    // MARK: Secrets

    /// A bcrypt hash of `password` (salted; `configuration.bcryptCost`).
    public func hashPassword(_ password: String) -> String {
        Bcrypt.hash(password, cost: configuration.bcryptCost)
    }

    /// 32 random bytes from the system's generator, as URL-safe text.
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a token or session id.
    static func hash(_ secret: String) -> String { sha256Hex(Array(secret.utf8)) }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Passwords

    /// A password a person may choose: 12 to 1,024 bytes (bcrypt reads only
    /// the first 72, which is still more than anyone types).
    public static func checkPassword(_ password: String) throws {
        guard password.utf8.count >= 12 else { throw QueueError(.invalidArgument, "a password must be at least 12 characters") }
        guard password.utf8.count <= 1024 else { throw QueueError(.invalidArgument, "a password must be at most 1,024 bytes") }
    }

    public func addUser(_ name: String, role: UserRole, password: String, actor: String) throws {
        try Self.checkPassword(password)
        try store.addUser(name, role: role, passwordHash: hashPassword(password), actor: actor)
    }

    public func setPassword(_ name: String, password: String, actor: String) throws {
        try Self.checkPassword(password)
        try store.setPassword(name, passwordHash: hashPassword(password), actor: actor)
    }

    // MARK: Tokens

    /// Makes a token and returns it with its secret, which is shown this
    /// once and never stored.
    public func createToken(name: String, scope: TokenScope, actor: String) throws -> (token: APIToken, secret: String) {
        let secret = Self.tokenPrefix + Self.secret()
        return (try store.addToken(name: name, scope: scope, hash: Self.hash(secret), actor: actor), secret)
    }

    /// The live token whose secret this is.
    func token(_ secret: String) async throws -> APIToken? {
        guard secret.hasPrefix(Self.tokenPrefix), secret.utf8.count < 128 else { return nil }
        let hash = Self.hash(secret)
        return try await Blocking.run { [store] in try store.token(hash: hash) }
    }

    // MARK: Sessions

    public enum SignIn: Sendable, Equatable {
        /// A new session: the cookie's value and the session's CSRF token.
        case signedIn(session: String, csrfToken: String, user: UserAccount)
        /// Wrong name or password, or a disabled or locked account: which of
        /// them is never said.
        case refused
    }

    /// Checks a password and, if right, starts a session. A wrong password
    /// counts towards a lockout; a locked, disabled or unknown user is
    /// refused after the same bcrypt work as a wrong password, so the time
    /// taken does not tell which.
    func signIn(_ name: String, password: String) async throws -> SignIn {
        let store = self.store, configuration = self.configuration, decoyHash = self.decoyHash
        return try await Blocking.run {
            let user = try store.user(name)
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            let hash = user?.passwordHash ?? decoyHash
            let matches = password.utf8.count <= 1024 && Bcrypt.verify(password, hash: hash)
            guard let user, matches, !user.disabled, (user.lockedUntil ?? 0) <= now else {
                if let user, !matches {
                    _ = try store.recordFailedLogin(user.name, limit: configuration.loginFailureLimit, lockout: configuration.loginLockout)
                }
                return .refused
            }
            try store.recordLogin(user.name)
            let session = Self.secret(), csrf = Self.secret()
            try store.createSession(idHash: Self.hash(session), user: user.name, csrfToken: csrf)
            return .signedIn(session: session, csrfToken: csrf, user: user)
        }
    }

    func session(_ cookie: String) async throws -> UserSession? {
        guard cookie.utf8.count < 128 else { return nil }
        let store = self.store, configuration = self.configuration, hash = Self.hash(cookie)
        return try await Blocking.run {
            try store.session(idHash: hash, idle: configuration.sessionIdle, absolute: configuration.sessionAbsolute)
        }
    }

    func signOut(_ cookie: String) async throws {
        let store = self.store, hash = Self.hash(cookie)
        try await Blocking.run { try store.endSession(idHash: hash) }
    }
}
