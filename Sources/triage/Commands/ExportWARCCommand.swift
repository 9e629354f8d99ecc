import ArgumentParser
import Foundation
import TriageModel
import PageFetch

/// `triage export-warc`: the queue's fetched captures as a WARC file.
struct ExportWARCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-warc",
        abstract: "Write the queue's fetched captures as WARC/1.1 records (for archives and courts).",
        discussion: """
            One warcinfo record, then for each capture the engine fetched (and has not purged) a response \
            record (status and headers as recorded, the body exactly as received, with SHA-256 payload and \
            block digests) and a metadata record with the fetch record: redirect hops, address, times and \
            TLS result. Captures submitted with a referral were not fetched and are not exported.

            Each body is checked against its recorded SHA-256 first: one that no longer matches is named \
            on standard error and left out, and the command exits 1.
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The WARC file to write (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Only captures made at or after this date or time (UTC).", valueName: "DATE"))
    var since: String?

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        if let since, QueueExportCommand.parse(since) == nil { throw ValidationError("--since \(since): expected a date (YYYY-MM-DD) or an ISO 8601 time") }
    }

    func run() throws {
        let store = try queue.open(command: "export-warc", reading: true)
        let fd: Int32
        if let output {
            fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                printError("triage export-warc: \(output): cannot be written")
                throw ExitCode(2)
            }
        } else {
            fd = STDOUT_FILENO
        }
        var writer = OutputWriter(fd: fd)
        writer.write(WARC.info(software: "triage 0.1 (\(Fetcher.curlVersion))"))
        var count = 0
        var tampered = 0
        try queueAction("export-warc") {
            try store.fetchedCaptures(since: since.flatMap(QueueExportCommand.parse), tampered: { caseID, sha256 in
                tampered += 1
                printError("triage export-warc: case \(caseID): the stored bytes of capture sha256:\(sha256) no longer match its SHA-256: "
                    + "not exported (run `triage queue verify`)")
            }) { _, record, body in
                if let records = WARC.records(for: record, body: body) {
                    writer.write(records)
                    count += 1
                }
            }
        }
        writer.flush()
        if output != nil { close(fd) }
        printError("triage export-warc: \(count) capture\(count == 1 ? "" : "s") written"
            + (tampered > 0 ? "; \(tampered) refused because their bytes were altered" : ""))
        if tampered > 0 { throw ExitCode(1) }
    }
}
