// Fetch benchmark harness (release builds only; run by `make bench-fetch`,
// benchmarks/fetch/run.py, against a local nginx).
//
//   fetch-bench --base http://127.0.0.1:PORT --root DIR --list FILE --threads N [--rounds R]
//
// Fetches every path in FILE (relative to DIR and to the server's root) R
// times over N threads, each with its own Fetcher (no host throttle: the
// server is ours). Checks its own answers: each body's SHA-256 must equal the
// file's. Prints one JSON line: fetches/s, MB/s, failures.
import Crypto
import Foundation
import TriageModel
import PageFetch

struct Options {
    var base = "", root = "", list = "", threads = 1, rounds = 1
}

func parse() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        switch arg {
        case "--base": options.base = args.next()!
        case "--root": options.root = args.next()!
        case "--list": options.list = args.next()!
        case "--threads": options.threads = Int(args.next()!)!
        case "--rounds": options.rounds = Int(args.next()!)!
        default:
            FileHandle.standardError.write(Data("fetch-bench: unknown argument \(arg)\n".utf8))
            exit(64)
        }
    }
    return options
}

let options = parse()
let base = options.base, root = options.root, list = options.list, threads = options.threads, rounds = options.rounds
let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init)
let expected: [String: String] = Dictionary(uniqueKeysWithValues: paths.map { path in
    let bytes = FileManager.default.contents(atPath: root + "/" + path) ?? Data()
    return (path, SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
})
let port = UInt16(base.split(separator: ":").last!)!
let jobs = (0..<rounds).flatMap { _ in paths }

final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var next = 0, bytes = 0, failures = 0, mismatches = 0
}
let tally = Tally()
let clock = ContinuousClock()
let started = clock.now
DispatchQueue.concurrentPerform(iterations: threads) { _ in
    let fetcher = Fetcher(limits: FetchLimits(), policy: DestinationPolicy(allowedLoopbackPort: port))
    while true {
        let index = tally.lock.withLock { () -> Int in
            defer { tally.next += 1 }
            return tally.next
        }
        guard index < jobs.count else { return }
        let path = jobs[index]
        let (record, body) = fetcher.fetch(base + "/" + path)
        tally.lock.withLock {
            tally.bytes += body.count
            if record.failure != nil { tally.failures += 1 } else if record.sha256 != expected[path] { tally.mismatches += 1 }
        }
    }
}
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
let result: [String: Any] = ["threads": threads, "fetches": jobs.count, "seconds": seconds, "fetches_per_s": Double(jobs.count) / seconds,
                             "mb_per_s": Double(tally.bytes) / 1e6 / seconds, "failures": tally.failures, "mismatches": tally.mismatches]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
if tally.failures > 0 || tally.mismatches > 0 { exit(1) }
