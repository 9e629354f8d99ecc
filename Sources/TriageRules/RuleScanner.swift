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
    public let count: Int
    /// The first `RuleScanner.maxSpansPerString` hits, in text order.
    public let spans: ArraySlice<Span>
}

/// A rule whose condition held, with the pattern hits that are its evidence.
public struct RuleHit: Sendable, Hashable {
    public let rule: RuleID
    /// True for a shadow rule: reported, never scored.
    public let shadow: Bool
    /// The hits of the rule's own patterns (those that matched at all).
    public let evidence: Evidence
}

/// A rule hit's evidence: the hits of its patterns, in declaration order.
/// A view into its scan's result (no copies per hit).
public struct Evidence: RandomAccessCollection, Sendable, Hashable {
    let records: ArraySlice<EvidenceRecord>
    let spans: [Span]

    /// Equal when they hold the same hits, wherever they are stored.
    public static func == (a: Evidence, b: Evidence) -> Bool { a.elementsEqual(b) }
    public func hash(into hasher: inout Hasher) {
        for hit in self { hasher.combine(hit) }
    }

    public var startIndex: Int { records.startIndex }
    public var endIndex: Int { records.endIndex }
    public subscript(i: Int) -> StringHit {
        let r = records[i]
        return StringHit(string: r.string, count: r.count, spans: spans[r.spans])
    }
}

struct EvidenceRecord: Sendable {
    let string: StringID
    let count: Int
    var spans: Range<Int>
}

/// The rules that held on one text, in rule order. Every hit's evidence
/// lives in three arrays shared by the whole result, so a scan allocates
/// the same few buffers however many rules hold.
public struct ScanResult: RandomAccessCollection, Sendable, Equatable {
    struct Record: Sendable {
        let rule: RuleID
        let shadow: Bool
        let evidence: Range<Int>
    }

    var records: [Record] = []
    var evidence: [EvidenceRecord] = []
    var spans: [Span] = []

    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        evidence.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }
    public static func == (a: ScanResult, b: ScanResult) -> Bool { a.elementsEqual(b) }
    public subscript(i: Int) -> RuleHit {
        let r = records[i]
        return RuleHit(rule: r.rule, shadow: r.shadow, evidence: Evidence(records: evidence[r.evidence], spans: spans))
    }
}

/// Scans texts with a compiled rule set: one automaton pass per view, then
/// conditions evaluated from the hits (never a second pass per rule).
///
/// The scan's steps, and what each costs:
/// 1. Each automaton appends its matches to a reused buffer. Per match the
///    scanner then does one counter update: it counts the automaton pattern
///    and links the match into that pattern's chain of occurrences (an
///    index into the buffer). Nothing is copied or allocated per match.
/// 2. Per automaton pattern hit: its counts go to the declared patterns it
///    serves (a `fullword` one walks the chain to count whole words only).
/// 3. Candidate rules: those owning a hit pattern, and (transitively) those
///    naming such a rule. Every other rule keeps its no-hit baseline.
/// 4. Conditions run as flat programs (`ConditionProgram`). `near` walks the
///    two patterns' occurrences merged in text order and counts words only
///    between neighbours, so it reads at most the text between them.
/// 5. Evidence is gathered only for rules that hold, from the chains.
///
/// One scanner per task: it owns mutable scratch tables sized by the rule
/// set, cleared after each scan by undoing only what the scan touched. The
/// compiled rules it reads are shared and immutable.
public final class RuleScanner {
    public let rules: CompiledRules
    /// Evidence spans kept per pattern; counts stay exact beyond it.
    public var maxSpansPerString = 100
    /// Occurrences per pattern that `near` considers (the first in text order).
    public var maxPositionsPerString = 10_000

