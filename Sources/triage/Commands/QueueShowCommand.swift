import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue show`: one case, everything an officer reviews.
struct QueueShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a case (or the case of a referral): its assessments, evidence, notes and history."
    )

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("A case id, or a referral id.", valueName: "ID"))
    var id: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue show", reading: true)
        let detail = try queueAction("queue show") { try store.show(id) }
        var output = OutputWriter()
        output.write(detail.text(now: store.now()))
        output.flush()
    }

}
