import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue verify`: the audit chain and the evidence hashes.
struct QueueVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chain, every referral against its intake entry, and every evidence hash; report the first break.",
        discussion: """
            Prints the chain's head: keep it outside the queue (a case file, a ticket) to detect later \
            removal of the newest entries, which the chain alone cannot show.

            Exit status: 0 intact, 1 a break was found, 2 the queue could not be read.
            """
    )

    @OptionGroup var queue: QueueOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let store = try queue.open(command: "queue verify", reading: true)
        let report = try queueAction("queue verify") { try store.verify() }
        print("audit: \(report.auditEntries) entries, head \(report.head)")
        print("referrals: \(report.referrals), each checked against its intake entry")
        print("evidence: \(report.evidenceFiles) stored, \(report.captures) captures")
        if let problem = report.auditBreak { print("BROKEN: \(problem)") }
        if let problem = report.referralBreak { print("BROKEN: \(problem)") }
        if let problem = report.evidenceBreak { print("BROKEN: \(problem)") }
        guard report.isIntact else { throw ExitCode(1) }
        print("intact")
    }
}
