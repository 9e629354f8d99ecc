import ArgumentParser
import Encoders
import Foundation
import TriageRules

/// `triage rules test`: run each rule's examples.
struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every rule's examples: `match` texts must match, `nomatch` texts must not.",
        discussion: "Exit status: 0 all examples pass, 1 an example failed or the rules do not compile."
    )

    @OptionGroup var sources: RuleSourceOptions

    @OptionGroup(title: "Logging") var logging: LoggingOptions

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
                let name = rules.patterns[hit.pattern.index].name
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
