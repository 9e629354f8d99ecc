import ArgumentParser

@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Triage referrals of online terrorist content: rank, explain, queue for review.",
        discussion: """
            The engine ranks and explains; an officer decides. Exit codes: 0 success (for scan: \
            something matched), 1 nothing matched, 2 an input or file could not be processed, \
            64 the command line was not valid.
            """,
        version: "0.1.0",
        subcommands: [BatchCommand.self, CheckCommand.self, QueueCommand.self, ServeCommand.self, UsersCommand.self, TokensCommand.self,
                      RecheckCommand.self, ExportWARCCommand.self, ScanCommand.self, ExtractCommand.self, RulesCommand.self]
    )
}