    private let tables: ScanTables
    /// Per automaton pattern: hits, and the first and last match of its chain.
    private let patternState: UnsafeMutablePointer<PatternState>
    /// Per declared pattern: hits (whole-word hits for `fullword`). 32 bits,
    /// like the automaton's counts: a page has fewer than 2^32 matches.
    private let stringCount: UnsafeMutablePointer<UInt32>
    /// Per rule: 0 not a candidate, 1 candidate, 2 false, 3 true.
    private let ruleState: UnsafeMutablePointer<UInt8>
    /// Per rule, one bit: it held in this scan (cleared as results are built).
    private let held: UnsafeMutablePointer<UInt64>
    /// Per automaton pattern: where its evidence spans go (see `buildEvidence`).
    private let spanSlot: UnsafeMutablePointer<SpanSlot>
    private var slottedPatterns: [UInt32] = []
    /// Per rule, one bit: it is a candidate (rule sets without references).
    private let candidateBits: UnsafeMutablePointer<UInt64>
    private var touchedPatterns: [UInt32] = []
    private var touchedStrings: [UInt32] = []
    private var candidates: [UInt32] = []
    /// Per matcher: this scan's matches, and each match's successor in its
    /// pattern's chain.
    private var matches: [[Match]]
    private var next: [[Int32]]
    /// Per matcher, during evaluation only: the bytes it scanned, its
    /// matches and their chain links (pointers into the arrays above, held
    /// for the extent of `withChains`).
    private let viewBytes: UnsafeMutablePointer<UnsafeRawBufferPointer>
    private let matchBase: UnsafeMutablePointer<UnsafePointer<Match>?>
    private let linkBase: UnsafeMutablePointer<UnsafePointer<Int32>?>
    /// Reused buffers: occurrences being gathered, and `near`'s positions.
    private var occurrenceBuffer: [Match] = []
    /// The last result's arrays: reused for the next one once its caller
    /// has let go of them (while it holds them, the next scan gets fresh
    /// arrays of the same capacity), so steady-state scans do not allocate.
    private var recycled = ScanResult()
    private var positionsA: [Int] = []
    private var positionsB: [Int] = []
    private var wordStartCache: [TextView: [Int]] = [:]

    public init(_ rules: CompiledRules) {
        self.rules = rules
        tables = rules.tables
        let patterns = tables.automatonPatternCount
        patternState = .allocate(capacity: max(patterns, 1))
        patternState.initialize(repeating: PatternState(), count: max(patterns, 1))
        for g in 0..<patterns {
            let owners = ScanTables.row(tables.ownerStart, g)
            if owners.count == 1, case let owner = tables.ownerIDs[owners.lowerBound], tables.fullword[Int(owner)] == 0 {
                patternState[g].directOwner = owner
            }
        }
        stringCount = .allocate(capacity: max(tables.stringCount, 1))
        stringCount.initialize(repeating: 0, count: max(tables.stringCount, 1))
        ruleState = .allocate(capacity: max(tables.ruleCount, 1))
        ruleState.initialize(repeating: 0, count: max(tables.ruleCount, 1))
        held = .allocate(capacity: tables.ruleCount / 64 + 1)
        held.initialize(repeating: 0, count: tables.ruleCount / 64 + 1)
        candidateBits = .allocate(capacity: tables.ruleCount / 64 + 1)
        spanSlot = .allocate(capacity: max(patterns, 1))
        spanSlot.initialize(repeating: SpanSlot(), count: max(patterns, 1))
        candidateBits.initialize(repeating: 0, count: tables.ruleCount / 64 + 1)
        matches = Array(repeating: [], count: rules.matchers.count)
        next = Array(repeating: [], count: rules.matchers.count)
        let matcherCount = max(rules.matchers.count, 1)
        viewBytes = .allocate(capacity: matcherCount)
        viewBytes.initialize(repeating: UnsafeRawBufferPointer(start: nil, count: 0), count: matcherCount)
        matchBase = .allocate(capacity: matcherCount)
        matchBase.initialize(repeating: nil, count: matcherCount)
        linkBase = .allocate(capacity: matcherCount)
        linkBase.initialize(repeating: nil, count: matcherCount)
    }

