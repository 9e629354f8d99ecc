import Encoders
import TriageModel
import Foundation
import TriageModel
import TriageRules

/// What a batch did, for its last lines.
public struct BatchSummary: Sendable {
    public var assessed = 0
    /// Referrals left PENDING because fetching their URL failed.
    public var unfetched = 0
    /// Records rejected, and the first `keptRejections` of them (each is
    /// also printed as it happens): a batch of bad lines does not grow memory.
    public var rejectedCount = 0
    public var rejected: [ReferralError] = []
    public static let keptRejections = 100
    /// Rejected lines the text summary names.
    public static let namedRejections = 20
    public var bands: [Band: Int] = [:]
    public var categories: [String: Int] = [:]
    public var joined = 0
    public var cases = 0
    public var bytes = 0
    public var seconds = 0.0
    public var jobs = 1
    /// With --db: the queue, referrals it already held, and ids in conflict.
    public var queue: String?
    public var alreadyQueued = 0
    public var conflicts: [String] = []

    public mutating func reject(_ error: ReferralError) {
        rejectedCount += 1
        if rejected.count < Self.keptRejections { rejected.append(error) }
    }

    public mutating func add(_ a: Assessment) {
        assessed += 1
        bytes += a.pageBytes ?? 0
        bands[a.band, default: 0] += 1
        for category in a.categories { categories[category, default: 0] += 1 }
        if a.caseSize > 1 { joined += 1 }
        if a.band == .pending, a.fetch?.failure != nil { unfetched += 1 }
    }

    public init() {}

    /// Adds what `other` counted (a worker's runs, one after another).
    public mutating func merge(_ other: BatchSummary) {
        assessed += other.assessed
        unfetched += other.unfetched
        rejectedCount += other.rejectedCount
        rejected += other.rejected.prefix(max(0, Self.keptRejections - rejected.count))
        for (band, n) in other.bands { bands[band, default: 0] += n }
        for (category, n) in other.categories { categories[category, default: 0] += n }
        joined += other.joined
        cases += other.cases
        bytes += other.bytes
        seconds += other.seconds
        queue = queue ?? other.queue
        alreadyQueued += other.alreadyQueued
        conflicts += other.conflicts
    }

    public var rate: Double { seconds > 0 ? Double(assessed) / seconds : 0 }
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }

    /// The summary for a person; `timings: false` leaves out the rate line
    /// (the one part that differs between runs).
    public func text(timings: Bool = true) -> String {
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

    public func json(timings: Bool = true) -> String {
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
