import AhoCorasick

/// The texts a page is matched as. Rules choose a view per pattern.
public struct TextViews: Sendable {
    public let raw: [UInt8]
    public let normalized: [UInt8]

    public init(raw: [UInt8], normalized: [UInt8]) {
        self.raw = raw
        self.normalized = normalized
    }

    /// Views of plain text before the page-text normaliser exists: the
    /// normalised view is the raw text with ASCII letters lower-cased, so its
    /// offsets are the raw offsets.
    public static func plain(_ raw: [UInt8]) -> TextViews {
        TextViews(raw: raw, normalized: raw.map(RuleChecker.asciiLower))
    }

    public func bytes(_ view: TextView) -> [UInt8] {
        switch view {
        case .raw: raw
        case .normalized: normalized
        }
    }
}

/// Where a pattern matched: the view and the byte span in it.
public struct Span: Sendable, Hashable {
    public let view: TextView
    public let start: Int
    public let end: Int
}

/// The hits of one declared pattern on one text.
public struct StringHit: Sendable, Hashable {
    public let string: StringID
    /// Every hit, counted.
    public internal(set) var count: Int
    /// The first `RuleScanner.maxSpansPerString` hits, in text order.
    public internal(set) var spans: [Span]
}

/// A rule whose condition held, with the pattern hits that are its evidence.
public struct RuleHit: Sendable, Hashable {
    public let rule: RuleID
    /// The hits of the rule's own patterns (those that matched at all).
    public let evidence: [StringHit]
    /// True for a shadow rule: reported, never scored.
    public let shadow: Bool
}

/// Scans texts with a compiled rule set: one automaton pass per view, then
/// conditions evaluated from the hits (never a second pass per rule).
///
/// One scanner per task: it keeps scratch tables indexed by pattern and
/// reuses them from scan to scan, so a match costs an index and an
/// increment, and resetting touches only the patterns that were hit. The
/// compiled rules it reads are shared and immutable.
public final class RuleScanner {
    public let rules: CompiledRules
    /// Evidence spans kept per pattern; counts stay exact beyond it.
    public var maxSpansPerString = 100
    /// Occurrences per pattern that `near` considers.
    public var maxPositionsPerString = 10_000

    /// Reused between scans; see `withScratch`.
    private var scratch: ScanScratch

    public init(_ rules: CompiledRules) {
        self.rules = rules
        self.scratch = ScanScratch(patternCount: rules.strings.count, ruleCount: rules.rules.count)
    }

    public func scan(_ views: TextViews) -> [RuleHit] {
        withScratch { scan(views, &$0) }
    }

    private func scan(_ views: TextViews, _ scratch: inout ScanScratch) -> [RuleHit] {
        collectPatternHits(views, into: &scratch)
        guard !scratch.touched.isEmpty || rules.hasBaselineHits else { return [] }
        // Step 3: which rules can differ from their no-hit baseline: those
        // owning a hit pattern, and (transitively) those naming such a rule.
        var work = scratch.touched.map { rules.strings[Int($0)].rule }
        while let rule = work.popLast() {
            guard scratch.markCandidate(rule) else { continue }
            work += rules.dependents[rule.index]
        }
        let candidates = scratch.candidates.sorted()
        // Step 4: evaluate candidates, reading counts and positions straight
        // from the scratch tables; every other rule keeps its baseline.
        var words: [TextView: [Int]] = [:]
        let wordIndex: (TextView, Int) -> Int = { view, offset in
            if words[view] == nil { words[view] = WordBoundary.wordStarts(views.bytes(view)) }
            return WordBoundary.index(of: offset, in: words[view]!)
        }
        var result: [RuleHit] = []
        // Scoped, so `table` and the closures holding it are gone before the
        // deferred reset mutates the scratch (otherwise it would be copied).
        do {
        let table = scratch
        var evaluator = ConditionEvaluator(
            rules: rules.rules, strings: rules.strings,
            count: { id in let s = table.slot[id.index]; return s < 0 ? 0 : table.count[Int(s)] },
            positions: { id in let s = table.slot[id.index]; return s < 0 ? nil : table.positions[Int(s)] },
            wordIndex: wordIndex)
        for rule in candidates where rules.rules[rule.index].status != .disabled && evaluator.value(of: rule) {
            let r = rules.rules[rule.index]
            let evidence = r.strings.compactMap { id -> StringHit? in
                let s = table.slot[id.index]
                return s < 0 ? nil : StringHit(string: id, count: table.count[Int(s)], spans: table.spans[Int(s)])
            }
            result.append(RuleHit(rule: rule, evidence: evidence, shadow: r.status == .shadow))
        }
        }
        if rules.hasBaselineHits {
            for rule in rules.rules where rules.baseline[rule.id.index] && !scratch.isCandidate(rule.id) && rule.status != .disabled {
                result.append(RuleHit(rule: rule.id, evidence: [], shadow: rule.status == .shadow))
            }
            result.sort { $0.rule < $1.rule }
        }
        return result
    }