    deinit {
        patternState.deallocate()
        stringCount.deallocate()
        ruleState.deallocate()
        held.deallocate()
        candidateBits.deallocate()
        spanSlot.deallocate()
        viewBytes.deallocate()
        matchBase.deallocate()
        linkBase.deallocate()
    }

    /// The rules that hold on `views`, with their evidence.
    ///
    /// With `evidence: false` only which rules held is reported (every hit's
    /// evidence is empty): for callers that need the verdict, not the
    /// explanation, and for measuring condition evaluation on its own.
    public func scan(_ views: TextViews, evidence: Bool = true) -> ScanResult {
        withPatternHits(views) { evaluate(evidence: evidence) }
    }

    /// The pattern hits in `views`, whoever's condition they serve: what
    /// `scan` evaluates conditions from, and the evidence to show when a
    /// rule did not hold (`triage rules test`).
    public func patternHits(_ views: TextViews) -> [StringHit] {
        withPatternHits(views) {
            var spans: [Span] = []
            return touchedStrings.sorted().map { s in
                let start = spans.count
                appendSpans(of: Int(s), to: &spans)
                return StringHit(string: StringID(rawValue: s), count: Int(stringCount[Int(s)]), spans: spans[start..<spans.count])
            }
        }
    }

    // MARK: Steps 1 and 2: pattern hits

    /// Scans every view, runs `body` while the hits are in the tables, then
    /// clears what the scan touched.
    private func withPatternHits<R>(_ views: TextViews, _ body: () -> R) -> R {
        defer { reset() }
        let raw = views.raw, normalized = views.normalized
        return raw.withUnsafeBytes { rawBytes in
            normalized.withUnsafeBytes { normalizedBytes in
                for m in rules.matchers.indices {
                    viewBytes[m] = rules.matchers[m].key.view == .raw ? rawBytes : normalizedBytes
                    collect(matcher: m)
                }
                return withChains(from: 0, body)
            }
        }
    }

    private func collect(matcher m: Int) {
        let bytes = viewBytes[m]
        var found: [Match] = []
        swap(&found, &matches[m])
        found.removeAll(keepingCapacity: true)
        rules.matchers[m].automaton.appendMatches(in: bytes, to: &found)
        var links: [Int32] = []
        swap(&links, &next[m])
        if links.count < found.count { links = [Int32](repeating: 0, count: max(found.count, 2 * links.count)) }
        var touched: [UInt32] = []
        swap(&touched, &touchedPatterns)
        let firstTouched = touched.count
        let base = Int(tables.patternBase[m])
        found.withUnsafeBufferPointer { found in
            links.withUnsafeMutableBufferPointer { links in
                // The one loop that runs per match: count, and chain.
                let state = patternState
                for i in 0..<found.count {
                    let g = base &+ Int(found[i].pattern.rawValue)
                    var s = state[g]
                    if s.count == 0 {
                        s.head = Int32(truncatingIfNeeded: i)
                        touched.append(UInt32(truncatingIfNeeded: g))
                    } else {
                        links[Int(s.tail)] = Int32(truncatingIfNeeded: i)
                    }
                    s.tail = Int32(truncatingIfNeeded: i)
                    s.count &+= 1
                    state[g] = s
                }
            }
        }
        // Counts move to the declared patterns each automaton pattern serves.
        found.withUnsafeBufferPointer { found in
            links.withUnsafeBufferPointer { links in
                matchBase[m] = found.baseAddress
                linkBase[m] = links.baseAddress
                resolveOwners(of: touched[firstTouched...], matcher: m)
                matchBase[m] = nil
                linkBase[m] = nil
            }
        }
        swap(&found, &matches[m])
        swap(&links, &next[m])
        swap(&touched, &touchedPatterns)
    }

