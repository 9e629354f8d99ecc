import ArgumentParser
import Encoders
import Foundation
import TriageRules

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
