import ArgumentParser
import Encoders
import TriageRules

/// `triage rules`: check, test (and later compile and inspect) rule sets.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test, compile and describe rule sets.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self, RulesCompileCommand.self, RulesInfoCommand.self]
    )
}

/// Options shared by every command that reads rule sources.
struct RuleSourceOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Rule files, folders of .rules files, or one compiled rule set.", valueName: "PATH"))
    var paths: [String]

    @Flag(name: .long, help: "Treat warnings as errors (for CI).")
    var warningsAsErrors = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one rule file or folder") }
    }

    /// Whether the one path given is a compiled rule set rather than sources.
    var isCompiledFile: Bool { Self.isCompiledFile(paths) }

    static func isCompiledFile(_ paths: [String]) -> Bool { paths.count == 1 && RuleSetFile.isCompiledRuleSet(path: paths[0]) }

    /// Loads a compiled rule set (no diagnostics) or compiles the sources;
    /// the caller prints the diagnostics in its own format.
    /// A compiled file that cannot be loaded is reported and exits with 1.
    func compile() throws -> (CompiledRules?, Diagnostics) {
        try Self.compile(paths, warningsAsErrors: warningsAsErrors, command: "rules", exitCode: 1)
    }

    /// How every command reads rules given as paths: one compiled file, or
    /// sources compiled in memory. A compiled file that cannot be loaded is
    /// reported as `triage COMMAND: …` and exits with `exitCode`.
    static func compile(_ paths: [String], warningsAsErrors: Bool = false, command: String, exitCode: Int32) throws
        -> (CompiledRules?, Diagnostics) {
        if isCompiledFile(paths) {
            do { return (try RuleSetFile.load(path: paths[0]), Diagnostics()) } catch {
                printError("triage \(command): \(error)")
                throw ExitCode(exitCode)
            }
        }
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
        let (rules, diagnostics) = try sources.compile()
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
        let (compiled, diagnostics) = try sources.compile()
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
                output.write("  matched: none of its patterns\n")
            }
            for hit in outcome.evidence {
                let name = rules.strings[hit.string.index].name
                // Offsets and text of the example as written, whichever view matched.
                let spans = hit.spans.map { span in
                    let source = outcome.views.source(of: span)
                    let view = span.view == .normalized ? "" : " (\(span.view.rawValue))"
                    return "\(source.lowerBound)-\(source.upperBound) \"\(displayText(outcome.example.text[source]))\"\(view)"
                }
                output.write("  matched: $\(name) ×\(hit.count): \(spans.joined(separator: ", "))\n")
            }
        }
        let rulesWithExamples = Set(outcomes.map(\.rule.id)).count
        output.write("\(outcomes.count - failed) examples passed, \(failed) failed (\(rulesWithExamples) rules)\n")
        output.flush()
        if failed > 0 { throw ExitCode(1) }
    }
}

struct RulesCompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile rule sources into one file that loads in milliseconds.",
        discussion: "Exit status: 0 written, 1 errors in the rules (nothing is written), 2 the file could not be written."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write the compiled rule set.", valueName: "FILE"))
    var output: String

    func validate() throws {
        if sources.isCompiledFile { throw ValidationError("\(sources.paths[0]) is already compiled; give rule sources") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let (compiled, diagnostics) = try sources.compile()
        printError(DiagnosticRenderer.text(diagnostics), newline: false)
        guard let rules = compiled else { throw ExitCode(1) }
        let elapsed = clock.now - started
        do { try RuleSetFile.write(rules, to: output) } catch {
            printError("triage rules compile: \(error)")
            throw ExitCode(2)
        }
        printError("compiled \(rules.rules.count) rules, \(rules.patternCount) patterns in \(elapsed.formatted(.units(allowed: [.milliseconds])))")
        printError("fingerprint \(rules.fingerprint) -> \(output)")
    }
}

struct RulesInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a rule set: fingerprint, counts, automata, taxonomy.",
        discussion: "Takes a compiled rule set or rule sources."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: .long, help: "text or json.")
    var format: DiagnosticFormat = .text

    func run() throws {
        let (compiled, diagnostics) = try sources.compile()
        guard let rules = compiled else {
            printError(DiagnosticRenderer.text(diagnostics), newline: false)
            throw ExitCode(1)
        }
        let byCategory = Category.allCases.map { category in (category, rules.rules.filter { $0.category == category }.count) }
        let byStatus = RuleStatus.allCases.map { status in (status, rules.rules.filter { $0.status == status }.count) }
        var output = OutputWriter()
        switch format {
        case .text:
            output.write("fingerprint  \(rules.fingerprint)\n")
            output.write("sources      \(rules.sourcePaths.joined(separator: ", "))\n")
            output.write("rules        \(rules.rules.count) (" + byStatus.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ") + ")\n")
            output.write("patterns     \(rules.strings.count) declared, \(rules.patternCount) distinct literals\n")
            output.write("automata     \(rules.matcherSummaries.count): \(rules.stateCount) states, \(rules.automatonMemory) bytes\n")
            for m in rules.matcherSummaries {
                output.write("  \(m.view.rawValue)\(m.caseInsensitive ? ", case-insensitive" : ", exact case"): \(m.kind), \(m.patterns) literals, \(m.states) states, \(m.memory) bytes\n")
            }
            output.write("categories\n")
            for (category, count) in byCategory { output.write("  \(category.rawValue.padding(toLength: 34, withPad: " ", startingAt: 0)) \(count)\n") }
        case .json:
            let categories = byCategory.map { "\(JSON.quoted($0.0.rawValue)):\($0.1)" }.joined(separator: ",")
            let statuses = byStatus.map { "\(JSON.quoted($0.0.rawValue)):\($0.1)" }.joined(separator: ",")
            let automata = rules.matcherSummaries.map {
                "{\"view\":\(JSON.quoted($0.view.rawValue)),\"case_insensitive\":\($0.caseInsensitive),\"kind\":\(JSON.quoted($0.kind)),\"patterns\":\($0.patterns),\"states\":\($0.states),\"memory\":\($0.memory)}"
            }.joined(separator: ",")
            output.write("{\"fingerprint\":\(JSON.quoted(rules.fingerprint.description)),\"rules\":\(rules.rules.count),\"status\":{\(statuses)},\"patterns\":\(rules.strings.count),\"literals\":\(rules.patternCount),\"states\":\(rules.stateCount),\"memory\":\(rules.automatonMemory),\"automata\":[\(automata)],\"categories\":{\(categories)}}\n")
        }
        output.flush()
    }
}
