import ArgumentParser
import Encoders
import Foundation
import TriageModel
import TriageEngine
import TriageRules

/// `triage queue export`: cases and decisions for a case-management system,
/// or aggregate counts for a transparency report.
struct QueueExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export cases and decisions (csv or ndjson), or aggregate counts with --aggregate.",
        discussion: """
            Cases changed at or after --since (a date, 2026-11-01, or a time, 2026-11-01T09:00:00Z), in the \
            order they were opened. With --aggregate: referrals received and cases opened since then, by \
            state, decision, band and primary category.
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .long, help: "csv or ndjson.")
    var format: Format = .csv

    @Option(name: .long, help: ArgumentHelp("Only cases changed (with --aggregate: opened) at or after this date or time (UTC).", valueName: "DATE"))
    var since: String?

    @Flag(name: .long, help: "Counts for a transparency report instead of cases.")
    var aggregate = false

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, ndjson
    }

    func validate() throws {
        if let since, Self.parse(since) == nil { throw ValidationError("--since \(since): expected a date (YYYY-MM-DD) or an ISO 8601 time") }
    }

    static func parse(_ text: String) -> Int64? { Timestamp.parse(text)?.milliseconds }

    func run() throws {
        let store = try queue.open(command: "queue export", reading: true)
        let cutoff = since.flatMap(Self.parse)
        var output = OutputWriter()
        if aggregate {
            let counts = try queueAction("queue export") { try store.aggregate(since: cutoff) }
            if format == .csv { output.write("group,key,count\n") }
            for (group, key, count) in counts { output.write(ExportRow.aggregateLine(group: group, key: key, count: count, csv: format == .csv)) }
        } else {
            if format == .csv { output.write(ExportRow.csvHeader) }
            try queueAction("queue export") {
                try store.export(since: cutoff) { row in output.write(format == .ndjson ? row.jsonLine : row.csvLine) }
            }
        }
        output.flush()
    }
}
