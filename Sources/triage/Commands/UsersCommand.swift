import ArgumentParser
import Foundation
import TriageEngine
import TriageModel
import TriageServer

/// `triage users`: the people who sign in to `triage serve`.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list, disable and reset the passwords of the people who sign in to `triage serve`.",
        discussion: """
            Passwords are read from the terminal (twice, not echoed) or, when standard input is not a \
            terminal, from its first line; never from the command line. They are stored as bcrypt \
            hashes. Every change is in the queue's audit log, by the user running the command.
            """,
        subcommands: [UsersAddCommand.self, UsersListCommand.self, UsersDisableCommand.self, UsersEnableCommand.self, UsersPasswdCommand.self]
    )
}

struct UsersAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user with a role and a password.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The user's name (letters, digits, - _ . @).", valueName: "NAME"))
    var name: String

    @Option(name: .long, help: "officer, supervisor or admin.")
    var role: UserRole

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "users add")
        let password = try readPassword(command: "users add", prompt: "password for \(name)")
        try queueAction("users add") { try Accounts(store: store).addUser(name, role: role, password: password, actor: localActor) }
        print("added \(role.rawValue) \(name)")
    }
}

struct UsersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users, their roles and state.")

    @OptionGroup var queue: QueueOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "users list", reading: true)
        let users = try queueAction("users list") { try store.users() }
        let now = store.now()
        var output = OutputWriter()
        output.write("NAME                 ROLE        STATE     LAST SIGN-IN\n")
        for user in users {
            let locked = (user.lockedUntil ?? 0) > now
            let state = user.disabled ? "disabled" : locked ? "locked" : "active"
            let lastLogin = user.lastLoginAt.map { Timestamp(milliseconds: $0).iso8601 } ?? "never"
            var line = user.name.padding(toLength: max(21, user.name.count + 1), withPad: " ", startingAt: 0)
            line += user.role.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            line += state.padding(toLength: 10, withPad: " ", startingAt: 0)
            output.write(line + lastLogin + "\n")
        }
        output.flush()
    }
}

struct UsersDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop a user signing in, and end their sessions.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The user's name.", valueName: "NAME"))
    var name: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        try setDisabled(name, true, queue: queue)
    }
}

struct UsersEnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Let a disabled user sign in again.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The user's name.", valueName: "NAME"))
    var name: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        try setDisabled(name, false, queue: queue)
    }
}

struct UsersPasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a user's password (ends their sessions, clears a lockout).")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The user's name.", valueName: "NAME"))
    var name: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "users passwd")
        let password = try readPassword(command: "users passwd", prompt: "new password for \(name)")
        try queueAction("users passwd") { try Accounts(store: store).setPassword(name, password: password, actor: localActor) }
        print("password set for \(name)")
    }
}

/// `users disable` and `users enable`.
private func setDisabled(_ name: String, _ disabled: Bool, queue: QueueOptions) throws {
    let command = disabled ? "users disable" : "users enable"
    let store = try queue.open(command: command)
    try queueAction(command) { try store.setDisabled(name, disabled, actor: localActor) }
    print((disabled ? "disabled " : "enabled ") + name)
}

extension UserRole: ExpressibleByArgument {}
extension TokenScope: ExpressibleByArgument {}

/// Who changes accounts from this machine, for the audit log: `local:<login>`.
var localActor: String { "local:" + NSUserName() }
