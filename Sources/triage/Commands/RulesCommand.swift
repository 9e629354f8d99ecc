import ArgumentParser
import Encoders
import Foundation
import TriageRules

/// `triage rules`: check, test (and later compile and inspect) rule sets.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test, compile and describe rule sets.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self, RulesCompileCommand.self, RulesInfoCommand.self]
    )
}
