import ArgumentParser
import TriageModel
import TriageEngine

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

    @OptionGroup(title: "Logging") var logging: LoggingOptions

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
        let store = try queue.open(command: "queue sla")
        for level in levels {
            let (band, seconds) = Self.parse(level)!
            try queueAction("queue sla") { try store.setServiceLevel(band, seconds: seconds, officer: officer!) }
        }
        let current = try queueAction("queue sla") { try store.serviceLevels() }
        for band in Band.allCases {
            if let seconds = current.seconds[band] { print("\(band.rawValue)  \(Timestamp.age(seconds * 1000))") }
        }
    }
}