    /// The pattern hits in `views`, whoever's condition they serve: what
    /// `scan` evaluates conditions from, and the evidence to show when a
    /// rule did not hold (`triage rules test`).
    public func patternHits(_ views: TextViews) -> [StringHit] {
        withScratch { scratch in
            collectPatternHits(views, into: &scratch)
            return scratch.touched.enumerated().map { s, owner in
                StringHit(string: StringID(rawValue: owner), count: scratch.count[s], spans: scratch.spans[s])
            }.sorted { $0.string < $1.string }
        }
    }

    /// Runs `body` with the reusable tables moved out of the object (so the
    /// per-match code works on a value, not class storage), then clears what
    /// the scan touched and moves them back.
    private func withScratch<R>(_ body: (inout ScanScratch) -> R) -> R {
        var scratch = ScanScratch(patternCount: 0, ruleCount: 0)
        swap(&scratch, &self.scratch)
        defer {
            scratch.reset()
            swap(&scratch, &self.scratch)
        }
        return body(&scratch)
    }

    /// Steps 1 and 2 of a scan: one automaton pass per view, then each hit
    /// pattern's spans and positions in text order.
    private func collectPatternHits(_ views: TextViews, into scratch: inout ScanScratch) {
        let maxSpans = maxSpansPerString, maxPositions = maxPositionsPerString
        // Step 1: pattern hits, one pass per automaton.
        for matcher in rules.matchers {
            let view = matcher.key.view
            views.bytes(view).withUnsafeBytes { buffer in
                matcher.ownerStart.withUnsafeBufferPointer { ownerStart in
                    matcher.ownerIDs.withUnsafeBufferPointer { ownerIDs in
                        rules.fullword.withUnsafeBufferPointer { fullword in
                            rules.needsPositions.withUnsafeBufferPointer { needsPositions in
                                scratch.matches.removeAll(keepingCapacity: true)
                                matcher.automaton.appendMatches(in: buffer, to: &scratch.matches)
                                let found = scratch.matches
                                for match in found {
                                    let p = match.pattern.index
                                    for k in Int(ownerStart[p])..<Int(ownerStart[p + 1]) {
                                        let owner = Int(ownerIDs[k])
                                        if fullword[owner] && !WordBoundary.isWhole(buffer, match.start, match.end) { continue }
                                        scratch.record(owner, Span(view: view, start: match.start, end: match.end),
                                                       keepPosition: needsPositions[owner], maxSpans: maxSpans, maxPositions: maxPositions)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Step 2: spans and positions in text order (only touched patterns).
        for s in scratch.touched.indices {
            if scratch.spans[s].count > 1 { scratch.spans[s].sort { ($0.start, $0.end) < ($1.start, $1.end) } }
            if scratch.positions[s].count > 1 { scratch.positions[s].sort() }
        }
    }
}

/// Per-scan tables indexed by pattern, reused between scans.
struct ScanScratch {
    /// `slot[s]`: pattern `s`'s index in the tables below, or -1.
    var slot: [Int32]
    /// Patterns hit in this scan, in first-hit order (slot order).
    var touched: [UInt32] = []
    /// The automaton's matches for the view being scanned (reused buffer).
    var matches: [Match] = []
    var count: [Int] = []
    var spans: [[Span]] = []
    var positions: [[Int]] = []

    /// `candidate[r]`: rule `r` is a candidate in this scan.
    var candidate: [Bool]
    var candidates: [RuleID] = []

    init(patternCount: Int, ruleCount: Int) {
        slot = [Int32](repeating: -1, count: patternCount)
        candidate = [Bool](repeating: false, count: ruleCount)
    }

    /// Marks `rule` as a candidate; false if it already was.
    mutating func markCandidate(_ rule: RuleID) -> Bool {
        guard !candidate[rule.index] else { return false }
        candidate[rule.index] = true
        candidates.append(rule)
        return true
    }

    func isCandidate(_ rule: RuleID) -> Bool { candidate[rule.index] }

    @inline(__always)
    mutating func record(_ owner: Int, _ span: Span, keepPosition: Bool, maxSpans: Int, maxPositions: Int) {
        var s = Int(slot[owner])
        if s < 0 {
            s = touched.count
            slot[owner] = Int32(s)
            touched.append(UInt32(owner))
            if s == count.count {
                count.append(0)
                spans.append([])
                positions.append([])
            }
        }
        count[s] += 1
        if spans[s].count < maxSpans { spans[s].append(span) }
        if keepPosition && positions[s].count < maxPositions { positions[s].append(span.start) }
    }

    /// Clears only what the scan touched; keeps capacity for the next.
    mutating func reset() {
        for (s, owner) in touched.enumerated() {
            slot[Int(owner)] = -1
            count[s] = 0
            spans[s].removeAll(keepingCapacity: true)
            positions[s].removeAll(keepingCapacity: true)
        }
        touched.removeAll(keepingCapacity: true)
        for rule in candidates { candidate[rule.index] = false }
        candidates.removeAll(keepingCapacity: true)
    }
}

/// Evaluates conditions from pattern positions, memoising rule values.
struct ConditionEvaluator {
    let rules: [Rule]
    let strings: [DeclaredString]
    /// Exact number of hits of a pattern (0 if it did not match).
    let count: (StringID) -> Int
    /// Start offsets of a pattern's hits (capped), in text order, for
    /// patterns `near` reads; nil if it did not match.
    let positions: (StringID) -> [Int]?
    let wordIndex: (TextView, Int) -> Int
    private var memo: [RuleID: Bool] = [:]

    init(rules: [Rule], strings: [DeclaredString], count: @escaping (StringID) -> Int,
         positions: @escaping (StringID) -> [Int]?, wordIndex: @escaping (TextView, Int) -> Int) {
        self.rules = rules
        self.strings = strings
        self.count = count
        self.positions = positions
        self.wordIndex = wordIndex
    }

    mutating func value(of rule: RuleID) -> Bool {
        if let known = memo[rule] { return known }
        let r = rules[rule.index]
        let value = r.status == .disabled ? false : evaluate(r.condition)
        memo[rule] = value
        return value
    }


    mutating func evaluate(_ c: Condition) -> Bool {
        switch c {
        case let .boolean(b): return b
        case let .string(s): return count(s) > 0
        case let .count(s, op, n): return op.holds(count(s), n)
        case let .atLeast(n, members):
            var found = 0
            for m in members where count(m) > 0 {
                found += 1
                if found >= n { return true }
            }
            return n <= 0
        case let .near(a, b, words):
            guard let xs = positions(a), let ys = positions(b) else { return false }
            let viewA = strings[a.index].view, viewB = strings[b.index].view
            let wa = xs.map { wordIndex(viewA, $0) }, wb = ys.map { wordIndex(viewB, $0) }
            // Both lists are in text order: walk them together.
            var i = 0, j = 0
            while i < wa.count && j < wb.count {
                if abs(wa[i] - wb[j]) <= words { return true }
                if wa[i] < wb[j] { i += 1 } else { j += 1 }
            }
            return false
        case let .rule(r): return value(of: r)
        case let .not(x): return !evaluate(x)
        case let .all(xs):
            for x in xs where !evaluate(x) { return false }
            return true
        case let .any(xs):
            for x in xs where evaluate(x) { return true }
            return false
        }
    }
}

/// Word characters are ASCII letters, digits, `_`, and every byte of a
/// non-ASCII UTF-8 sequence (so letters of other scripts count as letters).
enum WordBoundary {
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }

    /// Whether `start..<end` has a word boundary at both ends.
    static func isWhole(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let before = start == 0 || !isWordByte(bytes[start - 1]) || !isWordByte(bytes[start])
        let after = end == bytes.count || !isWordByte(bytes[end]) || !isWordByte(bytes[end - 1])
        return before && after
    }

    /// Offsets where words start.
    static func wordStarts(_ bytes: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var inWord = false
        for (i, b) in bytes.enumerated() {
            let word = isWordByte(b)
            if word && !inWord { starts.append(i) }
            inWord = word
        }
        return starts
    }

    /// The index of the word containing (or preceding) `offset`.
    static func index(of offset: Int, in starts: [Int]) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return max(low - 1, 0)
    }
}
