import ArgumentParser
import Foundation
import Logging
import TriageModel
import PageFetch
import TriageEngine

/// `triage check`: one page or referral, fully explained.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Assess one page or referral and explain the result.",
        discussion: """
            FILE is a page (HTML or text), a referral if it ends in .json or .ndjson (the first \
            record, in the batch input's format; fetched if it has a URL and no content), or an \
            http(s) URL, which is fetched: only public addresses, at most 5 redirects, within the \
            fetch limits. The fetch (each hop, the address, the status, the SHA-256 of the body as \
            received) is part of the assessment. The text output starts with the band and score, then \
            the lines that add up to the score, then each rule's evidence: the text around each match \
            and its byte offsets in the page.

            Exit status: 0 assessed, 2 the input, rules or policy could not be used, 3 the URL \
            could not be fetched (the assessment, band PENDING, says why).
            """
    )

    @Argument(help: ArgumentHelp("A page or referral file, an http(s) URL to fetch, or - for a page on standard input.", valueName: "FILE|URL"))
    var input: String

    @OptionGroup var options: TriageOptions

    @Option(name: .long, help: "Output as text (for people) or json.")
    var format: AssessmentFormat = .text

    @Option(name: .long, help: ArgumentHelp("The page's Content-Type (default: worked out from the bytes).", valueName: "TYPE"))
    var contentType: String?

    @Option(name: .long, help: "The page's address, for the case it joins.")
    var url: String?

    @Option(name: .long, help: "Who reported it: public, trusted-flagger, platform or internal.")
    var source: String = "public"

    @OptionGroup(title: "Fetching (a URL, or a referral with a URL and no content)") var fetchOptions: FetchOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let rules = try options.loadRules(command: "check")
        let policy = try options.loadPolicy(command: "check")
        let referral = try readReferral()
        let output = StandardOutput()
        let sink: any AssessmentSink = format == .text ? TextSink(output, style: .explanation) : NDJSONSink(output)
        // A fetch thread (and its libcurl handle) only when there is something to fetch.
        let fetching = referral.wantsFetching(refetch: false) ? fetchOptions.fetching(command: "check") : nil
        let run = BatchRun(rules: rules, policy: policy,
                           options: BatchRun.Options(jobs: 1, limits: options.scanLimits, fetching: fetching, noTimings: options.noTimings),
                           sinks: [sink], logger: Logger(label: "triage.batch"))
        let summary = try run.run([ReferralReader.Record.referral(referral, line: 1)])
        if summary.unfetched > 0 { throw ExitCode(3) }
    }

    private func readReferral() throws -> Referral {
        guard let source = Referral.Source(rawValue: source) else {
            printError("triage check: unknown source `\(source)` (public, trusted-flagger, platform, internal)")
            throw ExitCode(64)
        }
        let lower = input.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return Referral(id: input, url: input, content: .none, source: source)
        }
        if lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") {
            let reader: ReferralReader
            do { reader = try ReferralReader(path: input, format: .ndjson) } catch {
                printError("triage check: \(error)")
                throw ExitCode(2)
            }
            switch reader.next() {
            case let .referral(referral, _)?: return referral
            case let .rejected(error)?:
                printError("triage check: \(error)")
                throw ExitCode(2)
            case nil:
                printError("triage check: \(input): no referral in it")
                throw ExitCode(2)
            }
        }
        let data: Data?
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: input)
        }
        guard let data else {
            printError("triage check: \(input): cannot be read")
            throw ExitCode(2)
        }
        let id = input == "-" ? "stdin" : (input as NSString).lastPathComponent
        return Referral(id: id, url: url, content: .bytes(Array(data)), contentType: contentType, source: source)
    }
}