    private func resolveOwners(of touched: ArraySlice<UInt32>, matcher m: Int) {
        var strings: [UInt32] = []
        swap(&strings, &touchedStrings)
        defer { swap(&strings, &touchedStrings) }
        for g32 in touched {
            let g = Int(g32)
            let state = patternState[g]
            if state.directOwner != PatternState.slowPath {
                let owner = Int(state.directOwner)
                if stringCount[owner] == 0 { strings.append(state.directOwner) }
                stringCount[owner] &+= state.count
                continue
            }
            for o in ScanTables.row(tables.ownerStart, g) {
                let owner = Int(tables.ownerIDs[o])
                let hits = tables.fullword[owner] != 0 ? wholeWordHits(pattern: g, matcher: m) : Int(patternState[g].count)
                guard hits > 0 else { continue }
                if stringCount[owner] == 0 { strings.append(UInt32(owner)) }
                stringCount[owner] &+= UInt32(truncatingIfNeeded: hits)
            }
        }
    }

    /// Runs `body` with every matcher's matches and links reachable through
    /// `matchBase` and `linkBase`.
    private func withChains<R>(from m: Int, _ body: () -> R) -> R {
        guard m < matches.count else { return body() }
        return matches[m].withUnsafeBufferPointer { found in
            next[m].withUnsafeBufferPointer { links in
                matchBase[m] = found.baseAddress
                linkBase[m] = links.baseAddress
                defer { matchBase[m] = nil; linkBase[m] = nil }
                return withChains(from: m + 1, body)
            }
        }
    }

    /// Visits automaton pattern `g`'s matches in text order, until `body`
    /// returns false (only inside `withChains` or `resolveOwners`).
    @inline(__always)
    private func forEachOccurrence(pattern g: Int, matcher m: Int, _ body: (Match) -> Bool) {
        let s = patternState[g]
        guard s.count > 0, let found = matchBase[m], let links = linkBase[m] else { return }
        var i = Int(s.head)
        for k in 0..<Int(s.count) {
            if !body(found[i]) { return }
            if k + 1 < Int(s.count) { i = Int(links[i]) }
        }
    }

    private func wholeWordHits(pattern g: Int, matcher m: Int) -> Int {
        let bytes = viewBytes[m]
        var n = 0
        forEachOccurrence(pattern: g, matcher: m) { match in
            if WordBoundary.isWhole(bytes, match.start, match.end) { n += 1 }
            return true
        }
        return n
    }

    private func matcher(of g: Int) -> Int {
        var m = 0
        while Int(tables.patternBase[m + 1]) <= g { m += 1 }
        return m
    }

    /// Declared pattern `s`'s first `limit` occurrences in text order, into
    /// `occurrenceBuffer` (whole words only for `fullword`).
    private func gatherOccurrences(of s: Int, limit: Int) {
        var buffer: [Match] = []
        swap(&buffer, &occurrenceBuffer)
        defer { swap(&buffer, &occurrenceBuffer) }
        buffer.removeAll(keepingCapacity: true)
        let whole = tables.fullword[s] != 0
        var sources = 0
        for k in ScanTables.row(tables.stringPatternStart, s) {
            let g = Int(tables.stringPatternIDs[k])
            guard patternState[g].count > 0 else { continue }
            sources += 1
            let m = matcher(of: g)
            let bytes = viewBytes[m]
            var taken = 0
            forEachOccurrence(pattern: g, matcher: m) { match in
                if whole && !WordBoundary.isWhole(bytes, match.start, match.end) { return true }
                buffer.append(match)
                taken += 1
                return taken < limit
            }
        }
        if sources > 1 {
            buffer.sort { ($0.start, $0.end) < ($1.start, $1.end) }
            if buffer.count > limit { buffer.removeLast(buffer.count - limit) }
        }
    }

    private func appendSpans(of s: Int, to spans: inout [Span]) {
        let view: TextView = tables.stringView[s] == 1 ? .raw : .normalized
        let patterns = ScanTables.row(tables.stringPatternStart, s)
        if patterns.count == 1 {
            // One literal: its chain is already in text order.
            let g = Int(tables.stringPatternIDs[patterns.lowerBound])
            let m = matcher(of: g)
            let bytes = viewBytes[m], whole = tables.fullword[s] != 0, limit = maxSpansPerString
            var taken = 0
            forEachOccurrence(pattern: g, matcher: m) { match in
                if whole && !WordBoundary.isWhole(bytes, match.start, match.end) { return true }
                spans.append(Span(view: view, start: match.start, end: match.end))
                taken += 1
                return taken < limit
            }
            return
        }
        gatherOccurrences(of: s, limit: maxSpansPerString)
        for match in occurrenceBuffer { spans.append(Span(view: view, start: match.start, end: match.end)) }
    }

