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

/// What a batch did, for its last lines.
struct Summary {
    var assessed = 0
    /// Records rejected, and the first `keptRejections` of them (each is
    /// also printed as it happens): a batch of bad lines does not grow memory.
    var rejectedCount = 0
    var rejected: [ReferralError] = []
    static let keptRejections = 100
    /// Rejected lines the text summary names.
    static let namedRejections = 20
    var bands: [Band: Int] = [:]
    var categories: [String: Int] = [:]
    var joined = 0
    var cases = 0
    var bytes = 0
    var seconds = 0.0
    var jobs = 1
    /// With --db: the queue, referrals it already held, and ids in conflict.
    var queue: String?
    var alreadyQueued = 0
    var conflicts: [String] = []

    mutating func reject(_ error: ReferralError) {
        rejectedCount += 1
        if rejected.count < Self.keptRejections { rejected.append(error) }
    }

    mutating func add(_ a: Assessment) {
        assessed += 1
        bytes += a.pageBytes ?? 0
        bands[a.band, default: 0] += 1
        for category in a.categories { categories[category, default: 0] += 1 }
        if a.caseSize > 1 { joined += 1 }
    }

    var rate: Double { seconds > 0 ? Double(assessed) / seconds : 0 }
    var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }

    /// The summary for a person; `timings: false` leaves out the rate line
    /// (the one part that differs between runs).
    func text(timings: Bool = true) -> String {
        var out = "\(assessed + rejectedCount) referrals read: \(assessed) assessed, \(rejectedCount) rejected"
        if rejectedCount > 0 {
            let named = rejected.prefix(Self.namedRejections).map { String($0.line) }.joined(separator: ", ")
            let more = rejectedCount - min(rejected.count, Self.namedRejections)
            out += " (line\(rejectedCount == 1 ? "" : "s") \(named)\(more > 0 ? " and \(more) more" : ""))"
        }
        out += "\nbands: " + Band.allCases.map { "\($0.rawValue) \(bands[$0, default: 0])" }.joined(separator: "  ")
        let hit = Category.allCases.filter { categories[$0.rawValue] != nil }
        out += "\ncategories: " + (hit.isEmpty ? "none" : hit.map { "\($0.rawValue) \(categories[$0.rawValue]!)" }.joined(separator: ", "))
        out += "\ncases: \(cases)\(queue == nil ? "" : " opened") (\(joined) referral\(joined == 1 ? "" : "s") joined an earlier one)"
        if let queue {
            out += "\nqueue: \(queue): \(assessed - alreadyQueued) queued, \(alreadyQueued) already queued, \(conflicts.count) in conflict"
        }
        guard timings else { return out + "\n" }
        out += "\nrate: " + String(format: "%.1f referrals/s, %.2f MB/s over %.2f s on %d thread%@", rate, megabytesPerSecond, seconds, jobs,
                                   jobs == 1 ? "" : "s")
        return out + "\n"
    }

    func json(timings: Bool = true) -> String {
        let bandCounts = Band.allCases.map { "\"\($0.rawValue)\":\(bands[$0, default: 0])" }.joined(separator: ",")
        let categoryCounts = Category.allCases.compactMap { c in categories[c.rawValue].map { "\"\(c.rawValue)\":\($0)" } }.joined(separator: ",")
        let rejects = rejected.map { "{\"line\":\($0.line),\"id\":\($0.id.map(JSON.quoted) ?? "null"),\"reason\":\(JSON.quoted($0.reason))}" }
        // "rejected" lists the first `keptRejections`; "rejected_count" counts them all.
        return "{\"assessed\":\(assessed),\"rejected\":[\(rejects.joined(separator: ","))],\"rejected_count\":\(rejectedCount),\"bands\":{\(bandCounts)},"
            + "\"categories\":{\(categoryCounts)},\"cases\":\(cases),\"joined\":\(joined)"
            + (queue.map { ",\"queue\":{\"path\":\(JSON.quoted($0)),\"queued\":\(assessed - alreadyQueued),\"already_queued\":\(alreadyQueued),"
                + "\"conflicts\":[\(conflicts.map(JSON.quoted).joined(separator: ","))]}" } ?? "")
            + (timings ? String(format: ",\"seconds\":%.3f,\"referrals_per_s\":%.1f,\"mb_per_s\":%.2f,\"jobs\":%d", seconds, rate,
                                megabytesPerSecond, jobs) : "") + "}"
    }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
struct Progress {
    let enabled: Bool
    let total: Int?
    private var lastDraw: Double = -1

    init(enabled: Bool, total: Int?) {
        self.enabled = enabled
        self.total = total
    }

    mutating func update(done: Int, bytes: Int, since start: ContinuousClock.Instant) {
        guard enabled else { return }
        let elapsed = BatchCommand.seconds(ContinuousClock.now - start)
        guard elapsed - lastDraw >= 0.1 else { return }
        lastDraw = elapsed
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var line = "\r\u{1B}[K"
        if let total, total > 0 {
            let fraction = min(Double(bytes) / Double(total), 1)
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
                + String(format: "%3.0f%%  ", fraction * 100)
            if fraction > 0.01 {
                let remaining = elapsed / fraction - elapsed
                line += String(format: "ETA %d:%02d  ", Int(remaining) / 60, Int(remaining) % 60)
            }
        }
        line += String(format: "%d referrals  %.0f/s", done, rate)
        printError(line, newline: false)
    }

    mutating func clear() {
        guard enabled, lastDraw >= 0 else { return }
        printError("\r\u{1B}[K", newline: false)
        lastDraw = -1
    }
}

