import AhoCorasick
import CPrefetch

/// Scans texts with a compiled rule set: one automaton pass per view, then
/// conditions evaluated from the hits (never a second pass per rule).
///
/// The scan's steps, and what each costs:
/// 1. Each automaton appends its matches to a reused buffer. Per match the
///    scanner then does one counter update: it counts the automaton pattern
///    and links the match to that pattern's previous one (chains run
///    backwards, as indices into the buffer). Nothing is copied or
///    allocated per match.
/// 2. Per automaton pattern hit: its counts go to the declared patterns it
///    serves (a `fullword` one walks the chain to count whole words only).
/// 3. Candidate rules: those owning a hit pattern, and (transitively) those
///    naming such a rule. Every other rule keeps its no-hit baseline. A hit
///    that alone makes its rule true holds it without evaluation; without
///    references, a candidate's program runs only once as many of the
///    patterns it reads have hit as it needs (`ScanTables.hitsNeeded`).
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
    /// Every per-scan limit (`ScanLimits`); the three accessors below read
    /// and set one each.
    public var limits = ScanLimits.default
    /// Evidence spans kept per pattern; counts stay exact beyond it.
    public var maxSpansPerPattern: Int {
        get { limits.spansPerPattern }
        set { limits.spansPerPattern = newValue }
    }
    /// Occurrences per pattern that `near` considers (the first in text order).
    public var maxPositionsPerPattern: Int {
        get { limits.positionsPerPattern }
        set { limits.positionsPerPattern = newValue }
    }
    /// Matches kept per view (per automaton) on one page: the bound on what
    /// a scan stores, whatever the page. Past it matches are still counted
    /// exactly (whole words too), but not kept, so evidence and `near` see
    /// only the first ones, and the result says the limit was reached
    /// (`ScanResult.matchLimitReached`).
    public var maxMatchesPerView: Int {
        get { limits.matchesPerView }
        set { limits.matchesPerView = newValue }
    }

    let tables: ScanTables
    /// Per automaton pattern: hits, and the first and last match of its chain.
    let patternState: UnsafeMutablePointer<PatternState>
    /// Per declared pattern: hits (whole-word hits for `fullword`). 32 bits,
    /// like the automaton's counts: a page has fewer than 2^32 matches.
    let patternCount: UnsafeMutablePointer<UInt32>
    /// Per rule: 0 not a candidate, 1 candidate, 2 false, 3 true.
    let ruleState: UnsafeMutablePointer<UInt8>
    /// Per rule, one bit: it held in this scan (cleared as results are built).
    let held: UnsafeMutablePointer<UInt64>
    /// Per automaton pattern: where its evidence spans go (see `buildEvidence`).
    let spanSlot: UnsafeMutablePointer<SpanSlot>
    var slottedPatterns: [UInt32] = []
    /// Per rule, one bit: it is a candidate (rule sets without references).
    let candidateBits: UnsafeMutablePointer<UInt64>
    /// Per candidate rule: how many distinct patterns it reads hit
    /// (saturating; zero again once evaluation has read it).
    let readHits: UnsafeMutablePointer<UInt8>
    /// The automaton patterns and the declared patterns this scan hit,
    /// each once, in the order first hit.
    var touchedLiterals: TouchList
    var touchedPatterns: TouchList
    var candidates: [UInt32] = []
    /// Candidates whose programs are still to run (reused across scans).
    var pendingRules: [UInt32] = []
    /// Per matcher: this scan's matches, and each match's predecessor in its
    /// pattern's chain (the pattern's previous match; chains run backwards
    /// from `PatternState.last`).
    var matches: [[Match]]
    var next: [[Int32]]
    /// Per matcher: this scan reached `maxMatchesPerView`, so a pattern's
    /// chain holds `PatternState.chained` matches, not `count`.
    var capped: [Bool]
    /// Per automaton pattern serving a `fullword` declaration, when its
    /// matcher was capped: whole-word matches among those not kept.
    var unkeptWholeWords: [Int: Int] = [:]
    /// Per matcher, during evaluation only: the bytes it scanned, its
    /// matches and their chain links (pointers into the arrays above, held
    /// for the extent of `withChains`).
    let viewBytes: UnsafeMutablePointer<UnsafeRawBufferPointer>
    let matchBase: UnsafeMutablePointer<UnsafePointer<Match>?>
    let linkBase: UnsafeMutablePointer<UnsafePointer<Int32>?>
    /// Reused buffers: occurrences being gathered, and `near`'s positions.
    var occurrenceBuffer: [Match] = []
    /// Reused by `forEachOccurrence`: a chain's match indices, last first.
    var chainOrder: [Int32] = []
    /// The last result's arrays: reused for the next one once its caller
    /// has let go of them (while it holds them, the next scan gets fresh
    /// arrays of the same capacity), so steady-state scans do not allocate.
    var recycled = ScanResult()
    var positionsA: [Int] = []
    var positionsB: [Int] = []
    var wordStartCache: [TextView: [Int]] = [:]
    /// The views being scanned (for `near` across views), while they are.
    var scanned: TextViews?

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
        touchedLiterals = TouchList(capacity: patterns)
        touchedPatterns = TouchList(capacity: tables.patternCount)
        patternCount = .allocate(capacity: max(tables.patternCount, 1))
        patternCount.initialize(repeating: 0, count: max(tables.patternCount, 1))
        ruleState = .allocate(capacity: max(tables.ruleCount, 1))
        ruleState.initialize(repeating: 0, count: max(tables.ruleCount, 1))
        held = .allocate(capacity: tables.ruleCount / 64 + 1)
        held.initialize(repeating: 0, count: tables.ruleCount / 64 + 1)
        candidateBits = .allocate(capacity: tables.ruleCount / 64 + 1)
        readHits = .allocate(capacity: max(tables.ruleCount, 1))
        readHits.initialize(repeating: 0, count: max(tables.ruleCount, 1))
        spanSlot = .allocate(capacity: max(patterns, 1))
        spanSlot.initialize(repeating: SpanSlot(), count: max(patterns, 1))
        candidateBits.initialize(repeating: 0, count: tables.ruleCount / 64 + 1)
        matches = Array(repeating: [], count: rules.matchers.count)
        next = Array(repeating: [], count: rules.matchers.count)
        capped = Array(repeating: false, count: rules.matchers.count)
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
        touchedLiterals.deallocate()
        touchedPatterns.deallocate()
        patternCount.deallocate()
        ruleState.deallocate()
        held.deallocate()
        candidateBits.deallocate()
        readHits.deallocate()
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
    public func patternHits(_ views: TextViews) -> [PatternHit] {
        withPatternHits(views) {
            var spans: [Span] = []
            return touchedPatterns.ids.sorted().map { s in
                let start = spans.count
                appendSpans(of: Int(s), to: &spans)
                return PatternHit(pattern: PatternID(rawValue: s), count: Int(patternCount[Int(s)]), spans: spans[start..<spans.count])
            }
        }
    }

    // MARK: Steps 1 and 2: pattern hits

    /// Scans every view, runs `body` while the hits are in the tables, then
    /// clears what the scan touched.
    func withPatternHits<R>(_ views: TextViews, _ body: () -> R) -> R {
        defer { reset() }
        scanned = views
        return views.cased.bytes.withUnsafeBytes { cased in
            views.normalized.bytes.withUnsafeBytes { normalized in
                views.leet.bytes.withUnsafeBytes { leet in
                    for m in rules.matchers.indices {
                        switch rules.matchers[m].key.view {
                        case .cased: viewBytes[m] = cased
                        case .normalized: viewBytes[m] = normalized
                        case .leet: viewBytes[m] = leet
                        }
                        collect(matcher: m)
                    }
                    return withChains(from: 0, body)
                }
            }
        }
    }

    func collect(matcher m: Int) {
        let bytes = viewBytes[m]
        var found: [Match] = []
        swap(&found, &matches[m])
        found.removeAll(keepingCapacity: true)
        let complete = rules.matchers[m].automaton.appendMatches(in: bytes, to: &found, limit: maxMatchesPerView)
        var links: [Int32] = []
        swap(&links, &next[m])
        if links.count < found.count { links = [Int32](repeating: 0, count: max(found.count, 2 * links.count)) }
        var touched = touchedLiterals
        let firstTouched = touched.count
        let base = Int(tables.patternBase[m])
        found.withUnsafeBufferPointer { found in
            links.withUnsafeMutableBufferPointer { links in
                // The one loop that runs per match: count, and chain. A
                // pattern's record is requested some matches before its
                // turn, as a pattern first hit on this page is rarely in
                // cache.
                let state = patternState
                let ahead = Self.recordLookahead
                for i in 0..<found.count {
                    if i &+ ahead < found.count { triage_prefetch(state + (base &+ Int(found[i &+ ahead].pattern.rawValue))) }
                    let g = base &+ Int(found[i].pattern.rawValue)
                    // Through the pointer, only the fields that change are
                    // stored; copying the record out and back stored all 16
                    // bytes per match (2 points of condition overhead).
                    let s = state + g
                    let count = s.pointee.count
                    // Chains run backwards, so this store is sequential.
                    links[i] = s.pointee.last
                    s.pointee.last = Int32(truncatingIfNeeded: i)
                    s.pointee.count = count &+ 1
                    if count == 0 { touched.append(UInt32(truncatingIfNeeded: g)) }
                }
            }
        }
        if !complete { countUnkept(matcher: m, kept: found.count, firstTouched: firstTouched, touched: &touched) }
        touchedLiterals = touched
        // Counts move to the declared patterns each automaton pattern serves.
        found.withUnsafeBufferPointer { found in
            links.withUnsafeBufferPointer { links in
                matchBase[m] = found.baseAddress
                linkBase[m] = links.baseAddress
                resolveOwners(of: touched.ids[firstTouched...], matcher: m)
                matchBase[m] = nil
                linkBase[m] = nil
            }
        }
        swap(&found, &matches[m])
        swap(&links, &next[m])
    }

    /// Past `maxMatchesPerView`: the chains keep what they hold, and the
    /// matches not kept are counted by a second search that skips the kept
    /// ones (the same order), one match at a time. Only pages that reach
    /// the limit pay for it.
    func countUnkept(matcher m: Int, kept: Int, firstTouched: Int, touched: inout TouchList) {
        for g in touched.ids[firstTouched...] { patternState[Int(g)].chained = patternState[Int(g)].count }
        let base = Int(tables.patternBase[m])
        var seen = 0
        rules.matchers[m].automaton.forEachMatch(in: viewBytes[m]) { match in
            seen &+= 1
            guard seen > kept else { return true }
            let g = base &+ Int(match.pattern.rawValue)
            let s = patternState + g
            if s.pointee.count == 0 {
                s.pointee.chained = 0
                touched.append(UInt32(truncatingIfNeeded: g))
            }
            if s.pointee.count < UInt32.max { s.pointee.count &+= 1 }
            // Whether the match is a whole word does not depend on which
            // declaration asks: counted once for all of them.
            if s.pointee.directOwner == PatternState.slowPath && WordBoundary.isWhole(viewBytes[m], match.start, match.end) {
                unkeptWholeWords[g, default: 0] += 1
            }
            return true
        }
        // A search stopped at the limit may have left nothing out.
        capped[m] = seen > kept
    }

    /// How many of pattern `g`'s matches its chain holds (all of them unless
    /// its matcher reached `maxMatchesPerView`).
    @inline(__always)
    func chainLength(_ g: Int, matcher m: Int) -> Int {
        capped[m] ? Int(patternState[g].chained) : Int(patternState[g].count)
    }

    /// How far ahead the per-match loop requests a pattern's record.
    static let recordLookahead = 16
    /// How far ahead `resolveOwners` requests an owner's count and rule.
    static let ownerLookahead = 8

    func resolveOwners(of touched: Slice<UnsafeBufferPointer<UInt32>>, matcher m: Int) {
        var declared = touchedPatterns
        defer { touchedPatterns = declared }
        let ahead = Self.ownerLookahead
        for k in touched.indices {
            // The owner's count (updated below) and rule (read by
            // evaluation) are requested a few patterns ahead.
            if k &+ ahead < touched.endIndex {
                let owner = patternState[Int(touched[k &+ ahead])].directOwner
                if owner != PatternState.slowPath {
                    triage_prefetch(patternCount + Int(owner))
                    triage_prefetch(tables.candidateRule.baseAddress! + Int(owner))
                }
            }
            let g = Int(touched[k])
            let state = patternState[g]
            if state.directOwner != PatternState.slowPath {
                let owner = Int(state.directOwner)
                if patternCount[owner] == 0 { declared.append(state.directOwner) }
                patternCount[owner] &+= state.count
                continue
            }
            for o in ScanTables.row(tables.ownerStart, g) {
                let owner = Int(tables.ownerIDs[o])
                let hits = tables.fullword[owner] != 0 ? wholeWordHits(pattern: g, matcher: m) : Int(patternState[g].count)
                guard hits > 0 else { continue }
                if patternCount[owner] == 0 { declared.append(UInt32(owner)) }
                patternCount[owner] &+= UInt32(truncatingIfNeeded: hits)
            }
        }
    }

    /// Runs `body` with every matcher's matches and links reachable through
    /// `matchBase` and `linkBase`.
    func withChains<R>(from m: Int, _ body: () -> R) -> R {
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
    /// returns false (only inside `withChains` or `resolveOwners`). The
    /// chain runs backwards from the last match, so this reads it whole
    /// first.
    func forEachOccurrence(pattern g: Int, matcher m: Int, _ body: (Match) -> Bool) {
        guard chainLength(g, matcher: m) > 0, let found = matchBase[m] else { return }
        var order: [Int32] = []
        swap(&order, &chainOrder)
        defer {
            order.removeAll(keepingCapacity: true)
            swap(&order, &chainOrder)
        }
        forEachOccurrenceBackwards(pattern: g, matcher: m) { order.append(Int32(truncatingIfNeeded: $0)) }
        for i in order.reversed() where !body(found[Int(i)]) { return }
    }

    /// Calls `body` with the index of each of pattern `g`'s matches, last
    /// first (the chain's own order: for counting, where order is moot).
    @inline(__always)
    func forEachOccurrenceBackwards(pattern g: Int, matcher m: Int, _ body: (Int) -> Void) {
        let n = chainLength(g, matcher: m)
        guard n > 0, let links = linkBase[m] else { return }
        var i = Int(patternState[g].last)
        for k in 0..<n {
            body(i)
            if k + 1 < n { i = Int(links[i]) }
        }
    }

    func wholeWordHits(pattern g: Int, matcher m: Int) -> Int {
        let bytes = viewBytes[m]
        guard let found = matchBase[m] else { return 0 }
        var n = capped[m] ? unkeptWholeWords[g] ?? 0 : 0
        forEachOccurrenceBackwards(pattern: g, matcher: m) { i in
            if WordBoundary.isWhole(bytes, found[i].start, found[i].end) { n += 1 }
        }
        return n
    }

    func matcher(of g: Int) -> Int {
        var m = 0
        while Int(tables.patternBase[m + 1]) <= g { m += 1 }
        return m
    }

    /// Clears what the scan touched; keeps capacity for the next.
    func reset() {
        for g in touchedLiterals.ids { patternState[Int(g)].count = 0 }
        touchedLiterals.removeAll()
        for s in touchedPatterns.ids { patternCount[Int(s)] = 0 }
        touchedPatterns.removeAll()
        for r in candidates { ruleState[Int(r)] = 0 }
        candidates.removeAll(keepingCapacity: true)
        wordStartCache.removeAll(keepingCapacity: true)
        scanned = nil
        unkeptWholeWords.removeAll(keepingCapacity: true)
        for m in rules.matchers.indices {
            viewBytes[m] = UnsafeRawBufferPointer(start: nil, count: 0)
            capped[m] = false
        }
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
    /// The pattern's last match so far; each match links to the one before.
    var last: Int32 = 0
    /// How many matches the chain holds, set only when the pattern's
    /// matcher reached `maxMatchesPerView` (then `count` also counts the
    /// matches not kept). Also keeps a record at 16 bytes, so that none
    /// straddles two cache lines.
    var chained: UInt32 = 0
    /// The sole owner if it is not `fullword`; `PatternState.slowPath` if
    /// the pattern serves several declarations or a `fullword` one.
    var directOwner: UInt32 = PatternState.slowPath

    static let slowPath = UInt32.max
}

/// IDs a scan touched, each at most once, with room for every ID: appending
/// never checks capacity or reallocates. A value over memory its owner
/// allocates and frees; copies share it (the scanner copies one into a
/// local for a hot loop and stores it back).
struct TouchList {
    private let base: UnsafeMutablePointer<UInt32>
    private(set) var count = 0

    init(capacity: Int) { base = .allocate(capacity: max(capacity, 1)) }

    func deallocate() { base.deallocate() }

    /// Appends `id`, which must not be in the list yet.
    @inline(__always)
    mutating func append(_ id: UInt32) {
        base[count] = id
        count &+= 1
    }

    var ids: UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: base, count: count) }
    var isEmpty: Bool { count == 0 }

    mutating func removeAll() { count = 0 }
}
