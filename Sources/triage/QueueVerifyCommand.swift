import ArgumentParser
import TriageEngine
import TriageStore

/// `triage queue verify`: the audit chain and the evidence hashes.
struct QueueVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chain, every referral against its intake entry, and every evidence hash; report the first break.",
        discussion: """
            Prints the chain's head: keep it outside the queue (a case file, a ticket) to detect later
            removal of the newest entries, which the chain alone cannot show.
            Exit status: 0 intact, 1 a break was found, 2 the queue could not be read.
            """
    )

    @OptionGroup var queue: QueueOptions

    func run() throws {
        let sqlite = try queue.open(command: "queue verify", reading: true)
        let report = try queueAction("queue verify") { try sqlite.verify() }
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

    func run() throws {
        let sqlite = try queue.open(command: "queue purge")
        let report = try queueAction("queue purge") { try sqlite.purge(olderThanDays: olderThan, officer: officer) }
        print("purged the evidence of \(report.cases) case\(report.cases == 1 ? "" : "s"): \(report.captures) captures, \(report.bytes) bytes")
    }
}

/// `triage queue sla`: service levels per band.
struct QueueSLACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: "Show or set how long a case of each band may wait before it is flagged overdue.",
        discussion: "Set with BAND=DURATION, e.g. `triage queue sla P1=1h P2=12h --officer NAME` (s, m, h, d). Changes are audited."
    )

    @OptionGroup var queue: QueueOptions

    @Argument(help: ArgumentHelp("BAND=DURATION to set; nothing to show.", valueName: "BAND=DURATION"))
    var levels: [String] = []

    @Option(name: .long, help: "Who changes them (required to set).")
    var officer: String?

    func validate() throws {
        for level in levels where Self.parse(level) == nil {
            throw ValidationError("\(level): expected BAND=DURATION, e.g. P1=1h (bands P1..P4, NFA, PENDING; units s, m, h, d)")
        }
        if !levels.isEmpty && officer == nil { throw ValidationError("setting service levels needs --officer") }
    }

    static func parse(_ text: String) -> (Band, Int64)? {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let band = Band(rawValue: String(parts[0]).uppercased()), let unit = parts[1].last,
              let count = Int64(parts[1].dropLast()), count > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        default: return nil
        }
        return (band, count * scale)
    }

    func run() throws {
        let sqlite = try queue.open(command: "queue sla")
        for level in levels {
            let (band, seconds) = Self.parse(level)!
            try queueAction("queue sla") { try sqlite.setServiceLevel(band, seconds: seconds, officer: officer!) }
        }
        let current = try queueAction("queue sla") { try sqlite.serviceLevels() }
        for band in Band.allCases {
            if let seconds = current.seconds[band] { print("\(band.rawValue)  \(QueueCase.age(seconds * 1000))") }
        }
    }
}