    // MARK: Steps 3 to 5: conditions and evidence

    private func evaluate(evidence: Bool) -> ScanResult {
        var result = ScanResult()
        swap(&result, &recycled)
        result.removeAll()
        defer { recycled = result }
        let baselineHits = rules.hasBaselineHits
        guard !touchedStrings.isEmpty || baselineHits else { return result }
        // Rules that hold, as bits, so they come out in rule order without
        // sorting.
        var low = Int.max, high = -1
        @inline(__always) func hold(_ r: Int) {
            held[r >> 6] |= 1 << UInt64(r & 63)
            low = min(low, r)
            high = max(high, r)
        }
        if tables.hasReferences {
            evaluateWithReferences(hold)
        } else {
            // No rule names another: candidates are the rules owning a hit
            // pattern, visited as bits in rule order, so the tables they
            // read (programs, statuses, counts) are walked forwards.
            var first = Int.max, last = -1
            for s in touchedStrings {
                let r = Int(tables.stringRule[Int(s)])
                candidateBits[r >> 6] |= 1 << UInt64(r & 63)
                first = min(first, r >> 6)
                last = max(last, r >> 6)
            }
            if baselineHits {
                for r in tables.baseline.indices where tables.baseline[r] != 0 && tables.ruleStatus[r] != 2
                    && candidateBits[r >> 6] & (1 << UInt64(r & 63)) == 0 { hold(r) }
            }
            if last >= 0 {
                let code = tables.program.code
                for w in first...last {
                    var bits = candidateBits[w]
                    candidateBits[w] = 0
                    while bits != 0 {
                        let r = w << 6 | bits.trailingZeroBitCount
                        bits &= bits - 1
                        if tables.ruleStatus[r] != 2 && evaluate(Int(tables.program.entry[r]), code) { hold(r) }
                    }
                }
            }
        }
        guard high >= 0 else { return result }
        if evidence {
            buildEvidence(rules: low...high, into: &result)
        } else {
            for w in (low >> 6)...(high >> 6) {
                var bits = held[w]
                held[w] = 0
                while bits != 0 {
                    let r = w << 6 | bits.trailingZeroBitCount
                    bits &= bits - 1
                    result.records.append(.init(rule: RuleID(r), shadow: tables.ruleStatus[r] == 1, evidence: 0..<0))
                }
            }
        }
        return result
    }

