import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue release`: hand a claimed case back.
struct QueueReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Return a case you hold to the queue, undecided.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "ID"))
    var id: String

    @Option(name: .long, help: "Who holds it.")
    var officer: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue release")
        let released = try queueAction("queue release") { try store.release(id, officer: officer) }
        print("\(released.id) released: back in the queue")
    }
}
