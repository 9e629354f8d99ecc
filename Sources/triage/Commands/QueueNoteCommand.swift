import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue note`: a note on any case.
struct QueueNoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a note to a case (any state).")

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "ID"))
    var id: String

    @Argument(help: "The note.")
    var text: String

    @Option(name: .long, help: "Who writes it.")
    var officer: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue note")
        try queueAction("queue note") { try store.note(id, text: text, officer: officer) }
        print("note added to \(id)")
    }
}