    /// Evidence for the rules whose bits are set in `held` (clearing them).
    ///
    /// A declared pattern with one literal and no `fullword` shows its
    /// literal's occurrences as they are: each such literal gets one slot of
    /// spans, shared by every rule that shows it, filled by one forward pass
    /// over the matches (or, when only a few spans are wanted, by walking
    /// the literals' chains, which reads less). Other patterns gather and
    /// filter their occurrences from their chains.
    private func buildEvidence(rules range: ClosedRange<Int>, into result: inout ScanResult) {
        let limit = maxSpansPerString
        var reserved = 0
        var slotted: [UInt32] = []
        swap(&slotted, &slottedPatterns)
        defer {
            for g in slotted { spanSlot[Int(g)] = SpanSlot() }
            slotted.removeAll(keepingCapacity: true)
            swap(&slotted, &slottedPatterns)
        }
        var gathered: [Int] = []  // evidence records whose spans come from chains
        for w in (range.lowerBound >> 6)...(range.upperBound >> 6) {
            var bits = held[w]
            held[w] = 0
            while bits != 0 {
                let r = w << 6 | bits.trailingZeroBitCount
                bits &= bits - 1
                let first = result.evidence.count
                for k in ScanTables.row(tables.ruleStringStart, r) {
                    let s = Int(tables.ruleStringIDs[k])
                    let count = Int(stringCount[s])
                    guard count > 0 else { continue }
                    let literal = tables.soleLiteral[s]
                    if literal != ScanTables.noSoleLiteral {
                        let g = Int(literal)
                        if spanSlot[g].start < 0 {
                            let n = min(Int(patternState[g].count), limit)
                            spanSlot[g] = SpanSlot(start: Int32(reserved), filled: 0, limit: UInt32(n))
                            slotted.append(UInt32(g))
                            reserved += n
                        }
                        let slot = spanSlot[g]
                        let start = Int(slot.start)
                        result.evidence.append(EvidenceRecord(string: StringID(s), count: count, spans: start..<(start + Int(slot.limit))))
                    } else {
                        gathered.append(result.evidence.count)
                        result.evidence.append(EvidenceRecord(string: StringID(s), count: count, spans: 0..<0))
                    }
                }
                result.records.append(.init(rule: RuleID(r), shadow: tables.ruleStatus[r] == 1, evidence: first..<result.evidence.count))
            }
        }
        if reserved > 0 {
            result.spans.append(contentsOf: repeatElement(Span(view: .normalized, start: 0, end: 0), count: reserved))
            let totalMatches = matches.reduce(0) { $0 + $1.count }
            result.spans.withUnsafeMutableBufferPointer { spans in
                if reserved * 8 < totalMatches {
                    for g in slotted.lazy.map({ Int($0) }) {
                        let m = matcher(of: g)
                        let view = rules.matchers[m].key.view
                        var at = Int(spanSlot[g].start)
                        let end = at + Int(spanSlot[g].limit)
                        forEachOccurrence(pattern: g, matcher: m) { match in
                            spans[at] = Span(view: view, start: match.start, end: match.end)
                            at += 1
                            return at < end
                        }
                    }
                } else {
                    for m in rules.matchers.indices {
                        guard let found = matchBase[m] else { continue }
                        let view = rules.matchers[m].key.view
                        let base = Int(tables.patternBase[m])
                        for i in 0..<matches[m].count {
                            let match = found[i]
                            let g = base &+ Int(match.pattern.rawValue)
                            let slot = spanSlot[g]
                            guard slot.filled < slot.limit else { continue }
                            spans[Int(slot.start) + Int(slot.filled)] = Span(view: view, start: match.start, end: match.end)
                            spanSlot[g].filled = slot.filled + 1
                        }
                    }
                }
            }
        }
        for index in gathered {
            let start = result.spans.count
            appendSpans(of: result.evidence[index].string.index, to: &result.spans)
            result.evidence[index].spans = start..<result.spans.count
        }
    }

    /// Candidates when rules name rules: those owning a hit pattern and,
    /// transitively, those naming a candidate; evaluated so that every rule
    /// runs after the rules it names (`evaluationRank`), which makes a
    /// reference a lookup, never a recursive evaluation.
    private func evaluateWithReferences(_ hold: (Int) -> Void) {
        var marked: [UInt32] = []
        swap(&marked, &candidates)
        defer { swap(&marked, &candidates) }
        for s in touchedStrings { mark(Int(tables.stringRule[Int(s)]), &marked) }
        var work = 0
        while work < marked.count {
            let rule = Int(marked[work])
            work += 1
            for k in ScanTables.row(tables.dependentStart, rule) { mark(Int(tables.dependentIDs[k]), &marked) }
        }
        marked.sort { tables.evaluationRank[Int($0)] < tables.evaluationRank[Int($1)] }
        for r in marked.lazy.map({ Int($0) }) where tables.ruleStatus[r] != 2 && value(of: r) { hold(r) }
        if rules.hasBaselineHits {
            for r in tables.baseline.indices where tables.baseline[r] != 0 && ruleState[r] == 0 && tables.ruleStatus[r] != 2 { hold(r) }
        }
    }

