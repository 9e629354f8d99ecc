// The page-text benchmark's harness: extraction, then normalisation (the
// normalised and leet views), page by page over the corpus; one JSON line.
//
//   text-bench --corpus corpus.html [--repeat N]
import Foundation
import PageText
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
let runs = Int(arguments["--repeat"] ?? "3") ?? 3
let corpus = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
// Pages end after each "</html>", as in the other harnesses.
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

let extractor = PageExtractor()
let normalizer = TextNormalizer()
let clock = ContinuousClock()
var extractBest = Double.infinity, fullBest = Double.infinity
var textBytes = 0, normalizedBytes = 0, leetBytes = 0, hiddenParts = 0
var latencies: [Double] = []
var largestRatio = 0.0
for run in 0..<max(runs, 1) {
    var extractTime = Duration.zero, normalizeTime = Duration.zero
    textBytes = 0; normalizedBytes = 0; leetBytes = 0; hiddenParts = 0
    for page in pages {
        let t0 = clock.now
        let text = extractor.extract(page, contentType: "text/html")
        let t1 = clock.now
        let normalized = normalizer.normalize(text.text)
        let leet = LeetView.of(normalized)
        let t2 = clock.now
        extractTime += t1 - t0
        normalizeTime += t2 - t1
        textBytes += text.text.count
        normalizedBytes += normalized.bytes.count
        leetBytes += leet.bytes.count
        hiddenParts += text.segments.filter(\.hidden).count
        if run == 0 {
            latencies.append(seconds(t2 - t0))
            // Output held per page (text, views and their maps) against its size.
            let held = text.text.count + normalized.bytes.count + leet.bytes.count
                + text.map.memoryBytes + normalized.map.memoryBytes + leet.map.memoryBytes
            largestRatio = max(largestRatio, Double(held) / Double(max(page.count, 1)))
        }
    }
    extractBest = min(extractBest, seconds(extractTime))
    fullBest = min(fullBest, seconds(extractTime + normalizeTime))
}
latencies.sort()
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let mb = Double(corpus.count) / 1e6
print("""
    {"tool":"ours","pages":\(pages.count),"bytes":\(corpus.count),"text_bytes":\(textBytes),"normalized_bytes":\(normalizedBytes),\
    "leet_bytes":\(leetBytes),"hidden_parts":\(hiddenParts),"extract_s":\(extractBest),"extract_mb_s":\(mb / extractBest),\
    "full_s":\(fullBest),"full_mb_s":\(mb / fullBest),"p50_ms":\(latencies[latencies.count / 2] * 1000),\
    "p99_ms":\(latencies[latencies.count * 99 / 100] * 1000),"max_rss_mb":\(Double(usage.ru_maxrss) / 1024),\
    "largest_output_ratio":\(largestRatio)}
    """)
