import ArgumentParser
import TriageRules

/// `triage rules`: check, test (and later compile and inspect) rule sets.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check and test rule sets.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self]
    )
}

/// Options shared by every command that reads rule sources.
struct RuleSourceOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Rule files, or folders of .rules files.", valueName: "PATH"))
    var paths: [String]

    @Flag(name: .long, help: "Treat warnings as errors (for CI).")
    var warningsAsErrors = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one rule file or folder") }
    }

    /// Compiles the sources; prints diagnostics to stderr in the chosen format.
    func compile(format: DiagnosticFormat) -> (CompiledRules?, Diagnostics) {
        var (rules, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand(paths))
        if warningsAsErrors && diagnostics.warningCount > 0 {
            diagnostics = diagnostics.promotingWarnings()
            rules = nil
        }
        return (rules, diagnostics)
    }
}

enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every problem in the given rule sets.",
        discussion: "Exit status: 0 no errors (warnings allowed unless --warnings-as-errors), 1 errors found."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: .long, help: "Diagnostics as text (for people) or json (for tools).")
    var format: DiagnosticFormat = .text

    func run() throws {
        let (rules, diagnostics) = sources.compile(format: format)
        switch format {
        case .text:
            printError(DiagnosticRenderer.text(diagnostics), newline: false)
            if let rules {
                printError("\(rules.rules.count) rules, \(rules.patternCount) patterns, fingerprint \(rules.fingerprint): ok")
            }
        case .json:
            var output = OutputWriter()
            output.write(DiagnosticRenderer.json(diagnostics))
            output.flush()
        }
        if rules == nil { throw ExitCode(1) }
    }
}

struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every rule's examples: `match` texts must match, `nomatch` texts must not.",
        discussion: "Exit status: 0 all examples pass, 1 an example failed or the rules do not compile."
    )

    @OptionGroup var sources: RuleSourceOptions

    func run() throws {
        let (compiled, diagnostics) = sources.compile(format: .text)
        printError(DiagnosticRenderer.text(diagnostics), newline: false)
        guard let rules = compiled else { throw ExitCode(1) }
        let outcomes = RuleTester.run(rules)
        var output = OutputWriter()
        var failed = 0
        for outcome in outcomes where !outcome.passed {
            failed += 1
            let expectation = outcome.example.shouldMatch ? "should match but did not" : "should not match but did"
            output.write("FAIL \(outcome.rule.qualifiedName) (\(outcome.rule.file):\(outcome.example.line)): example \(expectation)\n")
            output.write("  text: \(displayText(outcome.example.text))\n")
            if outcome.evidence.isEmpty {
                output.write("  matched: no pattern\n")
            }
            for hit in outcome.evidence {
                let name = rules.strings[hit.string.index].name
                let spans = hit.spans.map { "\($0.start)-\($0.end) \"\(displayText(outcome.example.text[$0.start..<$0.end]))\"" }
                output.write("  matched: $\(name) ×\(hit.count): \(spans.joined(separator: ", "))\n")
            }
        }
        let rulesWithExamples = Set(outcomes.map(\.rule.id)).count
        output.write("\(outcomes.count - failed) examples passed, \(failed) failed (\(rulesWithExamples) rules)\n")
        output.flush()
        if failed > 0 { throw ExitCode(1) }
    }
}