    @inline(__always)
    private func mark(_ rule: Int, _ marked: inout [UInt32]) {
        guard ruleState[rule] == 0 else { return }
        ruleState[rule] = 1
        marked.append(UInt32(rule))
    }

    /// A candidate's value, evaluated once per scan.
    private func value(of rule: Int) -> Bool {
        if ruleState[rule] == 1 {
            let v = tables.ruleStatus[rule] != 2 && evaluate(Int(tables.program.entry[rule]))
            ruleState[rule] = v ? 3 : 2
        }
        return referencedValue(rule)
    }

    /// The value a reference to `rule` reads: its no-hit baseline unless it
    /// is a candidate, whose value is known by then (evaluation order).
    @inline(__always)
    private func referencedValue(_ rule: Int) -> Bool {
        switch ruleState[rule] {
        case 0: tables.baseline[rule] != 0
        case 3: true
        default: false
        }
    }

    private func evaluate(_ pc: Int) -> Bool { evaluate(pc, tables.program.code) }

    private func evaluate(_ pc: Int, _ code: UnsafeBufferPointer<Int32>) -> Bool {
        typealias Op = ConditionProgram.Op
        switch Op(rawValue: code[pc]).unsafelyUnwrapped {
        case .boolean: return code[pc + 1] != 0
        case .string: return stringCount[Int(code[pc + 1])] > 0
        case .count:
            return ConditionProgram.comparisons[Int(code[pc + 2])].holds(Int(stringCount[Int(code[pc + 1])]), Int(code[pc + 3]))
        case .atLeast:
            let needed = Int(code[pc + 1])
            var found = 0
            for k in 0..<Int(code[pc + 2]) where stringCount[Int(code[pc + 3 + k])] > 0 {
                found += 1
                if found >= needed { return true }
            }
            return needed <= 0
        case .near: return near(Int(code[pc + 1]), Int(code[pc + 2]), within: Int(code[pc + 3]))
        case .rule: return referencedValue(Int(code[pc + 1]))
        case .not: return !evaluate(pc + 2, code)
        case .all, .any:
            let all = code[pc] == Op.all.rawValue
            var at = pc + 3
            for _ in 0..<Int(code[pc + 1]) {
                if evaluate(at, code) != all { return !all }
                at = tables.program.end(of: at)
            }
            return all
        }
    }

    /// Whether some occurrence of `a` is within `words` words of one of `b`.
    private func near(_ a: Int, _ b: Int, within words: Int) -> Bool {
        guard stringCount[a] > 0, stringCount[b] > 0 else { return false }
        var xs: [Int] = [], ys: [Int] = []
        swap(&xs, &positionsA)
        swap(&ys, &positionsB)
        defer {
            swap(&xs, &positionsA)
            swap(&ys, &positionsB)
        }
        gatherOccurrences(of: a, limit: maxPositionsPerString)
        xs.removeAll(keepingCapacity: true)
        for match in occurrenceBuffer { xs.append(match.start) }
        gatherOccurrences(of: b, limit: maxPositionsPerString)
        ys.removeAll(keepingCapacity: true)
        for match in occurrenceBuffer { ys.append(match.start) }
        let viewA = tables.stringView[a], viewB = tables.stringView[b]
        guard viewA == viewB else { return nearAcrossViews(xs, viewA, ys, viewB, words) }
        // Neighbours in merged text order: the nearest `b` to any `a` is its
        // neighbour on one side, and neighbours' gaps do not overlap, so this
        // reads the text at most once.
        let bytes = viewBytes[rules.matchers.firstIndex { ($0.key.view == .raw ? 1 : 0) == viewA }!]
        let first = WordBoundary.firstWordStart(bytes)
        var i = 0, j = 0
        var previous: (offset: Int, fromA: Bool)?
        while i < xs.count || j < ys.count {
            let takeA = j == ys.count || (i < xs.count && xs[i] <= ys[j])
            let current = takeA ? (xs[i], true) : (ys[j], false)
            if takeA { i += 1 } else { j += 1 }
            if let p = previous, p.fromA != current.1,
               WordBoundary.wordsBetween(bytes, p.offset, current.0, firstWordStart: first, atMost: words) { return true }
            previous = current
        }
        return false
    }

