import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue decide`: an officer's decision on a case they hold.
struct QueueDecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide a case you hold: refer-to-platform, escalate-to-investigation, no-further-action or duplicate-of.",
        discussion: "The decision, the reason, who and when, and the rule set the case was assessed with go into the audit log."
    )

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "ID"))
    var id: String

    @Option(name: .long, help: "refer-to-platform, escalate-to-investigation, no-further-action or duplicate-of.")
    var decision: Decision

    @Option(name: .long, help: "Why (required, recorded).")
    var reason: String

    @Option(name: .long, help: "Who decides (must hold the case).")
    var officer: String

    @Option(name: .long, help: ArgumentHelp("The case this one duplicates (with --decision duplicate-of).", valueName: "CASE"))
    var duplicateOf: String?

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue decide")
        let decided = try queueAction("queue decide") {
            try store.decide(id, decision: decision, reason: reason, officer: officer, duplicateOf: duplicateOf)
        }
        print("\(decided.id) decided: \(decision.rawValue)" + (duplicateOf.map { " \($0)" } ?? "") + " by \(officer)")
    }
}
