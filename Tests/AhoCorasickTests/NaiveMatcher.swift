@testable import AhoCorasick

/// The oracle: the documented semantics of each match kind, written the
/// obvious quadratic way.
enum NaiveMatcher {
    static func matches(_ patterns: [[UInt8]], in haystack: [UInt8], kind: MatchKind, asciiCaseInsensitive: Bool) -> [Match] {
        let fold: (UInt8) -> UInt8 = { asciiCaseInsensitive && (65...90).contains($0) ? $0 | 0x20 : $0 }
        let hay = haystack.map(fold)
        let pats = patterns.map { $0.map(fold) }
        func occurs(_ p: [UInt8], at start: Int) -> Bool {
            start + p.count <= hay.count && hay[start..<(start + p.count)].elementsEqual(p)
        }
        switch kind {
        case .standard:
            var result: [Match] = []
            for end in 0...hay.count {
                var here: [Match] = []
                for (id, p) in pats.enumerated() where p.count <= end && occurs(p, at: end - p.count) {
                    here.append(Match(pattern: PatternID(UInt32(id)), start: end - p.count, end: end))
                }
                here.sort { ($0.count, -$0.pattern.index) > ($1.count, -$1.pattern.index) }
                result += here
            }
            return result
        case .leftmostFirst, .leftmostLongest:
            var result: [Match] = []
            var at = 0
            outer: while at <= hay.count {
                for start in at...hay.count {
                    var best: Match?
                    for (id, p) in pats.enumerated() where occurs(p, at: start) {
                        let candidate = Match(pattern: PatternID(UInt32(id)), start: start, end: start + p.count)
                        guard let current = best else { best = candidate; continue }
                        if kind == .leftmostLongest && candidate.count > current.count { best = candidate }
                    }
                    if let best {
                        result.append(best)
                        at = best.count == 0 ? best.end + 1 : best.end
                        continue outer
                    }
                }
                break
            }
            return result
        }
    }
}

extension AhoCorasickBuilder {
    static func make(_ kind: MatchKind, _ automaton: AutomatonKind, caseInsensitive: Bool = false) -> AhoCorasickBuilder {
        var builder = AhoCorasickBuilder()
        builder.matchKind = kind
        builder.kind = .forced(automaton)
        builder.asciiCaseInsensitive = caseInsensitive
        return builder
    }
}

/// A compact expected match: (pattern, start, end).
struct M: Hashable, CustomStringConvertible {
    let pattern: Int, start: Int, end: Int
    init(_ pattern: Int, _ start: Int, _ end: Int) { (self.pattern, self.start, self.end) = (pattern, start, end) }
    init(_ m: Match) { self.init(m.pattern.index, m.start, m.end) }
    var description: String { "(\(pattern), \(start)..<\(end))" }
}
