import Foundation
import GRDB
import TriageEngine
import TriageModel

/// Users, sessions and API tokens (`AccountStore`) on SQLite: tables
/// `users`, `sessions` and `api_tokens` (QueueSchema v4).
extension SQLiteQueue {
    public func addUser(_ name: String, role: UserRole, passwordHash: String, actor: String) throws {
        try Self.checkName(name, what: "user")
        let now = clock()
        try write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) == nil else {
                throw QueueError(.refused, "user \(name) exists already")
            }
            try db.execute(sql: "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, role.rawValue, passwordHash, now])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: "user-added", to: role.rawValue, reason: name)
        }
    }

    public func users() throws -> [UserAccount] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user) }
    }

    public func user(_ name: String) throws -> UserAccount? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.user) }
    }

    public func setPassword(_ name: String, passwordHash: String, actor: String) throws {
        let now = clock()
        try write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE name = ?",
                           arguments: [passwordHash, name])
            guard db.changesCount == 1 else { throw QueueError(.unknownCase, "no user \(name)") }
            // A new password ends every session signed in with the old one.
            try db.execute(sql: "DELETE FROM sessions WHERE user = ?", arguments: [name])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: "password-set", reason: name)
        }
    }

    public func setDisabled(_ name: String, _ disabled: Bool, actor: String) throws {
        let now = clock()
        try write { db in
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE name = ?", arguments: [disabled, name])
            guard db.changesCount == 1 else { throw QueueError(.unknownCase, "no user \(name)") }
            if disabled { try db.execute(sql: "DELETE FROM sessions WHERE user = ?", arguments: [name]) }
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: disabled ? "user-disabled" : "user-enabled", reason: name)
        }
    }

    public func recordFailedLogin(_ name: String, limit: Int, lockout: Duration) throws -> UserAccount? {
        let now = clock()
        return try write { db in
            try db.execute(sql: """
                UPDATE users SET failed_logins = failed_logins + 1,
                    locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
                WHERE name = ?
                """, arguments: [limit, now + Int64(lockout / .milliseconds(1)), name])
            return try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    public func recordLogin(_ name: String) throws {
        let now = clock()
        try write { db in
            try db.execute(sql: "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE name = ?",
                           arguments: [now, name])
        }
    }

    public func createSession(idHash: String, user: String, csrfToken: String) throws {
        let now = clock()
        try write { db in
            try db.execute(sql: "INSERT INTO sessions (id_hash, user, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [idHash, user, csrfToken, now, now])
        }
    }

    public func session(idHash: String, idle: Duration, absolute: Duration) throws -> UserSession? {
        let now = clock()
        let idleMS = Int64(idle / .milliseconds(1)), absoluteMS = Int64(absolute / .milliseconds(1))
        guard let row = try read({ db in
            try Row.fetchOne(db, sql: """
                SELECT s.csrf_token, s.created_at AS session_created_at, s.last_seen_at, u.* FROM sessions s
                JOIN users u ON u.name = s.user WHERE s.id_hash = ?
                """, arguments: [idHash])
        }) else { return nil }
        let user = Self.user(row)
        let created: Int64 = row["session_created_at"], seen: Int64 = row["last_seen_at"]
        guard !user.disabled, now - seen <= idleMS, now - created <= absoluteMS else {
            try endSession(idHash: idHash)
            return nil
        }
        // The idle clock to the minute is enough, and spares a write (and
        // the queue's write lock) on most requests.
        if now - seen >= Self.touchInterval {
            try write { db in try db.execute(sql: "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", arguments: [now, idHash]) }
        }
        return UserSession(user: user, csrfToken: row["csrf_token"], createdAt: created)
    }

    /// How stale a session's or token's last use may be before a request writes it.
    static let touchInterval: Int64 = 60_000

    public func endSession(idHash: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func addToken(name: String, scope: TokenScope, hash: String, actor: String) throws -> APIToken {
        try Self.checkName(name, what: "token")
        let now = clock()
        return try write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name]) == nil else {
                throw QueueError(.refused, "a token named \(name) exists already (revoke it first)")
            }
            try db.execute(sql: "INSERT INTO api_tokens (hash, name, scope, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           arguments: [hash, name, scope.rawValue, now, actor])
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: "token-created", to: scope.rawValue, reason: name)
            return APIToken(name: name, scope: scope, createdAt: now, createdBy: actor)
        }
    }

    public func tokens() throws -> [APIToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created_at, name").map(Self.token) }
    }

    public func token(hash: String) throws -> APIToken? {
        let now = clock()
        guard let row = try read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE hash = ? AND revoked_at IS NULL", arguments: [hash])
        }) else { return nil }
        var token = Self.token(row)
        if token.lastUsedAt.map({ now - $0 >= Self.touchInterval }) ?? true {
            try write { db in try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE hash = ?", arguments: [now, hash]) }
            token.lastUsedAt = now
        }
        return token
    }

    public func revokeToken(name: String, actor: String) throws {
        let now = clock()
        try write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [now, name])
            guard db.changesCount == 1 else { throw QueueError(.unknownCase, "no live token named \(name)") }
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: "token-revoked", reason: name)
        }
    }

    public func recordRulesReload(from: String, to: String, actor: String) throws {
        let now = clock()
        try write { db in
            var audit = try AuditWriter(db, at: now)
            try audit.append(db, actor: actor, action: "rules-reloaded", from: from, to: to, rules: to)
        }
    }

    /// Names of users and tokens: what a person can type and a log can show.
    static func checkName(_ name: String, what: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@")
        }
        guard allowed, (1...64).contains(name.utf8.count) else {
            throw QueueError(.invalidArgument, "a \(what) name is 1 to 64 letters, digits, `-`, `_`, `.` or `@`, not `\(name)`")
        }
    }

    static func user(_ row: Row) -> UserAccount {
        UserAccount(name: row["name"], role: UserRole(rawValue: row["role"]) ?? .officer, passwordHash: row["password_hash"],
                    disabled: row["disabled"], createdAt: row["created_at"], failedLogins: row["failed_logins"],
                    lockedUntil: row["locked_until"], lastLoginAt: row["last_login_at"])
    }

    static func token(_ row: Row) -> APIToken {
        APIToken(name: row["name"], scope: TokenScope(rawValue: row["scope"]) ?? .read, createdAt: row["created_at"],
                 createdBy: row["created_by"], lastUsedAt: row["last_used_at"], revokedAt: row["revoked_at"])
    }
}
