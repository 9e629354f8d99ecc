import ArgumentParser
import Encoders
import Foundation
import Logging
import TriageModel
import TriageEngine
import TriageRules
#if canImport(Glibc)
import Glibc
#endif

/// `triage batch`: a file of referrals in, assessments out, in input order.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Assess a file of referrals (NDJSON or CSV) on every core.",
        discussion: """
            Streams the input: memory does not grow with the number of referrals. A record that cannot \
            be accepted (invalid JSON, no id, unknown source, unreadable path, content over the size \
            limit, an id already seen) is reported on standard error with its line and skipped; the \
            batch goes on. Assessments come out in input order, each with the case it joined \
            (same canonical URL or same normalised content) and that case's size so far. A summary \
            ends the run (on standard error with --format ndjson). A progress bar with rate and ETA \
            is shown on a terminal, never in pipes or with ndjson.

            With --db, assessments go into the review queue (see `triage queue`), in transactions of \
            up to 1,024 or half a second: a line is printed only once its referral is committed, and \
            running the same input again adds nothing. A referral id already queued with other \
            content is reported as a conflict and not merged. Cases and their sizes are then the \
            queue's, across batches.

            Exit status: 0 every record assessed, 1 some records rejected (or in conflict with the \
            queue), 2 the input, rules, policy or queue could not be used.
            """
    )

    @Argument(help: ArgumentHelp("Referrals: .ndjson (one JSON object per line) or .csv (a header row), or - for NDJSON on standard input.",
                                 valueName: "INPUT"))
    var input: String

    @OptionGroup var options: TriageOptions

    @Option(name: .long, help: "Assessments as text (a line each), json (one document) or ndjson (a line of JSON each).")
    var format: AssessmentFormat = .text

    @Option(name: .long, help: "Input format, when the file name does not tell: ndjson or csv.")
    var inputFormat: InputFormat?

    @Option(name: .long, help: "Threads to assess on (default: every core).")
    var jobs: Int?

    @Flag(name: .long, help: "Assess and summarise, but write no assessments (and queue nothing).")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Queue the assessments in this review queue (created if missing).", valueName: "PATH"))
    var db: String?

    @Flag(name: .long, help: "Fetch the URL of each referral that came without content (http and https only; see FETCHING in the README).")
    var fetch = false

    @Flag(name: .long, help: "Fetch the URL of every referral that has one, even when content was submitted: the submitted content is assessed, the live page kept beside it (implies --fetch).")
    var refetch = false

    @Option(name: .long, help: ArgumentHelp("Fetches in flight at once, each on a thread of its own beside the assessing threads (with --fetch).",
                                            valueName: "N"))
    var fetchJobs = 16

    @OptionGroup(title: "Fetching (with --fetch)") var fetchOptions: FetchOptions

    @OptionGroup(title: "Fetching (with --fetch)") var throttleOptions: ThrottleOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv
    }

    func validate() throws {
        if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be within 1...256") }
        if fetchJobs < 1 || fetchJobs > 256 { throw ValidationError("--fetch-jobs must be within 1...256") }
    }

    func run() throws {
        let rules = try options.loadRules(command: "batch")
        let policy = try options.loadPolicy(command: "batch")
        let reader: ReferralReader
        do {
            reader = try ReferralReader(path: input, format: inputFormat.map { ReferralReader.Format(rawValue: $0.rawValue)! })
        } catch {
            printError("triage batch: \(error)")
            throw ExitCode(2)
        }
        // Cases in the review queue with --db (a dry run queues nothing), else for this run only.
        let filing: any CaseFiling
        if let db, !dryRun {
            filing = QueueFiling(queue: try QueueFactory.open(db, access: .create, command: "batch"), actor: "batch:" + NSUserName())
        } else {
            filing = MemoryFiling()
        }
        let output = StandardOutput()
        let timings = !options.noTimings
        // With ndjson, the summary goes to standard error (below).
        let sinks: [any AssessmentSink]
        switch format {
        case .text: sinks = [TextSink(output, style: .listing, assessments: !dryRun, timings: timings)]
        case .json: sinks = [JSONSink(output, assessments: !dryRun, timings: timings)]
        case .ndjson: sinks = dryRun ? [] : [NDJSONSink(output)]
        }
        let fetching = fetch || refetch
            ? fetchOptions.fetching(command: "batch", throttle: throttleOptions.throttle, refetch: refetch, concurrent: fetchJobs) : nil
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let inputSize = input == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: input))?[.size] as? Int
        let observer = BatchObserver(command: "batch", reader: reader,
                                     progress: Progress(enabled: isatty(STDERR_FILENO) == 1 && format != .ndjson, total: inputSize))
        let run = BatchRun(rules: rules, policy: policy,
                           options: BatchRun.Options(jobs: jobs, limits: options.scanLimits, fetching: fetching, noTimings: options.noTimings),
                           filing: filing, sinks: sinks, observer: observer, logger: Logger(label: "triage.batch"))
        let summary: BatchSummary
        do { summary = try run.run(reader) } catch {
            observer.finish()
            output.flush()
            printError("triage batch: \(error)")
            throw ExitCode(2)
        }
        observer.finish()
        if format == .ndjson { printError(summary.text(timings: timings), newline: false) }
        if summary.rejectedCount > 0 || !summary.conflicts.isEmpty { throw ExitCode(1) }
    }
}
