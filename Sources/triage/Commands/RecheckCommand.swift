import ArgumentParser
import Foundation
import Logging
import TriageEngine
import TriageModel
import PageFetch

/// `triage recheck`: is decided content still up? Each recheck is a new
/// capture of the case, so removal rates can be reported.
struct RecheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recheck",
        abstract: "Re-fetch the URLs of decided cases and record whether the content is still there.",
        discussion: """
            Cases decided at least --older-than days ago and not rechecked within that time are fetched \
            again, oldest decision first. Each fetch becomes a new capture of the case (never replacing \
            one) with its fetch record and a verdict: present (the same bytes as the last capture), \
            changed, removed (404, 410 or the host is gone) or failed (no verdict). `triage queue stats` \
            counts the latest verdict per case.

            Exit status: 0 done, 2 the queue could not be used.
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "Who runs the recheck (recorded).")
    var officer: String

    @Option(name: .long, help: ArgumentHelp("Only cases decided at least this many days ago (and not rechecked since).", valueName: "DAYS"))
    var olderThan = 7

    @Option(name: .long, help: "At most this many cases.")
    var limit = 100

    @OptionGroup(title: "Fetching") var fetchOptions: FetchOptions

    @OptionGroup(title: "Fetching") var throttleOptions: ThrottleOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        if olderThan < 0 || limit < 1 { throw ValidationError("--older-than must be 0 or more and --limit at least 1") }
    }

    func run() throws {
        let store = try queue.open(command: "recheck")
        let candidates = try queueAction("recheck") { try store.recheckCandidates(olderThanDays: olderThan, limit: limit) }
        let fetcher = Fetcher(limits: fetchOptions.limits(command: "recheck"), policy: fetchOptions.policy, throttle: throttleOptions.throttle,
                              logger: Logger(label: "triage.fetch"))
        var counts: [RecheckOutcome: Int] = [:]
        for candidate in candidates {
            let (record, body) = fetcher.fetch(candidate.url)
            let outcome = try queueAction("recheck") { try store.recordRecheck(candidate.caseID, record: record, body: body, officer: officer) }
            counts[outcome, default: 0] += 1
            let detail = record.status.map { "status \($0)" } ?? record.failure.map { "\($0.rawValue)" } ?? ""
            print("\(candidate.caseID)  \(outcome.rawValue)  \(candidate.url)  \(detail)")
        }
        print("\(candidates.count) case\(candidates.count == 1 ? "" : "s") rechecked: "
              + RecheckOutcome.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", "))
    }
}
