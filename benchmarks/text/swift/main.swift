// The page-text benchmark's harness (normalisation so far): normalised and
// leet views of a text file, page by page; one JSON line out.
//
//   text-bench --text FILE [--repeat N]
import Foundation
import TextNormalizer

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

var arguments = [String: String]()
var i = 1
while i + 1 < CommandLine.arguments.count {
    arguments[CommandLine.arguments[i]] = CommandLine.arguments[i + 1]
    i += 2
}
guard let path = arguments["--text"] else {
    FileHandle.standardError.write("usage: text-bench --text FILE [--repeat N]\n".data(using: .utf8)!)
    exit(2)
}
let runs = Int(arguments["--repeat"] ?? "3") ?? 3
let text = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
// Pages of about 40 KB, cut at line ends, as the extracted text of one page.
var pages: [[UInt8]] = []
var start = 0
while start < text.count {
    var end = min(start + 40_000, text.count)
    while end < text.count && text[end - 1] != 0x0A { end += 1 }
    pages.append(Array(text[start..<end]))
    start = end
}
let normalizer = TextNormalizer()
let clock = ContinuousClock()
var normalizeBest = Double.infinity, leetBest = Double.infinity
var outputBytes = 0, leetBytes = 0
var latencies: [Double] = []
for run in 0..<max(runs, 1) {
    var normalizeTime = Duration.zero, leetTime = Duration.zero
    outputBytes = 0
    leetBytes = 0
    for page in pages {
        let t0 = clock.now
        let view = normalizer.normalize(page)
        let t1 = clock.now
        let leet = LeetView.of(view)
        let t2 = clock.now
        normalizeTime += t1 - t0
        leetTime += t2 - t1
        outputBytes += view.bytes.count
        leetBytes += leet.bytes.count
        if run == 0 { latencies.append(seconds(t2 - t0)) }
    }
    normalizeBest = min(normalizeBest, seconds(normalizeTime))
    leetBest = min(leetBest, seconds(leetTime))
}
latencies.sort()
let mb = Double(text.count) / 1e6
print("""
    {"text":"\(path)","bytes":\(text.count),"pages":\(pages.count),"normalized_bytes":\(outputBytes),"leet_bytes":\(leetBytes),\
    "normalize_s":\(normalizeBest),"normalize_mb_s":\(mb / normalizeBest),"leet_s":\(leetBest),"leet_mb_s":\(mb / leetBest),\
    "p50_ms":\(latencies[latencies.count / 2] * 1000),"p99_ms":\(latencies[latencies.count * 99 / 100] * 1000)}
    """)
