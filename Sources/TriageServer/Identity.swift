import TriageEngine

/// Who is making a request, as the server authenticated them: a person
/// signed in to a session (cookie), or a machine with an API token.
public enum Identity: Sendable, Equatable {
    case user(UserAccount, csrfToken: String)
    case token(APIToken)

    /// The name that goes into the audit log for what this caller changes:
    /// a user's name, or `token:<name>`.
    public var actor: String {
        switch self {
        case let .user(user, _): user.name
        case let .token(token): "token:" + token.name
        }
    }

    /// Whether this caller may do `permission`.
    public func may(_ permission: Permission) -> Bool {
        switch self {
        case let .user(user, _):
            if user.disabled { return false }
            switch permission {
            case .submit, .readQueue, .review: return true
            case .supervise: return user.role >= .supervisor
            case .administer: return user.role == .admin
            }
        case let .token(token):
            switch (token.scope, permission) {
            case (.intake, .submit): return true
            case (.read, .readQueue): return true
            case (.review, .submit), (.review, .readQueue), (.review, .review): return true
            case (.admin, _): return true
            default: return false
            }
        }
    }
}

/// What a route needs its caller to be allowed. Each role and scope is a
/// set of these (`Identity.may`); each route names one.
public enum Permission: String, Sendable, CaseIterable {
    /// Submit referrals, and read the status of one's own.
    case submit
    /// Read the queue: lists, cases, the status of any referral.
    case readQueue = "read-queue"
    /// Claim, release, decide, reopen and note cases one holds.
    case review
    /// Reopen or release any case, set service levels, read statistics, exports and the audit check.
    case supervise
    /// Manage users and tokens, reload rules.
    case administer
}
