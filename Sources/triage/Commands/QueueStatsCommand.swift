import ArgumentParser
import Encoders
import Foundation
import TriageModel
import TriageEngine

/// `triage queue stats`: the queue at a glance, and how each rule fares.
struct QueueStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Open cases by band and age, decisions by type, and per-rule hits and precision.",
        discussion: """
            A rule's precision is, of the decided cases it hit, the share referred to a platform or \
            escalated rather than closed with no further action ("-" before any such decision).
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "text or json.")
    var format: QueueFormat = .text

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue stats", reading: true)
        let stats = try queueAction("queue stats") { try store.stats() }
        var output = OutputWriter()
        output.write(format == .json ? stats.json() + "\n" : stats.text())
        output.flush()
    }

}
