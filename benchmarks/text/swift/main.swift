// The page-text benchmark's harness. Page by page over the corpus, in
// rotating order so that none always runs on a warm cache:
//
// - ours: extraction, then normalisation (the normalised and leet views);
// - the floor: libxml2's SAX push parser driven from C, counting text only;
// - libxml2 building a tree from C, its text nodes walked.
//
// Interleaving page by page means a slow stretch of this (shared, noisy)
// machine slows all three alike; separate runs drifted by 20-40%. Each
// figure is the best of `--repeat` passes; latencies are from the first.
//
//   text-bench --corpus corpus.html [--repeat N] [--only ours|floor|tree]  ->  one JSON line
import Foundation
import PageText
import SAXFloor
import TextNormalizer

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

var arguments = [String: String]()
var i = 1
while i + 1 < CommandLine.arguments.count {
    arguments[CommandLine.arguments[i]] = CommandLine.arguments[i + 1]
    i += 2
}
guard let path = arguments["--corpus"] else {
    FileHandle.standardError.write("usage: text-bench --corpus FILE [--repeat N]\n".data(using: .utf8)!)
    exit(2)
}
let runs = max(Int(arguments["--repeat"] ?? "3") ?? 3, 1)
// `--only ours|floor|tree` runs one of the three (for profiling).
let only = arguments["--only"].map { ["ours": 0, "floor": 1, "tree": 2][$0] ?? -1 }
let corpus = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
// Pages end after each "</html>", as in the Python harness.
var pages: [[UInt8]] = []
let marker = Array("</html>".utf8)
var start = 0, k = 0
while k + marker.count <= corpus.count {
    if corpus[k] == marker[0] && corpus[k..<(k + marker.count)].elementsEqual(marker) {
        pages.append(Array(corpus[start..<(k + marker.count)]))
        start = k + marker.count
        k = start
    } else {
        k += 1
    }
}
if start < corpus.count { pages.append(Array(corpus[start...])) }

struct Totals {
    var extract = Duration.zero, normalize = Duration.zero, floor = Duration.zero, tree = Duration.zero
}

let extractor = PageExtractor()
let normalizer = TextNormalizer()
let clock = ContinuousClock()
var best: (extract: Double, full: Double, floor: Double, tree: Double) = (.infinity, .infinity, .infinity, .infinity)
var textBytes = 0, normalizedBytes = 0, leetBytes = 0, hiddenParts = 0, floorTextBytes = 0
var latencies: (ours: [Double], floor: [Double], tree: [Double]) = ([], [], [])
var largestRatio = 0.0
for run in 0..<runs {
    FileHandle.standardError.write("text-bench: pass \(run + 1) of \(runs)\n".data(using: .utf8)!)
    var totals = Totals()
    textBytes = 0; normalizedBytes = 0; leetBytes = 0; hiddenParts = 0; floorTextBytes = 0
    for (index, page) in pages.enumerated() {
        for step in 0..<3 where only == nil || only == (index + step) % 3 {
            switch (index + step) % 3 {
            case 0:
                let t0 = clock.now
                let text = extractor.extract(page, contentType: "text/html")
                let t1 = clock.now
                let normalized = normalizer.normalize(text.text)
                let leet = LeetView.of(normalized)
                let t2 = clock.now
                totals.extract += t1 - t0
                totals.normalize += t2 - t1
                textBytes += text.text.count
                normalizedBytes += normalized.bytes.count
                leetBytes += leet.bytes.count
                hiddenParts += text.segments.filter(\.hidden).count
                if run == 0 {
                    latencies.ours.append(seconds(t2 - t0))
                    // Output held per page (text, views and their maps) against its size.
                    let held = text.text.count + normalized.bytes.count + leet.bytes.count
                        + text.map.memoryBytes + normalized.map.memoryBytes + leet.map.memoryBytes
                    largestRatio = max(largestRatio, Double(held) / Double(max(page.count, 1)))
                }
            case 1:
                let t0 = clock.now
                floorTextBytes += page.withUnsafeBufferPointer { sax_floor_parse(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
                let dt = clock.now - t0
                totals.floor += dt
                if run == 0 { latencies.floor.append(seconds(dt)) }
            default:
                let t0 = clock.now
                _ = page.withUnsafeBufferPointer { tree_floor_parse(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
                let dt = clock.now - t0
                totals.tree += dt
                if run == 0 { latencies.tree.append(seconds(dt)) }
            }
        }
    }
    best.extract = min(best.extract, seconds(totals.extract))
    best.full = min(best.full, seconds(totals.extract + totals.normalize))
    best.floor = min(best.floor, seconds(totals.floor))
    best.tree = min(best.tree, seconds(totals.tree))
}
func percentiles(_ values: [Double]) -> (p50: Double, p99: Double) {
    guard !values.isEmpty else { return (0, 0) }  // a tool left out with --only
    let sorted = values.sorted()
    return (sorted[sorted.count / 2] * 1000, sorted[sorted.count * 99 / 100] * 1000)
}
let ours = percentiles(latencies.ours), floor = percentiles(latencies.floor), tree = percentiles(latencies.tree)
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let mb = Double(corpus.count) / 1e6
/// MB/s, or 0 for a tool left out with --only (JSON has no infinity).
func rate(_ seconds: Double) -> Double { seconds > 0 && seconds.isFinite ? mb / seconds : 0 }
print("""
    {"pages":\(pages.count),"bytes":\(corpus.count),"passes":\(runs),"text_bytes":\(textBytes),"floor_text_bytes":\(floorTextBytes),\
    "normalized_bytes":\(normalizedBytes),"leet_bytes":\(leetBytes),"hidden_parts":\(hiddenParts),\
    "extract_s":\(best.extract.isFinite ? best.extract : 0),"extract_mb_s":\(rate(best.extract)),"full_s":\(best.full),"full_mb_s":\(rate(best.full)),\
    "p50_ms":\(ours.p50),"p99_ms":\(ours.p99),\
    "floor_s":\(best.floor),"floor_mb_s":\(rate(best.floor)),"floor_p50_ms":\(floor.p50),"floor_p99_ms":\(floor.p99),\
    "tree_s":\(best.tree),"tree_mb_s":\(rate(best.tree)),"tree_p50_ms":\(tree.p50),"tree_p99_ms":\(tree.p99),\
    "max_rss_mb":\(Double(usage.ru_maxrss) / 1024),"largest_output_ratio":\(largestRatio)}
    """)
