// The rules benchmark's harness: compile, save, load and scan one generated
// rule set; one JSON line out. Driven by benchmarks/rules/run.py.
//
//   rules-bench --rules FILE.rules --corpus corpus.html [--repeat N] [--load-only 1]
//
// Overheads are the median over rounds of each round's own ratio to the
// baseline; `*_best` compares the best round of each way instead.
import AhoCorasick
import Foundation
import TriageRules
import TextNormalizer

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var fastest = Double.infinity
    for _ in 0..<max(runs, 1) {
        let start = clock.now
        try body()
        fastest = min(fastest, seconds(clock.now - start))
    }
    return fastest
}

var arguments = [String: String]()
var i = 1
while i + 1 < CommandLine.arguments.count {
    arguments[CommandLine.arguments[i]] = CommandLine.arguments[i + 1]
    i += 2
}
guard let rulesPath = arguments["--rules"], let corpusPath = arguments["--corpus"] else {
    FileHandle.standardError.write("usage: rules-bench --rules FILE --corpus FILE [--repeat N]\n".data(using: .utf8)!)
    exit(2)
}
let runs = Int(arguments["--repeat"] ?? "3") ?? 3

// Compile (sources read once, outside the timing).
let source = SourceFile(path: rulesPath, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: rulesPath))))
var compiled: CompiledRules!
let compileSeconds = best(1) {
    let (rules, diagnostics) = RuleCompiler().compile(sources: [source])
    guard let rules else { fatalError(DiagnosticRenderer.text(diagnostics)) }
    compiled = rules
}
let compiledPath = NSTemporaryDirectory() + "rules-bench-\(getpid()).trs"
defer { try? FileManager.default.removeItem(atPath: compiledPath) }
try RuleSetFile.write(compiled, to: compiledPath)
let size = (try FileManager.default.attributesOfItem(atPath: compiledPath)[.size] as? Int) ?? 0
var loaded: CompiledRules!
// Loading: the median of 21 loads (map, check, read tables in place).
var loadTimes: [Double] = []
for _ in 0..<21 {
    let start = ContinuousClock().now
    loaded = try RuleSetFile.load(path: compiledPath)
    loadTimes.append(seconds(ContinuousClock().now - start))
}
let loadSeconds = loadTimes.sorted()[loadTimes.count / 2]
if arguments["--load-only"] != nil {
    print("load ms: min \(loadTimes.min()! * 1000) median \(loadSeconds * 1000)")
    exit(0)
}

// The corpus as pages (split after each </html>), views prepared up front:
// normalisation is the page-text stage's cost, not this one's.
let corpus = Array(try Data(contentsOf: URL(fileURLWithPath: corpusPath)))
var pages: [TextViews] = []
let normalizer = TextNormalizer()
var start = 0
let end = Array("</html>".utf8)
var k = 0
while k + end.count <= corpus.count {
    if corpus[k] == end[0] && Array(corpus[k..<(k + end.count)]) == end {
        pages.append(TextViews(Array(corpus[start..<(k + end.count)]), normalizer: normalizer))
        start = k + end.count
        k = start
    } else {
        k += 1
    }
}
if start < corpus.count { pages.append(TextViews(Array(corpus[start...]), normalizer: normalizer)) }

// Baseline: the same automata over the same views, every match collected
// with the fastest API (as any consumer of matches must get them, and as the
// rule scanner does). Rule evaluation: hits, conditions, evidence. The two
// are timed page by page, interleaved, alternating which goes first, so that
// both see the same machine state (timings on a shared VM drift by tens of
// per cent between runs) and neither always finds the page already cached.
var automatonMatches = 0
var ruleHits = 0
let automata = loaded.matcherSummaries.indices.map { loaded.automaton(at: $0) }
var buffer: [Match] = []
let scanner = RuleScanner(loaded)
let clock = ContinuousClock()
@MainActor func baselineScan(_ page: TextViews) -> Int {
    var n = 0
    for (view, automaton) in automata {
        page.bytes(view).withUnsafeBytes { bytes in
            buffer.removeAll(keepingCapacity: true)
            automaton.appendMatches(in: bytes, to: &buffer)
            n += buffer.count
        }
    }
    return n
}
// Three ways over each page, in rotating order: the bare automata, the rule
// scan reporting only which rules hold (condition evaluation), and the full
// rule scan with evidence (every span of every hit, as an assessment shows).
var scanSeconds = Double.infinity, conditionSeconds = Double.infinity, ruleSeconds = Double.infinity
var conditionHits = 0
// Per round, each way's extra time over the baseline of the same round:
// paired, so a round the machine ran slow or fast counts for both sides.
var conditionRounds: [Double] = [], evidenceRounds: [Double] = []
for _ in 0..<max(runs, 1) {
    var times = [Duration](repeating: .zero, count: 3)
    automatonMatches = 0
    ruleHits = 0
    conditionHits = 0
    for (index, page) in pages.enumerated() {
        for step in 0..<3 {
            let which = (index + step) % 3
            let t0 = clock.now
            switch which {
            case 0: automatonMatches += baselineScan(page)
            case 1: conditionHits += scanner.scan(page, evidence: false).count
            default: ruleHits += scanner.scan(page).count
            }
            times[which] += clock.now - t0
        }
    }
    conditionRounds.append((seconds(times[1]) - seconds(times[0])) / seconds(times[0]))
    evidenceRounds.append((seconds(times[2]) - seconds(times[0])) / seconds(times[0]))
    scanSeconds = min(scanSeconds, seconds(times[0]))
    conditionSeconds = min(conditionSeconds, seconds(times[1]))
    ruleSeconds = min(ruleSeconds, seconds(times[2]))
}
precondition(conditionHits == ruleHits, "evidence changed which rules hold")
// What the evidence amounts to (outside the timing).
var evidenceSpans = 0
for page in pages {
    for hit in scanner.scan(page) {
        for e in hit.evidence { evidenceSpans += e.spans.count }
    }
}
// For reference: the same scan only counting matches.
let countOnlySeconds = best(runs) {
    for page in pages {
        for (view, automaton) in automata {
            page.bytes(view).withUnsafeBytes { _ = automaton.countMatches(in: $0) }
        }
    }
}
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
func list(_ values: [Double]) -> String { "[" + values.map { String($0) }.joined(separator: ",") + "]" }
let mb = Double(corpus.count) / 1e6
print("""
    {"rules":"\(rulesPath)","rule_count":\(loaded.rules.count),"patterns":\(loaded.literalCount),\
    "compile_s":\(compileSeconds),"size":\(size),"load_ms":\(loadSeconds * 1000),"pages":\(pages.count),\
    "automaton_matches":\(automatonMatches),"rule_hits":\(ruleHits),"automata_s":\(scanSeconds),"rules_s":\(ruleSeconds),\
    "overhead":\(median(evidenceRounds)),"overhead_rounds":\(list(evidenceRounds)),\
    "overhead_best":\((ruleSeconds - scanSeconds) / scanSeconds),"conditions_s":\(conditionSeconds),\
    "condition_overhead":\(median(conditionRounds)),"condition_overhead_rounds":\(list(conditionRounds)),\
    "condition_overhead_best":\((conditionSeconds - scanSeconds) / scanSeconds),"evidence_spans":\(evidenceSpans),"count_only_s":\(countOnlySeconds),"mb_per_s":\(mb / ruleSeconds)}
    """)
