// Review-queue benchmark: enqueue throughput, claim and decide latency, and
// the database's size with a million cases. Release builds only; run by
// `make bench-queue` (benchmarks/queue/run.py), pinned to one core.
//
//   queue-bench --db PATH --cases N [--batch 1024] [--claims 2000] [--evidence]
//
// Assessments are the real pipeline's, over Samples/referrals.ndjson with
// the shipped rules (every band, hits with evidence snippets, PENDING), each
// stamped with a new id, URL and content fingerprint so that every referral
// opens its own case. Only the enqueue, claim and decide calls are timed.
// The benchmark checks its own answers: the queue must hold exactly N cases
// and N referrals, claims must come in queue order, and the audit chain must
// verify. Prints one JSON line.
import Foundation
import TriageModel
import TriageEngine
import TriageRules
import TriageStore

struct Options {
    var db = ""
    var cases = 1_000_000
    var batch = SQLiteQueue.transactionSize
    var claims = 2000
    var evidence = false
    var root = FileManager.default.currentDirectoryPath
}

func parse() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        switch arg {
        case "--db": options.db = args.next()!
        case "--cases": options.cases = Int(args.next()!)!
        case "--batch": options.batch = Int(args.next()!)!
        case "--claims": options.claims = Int(args.next()!)!
        case "--evidence": options.evidence = true
        case "--root": options.root = args.next()!
        default:
            FileHandle.standardError.write(Data("queue-bench: unknown argument \(arg)\n".utf8))
            exit(64)
        }
    }
    guard !options.db.isEmpty else {
        FileHandle.standardError.write(Data("queue-bench: --db PATH is required\n".utf8))
        exit(64)
    }
    return options
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("queue-bench: FAILED: \(message)\n".utf8))
    exit(1)
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

let options = parse()
for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.db + suffix) }

// Templates: the sample referrals as the pipeline assesses them.
let (compiled, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand([options.root + "/Rules"]))
guard let rules = compiled else { fail(DiagnosticRenderer.text(diagnostics)) }
let pipeline = TriagePipeline(rules: rules, policy: .default)
let templates: [(Referral, Assessment, [UInt8]?)] = try ReferralReader(path: options.root + "/Samples/referrals.ndjson").compactMap { record in
    guard case let .referral(referral, _) = record else { return nil }
    var assessment = pipeline.assess(referral)
    assessment.timings = nil
    return (referral, assessment, referral.readContent()?.bytes)
}

@MainActor func intake(_ i: Int) -> AssessedReferral {
    let (referral, template, content) = templates[i % templates.count]
    let id = "B-\(i)", url = "https://bench.example.invalid/\(i)"
    var assessment = template
    assessment.referral = id
    assessment.url = url
    assessment.canonicalURL = url
    assessment.contentFingerprint = assessment.contentFingerprint.map { _ in String(format: "%064x", i) }
    let bytes = options.evidence ? content.map { $0 + Array(" \(i)".utf8) } : nil
    return AssessedReferral(assessment: assessment,
                    referral: Referral(id: id, url: url, content: referral.content, source: referral.source, reportedAt: referral.reportedAt,
                                       reporterNote: referral.reporterNote),
                    content: bytes, contentType: referral.contentType)
}

let queue = try SQLiteQueue(path: options.db)
let clock = ContinuousClock()

// Enqueue, in transactions of `batch`, as `triage batch --db` does: each
// assessment prepared first (serialised, compressed, hashed), which a batch
// does on its assessing threads, then filed by the queue's single writer.
// Both are timed, apart.
var enqueueTime = Duration.zero, prepareTime = Duration.zero
var done = 0
var lastReport = clock.now
while done < options.cases {
    let n = min(options.batch, options.cases - done)
    var items = (done..<done + n).map(intake)
    let p0 = clock.now
    for index in items.indices { queue.prepare(&items[index]) }
    prepareTime += clock.now - p0
    let t0 = clock.now
    let outcomes = try queue.enqueue(items, actor: "bench")
    enqueueTime += clock.now - t0
    for outcome in outcomes {
        guard case .queued(_, 1, true) = outcome else { fail("expected a new case, got \(outcome)") }
    }
    done += n
    if clock.now - lastReport > .seconds(5) {
        lastReport = clock.now
        FileHandle.standardError.write(Data(String(format: "\r%d cases, %.0f/s", done, Double(done) / seconds(enqueueTime)).utf8))
    }
}
FileHandle.standardError.write(Data("\n".utf8))

let stats = try queue.stats()
guard stats.cases == options.cases && stats.referrals == options.cases else {
    fail("the queue holds \(stats.cases) cases and \(stats.referrals) referrals, expected \(options.cases)")
}

// Claim and decide, timing each call, at the full queue size.
var claimTimes: [Double] = [], decideTimes: [Double] = []
var previous: (Int, Int)? = nil
let decisions: [Decision] = [.referToPlatform, .noFurtherAction, .escalateToInvestigation]
for i in 0..<options.claims {
    let t0 = clock.now
    guard let claimed = try queue.claimNext(officer: "bench", lease: .seconds(1800), band: nil) else { fail("nothing to claim") }
    let t1 = clock.now
    _ = try queue.decide(claimed.id, decision: decisions[i % decisions.count], reason: "bench", officer: "bench")
    let t2 = clock.now
    claimTimes.append(seconds(t1 - t0) * 1000)
    decideTimes.append(seconds(t2 - t1) * 1000)
    let key = (Band.allCases.firstIndex(of: claimed.band)!, -claimed.score)
    if let previous, previous > key { fail("claims out of order: \(claimed.id) after a later case") }
    previous = key
}
claimTimes.sort()
decideTimes.sort()

let t0 = clock.now
let report = try queue.verify()
let verifySeconds = seconds(clock.now - t0)
guard report.isIntact else { fail("verify: \(report.auditBreak ?? report.evidenceBreak ?? "")") }

// Size: checkpoint the WAL into the file first.
try queue.checkpoint()
let bytes = ((try? FileManager.default.attributesOfItem(atPath: options.db))?[.size] as? Int) ?? 0
let evidenceBytes = try queue.evidenceBytes()

let result: [String: Any] = [
    "cases": options.cases, "batch": options.batch, "evidence": options.evidence,
    "enqueue_s": seconds(enqueueTime), "enqueue_per_s": Double(options.cases) / seconds(enqueueTime),
    "prepare_us": seconds(prepareTime) * 1e6 / Double(options.cases),
    "one_core_per_s": Double(options.cases) / (seconds(enqueueTime) + seconds(prepareTime)),
    "claims": options.claims,
    "claim_p50_ms": percentile(claimTimes, 0.5), "claim_p99_ms": percentile(claimTimes, 0.99), "claim_max_ms": claimTimes.last!,
    "decide_p50_ms": percentile(decideTimes, 0.5), "decide_p99_ms": percentile(decideTimes, 0.99),
    "db_bytes": bytes, "evidence_bytes": evidenceBytes, "audit_entries": report.auditEntries, "verify_s": verifySeconds,
    "templates": templates.count,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
