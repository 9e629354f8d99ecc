import Foundation
import Testing
@testable import TriageRules

let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let packageRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()

struct MissingFile: Error, CustomStringConvertible {
    let path: String
    var description: String { "no such file" }
}

/// Reads rule files relative to `folder`, with a stable error for a missing one.
func reader(in folder: URL) -> RuleCompiler.FileReader {
    let base = folder.path
    return { path in
        guard let data = FileManager.default.contents(atPath: base + "/" + path) else { throw MissingFile(path: path) }
        return Array(data)
    }
}

/// Compiles one in-memory rule file.
func compile(_ text: String, path: String = "test.rules") -> (CompiledRules?, Diagnostics) {
    RuleCompiler(reader: { throw MissingFile(path: $0) }).compile(sources: [SourceFile(path: path, text: text)])
}

/// Metadata that satisfies the checker, for tests about other things.
let completeMeta = """
    meta:
        description = "test"
        category = "context"
        severity = 0
        weight = 0
        reference = "none"
        author = "tests"
        reviewed = "2026-01-01"
"""

/// A rule with complete metadata and the given strings and condition.
func ruleSource(_ name: String = "r", strings: String, condition: String, status: String? = nil) -> String {
    var meta = completeMeta
    if let status { meta += "\n        status = \"\(status)\"" }
    return """
    rule \(name) {
    \(meta)
        strings:
    \(strings)
        condition:
            \(condition)
        examples:
            nomatch "zzz"
    }

    """
}

