import Foundation
import Testing
import TestSupport

@Suite("triage check and batch")
struct TriageCommandTests {
    @Test func helpIsDocumented() throws {
        for command in ["check", "batch"] {
            let result = try TriageProcess.run([command, "--help"])
            #expect(result.status == 0)
            try expectGolden(result.stdout, golden("\(command)-help.txt"))
        }
    }

    /// Every command's help reads cleanly in an 80-column terminal: each
    /// paragraph is wrapped by ArgumentParser alone (no hard line breaks
    /// wrapped a second time), so no line but the usage line passes 80
    /// columns, and no paragraph line is left a word or two long.
    @Test func helpFitsEightyColumns() throws {
        let commands = [["batch"], ["check"], ["scan"], ["extract"], ["rules"], ["recheck"], ["export-warc"], ["queue"]]
            + ["check", "test", "compile", "info"].map { ["rules", $0] }
            + ["list", "show", "claim", "release", "decide", "reopen", "note", "stats", "export", "verify", "purge", "sla"].map { ["queue", $0] }
        for command in commands {
            let result = try TriageProcess.run(command + ["--help"], columns: 80)
            #expect(result.status == 0)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines where !line.hasPrefix("USAGE:") {
                #expect(line.count <= 80, "\(command.joined(separator: " ")): \(line)")
            }
            // The overview paragraphs (up to USAGE): a line followed by a
            // line of text is a full line, not a remnant of a second wrap
            // (rows of a table, set out with runs of spaces, excepted).
            let overview = lines.prefix { !$0.hasPrefix("USAGE:") }
            for (line, next) in zip(overview, overview.dropFirst())
            where !line.isEmpty && !next.isEmpty && !line.hasPrefix(" ") && !line.contains("  ") {
                #expect(line.count + 1 + (next.split(separator: " ").first?.count ?? 0) >= 80,
                        "\(command.joined(separator: " ")): a short line in a paragraph: \(line)")
            }
        }
    }

    /// `--log-level info`: rule loading, each queue transaction, rejected
    /// records and the run's end are logged on standard error, one line
    /// each in the documented format; standard output stays NDJSON. At the
    /// default level nothing is logged.
    @Test func logsGoToStandardErrorInTheirFormat() throws {
        let folder = try temporaryFolder("triage-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("q.sqlite").path
        let result = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--db", db, "--format", "ndjson", "--log-level", "info"])
        #expect(result.status == 1, "\(result.stderr)")  // the samples' malformed lines
        for line in result.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        let logFormat = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trace|debug|info|notice|warning|error|critical) triage\.[a-z]+: [^\[]+( \[.*\])?$/
        let logs = result.stderr.split(separator: "\n").filter { $0.wholeMatch(of: /^\d{4}-.*/) != nil }
        for line in logs { #expect(line.wholeMatch(of: logFormat) != nil, "\(line)") }
        #expect(logs.contains { $0.contains(" info triage.rules: rules loaded [") && $0.contains(" fingerprint=sha256:") })
        #expect(logs.contains { $0.contains(" info triage.queue: intake [") && $0.contains("filed=\"46 referrals") }, "\(logs)")
        #expect(logs.contains { $0.contains(" notice triage.queue: created [") })
        #expect(logs.filter { $0.contains(" notice triage.batch: rejected [") }.count == 7)
        #expect(logs.contains { $0.contains(" info triage.batch: run finished [") && $0.contains("assessed=46") })

        let quiet = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--format", "ndjson"])
        #expect(!quiet.stderr.split(separator: "\n").contains { $0.wholeMatch(of: logFormat) != nil }, "\(quiet.stderr)")
    }

    /// Every sample page, explained: the golden files are what an officer reads.
    @Test func checkEverySamplePage() throws {
        var all = ""
        for page in ScanCommandTests.pageFiles {
            let result = try TriageProcess.run(["check", page, "--no-timings"])
            #expect(result.status == 0, "\(page): \(result.stderr)")
            all += "== \(page)\n" + result.stdout
        }
        try expectGolden(all, golden("check-samples.txt"))
    }

    @Test func checkAsJSONIsOneDeterministicObject() throws {
        let args = ["check", "Samples/pages/05-evasion-synthetic.html", "--format", "json", "--no-timings", "--url", "https://x.example/p"]
        let first = try TriageProcess.run(args), second = try TriageProcess.run(args)
        #expect(first.status == 0 && first.stdout == second.stdout)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(object["band"] as? String == "P1")
        let contributions = try #require(object["contributions"] as? [[String: Any]])
        #expect(contributions.reduce(0) { $0 + ($1["points"] as? Int ?? 0) } == object["score"] as? Int)
        #expect(object["canonical_url"] as? String == "https://x.example/p")
    }

    @Test func checkReadsAReferralFile() throws {
        let folder = try temporaryFolder("triage-check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("referral.json")
        try #"{"id":"one","text":"SYNTHETIC: join our ranks","source":"trusted-flagger"}"#.write(to: file, atomically: true, encoding: .utf8)
        let result = try TriageProcess.run(["check", file.path, "--no-timings"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("P3  score 39  recruitment"), "\(result.stdout)")
        #expect(result.stdout.contains("referral one  source trusted-flagger"))
    }

    @Test func batchListsSummarisesAndReportsBadLines() throws {
        let result = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--no-timings"])
        #expect(result.status == 1, "rejected lines make the exit status 1")
        try expectGolden(result.stdout, golden("batch-samples.txt"))
        try expectGolden(result.stderr, golden("batch-samples-rejected.txt"))
    }

    @Test func batchAsNDJSONKeepsTheSummaryOffStandardOutput() throws {
        let result = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--format", "ndjson", "--no-timings"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 46)
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any]) }
        #expect(result.stderr.contains("46 assessed, 7 rejected"))
        try expectGolden(result.stdout, golden("batch-samples.ndjson"))
    }

    @Test func manyRejectedLinesAreCountedNotAllListed() throws {
        let folder = try temporaryFolder("triage-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("bad.ndjson")
        let lines = (1...150).map { "{\"id\":\"r\($0)\",\"source\":\"nobody\",\"text\":\"x\"}" }
        try (lines.joined(separator: "\n") + "\n{\"id\":\"ok\",\"text\":\"fine\"}\n").write(to: input, atomically: true, encoding: .utf8)
        let text = try TriageProcess.run(["batch", input.path, "--no-timings", "--dry-run"])
        #expect(text.status == 1)
        let named = (1...20).map(String.init).joined(separator: ", ")
        #expect(text.stdout.hasPrefix("151 referrals read: 1 assessed, 150 rejected (lines \(named) and 130 more)\n"), "\(text.stdout)")
        #expect(text.stderr.components(separatedBy: "rejected: ").count == 151, "each rejection is still reported as it happens")
        let json = try TriageProcess.run(["batch", input.path, "--no-timings", "--format", "json"])
        let summary = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Any])
        #expect(summary["rejected_count"] as? Int == 150)
        #expect((summary["rejected"] as? [Any])?.count == 100)
    }

    @Test func oneThreadOrTwoGiveTheSameOutput() throws {
        let one = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--format", "ndjson", "--no-timings", "--jobs", "1"])
        let two = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--format", "ndjson", "--no-timings", "--jobs", "2"])
        #expect(one.stdout == two.stdout && !one.stdout.isEmpty)
    }

    @Test func batchReadsCSV() throws {
        let result = try TriageProcess.run(["batch", "Samples/referrals.csv", "--no-timings"])
        #expect(result.status == 1)
        try expectGolden(result.stdout, golden("batch-csv.txt"))
        #expect(result.stderr.contains("referrals.csv:7: referral C-0005: unknown source `nobody`"))
    }

    @Test func dryRunWritesOnlyTheSummary() throws {
        let result = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--dry-run", "--no-timings"])
        #expect(result.stdout.hasPrefix("53 referrals read: 46 assessed, 7 rejected"))
    }

    /// Regression (issue 18, item 6): 10 MB of `a` with the pattern `aaaa`
    /// kept 10 million matches, 470 MB. A scan keeps at most
    /// `--max-matches` per view, counts the rest, and says the assessment is
    /// incomplete; with a limit past the page's matches it keeps them all
    /// again, which shows what the limit saves.
    @Test func matchesPastTheLimitAreCountedInBoundedMemory() throws {
        let folder = try temporaryFolder("triage-match-cap")
        let page = folder.appendingPathComponent("a.html")
        try Data(("<p>" + String(repeating: "a", count: 10_000_000) + "</p>").utf8).write(to: page)
        let rules = folder.appendingPathComponent("a.rules")
        try """
            rule aaaa {
                meta:
                    description = "a run of one letter"
                    category = "context"
                    severity = 1
                    weight = 1
                    reference = "synthetic test rule"
                    author = "tests"
                    reviewed = "2026-12-07"
                strings:
                    $a = "aaaa"
                condition:
                    $a
            }
            """.write(to: rules, atomically: true, encoding: .utf8)
        let check = ["check", page.path, "--rules", rules.path, "--no-timings", "--format", "json"]
        let capped = try TriageProcess.runMeasuringMemory(check + ["--max-matches", "100000"])
        let whole = try TriageProcess.runMeasuringMemory(check + ["--max-matches", "20000000"])
        #expect(capped.status == 0 && whole.status == 0)
        // Measured: about 115 MB capped, 485 MB keeping every match.
        #expect(capped.peakBytes < 250 << 20, "peak \(capped.peakBytes >> 20) MiB with the limit")
        #expect(whole.peakBytes > capped.peakBytes + (200 << 20), "peak \(whole.peakBytes >> 20) MiB without it")

        // What it says, on a smaller page.
        let small = folder.appendingPathComponent("small.html")
        try Data(("<p>" + String(repeating: "a", count: 100_000) + "</p>").utf8).write(to: small)
        let result = try TriageProcess.run(["check", small.path, "--rules", rules.path, "--no-timings", "--format", "json", "--max-matches", "1000"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let incomplete = try #require(object["incomplete"] as? [[String: Any]])
        #expect(incomplete.first?["limit"] as? String == "matches_per_view" && incomplete.first?["value"] as? Int == 1000)
        let hit = try #require((object["hits"] as? [[String: Any]])?.first)
        #expect(hit["matches"] as? Int == 99_997)
        let text = try TriageProcess.run(["check", small.path, "--rules", rules.path, "--no-timings", "--max-matches", "1000"])
        #expect(text.stdout.contains("more matches than a scan keeps (1000 per view)"))
        let invalid = try TriageProcess.run(check + ["--max-matches", "0"])
        #expect(invalid.status != 0 && invalid.stderr.contains("--max-matches must be at least 1"))
    }

    @Test func unusableRulesOrPolicyExitTwo() throws {
        let rules = try TriageProcess.run(["check", "Samples/pages/04-benign.html", "--rules", "Samples/indicators.txt"])
        #expect(rules.status == 2)
        let policy = try TriageProcess.run(["batch", "Samples/referrals.ndjson", "--policy", "/nonexistent/policy.json"])
        #expect(policy.status == 2 && policy.stderr.contains("/nonexistent/policy.json: cannot be read"))
        let input = try TriageProcess.run(["batch", "/nonexistent/referrals.ndjson"])
        #expect(input.status == 2 && input.stderr.contains("/nonexistent/referrals.ndjson: cannot be opened"))
    }

    /// Regression: an empty rule file, an empty folder, an empty compiled
    /// file or a set of only shadow and disabled rules was accepted, and
    /// every page came out NFA with exit 0. Refused, unless a test asks.
    @Test func aRuleSetWithNoActiveRuleIsRefused() throws {
        let folder = try temporaryFolder("triage-empty-rules")
        let empty = folder.appendingPathComponent("empty.rules")
        try Data().write(to: empty)
        let emptyFolder = folder.appendingPathComponent("none")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        let compiled = folder.appendingPathComponent("empty.trc").path
        #expect(try TriageProcess.run(["rules", "compile", empty.path, "-o", compiled]).status == 0)
        let shadowed = folder.appendingPathComponent("shadowed.rules")
        try """
            rule trial : trial {
                meta:
                    description = "A rule being tried on live traffic"
                    category = "recruitment"
                    severity = 3
                    weight = 10
                    reference = "synthetic test rule"
                    author = "tests"
                    reviewed = "2026-12-04"
                    status = "shadow"
                strings:
                    $a = "join our ranks"
                condition:
                    $a
                examples:
                        match "Come and join our ranks."
                    nomatch "A bread recipe."
            }
            rule retired : trial {
                meta:
                    description = "A rule no longer used"
                    category = "recruitment"
                    severity = 3
                    weight = 10
                    reference = "synthetic test rule"
                    author = "tests"
                    reviewed = "2026-12-04"
                    status = "disabled"
                strings:
                    $a = "join our ranks"
                condition:
                    $a
                examples:
                        match "Come and join our ranks."
                    nomatch "A bread recipe."
            }
            """.write(to: shadowed, atomically: true, encoding: .utf8)
        #expect(try TriageProcess.run(["rules", "check", shadowed.path]).status == 0)
        for rules in [empty.path, emptyFolder.path, compiled, shadowed.path] {
            for command in [["check", "Samples/pages/01-threat-synthetic.html"], ["batch", "Samples/referrals.ndjson"]] {
                let result = try TriageProcess.run(command + ["--rules", rules])
                #expect(result.status == 2 && result.stderr.contains("\(rules) has no active rule"), "\(command[0]) \(rules): \(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
        let allowed = try TriageProcess.run(["check", "Samples/pages/01-threat-synthetic.html", "--rules", empty.path, "--allow-no-active-rules"])
        #expect(allowed.status == 0 && allowed.stdout.hasPrefix("NFA"))
    }
}
