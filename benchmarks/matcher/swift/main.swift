// The matcher benchmark's harness for this project's AhoCorasick: one
// configuration per run, one JSON line out. Driven by run.py, which runs the
// peers' harnesses with the same arguments and checks the counts agree.
//
//   matcher-bench --patterns FILE --haystack FILE --semantics overlapping|leftmost-longest
//                 [--ignore-case] [--automaton-kind auto|dfa|contiguous-nfa] [--repeat N]
import Artefacts
import AhoCorasick
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var patterns = ""
    var haystack = ""
    var semantics = "overlapping"
    var ignoreCase = false
    var automatonKind = "auto"
    var runs = 3

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("missing value for \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--patterns": patterns = value()
            case "--haystack": haystack = value()
            case "--semantics": semantics = value()
            case "--ignore-case": ignoreCase = true
            case "--automaton-kind": automatonKind = value()
            case "--repeat": runs = Int(value()) ?? 3
            default: fail("unknown argument \(arguments[i])")
            }
            i += 1
        }
        if patterns.isEmpty || haystack.isEmpty { fail("--patterns and --haystack are required") }
    }
}

func fail(_ message: String) -> Never {
    var line = "matcher-bench: \(message)\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(2)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func best(_ runs: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var fastest = Double.infinity
    for _ in 0..<max(runs, 1) {
        let start = clock.now
        body()
        fastest = min(fastest, seconds(clock.now - start))
    }
    return fastest
}

let options = Options(CommandLine.arguments)
let patternBytes: [UInt8]
let haystack: [UInt8]
do {
    patternBytes = try MappedFile(path: options.patterns).withUnsafeBytes { Array($0) }
    haystack = try MappedFile(path: options.haystack).withUnsafeBytes { Array($0) }
} catch {
    fail("\(error)")
}
// Lines of the patterns file, without the final newline.
var patterns = patternBytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
if patterns.last?.isEmpty == true { patterns.removeLast() }

var builder = AhoCorasickBuilder()
builder.asciiCaseInsensitive = options.ignoreCase
switch options.semantics {
case "overlapping": builder.matchKind = .standard
case "leftmost-longest": builder.matchKind = .leftmostLongest
default: fail("unknown semantics \(options.semantics)")
}
switch options.automatonKind {
case "auto": builder.kind = .automatic
case "dfa": builder.kind = .forced(.dfa)
case "contiguous-nfa": builder.kind = .forced(.contiguousNFA)
default: fail("unknown automaton kind \(options.automatonKind)")
}

var automaton: AhoCorasick!
let buildSeconds = best(options.runs) {
    automaton = try! builder.build(patterns)
}

// Load time: map + checksum + full structural validation of a saved file.
let savedPath = "/tmp/matcher-bench-\(getpid()).ac"
do { try automaton.write(toFile: savedPath) } catch { fail("\(error)") }
defer { unlink(savedPath) }
var loaded: AhoCorasick!
let loadSeconds = best(5) {
    loaded = try! AhoCorasick(contentsOfFile: savedPath)
}

// Iterate the matches (each one materialised and handed to a closure), as
// the engine does and as the peers' harnesses do; countMatches(in:) would be
// a shortcut no peer gets.
var count = 0
let scanSeconds = haystack.withUnsafeBytes { bytes in
    best(options.runs) {
        var n = 0
        loaded.forEachMatch(in: bytes) { _ in n += 1; return true }
        count = n
    }
}
let countedDirectly = haystack.withUnsafeBytes { loaded.countMatches(in: $0) }
if countedDirectly != count { fail("countMatches found \(countedDirectly), forEachMatch \(count)") }

let label = options.automatonKind == "auto" ? "triage (auto: \(automaton.kind))" : "triage (\(automaton.kind))"
print("""
    {"tool":"\(label)","count":\(count),"build_ms":\(buildSeconds * 1000),"load_ms":\(loadSeconds * 1000),\
    "scan_s":\(scanSeconds),"mb_per_s":\(Double(haystack.count) / 1e6 / scanSeconds),"memory":\(automaton.memoryUsage)}
    """)
