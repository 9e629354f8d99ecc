import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue reopen`: a decided case back to the queue.
struct QueueReopenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Return a decided case to the queue, with a reason.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "ID"))
    var id: String

    @Option(name: .long, help: "Why (required, recorded).")
    var reason: String

    @Option(name: .long, help: "Who reopens it.")
    var officer: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue reopen")
        let reopened = try queueAction("queue reopen") { try store.reopen(id, reason: reason, officer: officer) }
        print("\(reopened.id) reopened: back in the queue as \(reopened.band.rawValue)")
    }
}
