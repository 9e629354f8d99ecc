import Encoders
import Foundation
import TriageEngine
import TriageRules

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
