import ArgumentParser
import Encoders
import Foundation
import TriageRules

/// `triage rules info`: what a rule set or compiled file holds.
struct RulesInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a rule set: fingerprint, counts, automata, taxonomy.",
        discussion: "Takes a compiled rule set or rule sources."
    )

    @OptionGroup var sources: RuleSourceOptions

    @Option(name: .long, help: "text or json.")
    var format: DiagnosticFormat = .text

    @OptionGroup(title: "Logging") var logging: LoggingOptions

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
            output.write("patterns     \(rules.patterns.count) declared, \(rules.literalCount) distinct literals\n")
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
            output.write("{\"fingerprint\":\(JSON.quoted(rules.fingerprint.description)),\"rules\":\(rules.rules.count),\"status\":{\(statuses)},\"patterns\":\(rules.patterns.count),\"literals\":\(rules.literalCount),\"states\":\(rules.stateCount),\"memory\":\(rules.automatonMemory),\"automata\":[\(automata)],\"categories\":{\(categories)}}\n")
        }
        output.flush()
    }
}
