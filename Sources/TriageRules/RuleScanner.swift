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
public struct RuleScanner: Sendable {
    public let rules: CompiledRules
    /// Evidence spans kept per pattern; counts stay exact beyond it.
    public var maxSpansPerString = 100
    /// Occurrences per pattern that `near` considers.
    public var maxPositionsPerString = 10_000

    public init(_ rules: CompiledRules) {
        self.rules = rules
    }

    public func scan(_ views: TextViews) -> [RuleHit] {
        // Step 1: pattern hits, one pass per automaton.
        var hits: [StringID: StringHit] = [:]
        var positions: [StringID: [Int]] = [:]
        for matcher in rules.matchers {
            let bytes = views.bytes(matcher.key.view)
            bytes.withUnsafeBytes { buffer in
                matcher.automaton.forEachMatch(in: buffer) { match in
                    for owner in matcher.owners[match.pattern.index] {
                        let declared = rules.strings[owner.index]
                        if declared.fullword && !WordBoundary.isWhole(buffer, match.start, match.end) { continue }
                        let span = Span(view: matcher.key.view, start: match.start, end: match.end)
                        if hits[owner] == nil {
                            hits[owner] = StringHit(string: owner, count: 1, spans: [span])
                            positions[owner] = [match.start]
                        } else {
                            hits[owner]!.count += 1
                            if hits[owner]!.spans.count < maxSpansPerString { hits[owner]!.spans.append(span) }
                            if positions[owner]!.count < maxPositionsPerString { positions[owner]!.append(match.start) }
                        }
                    }
                    return true
                }
            }
        }
        // Step 2: which rules can differ from their no-hit baseline: those
        // owning a hit pattern, and (transitively) those naming such a rule.
        var candidates: Set<RuleID> = []
        var work = hits.keys.map { rules.strings[$0.index].rule }
        while let rule = work.popLast() {
            guard candidates.insert(rule).inserted else { continue }
            work += rules.dependents[rule.index]
        }
        // Step 3: evaluate.
        var words: [TextView: [Int]] = [:]
        let wordIndex: (TextView, Int) -> Int = { view, offset in
            if words[view] == nil { words[view] = WordBoundary.wordStarts(views.bytes(view)) }
            return WordBoundary.index(of: offset, in: words[view]!)
        }
        var evaluator = ConditionEvaluator(rules: rules.rules, strings: rules.strings, hits: positions, wordIndex: wordIndex)
        var result: [RuleHit] = []
        for rule in rules.rules where rule.status != .disabled {
            let holds = candidates.contains(rule.id) ? evaluator.value(of: rule.id) : rules.baseline[rule.id.index]
            guard holds else { continue }
            let evidence = rule.strings.compactMap { hits[$0] }
            result.append(RuleHit(rule: rule.id, evidence: evidence, shadow: rule.status == .shadow))
        }
        return result
    }
}

/// Evaluates conditions from pattern positions, memoising rule values.
struct ConditionEvaluator {
    let rules: [Rule]
    let strings: [DeclaredString]
    /// Start offsets of each pattern's hits (capped), in text order.
    let hits: [StringID: [Int]]
    let wordIndex: (TextView, Int) -> Int
    private var memo: [RuleID: Bool] = [:]

    init(rules: [Rule], strings: [DeclaredString], hits: [StringID: [Int]], wordIndex: @escaping (TextView, Int) -> Int) {
        self.rules = rules
        self.strings = strings
        self.hits = hits
        self.wordIndex = wordIndex
    }

    mutating func value(of rule: RuleID) -> Bool {
        if let known = memo[rule] { return known }
        let r = rules[rule.index]
        let value = r.status == .disabled ? false : evaluate(r.condition)
        memo[rule] = value
        return value
    }

    private func count(_ s: StringID) -> Int { hits[s]?.count ?? 0 }

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
            guard let xs = hits[a], let ys = hits[b] else { return false }
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
