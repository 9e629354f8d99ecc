import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue purge`: the retention policy.
struct QueuePurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove the evidence of cases closed with no further action more than DAYS ago.",
        discussion: "Referrals, assessments, decisions and the audit trail stay; each purge is recorded in the audit log."
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: ArgumentHelp("Age of the decision, in days.", valueName: "DAYS"))
    var olderThan: Int

    @Option(name: .long, help: "Who runs the purge (recorded).")
    var officer: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue purge")
        let report = try queueAction("queue purge") { try store.purge(olderThanDays: olderThan, officer: officer) }
        print("purged the evidence of \(report.cases) case\(report.cases == 1 ? "" : "s"): \(report.captures) captures, \(report.bytes) bytes")
    }
}
