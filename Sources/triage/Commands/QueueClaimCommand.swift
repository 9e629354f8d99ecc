import ArgumentParser
import TriageModel
import TriageEngine

/// `triage queue claim`: the next case, held under a lease.
struct QueueClaimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim the next case in order (atomically: two officers never get the same case).",
        discussion: "Exit status: 0 a case was claimed (its id is on the first line), 1 nothing is waiting, 2 the queue could not be used."
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "Who is claiming (recorded in the audit log).")
    var officer: String

    @Option(name: .long, help: "Minutes the case is held; after that it returns to the queue.")
    var leaseMinutes = 30

    @Option(name: .long, help: "Claim only from this band.")
    var band: Band?

    @Option(name: .long, help: "text or json.")
    var format: QueueFormat = .text

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        if leaseMinutes < 1 || leaseMinutes > 24 * 60 { throw ValidationError("--lease-minutes must be within 1...1440") }
    }

    func run() throws {
        let store = try queue.open(command: "queue claim")
        guard let claimed = try queueAction("queue claim", {
            try store.claimNext(officer: officer, lease: .seconds(leaseMinutes * 60), band: band)
        }) else {
            printError("triage queue claim: no case is waiting" + (band.map { " in band \($0.rawValue)" } ?? ""))
            throw ExitCode(1)
        }
        print(format == .json ? claimed.json
              : "\(claimed.id)\nclaimed by \(officer) until \(Timestamp(milliseconds: claimed.leaseUntil ?? 0).iso8601): "
                + "\(claimed.band.rawValue) score \(claimed.score)" + (claimed.url.map { "  \($0)" } ?? ""))
    }
}
