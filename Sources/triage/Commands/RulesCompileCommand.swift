import ArgumentParser
import Encoders
import Foundation
import TriageRules

/// `triage rules compile`: a compiled rule-set file.
struct RulesCompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile rule sources into one file that loads in milliseconds.",
        discussion: "Exit status: 0 written, 1 errors in the rules (nothing is written), 2 the file could not be written."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write the compiled rule set.", valueName: "FILE"))
    var output: String

    @OptionGroup(title: "Logging") var logging: LoggingOptions

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
        printError("compiled \(rules.rules.count) rules, \(rules.patterns.count) patterns (\(rules.literalCount) literals) in \(elapsed.formatted(.units(allowed: [.milliseconds])))")
        printError("fingerprint \(rules.fingerprint) -> \(output)")
    }
}
