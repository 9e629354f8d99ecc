import AhoCorasick
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `triage scan`: raw multi-pattern matching over files, like `rg -F -f`.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find every occurrence of a list of literal patterns in files (like rg -F -f).",
        discussion: """
            PATTERNS FILE: one pattern per line; the pattern ID is the 0-based line number. A line \
            ending in CRLF loses the CR. An empty line is an empty pattern, which matches at every \
            position (a warning says so).

            OUTPUT (text):    PATH:START-END:ID:TEXT  (byte offsets; TEXT: the match)
            OUTPUT (ndjson):  {"input":"PATH","pattern":ID,"start":S,"end":E}
            --count:          PATH:N   or   {"input":"PATH","count":N}

            EXIT STATUS: 0 if anything matched, 1 if nothing did, 2 if an input or file could not \
            be read (the other inputs are still scanned), 64 for an invalid command line.
            """
    )

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    enum MatchKindArgument: String, ExpressibleByArgument, CaseIterable {
        case standard, leftmostFirst = "leftmost-first", leftmostLongest = "leftmost-longest"
        var kind: MatchKind {
            switch self {
            case .standard: .standard
            case .leftmostFirst: .leftmostFirst
            case .leftmostLongest: .leftmostLongest
            }
        }
    }

    enum AutomatonKindArgument: String, ExpressibleByArgument, CaseIterable {
        case auto, dfa, contiguousNFA = "contiguous-nfa"
        var choice: AutomatonKindChoice {
            switch self {
            case .auto: .automatic
            case .dfa: .forced(.dfa)
            case .contiguousNFA: .forced(.contiguousNFA)
            }
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, ndjson
    }

    @Option(name: .long, help: ArgumentHelp("Patterns to find, one per line.", valueName: "FILE"))
    var patterns: String?

    @Option(name: .long, help: ArgumentHelp("Load a compiled automaton (from --save) instead of --patterns.", valueName: "FILE"))
    var automaton: String?

    @Option(name: .long, help: ArgumentHelp("Write the compiled automaton to FILE.", valueName: "FILE"))
    var save: String?

    @Flag(name: [.customShort("i"), .long], help: "Match ASCII letters regardless of case; other bytes exactly.")
    var ignoreCase = false

    @Option(name: .long, help: "standard: every match, overlapping (the default); leftmost-first, leftmost-longest: non-overlapping.")
    var matchKind: MatchKindArgument?

    @Option(name: .long, help: "Automaton representation: auto, dfa, contiguous-nfa.")
    var automatonKind: AutomatonKindArgument = .auto

    @Flag(name: [.customShort("c"), .long], help: "Print only the number of matches per input.")
    var count = false

    @Option(name: .long, help: "Output format: text or ndjson.")
    var format: Format = .text

    @Flag(name: .long, help: "Print automaton statistics and timings to standard error.")
    var stats = false

    @Argument(help: ArgumentHelp("Files to scan; - for standard input.", valueName: "INPUT"))
    var inputs: [String] = []

    func validate() throws {
        switch (patterns, automaton) {
        case (nil, nil): throw ValidationError("give --patterns FILE or --automaton FILE")
        case (.some, .some): throw ValidationError("--patterns and --automaton cannot be used together")
        case (nil, .some):
            if matchKind != nil || ignoreCase || automatonKind != .auto {
                throw ValidationError("--match-kind, --ignore-case and --automaton-kind are fixed when an automaton is compiled; they cannot be changed with --automaton")
            }
            if save != nil { throw ValidationError("--save writes an automaton compiled from --patterns") }
        case (.some, nil): break
        }
        if inputs.isEmpty && save == nil { throw ValidationError("give at least one INPUT (or - for standard input)") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be scanned only once") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let automaton = try loadAutomaton()
        let ready = clock.now
        if stats {
            printError("automaton: \(automaton.kind), \(automaton.matchKind), \(automaton.patternCount) patterns, \(automaton.stateCount) states, \(automaton.byteClassCount) byte classes, \(automaton.memoryUsage) bytes; \(patterns != nil ? "built" : "loaded") in \(ready - started)")
        }
        if let save {
            do { try automaton.write(toFile: save) } catch {
                printError("triage scan: \(error)")
                throw ExitCode(2)
            }
        }
        var output = OutputWriter()
        var scanner = InputScanner(automaton: automaton, format: format, countOnly: count)
        var failed = false
        for input in inputs {
            do {
                try scanner.scan(input, into: &output)
            } catch {
                output.flush()
                printError("triage scan: \(error)")
                failed = true
            }
        }
        output.flush()
        if stats {
            printError("scanned \(scanner.bytesScanned) bytes, \(scanner.totalMatches) matches in \(clock.now - ready)")
        }
        if failed { throw ExitCode(2) }
        if !inputs.isEmpty && scanner.totalMatches == 0 { throw ExitCode(1) }
    }

    private func loadAutomaton() throws -> AhoCorasick {
        if let path = automaton {
            do { return try AhoCorasick(contentsOfFile: path) } catch {
                printError("triage scan: \(error)")
                throw ExitCode(2)
            }
        }
        let list: PatternList
        do { list = try PatternList(contentsOfFile: patterns!) } catch {
            printError("triage scan: \(error)")
            throw ExitCode(2)
        }
        for line in list.emptyLines.prefix(3) {
            printError("triage scan: warning: \(patterns!):\(line): empty pattern, it matches at every position")
        }
        var builder = AhoCorasickBuilder()
        builder.matchKind = matchKind?.kind ?? .standard
        builder.asciiCaseInsensitive = ignoreCase
        builder.kind = automatonKind.choice
        do { return try list.withPatterns { patterns throws(BuildError) in try builder.build(patterns) } } catch {
            printError("triage scan: \(patterns!): \(error)")
            throw ExitCode(2)
        }
    }
}
