import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The queue file as processes meet it: created by several at once, locked
/// by another, or not writable by this user (issue 18, items 7 and 9).
@Suite("triage queue: the file, shared and locked")
struct QueueFileTests {
    static let referral = "{\"id\":\"F-1\",\"text\":\"SYNTHETIC TEST CONTENT. The attack plan is ready and the target list is drawn up.\"}\n"

    /// Regression: eight processes opening a new queue at the same moment
    /// failed with "table settings already exists" or "database is locked"
    /// (9 rounds of 10 before the fix). Now one creates and migrates it
    /// while the others wait, and every batch files its referral.
    @Test func processesCreatingOneQueueAtOnceAllSucceed() throws {
        let folder = try temporaryFolder("triage-queue-create")
        let input = folder.appendingPathComponent("one.ndjson")
        try Self.referral.write(to: input, atomically: true, encoding: .utf8)
        for round in 0..<3 {
            let db = folder.appendingPathComponent("new-\(round).sqlite").path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do {
                    let result = try TriageProcess.run(["batch", input.path, "--db", db, "--no-timings"])
                    if result.status != 0 { failures.withLock { $0.append(result.stderr) } }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            let stats = try TriageProcess.run(["queue", "stats", "--db", db, "--format", "json"])
            #expect(stats.stdout.contains("\"referrals\":1"), "round \(round): \(stats.stdout)")
            #expect(try TriageProcess.run(["queue", "verify", "--db", db]).status == 0)
        }
    }

    /// Regression: while another process held the write lock, every command,
    /// even `list`, failed after 10 s with "SQLite error 5: database is
    /// locked". Reading works at once; a change waits, then says what
    /// happened in words.
    @Test func aQueueLockedByAnotherProcessIsNamedInWords() throws {
        let db = try temporaryFolder("triage-queue-locked").appendingPathComponent("q.sqlite").path
        #expect(try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db]).status == 1)
        let holder = try LockHolder(db)
        defer { holder.release() }
        let list = try TriageProcess.run(["queue", "list", "--db", db, "--limit", "3"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(try TriageProcess.run(["queue", "stats", "--db", db]).status == 0)
        let claim = try TriageProcess.run(["queue", "claim", "--db", db, "--officer", "alice"])
        #expect(claim.status == 2)
        #expect(claim.stderr.contains("\(db) is locked by another process"), "\(claim.stderr)")
        #expect(!claim.stderr.contains("SQLite error"))
        holder.release()
        #expect(try TriageProcess.run(["queue", "claim", "--db", db, "--officer", "alice"]).status == 0)
    }

    /// Regression: a queue this user cannot write failed every command with
    /// "SQLite error 14: unable to open database file". Reading commands
    /// now work on it, and a change is refused in words. Run as `nobody`
    /// where the tests run as root (root writes any file).
    @Test func aReadOnlyQueueCanBeReadAndSaysWhyItCannotChange() throws {
        let folder = try temporaryFolder("triage-queue-readonly")
        let db = folder.appendingPathComponent("q.sqlite").path
        #expect(try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db]).status == 1)
        let caseID = try #require(try TriageProcess.run(["queue", "list", "--db", db, "--limit", "1"]).stdout
            .split(separator: "\n").dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first)
        let asRoot = getuid() == 0
        chmod(folder.path, asRoot ? 0o755 : 0o555)
        chmod(db, 0o444)
        defer {
            chmod(folder.path, 0o755)
            chmod(db, 0o644)
        }
        func run(_ arguments: [String]) throws -> TriageProcess.Result {
            try TriageProcess.run(arguments, runAs: asRoot ? "nobody" : nil)
        }
        for command in [["queue", "list"], ["queue", "stats"], ["queue", "verify"], ["queue", "show", String(caseID)],
                        ["queue", "export"]] {
            let result = try run(command + ["--db", db])
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        let claim = try run(["queue", "claim", "--db", db, "--officer", "alice"])
        #expect(claim.status == 2)
        #expect(claim.stderr.contains("\(db) is read-only"), "\(claim.stderr)")
        #expect(!claim.stderr.contains("SQLite error"))
        let batch = try run(["batch", "Samples/referrals.ndjson", "--db", db])
        #expect(batch.status == 2 && batch.stderr.contains("read-only"), "\(batch.stderr)")
    }
}

/// Another process holding a queue's write lock (an open IMMEDIATE
/// transaction), until released.
final class LockHolder {
    private let process = Process()
    private let input = Pipe()

    init(_ db: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.read()
            """, db]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("locked") else {
            throw POSIXError(.EIO)
        }
    }

    func release() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
