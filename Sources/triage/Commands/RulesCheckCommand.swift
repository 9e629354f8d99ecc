import ArgumentParser
import Encoders
import Foundation
import TriageRules

/// `triage rules check`: parse and check rule files, report diagnostics.
struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every problem in the given rule sets.",
        discussion: "Exit status: 0 no errors (warnings allowed unless --warnings-as-errors), 1 errors found."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: .long, help: "Diagnostics as text (for people) or json (for tools).")
    var format: DiagnosticFormat = .text

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        let (rules, diagnostics) = try sources.compile()
        switch format {
        case .text:
            printError(DiagnosticRenderer.text(diagnostics), newline: false)
            if let rules {
                printError("\(rules.rules.count) rules, \(rules.patterns.count) patterns (\(rules.literalCount) literals), fingerprint \(rules.fingerprint): ok")
            }
        case .json:
            var output = OutputWriter()
            output.write(DiagnosticRenderer.json(diagnostics))
            output.flush()
        }
        if rules == nil { throw ExitCode(1) }
    }
}
