import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue list`: cases in queue order.
struct QueueListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List cases in queue order: band, then score, then age (open cases by default)."
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "Only cases of this band (P1, P2, P3, P4, NFA, PENDING).")
    var band: Band?

    @Option(name: .long, help: "Only cases in this state: new, in-review or decided (repeatable; default: new and in-review).")
    var state: [CaseState] = []

    @Option(name: .long, help: "At most this many cases.")
    var limit = 50

    @Option(name: .long, help: "text or json (a line of JSON per case).")
    var format: QueueFormat = .text

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let store = try queue.open(command: "queue list", reading: true)
        let cases = try queueAction("queue list") {
            try store.list(states: state.isEmpty ? [.new, .inReview] : state, band: band, limit: limit)
        }
        var output = OutputWriter()
        switch format {
        case .json:
            for c in cases { output.write(c.json + "\n") }
        case .text:
            let now = store.now()
            if cases.isEmpty {
                output.write("no cases\n")
            } else {
                output.write(QueueCase.header + "\n")
                for c in cases { output.write(c.line(now: now) + "\n") }
            }
        }
        output.flush()
    }
}
