import ArgumentParser
import Foundation
import TriageEngine
import TriageStore

/// `batch --db`: assessments gathered into transactions for the queue. A
/// transaction holds up to 1,024 referrals (`SQLiteQueue.transactionSize`),
/// 64 MiB of their page bytes, or
/// half a second of them: a slow batch still commits (and reports)
/// steadily, and large pages do not pile up in memory.
struct QueueIntake {
    enum Outcome {
        /// Committed: the assessment with the queue's case and case size.
        case written(Assessment)
        /// The queue already held this referral with the same content.
        case alreadyQueued(Assessment)
        case conflict(id: String, reason: String)
    }

    let path: String
    private let queue: SQLiteQueue
    private let actor: String
    private var pending: [Assessed] = []
    private var firstPending: ContinuousClock.Instant?
    private var pendingBytes = 0
    /// Cases this batch opened (counted, not kept: the queue holds the cases).
    private(set) var casesOpened = 0

    init(path: String) throws {
        self.path = path
        do { queue = try SQLiteQueue(path: path) } catch {
            printError("triage batch: \(error)")
            throw ExitCode(2)
        }
        actor = "batch:" + NSUserName()
    }

    var isFull: Bool {
        pending.count >= SQLiteQueue.transactionSize || pendingBytes >= 64 << 20 || firstPending.map { ContinuousClock.now - $0 > .milliseconds(500) } ?? false
    }

    mutating func add(_ assessed: Assessed) {
        pending.append(assessed)
        pendingBytes += (assessed.content?.count ?? 0) + (assessed.refetched?.count ?? 0)
        if firstPending == nil { firstPending = .now }
    }

    /// Writes what is pending in one transaction; exits 2 if the queue
    /// cannot take it (what was committed before stays).
    mutating func commit() throws -> [Outcome] {
        guard !pending.isEmpty else { return [] }
        let outcomes: [IntakeOutcome]
        do { outcomes = try queue.enqueue(pending, actor: actor) } catch {
            printError("triage batch: \(error)")
            throw ExitCode(2)
        }
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
            firstPending = nil
        }
        return zip(pending, outcomes).map { item, outcome in
            var assessment = item.assessment
            switch outcome {
            case let .queued(caseID, caseSize, opened):
                (assessment.caseID, assessment.caseSize) = (caseID, caseSize)
                if opened { casesOpened += 1 }
                return .written(assessment)
            case let .alreadyQueued(caseID):
                assessment.caseID = caseID
                return .alreadyQueued(assessment)
            case let .conflict(reason):
                return .conflict(id: item.referral.id, reason: reason)
            }
        }
    }
}
