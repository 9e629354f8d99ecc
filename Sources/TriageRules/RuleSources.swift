import Foundation

/// Turns the paths a user gives into rule files: a directory means every
/// `.rules` file below it, in sorted order, so a rule set is reproducible.
public enum RuleSources {
    public static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)  // a file, or a missing path the compiler will report
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = (manager.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".rules") }
                .sorted()
            files += found.map { base + "/" + $0 }
        }
        return files
    }
}
