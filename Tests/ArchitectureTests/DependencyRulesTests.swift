import Foundation
import Testing

/// The module layout's rules, checked against the package itself: the
/// target graph as SwiftPM reads `Package.swift` (`swift package
/// dump-package`), and the imports in each target's sources.
@Suite("Dependency rules")
struct DependencyRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Targets by name: their kind and direct dependencies.
    struct Target {
        var kind: String
        var dependencies: [String]
        var path: String?
    }

    static func targets() throws -> [String: Target] {
        // A scratch path of its own: `swift test` holds the package's build
        // folder, and reading the manifest needs nothing from it.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("triage-dump-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift package dump-package failed")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var targets: [String: Target] = [:]
        for target in try #require(json["targets"] as? [[String: Any]]) {
            let name = try #require(target["name"] as? String)
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency -> String? in
                // {"byName": [name, condition]}, {"product": [name, package, …]}, {"target": [name, condition]}
                (dependency.values.first as? [Any])?.first as? String
            }
            targets[name] = Target(kind: target["type"] as? String ?? "", dependencies: dependencies, path: target["path"] as? String)
        }
        return targets
    }

    /// Every target `name` depends on, directly or not (products of other
    /// packages by their product name).
    static func closure(of name: String, in targets: [String: Target]) -> Set<String> {
        var seen: Set<String> = []
        var stack = targets[name]?.dependencies ?? []
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack += targets[next]?.dependencies ?? []
        }
        return seen
    }

    /// C modules of this package: system libraries and targets with no Swift source.
    static func cModules(_ targets: [String: Target]) -> Set<String> {
        Set(targets.filter { name, target in
            if target.kind == "system" { return true }
            guard target.kind == "regular", target.path == nil else { return false }
            let folder = root.appendingPathComponent("Sources/\(name)")
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            return !files.isEmpty && !files.contains { $0.hasSuffix(".swift") }
        }.keys)
    }

    @Test func theEngineAndTheModelReachNoNetworkStoreOrForeignCLibrary() throws {
        let targets = try Self.targets()
        let c = Self.cModules(targets)
        #expect(c.isSuperset(of: ["CCurl", "CLibXML2", "CZlib", "CBrotli", "CICUShim", "CPrefetch"]), "\(c.sorted())")
        let forbidden: Set<String> = ["PageFetch", "TriageStore", "GRDB", "GRDBSQLite", "Codecs"]
        // The engine's own C: libxml2 through PageText, ICU's shim through
        // TextNormalizer, the prefetch hint through TriageRules.
        let allowed: [String: Set<String>] = [
            "TriageModel": [],
            "TriageEngine": ["CLibXML2", "CICUShim", "CPrefetch"],
            // The server knows the queue by the engine's protocols only.
            "TriageServer": ["CLibXML2", "CICUShim", "CPrefetch"],
            // A test of the engine links what the engine links, no more.
            "TriageEngineTests": ["CLibXML2", "CICUShim", "CPrefetch"],
        ]
        for (name, ownC) in allowed {
            let reached = Self.closure(of: name, in: targets)
            #expect(!reached.isEmpty, "\(name) is not in the package")
            #expect(reached.isDisjoint(with: forbidden), "\(name) reaches \(reached.intersection(forbidden).sorted())")
            #expect(reached.intersection(c).isSubset(of: ownC), "\(name) reaches C modules \(reached.intersection(c).subtracting(ownC).sorted())")
        }
    }

    /// Each C module is imported by the Swift sources of one target of
    /// `Sources/` (benchmark floors written in C and tests aside), and
    /// every module a target imports is one it declares.
    @Test func eachCModuleHasOneImporterAndEveryImportIsDeclared() throws {
        let targets = try Self.targets()
        let c = Self.cModules(targets)
        var importers: [String: Set<String>] = [:]
        let system: Set<String> = ["Foundation", "Glibc", "Musl", "Darwin", "Testing", "Dispatch", "FoundationEssentials", "Synchronization", "_Concurrency"]
        for (name, target) in targets where target.path == nil && target.kind != "system" && target.kind != "test" {
            let folder = Self.root.appendingPathComponent("Sources/\(name)")
            guard let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap({ $0 as? String }) else { continue }
            let declared = Self.closure(of: name, in: targets)
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let at = words.firstIndex(of: "import"), at < words.count - 1,
                          words[..<at].allSatisfy({ ["@testable", "internal", "public", "private", "@_exported"].contains($0) }) else { continue }
                    let module = String(words[at + 1])
                    if c.contains(module) { importers[module, default: []].insert(name) }
                    // Declared directly: an import that works only through
                    // another target's dependency breaks when that one changes.
                    if !system.contains(module) {
                        let direct = Set(targets[name]?.dependencies ?? [])
                        #expect(direct.contains(module) || (module == "Crypto" && declared.contains("Crypto")),
                                "\(name)/\(file) imports \(module) without declaring it")
                    }
                }
            }
        }
        for (module, names) in importers {
            #expect(names.count == 1, "\(module) is imported by \(names.sorted())")
        }
        #expect(importers["CCurl"] == ["PageFetch"] && importers["CLibXML2"] == ["PageText"] && importers["CICUShim"] == ["TextNormalizer"])
    }
}
