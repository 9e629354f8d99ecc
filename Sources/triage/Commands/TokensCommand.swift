import ArgumentParser
import Foundation
import TriageEngine
import TriageModel
import TriageServer

/// `triage tokens`: API tokens for machines (flaggers' and platforms' systems).
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API tokens for `triage serve`.",
        discussion: """
            A token is shown once, when created, and stored only as its SHA-256. Send it as \
            `Authorization: Bearer TOKEN`. Scopes: intake (submit referrals, read their status), \
            read (the queue), review (what an officer may do), admin.
            """,
        subcommands: [TokensCreateCommand.self, TokensListCommand.self, TokensRevokeCommand.self]
    )
}

struct TokensCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token and print it (once).")

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "A name for the token (who or what uses it).")
    var name: String

    @Option(name: .long, help: "intake, read, review or admin.")
    var scope: TokenScope

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "tokens create")
        let (_, secret) = try queueAction("tokens create") { try Accounts(store: store).createToken(name: name, scope: scope, actor: localActor) }
        print(secret)
        printError("triage tokens create: token \(name) (\(scope.rawValue)) created; it is shown this once")
    }
}

struct TokensListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never their secrets).")

    @OptionGroup var queue: QueueOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "tokens list", reading: true)
        let tokens = try queueAction("tokens list") { try store.tokens() }
        var output = OutputWriter()
        output.write("NAME                 SCOPE    CREATED               LAST USED             REVOKED\n")
        func time(_ ms: Int64?) -> String { ms.map { Timestamp(milliseconds: $0).iso8601 } ?? "-" }
        for token in tokens {
            output.write(token.name.padding(toLength: max(21, token.name.count + 1), withPad: " ", startingAt: 0)
                         + token.scope.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                         + time(token.createdAt).padding(toLength: 22, withPad: " ", startingAt: 0)
                         + time(token.lastUsedAt).padding(toLength: 22, withPad: " ", startingAt: 0) + time(token.revokedAt) + "\n")
        }
        output.flush()
    }
}

struct TokensRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token: it is refused from the next request.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The token's name.", valueName: "NAME"))
    var name: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "tokens revoke")
        try queueAction("tokens revoke") { try store.revokeToken(name: name, actor: localActor) }
        print("revoked \(name)")
    }
}
