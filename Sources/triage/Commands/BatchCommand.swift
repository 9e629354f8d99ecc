import ArgumentParser
import Encoders
import Foundation
import TriageEngine
import TriageRules
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// `triage batch`: a file of referrals in, assessments out, in input order.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Assess a file of referrals (NDJSON or CSV) on every core.",
        discussion: """
            Streams the input: memory does not grow with the number of referrals. A record that cannot
            be accepted (invalid JSON, no id, unknown source, unreadable path, content over the size
            limit, an id already seen) is reported on standard error with its line and skipped; the
            batch goes on. Assessments come out in input order, each with the case it joined
            (same canonical URL or same normalised content) and that case's size so far. A summary
            ends the run (on standard error with --format ndjson). A progress bar with rate and ETA
            is shown on a terminal, never in pipes or with ndjson.
            With --db, assessments go into the review queue (see `triage queue`), in transactions of
            up to 1,024 or half a second: a line is printed only once its referral is committed, and
            running the same input again adds nothing. A referral id already queued with other
            content is reported as a conflict and not merged. Cases and their sizes are then the
            queue's, across batches.
            Exit status: 0 every record assessed, 1 some records rejected (or in conflict with the
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
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let inputSize = input == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: input))?[.size] as? Int
        var progress = Progress(enabled: isatty(STDERR_FILENO) == 1 && format != .ndjson, total: inputSize)
        var summary = Summary()
        var cases = CaseBook()
        var output = OutputWriter()
        var intake = try db.flatMap { dryRun ? nil : try QueueIntake(path: $0) }
        if format == .json && !dryRun { output.write("{\"assessments\":[") }
        let clock = ContinuousClock()
        let started = clock.now

        /// `json`: the assessment's JSON made on its assessing thread, to complete with the case.
        func write(_ assessment: Assessment, json: JSONAwaitingCase? = nil) {
            summary.add(assessment)
            guard !dryRun else { return }
            func bytes() -> [UInt8] { json?.completed(caseID: assessment.caseID, caseSize: assessment.caseSize) ?? assessment.jsonBytes() }
            switch format {
            case .ndjson:
                output.write(bytes())
                output.write("\n")
            case .json:
                if summary.assessed > 1 { output.write(",") }
                output.write(bytes())
            case .text: output.write(Self.line(assessment))
            }
        }

        func commit() throws {
            guard var queue = intake else { return }
            for outcome in try queue.commit() {
                switch outcome {
                case let .written(assessment): write(assessment)
                case let .alreadyQueued(assessment):
                    summary.alreadyQueued += 1
                    write(assessment)
                case let .conflict(id, reason):
                    summary.conflicts.append(id)
                    progress.clear()
                    printError("triage batch: conflict: \(reason)")
                }
            }
            if format != .json { output.flush() }
            intake = queue
        }

        func emit(_ assessed: Assessed) throws {
            if intake != nil {
                intake!.add(assessed)
                if intake!.isFull { try commit() }
                return
            }
            var assessment = assessed.assessment
            if let filed = cases.file(canonicalURL: assessment.canonicalURL, contentFingerprint: assessment.contentFingerprint) {
                (assessment.caseID, assessment.caseSize) = (filed.id, filed.size)
            }
            write(assessment, json: assessed.json)
        }

        let fetching = fetch || refetch
            ? AssessmentPool.Fetching(limits: fetchOptions.limits(command: "batch"), policy: fetchOptions.policy, throttle: throttleOptions.throttle,
                                      refetch: refetch, concurrent: fetchJobs)
            : nil
        // On the assessing threads: what the queue's single writer would
        // otherwise do per referral (serialise, compress, hash).
        // Without a queue, the JSON output (all but the case) is written
        // there too: on the thread that reads referrals and files cases it
        // cost 3-5% of a batch at 10k patterns, and that thread is shared.
        let noTimings = options.noTimings, filing = intake != nil, writesJSON = !filing && !dryRun && format != .text
        let pool = AssessmentPool(jobs: jobs, rules: rules, policy: policy, limits: options.scanLimits, fetching: fetching) { assessed in
            if noTimings { assessed.assessment.timings = nil }
            if filing { SQLiteQueue.prepare(&assessed) }
            if writesJSON { assessed.json = assessed.assessment.jsonAwaitingCase }
        }
        // In flight at most 32 per assessing thread (and one per fetch
        // thread): the reader waits for the oldest to finish, so memory is
        // bounded by the window, not the input. Fewer leave threads idle
        // behind one long page: assessments are emitted in order, so with
        // 4 per thread two cores were busy 1.74 of the time, with 32 1.96
        // (bench-triage; see TriageEngine/DESIGN.md).
        let window = 32 * jobs + (fetching?.concurrent ?? 0)
        var submitted = 0, emitted = 0
        while let record = reader.next() {
            switch record {
            case let .rejected(error):
                summary.reject(error)
                progress.clear()
                printError("triage batch: rejected: \(error)")
            case let .referral(referral, _):
                pool.submit(submitted, referral)
                submitted += 1
                while submitted - emitted >= window {
                    try emit(pool.take(emitted))
                    emitted += 1
                }
                while let ready = pool.poll(emitted) {
                    try emit(ready)
                    emitted += 1
                }
            }
            progress.update(done: emitted, bytes: reader.bytesRead, since: started)
        }
        pool.close()
        while emitted < submitted {
            try emit(pool.take(emitted))
            emitted += 1
            progress.update(done: emitted, bytes: reader.bytesRead, since: started)
        }
        try commit()
        progress.clear()
        summary.cases = intake?.casesOpened ?? cases.caseCount
        summary.queue = intake?.path
        summary.seconds = Self.seconds(clock.now - started)
        summary.jobs = jobs
        switch format {
        case .json:
            if dryRun { output.write("{\"assessments\":[") }
            output.write("],\"summary\":" + summary.json(timings: !options.noTimings) + "}\n")
        case .ndjson:
            output.flush()
            printError(summary.text(timings: !options.noTimings), newline: false)
        case .text:
            if !dryRun && summary.assessed > 0 { output.write("\n") }
            output.write(summary.text(timings: !options.noTimings))
        }
        output.flush()
        if summary.rejectedCount > 0 || !summary.conflicts.isEmpty { throw ExitCode(1) }
    }

    /// One referral in the text listing.
    static func line(_ a: Assessment) -> String {
        let band = a.band.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        let score = String(a.score)
        var line = band + String(repeating: " ", count: max(0, 3 - score.count)) + score + "  " + a.referral
        if let category = a.primaryCategory { line += "  " + category }
        if let caseID = a.caseID { line += "  " + caseID + (a.caseSize > 1 ? " (\(a.caseSize))" : "") }
        if let url = a.url { line += "  " + url }
        return line + "\n"
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
