import TriageModel

/// Who may use a server over a queue: people (officers, supervisors,
/// admins) who sign in with a password, the sessions they sign in to, and
/// API tokens for machines. Kept in the queue's database so that every
/// server over one queue knows the same people, and every change to them is
/// in the audit log. The store keeps hashes only: of passwords (bcrypt,
/// made by the server's `Accounts`), of tokens and of session ids (SHA-256:
/// both are 256 random bits, so a fast hash loses nothing).
public protocol AccountStore: AnyObject, Sendable {
    /// Adds a user; `.refused` if the name is taken.
    func addUser(_ name: String, role: UserRole, passwordHash: String, actor: String) throws
    /// Every user, by name.
    func users() throws -> [UserAccount]
    func user(_ name: String) throws -> UserAccount?
    /// A new password; also clears a lockout. `.unknownCase` for an unknown user.
    func setPassword(_ name: String, passwordHash: String, actor: String) throws
    /// Disables (or enables) a user; disabling ends their sessions.
    func setDisabled(_ name: String, _ disabled: Bool, actor: String) throws
    /// Records a failed sign-in: after `limit` failures in a row the user is
    /// locked for `lockout`. Returns the user as it is now.
    func recordFailedLogin(_ name: String, limit: Int, lockout: Duration) throws -> UserAccount?
    /// Records a sign-in that succeeded (resets the failures).
    func recordLogin(_ name: String) throws

    /// Starts a session for `user`: `idHash` is the hash of the cookie's
    /// id, `csrfToken` the token its forms must send back.
    func createSession(idHash: String, user: String, csrfToken: String) throws
    /// The live session with this id hash, touched (its idle clock
    /// restarted); nil if unknown, expired (idle or absolute) or its user
    /// is disabled.
    func session(idHash: String, idle: Duration, absolute: Duration) throws -> UserSession?
    func endSession(idHash: String) throws

    /// Records a token (its hash only) and returns it; `.refused` if a live
    /// token has the name.
    func addToken(name: String, scope: TokenScope, hash: String, actor: String) throws -> APIToken
    func tokens() throws -> [APIToken]
    /// The unrevoked token with this hash, its last use now; nil if none.
    func token(hash: String) throws -> APIToken?
    /// Revokes the live token named `name`; `.unknownCase` if there is none.
    func revokeToken(name: String, actor: String) throws
}

/// What a person signed in may do; each role may do what the one before it may.
public enum UserRole: String, Sendable, CaseIterable, Codable, Comparable {
    /// Claims, releases, decides, reopens and notes cases they hold.
    case officer
    /// Also reassigns and reopens any case, sets service levels, reads statistics and exports.
    case supervisor
    /// Also manages users and tokens, reloads rules and purges.
    case admin

    public static func < (a: UserRole, b: UserRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What an API token may do.
public enum TokenScope: String, Sendable, CaseIterable, Codable {
    /// Submit referrals and read the status of the ones it submitted.
    case intake
    /// Read the queue: lists, cases, statistics.
    case read
    /// What an officer may do.
    case review
    /// What an admin may do.
    case admin
}

public struct UserAccount: Sendable, Equatable {
    public var name: String
    public var role: UserRole
    public var passwordHash: String
    public var disabled: Bool
    public var createdAt: Int64
    /// Sign-in failures since the last success.
    public var failedLogins: Int
    /// Until when sign-in is refused, if locked.
    public var lockedUntil: Int64?
    public var lastLoginAt: Int64?

    public init(name: String, role: UserRole, passwordHash: String, disabled: Bool, createdAt: Int64, failedLogins: Int = 0,
                lockedUntil: Int64? = nil, lastLoginAt: Int64? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.lastLoginAt = lastLoginAt
    }
}

public struct UserSession: Sendable, Equatable {
    public var user: UserAccount
    public var csrfToken: String
    public var createdAt: Int64

    public init(user: UserAccount, csrfToken: String, createdAt: Int64) {
        self.user = user
        self.csrfToken = csrfToken
        self.createdAt = createdAt
    }
}

public struct APIToken: Sendable, Equatable {
    public var name: String
    public var scope: TokenScope
    public var createdAt: Int64
    public var createdBy: String
    public var lastUsedAt: Int64?
    public var revokedAt: Int64?

    public init(name: String, scope: TokenScope, createdAt: Int64, createdBy: String, lastUsedAt: Int64? = nil, revokedAt: Int64? = nil) {
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
