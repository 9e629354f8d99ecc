/// A problem found in rule sources, reported the way a compiler reports one:
/// a stable code, a severity, where, what, and how to fix it.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    /// A secondary location with its own short message ("first declared here").
    public struct Label: Sendable, Hashable {
        public let span: SourceSpan
        public let message: String
    }

    public let code: Code
    public let severity: Severity
    public let message: String
    /// The primary location; the caret goes under it.
    public let span: SourceSpan
    /// A short note shown under the caret.
    public let note: String?
    /// One line on how to fix it.
    public let hint: String?
    public let labels: [Label]

    init(_ code: Code, _ message: String, at span: SourceSpan, note: String? = nil, hint: String? = nil,
         labels: [Label] = [], severity: Severity? = nil) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
        self.span = span
        self.note = note
        self.hint = hint ?? code.hint
        self.labels = labels
    }

    /// The same diagnostic as a warning or an error.
    func with(severity: Severity) -> Diagnostic {
        Diagnostic(code, message, at: span, note: note, hint: hint, labels: labels, severity: severity)
    }
}

extension Diagnostic {
    /// Stable diagnostic codes. Never renumber: tools and golden files depend on them.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        // Source text
        case syntax = "R001"
        case unterminatedString = "R002"
        case unknownEscape = "R003"
        case invalidUTF8 = "R004"
        case nestingTooDeep = "R005"
        case emptyPattern = "R006"
        case badInteger = "R007"
        // Metadata
        case unknownMetadata = "R010"
        case invalidMetadata = "R011"
        case missingMetadata = "R012"
        case missingRequiredMetadata = "R013"
        case duplicateMetadata = "R014"
        case missingCondition = "R015"
        // Names
        case duplicateRule = "R020"
        case duplicatePatternName = "R021"
        case undefinedPattern = "R022"
        case undefinedRule = "R023"
        case ruleCycle = "R024"
        case conflictingModifiers = "R025"
        case duplicateModifier = "R026"
        // Files
        case includeNotFound = "R030"
        case includeCycle = "R031"
        case unreadableFile = "R032"
        case includeRefused = "R033"
        // Warnings about what a rule will do
        case unusedPattern = "R040"
        case duplicatePattern = "R041"
        case shortPattern = "R042"
        case neverMatches = "R043"
        case alwaysTrue = "R044"
        case noExamples = "R045"

        public var defaultSeverity: Severity {
            switch self {
            case .unusedPattern, .duplicatePattern, .shortPattern, .neverMatches, .alwaysTrue,
                 .missingMetadata, .noExamples, .duplicateModifier:
                .warning
            default:
                .error
            }
        }

        /// The default one-line hint.
        var hint: String? {
            switch self {
            case .unknownEscape: "escapes are \\\", \\\\, \\n, \\t, \\r and \\xNN"
            case .invalidUTF8: "save the file as UTF-8"
            case .nestingTooDeep: "split the condition into smaller rules and reference them by name"
            case .unknownMetadata: "the keys are description, category, severity, weight, reference, author, reviewed, status"
            case .missingRequiredMetadata: "every rule needs category, severity and weight"
            case .duplicateRule: "rename one of them; rule names are unique within a namespace"
            case .undefinedPattern: "declare it under `strings:` or fix the name"
            case .ruleCycle: "a rule cannot depend on itself, directly or through other rules"
            case .conflictingModifiers: "`exact` matches the raw text, `noleet` the normalised view and the default (`leet`) the leet view: a pattern has one view; declare two patterns for two"
            case .unusedPattern: "use it in the condition or remove it"
            case .shortPattern: "patterns under 3 bytes match almost everywhere; add context, or match it `exact fullword`"
            case .noExamples: "add `match` and `nomatch` examples so `triage rules test` can prove the rule"
            case .includeRefused: "include only rule files (`.rules`), by a path of at most 1,024 bytes, at most 16 includes deep"
            default: nil
            }
        }
    }
}

/// All the diagnostics of one compilation, in the order found.
public struct Diagnostics: Sendable, Sequence {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    mutating func append(_ diagnostic: Diagnostic) { items.append(diagnostic) }
    mutating func append(contentsOf other: Diagnostics) { items += other.items }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var errorCount: Int { items.filter { $0.severity == .error }.count }
    public var warningCount: Int { items.filter { $0.severity == .warning }.count }
    public func makeIterator() -> IndexingIterator<[Diagnostic]> { items.makeIterator() }

    /// Warnings promoted to errors, for `--warnings-as-errors`.
    public func promotingWarnings() -> Diagnostics {
        var copy = Diagnostics()
        copy.items = items.map { $0.with(severity: .error) }
        return copy
    }

    /// Sorted by file, then position, then code, so output is stable.
    public var sorted: [Diagnostic] {
        items.sorted { ($0.span.file.path, $0.span.start, $0.code.rawValue) < ($1.span.file.path, $1.span.start, $1.code.rawValue) }
    }
}
