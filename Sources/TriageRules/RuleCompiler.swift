import Artefacts
import AhoCorasick

/// Compiles rule sources into an immutable `CompiledRules`, reporting every
/// problem in every file in one run.
///
/// Steps: load each file and what it includes (each file once; an include
/// cycle is a diagnostic); parse; declare every rule under its namespace;
/// check each rule (metadata, patterns, condition, examples); reject rule
/// reference cycles; then build one automaton per (text view, case) so a
/// scan is one pass per view, however many rules there are.
public struct RuleCompiler: Sendable {
    /// Reads a file's bytes by path.
    public typealias FileReader = @Sendable (String) throws -> [UInt8]

    private let reader: FileReader

    public init(reader: @escaping FileReader = RuleCompiler.readFile) {
        self.reader = reader
    }

    /// Reads a file from disk.
    public static let readFile: FileReader = { path in
        try MappedFile(path: path).withUnsafeBytes { Array($0) }
    }

    /// Compiles the files at `paths` and everything they include.
    /// Returns nil rules when there is any error.
    public func compile(paths: [String]) -> (rules: CompiledRules?, diagnostics: Diagnostics) {
        var loader = SourceLoader(reader: reader)
        for path in paths { loader.load(path, from: nil) }
        return compile(loaded: loader.files, diagnostics: loader.diagnostics)
    }

    /// Compiles in-memory sources (includes are read with the reader).
    public func compile(sources: [SourceFile]) -> (rules: CompiledRules?, diagnostics: Diagnostics) {
        var loader = SourceLoader(reader: reader)
        for source in sources { loader.add(source) }
        return compile(loaded: loader.files, diagnostics: loader.diagnostics)
    }

    private func compile(loaded: [RuleFileSyntax], diagnostics loadDiagnostics: Diagnostics) -> (rules: CompiledRules?, diagnostics: Diagnostics) {
        var checker = RuleChecker()
        checker.diagnostics.append(contentsOf: loadDiagnostics)
        let rules = checker.check(loaded)
        guard !checker.diagnostics.hasErrors else { return (nil, checker.diagnostics) }
        do {
            let compiled = try CompiledRules.build(rules: rules, patterns: checker.patterns, sources: loaded.map(\.file))
            return (compiled, checker.diagnostics)
        } catch {
            var diagnostics = checker.diagnostics
            let file = loaded.first?.file ?? SourceFile(path: "<rules>", bytes: [])
            diagnostics.append(Diagnostic(.unreadableFile, "the rule set is too large to compile: \(error)",
                                          at: SourceSpan(file: file, start: 0, end: 0)))
            return (nil, diagnostics)
        }
    }
}

/// Loads files and their includes, each once.
///
/// A rule file is text someone may have damaged or aimed elsewhere: an
/// include must name a `.rules` file, by a path of at most
/// `maxIncludePathBytes`, at most `maxIncludeDepth` deep, and a file with a
/// NUL byte is not read as rules. A refused file is named, never quoted
/// (`include "/etc/passwd"` once printed its lines as syntax errors).
struct SourceLoader {
    static let maxIncludeDepth = 16
    static let maxIncludePathBytes = 1_024

    let reader: RuleCompiler.FileReader
    var files: [RuleFileSyntax] = []
    var diagnostics = Diagnostics()
    private var loaded: Set<String> = []
    private var stack: [String] = []

    init(reader: @escaping RuleCompiler.FileReader) { self.reader = reader }

    mutating func load(_ path: String, from include: SourceSpan?) {
        let key = SourceLoader.normalize(path)
        if stack.contains(key) {
            if let include {
                diagnostics.append(Diagnostic(.includeCycle, "`\(path)` includes itself through \(stack.joined(separator: " -> "))",
                                              at: include))
            }
            return
        }
        guard !loaded.contains(key) else { return }
        if let include {
            if path.utf8.count > Self.maxIncludePathBytes {
                diagnostics.append(Diagnostic(.includeRefused, "include path of \(path.utf8.count) bytes; at most \(Self.maxIncludePathBytes)",
                                              at: include))
                return
            }
            if !path.hasSuffix(".rules") {
                diagnostics.append(Diagnostic(.includeRefused, "cannot include `\(path)`: not a rule file (`.rules`); it was not read",
                                              at: include))
                return
            }
            if stack.count >= Self.maxIncludeDepth {
                diagnostics.append(Diagnostic(.includeRefused, "cannot include `\(path)`: includes nest more than \(Self.maxIncludeDepth) deep "
                                              + "(\(stack.joined(separator: " -> ")))", at: include))
                return
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try reader(path)
        } catch {
            if let include {
                diagnostics.append(Diagnostic(.includeNotFound, "cannot include `\(path)`: \(error)", at: include))
            } else {
                let file = SourceFile(path: path, bytes: [])
                diagnostics.append(Diagnostic(.unreadableFile, "cannot read rule file: \(error)", at: SourceSpan(file: file, start: 0, end: 0)))
            }
            return
        }
        loaded.insert(key)
        if bytes.contains(0) {
            let message = "`\(path)` is not rule source (it holds NUL bytes); it was not read"
            if let include {
                diagnostics.append(Diagnostic(.includeRefused, message, at: include))
            } else {
                diagnostics.append(Diagnostic(.unreadableFile, message, at: SourceSpan(file: SourceFile(path: path, bytes: []), start: 0, end: 0)))
            }
            return
        }
        stack.append(key)
        add(SourceFile(path: path, bytes: bytes))
        stack.removeLast()
    }

    mutating func add(_ file: SourceFile) {
        loaded.insert(SourceLoader.normalize(file.path))
        let (syntax, parsed) = Parser.parse(file)
        diagnostics.append(contentsOf: parsed)
        files.append(syntax)
        let directory = file.path.contains("/") ? String(file.path[..<file.path.lastIndex(of: "/")!]) + "/" : ""
        let pushed = !stack.contains(SourceLoader.normalize(file.path))
        if pushed { stack.append(SourceLoader.normalize(file.path)) }
        for include in syntax.includes {
            let target = include.path.hasPrefix("/") ? include.path : directory + include.path
            load(target, from: include.span)
        }
        if pushed { stack.removeLast() }
    }

    /// `a/./b/../c` → `a/c`, so one file is one key.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