    /// `near` between patterns of different views: word numbers from each
    /// view's own word table.
    private func nearAcrossViews(_ xs: [Int], _ viewA: UInt8, _ ys: [Int], _ viewB: UInt8, _ words: Int) -> Bool {
        func index(_ view: UInt8) -> (Int) -> Int {
            let m = rules.matchers.firstIndex { ($0.key.view == .raw ? 1 : 0) == view }!
            let key = rules.matchers[m].key.view
            if wordStartCache[key] == nil { wordStartCache[key] = WordBoundary.wordStarts(viewBytes[m]) }
            let starts = wordStartCache[key]!
            return { WordBoundary.index(of: $0, in: starts) }
        }
        let wa = xs.map(index(viewA)), wb = ys.map(index(viewB)).sorted()
        var i = 0, j = 0
        let sa = wa.sorted()
        while i < sa.count && j < wb.count {
            if abs(sa[i] - wb[j]) <= words { return true }
            if sa[i] < wb[j] { i += 1 } else { j += 1 }
        }
        return false
    }

    /// Clears what the scan touched; keeps capacity for the next.
    private func reset() {
        for g in touchedPatterns { patternState[Int(g)].count = 0 }
        touchedPatterns.removeAll(keepingCapacity: true)
        for s in touchedStrings { stringCount[Int(s)] = 0 }
        touchedStrings.removeAll(keepingCapacity: true)
        for r in candidates { ruleState[Int(r)] = 0 }
        candidates.removeAll(keepingCapacity: true)
        wordStartCache.removeAll(keepingCapacity: true)
        for m in rules.matchers.indices { viewBytes[m] = UnsafeRawBufferPointer(start: nil, count: 0) }
    }
}

/// Where an automaton pattern's evidence spans go in a scan's result:
/// `limit` spans from `start`, `filled` so far; `start < 0`: not wanted.
struct SpanSlot {
    var start: Int32 = -1
    var filled: UInt32 = 0
    var limit: UInt32 = 0
}

/// A pattern's hits in one scan (how many, and its chain of matches) and,
/// next to them so that one cache line serves the whole per-pattern step,
/// the declared pattern it counts for when that needs no further work.
struct PatternState {
    var count: UInt32 = 0
    var head: Int32 = 0
    var tail: Int32 = 0
    /// The sole owner if it is not `fullword`; `PatternState.slowPath` if
    /// the pattern serves several declarations or a `fullword` one.
    var directOwner: UInt32 = PatternState.slowPath

    static let slowPath = UInt32.max
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

    /// The offset of the first word start, or `bytes.count` if none.
    static func firstWordStart(_ bytes: UnsafeRawBufferPointer) -> Int {
        bytes.firstIndex(where: isWordByte) ?? bytes.count
    }

    /// Whether the word numbers of offsets `x <= y` differ by at most
    /// `limit`, where an offset's word number is that of the word containing
    /// or preceding it (the first word's for offsets before it). Reads only
    /// until the count passes `limit`.
    static func wordsBetween(_ bytes: UnsafeRawBufferPointer, _ x: Int, _ y: Int, firstWordStart: Int, atMost limit: Int) -> Bool {
        // Word starts in (x, y]; an offset before the first word counts as in it.
        let y = min(y, bytes.count - 1)
        var n = x < firstWordStart && firstWordStart <= y ? -1 : 0
        var s = max(x + 1, 1)
        while s <= y {
            if isWordByte(bytes[s]) && !isWordByte(bytes[s - 1]) {
                n += 1
                if n > limit { return false }
            }
            s += 1
        }
        return n <= limit
    }

    /// Offsets where words start.
    static func wordStarts(_ bytes: UnsafeRawBufferPointer) -> [Int] {
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
