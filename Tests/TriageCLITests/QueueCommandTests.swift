import Foundation
import Testing
import TestSupport
import TriageModel
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// The queue as officers and batches use it: separate processes sharing one file.
@Suite("triage queue", .serialized)
struct QueueCommandTests {
    /// `count` synthetic referrals as NDJSON: every fifth shares a URL with
    /// an earlier one, some carry an indicator phrase from the example rules.
    static func referrals(_ count: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed)
        let phrases = ["the attack plan is ready and the target list is drawn up", "join our ranks today, recruits wanted",
                       "a recipe for bread and a walk in the park", "the weather was mild all week"]
        var out = ""
        for i in 0..<count {
            let url = i % 5 == 4 ? "https://example.invalid/p/\(i - 1)" : "https://example.invalid/p/\(i)"
            let filler = String(repeating: "ordinary words about nothing in particular ", count: Int(random.next() % 20) + 1)
            let text = "SYNTHETIC TEST CONTENT \(i). " + phrases[Int(random.next() % UInt64(phrases.count))] + ". " + filler
            out += "{\"id\":\"Q-\(i)\",\"url\":\"\(url)\",\"text\":\"\(text)\",\"source\":\"public\"}\n"
        }
        return out
    }

    @Test func helpIsDocumented() throws {
        var all = ""
        for command in ["list", "show", "claim", "release", "decide", "reopen", "note", "stats", "export", "verify", "purge", "sla"] {
            let result = try TriageProcess.run(["queue", command, "--help"])
            #expect(result.status == 0)
            all += "== triage queue \(command) --help\n" + result.stdout
        }
        let group = try TriageProcess.run(["queue", "--help"])
        try expectGolden("== triage queue --help\n" + group.stdout + all, golden("queue-help.txt"))
    }

    @Test func batchIntoTheQueueTwiceAddsNothing() throws {
        let folder = try temporaryFolder("triage-queue")
        let db = folder.appendingPathComponent("q.sqlite").path
        let first = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db, "--no-timings"])
        #expect(first.status == 1)  // the samples' malformed lines
        #expect(first.stdout.contains("queue: \(db): 46 queued, 0 already queued, 0 in conflict"))
        let second = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db, "--no-timings"])
        #expect(second.stdout.contains("queue: \(db): 0 queued, 46 already queued, 0 in conflict"))
        let stats = try TriageProcess.run(["queue", "stats", "--db", db, "--format", "json"])
        #expect(stats.status == 0)
        #expect(stats.stdout.contains("\"cases\":41") && stats.stdout.contains("\"referrals\":46"))

        // The same id with other content is a conflict, reported, not merged.
        let changed = folder.appendingPathComponent("changed.ndjson")
        try "{\"id\":\"R-0042\",\"text\":\"different words entirely\"}\n".write(to: changed, atomically: true, encoding: .utf8)
        let conflict = try TriageProcess.run(["batch", changed.path, "--db", db])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("conflict: referral R-0042 is already queued"))
        #expect(try TriageProcess.run(["queue", "verify", "--db", db]).status == 0)
    }

    @Test func officersWorkACaseThroughTheQueue() throws {
        let db = try temporaryFolder("triage-queue").appendingPathComponent("q.sqlite").path
        _ = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db])
        let list = try TriageProcess.run(["queue", "list", "--db", db, "--limit", "3"])
        #expect(list.status == 0 && list.stdout.hasPrefix("BAND") && list.stdout.split(separator: "\n").count == 4)
        let claim = try TriageProcess.run(["queue", "claim", "--db", db, "--officer", "alice"])
        #expect(claim.status == 0)
        let id = String(claim.stdout.prefix { $0 != "\n" })
        #expect(claim.stdout.contains("P1"))  // P1 cases come first
        let refused = try TriageProcess.run(["queue", "decide", id, "--db", db, "--decision", "refer-to-platform", "--reason", "x",
                                             "--officer", "bob"])
        #expect(refused.status == 2 && refused.stderr.contains("held by alice"))
        let decided = try TriageProcess.run(["queue", "decide", id, "--db", db, "--decision", "refer-to-platform",
                                             "--reason", "glorifies an attack", "--officer", "alice"])
        #expect(decided.status == 0)
        #expect(try TriageProcess.run(["queue", "note", id, "platform contacted", "--db", db, "--officer", "alice"]).status == 0)
        let show = try TriageProcess.run(["queue", "show", id, "--db", db])
        #expect(show.stdout.contains("decided: refer-to-platform by alice"))
        #expect(show.stdout.contains("evidence:") && show.stdout.contains("history:") && show.stdout.contains("\"glorifies an attack\""))
        let export = try TriageProcess.run(["queue", "export", "--db", db, "--format", "csv"])
        #expect(export.stdout.split(separator: "\n").count == 42)  // header and 41 cases
        #expect(export.stdout.contains(",refer-to-platform,") && export.stdout.contains("glorifies an attack"))
        let aggregate = try TriageProcess.run(["queue", "export", "--db", db, "--aggregate", "--format", "ndjson"])
        #expect(aggregate.stdout.contains("{\"count\":1,\"group\":\"decision\",\"key\":\"refer-to-platform\"}"))
    }

    @Test func badInputGetsAClearErrorAndExitCode() throws {
        let folder = try temporaryFolder("triage-queue")
        let db = folder.appendingPathComponent("q.sqlite").path
        _ = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db])
        let unknown = try TriageProcess.run(["queue", "show", "case-0000", "--db", db])
        #expect(unknown.status == 2 && unknown.stderr.contains("no case or referral case-0000 in \(db)"))
        let decision = try TriageProcess.run(["queue", "decide", "x", "--db", db, "--decision", "delete-it", "--reason", "r", "--officer", "a"])
        #expect(decision.status == 64 && decision.stderr.contains("delete-it"))
        let claim = try TriageProcess.run(["queue", "claim", "--db", db, "--officer", "alice"])
        let id = String(claim.stdout.prefix { $0 != "\n" })
        let empty = try TriageProcess.run(["queue", "decide", id, "--db", db, "--decision", "no-further-action", "--reason", " ", "--officer", "alice"])
        #expect(empty.status == 2 && empty.stderr.contains("needs a reason"))
        let notOurs = folder.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: notOurs, atomically: true, encoding: .utf8)
        let foreign = try TriageProcess.run(["queue", "list", "--db", notOurs])
        #expect(foreign.status == 2 && foreign.stderr.contains("\(notOurs) is not a triage queue"))
        let missing = folder.appendingPathComponent("typo.sqlite").path
        let typo = try TriageProcess.run(["queue", "list", "--db", missing])
        #expect(typo.status == 2 && typo.stderr.contains("no queue at \(missing)"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// Officers claiming at the same moment from separate processes never get the same case.
    @Test func concurrentClaimsNeverShareACase() throws {
        let db = try temporaryFolder("triage-queue").appendingPathComponent("q.sqlite").path
        _ = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db])
        let results = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 48) { i in
            let officer = i % 2 == 0 ? "alice" : "bob"
            if let result = try? TriageProcess.run(["queue", "claim", "--db", db, "--officer", officer]), result.status == 0 {
                results.withLock { $0.append(String(result.stdout.prefix { $0 != "\n" })) }
            }
        }
        let claimed = results.withLock { $0 }
        #expect(claimed.count == 41)  // every case once, then nothing left
        #expect(Set(claimed).count == claimed.count)
        let verify = try TriageProcess.run(["queue", "verify", "--db", db])
        #expect(verify.status == 0)
    }

    /// SIGKILL at random points: what was printed as accepted is in the
    /// queue, the queue verifies, and a re-run completes without duplicates.
    @Test func killedBatchesLoseNothingAccepted() throws {
        let folder = try temporaryFolder("triage-queue")
        let db = folder.appendingPathComponent("q.sqlite").path
        let input = folder.appendingPathComponent("referrals.ndjson")
        let total = 3000
        try Self.referrals(total, seed: 7).write(to: input, atomically: true, encoding: .utf8)
        var random = SeededRandom(seed: 2026)
        var kills = 0
        for _ in 0..<10 {
            let process = Process()
            process.executableURL = TriageProcess.executable
            process.arguments = ["batch", input.path, "--db", db, "--format", "ndjson", "--no-timings", "--jobs", "2"]
            process.currentDirectoryURL = TriageProcess.packageRoot
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(100_000 + random.next() % 1_500_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            let printed = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            // Lines printed in full were committed first.
            let accepted = String(decoding: printed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
                .filter { $0.hasSuffix("}") }
                .compactMap { line in line.firstRange(of: "\"referral\":\"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) } }
            let queue = try SQLiteQueue(path: db)
            for id in accepted { _ = try queue.show(id) }
            #expect(try queue.verify().isIntact)
        }
        #expect(kills > 0)
        let rerun = try TriageProcess.run(["batch", input.path, "--db", db, "--no-timings"])
        #expect(rerun.status == 0)
        let queue = try SQLiteQueue(path: db)
        let stats = try queue.stats()
        #expect(stats.referrals == total)
        var filed = 0
        try queue.export { filed += $0.queueCase.referrals }
        #expect(filed == total)  // every referral in exactly one case, none twice
        #expect(try queue.verify().isIntact)
    }
}

/// The progress bar: drawn on a terminal, never in a pipe or with ndjson.
@Suite("triage batch progress")
struct ProgressTests {
    /// Runs `triage ARGS` with standard error on a pseudo-terminal
    /// (`script` from util-linux), standard output discarded; returns what
    /// the terminal showed.
    static func onTerminal(_ arguments: [String]) throws -> String {
        let command = ([TriageProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ") + " > /dev/null"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qefc", command, "/dev/null"]
        process.currentDirectoryURL = TriageProcess.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let shown = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: shown, as: UTF8.self)
    }

    @Test func aTerminalSeesRateAndETAAndAPipeSeesNone() throws {
        let folder = try temporaryFolder("triage-queue")
        let input = folder.appendingPathComponent("referrals.ndjson")
        try QueueCommandTests.referrals(1500, seed: 3).write(to: input, atomically: true, encoding: .utf8)

        let terminal = try Self.onTerminal(["batch", input.path, "--jobs", "1"])
        let draws = terminal.components(separatedBy: "\r\u{1B}[K").filter { $0.hasPrefix("[") }
        #expect(draws.count >= 2, "expected the bar redrawn as the batch goes: \(terminal.prefix(300))")
        #expect(draws.contains { $0.contains("ETA") && $0.contains("referrals") && $0.contains("/s") })
        // Counts only go up, and the bar is cleared before the summary.
        let counts = draws.compactMap { draw in
            draw.firstRange(of: /([0-9]+) referrals/).flatMap { Int(draw[$0].prefix { $0.isNumber }) }
        }
        #expect(counts == counts.sorted())
        #expect(terminal.hasSuffix("\r\u{1B}[K"))

        let ndjson = try Self.onTerminal(["batch", input.path, "--jobs", "1", "--format", "ndjson"])
        #expect(!ndjson.contains("\u{1B}[K") && !ndjson.contains("ETA"))

        let piped = try TriageProcess.run(["batch", input.path, "--jobs", "1"])
        #expect(!piped.stderr.contains("\u{1B}") && !piped.stdout.contains("\u{1B}"))
    }
}

/// A value behind a lock, for results gathered from concurrent work.
final class Mutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
