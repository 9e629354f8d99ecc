import AhoCorasick
import CPrefetch

/// Steps 3 and 4 of a scan: candidate rules and their conditions.
extension RuleScanner {
    func evaluate(evidence: Bool) -> ScanResult {
        var result = ScanResult()
        swap(&result, &recycled)
        result.removeAll()
        result.matchLimitReached = capped.contains(true)
        defer { recycled = result }
        guard !touchedPatterns.isEmpty || rules.hasBaselineHits else { return result }
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
            evaluateCandidates(hold)
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

    /// Candidates when no rule names another: the rules owning a hit
    /// pattern. A hit that decides its rule alone (`ScanTables.decidesRule`:
    /// `$a`, `any of them`, an `or` with such an operand) holds it outright.
    /// Of the others, only those with as many distinct hits among the
    /// patterns they read as they need (`ScanTables.hitsNeeded`: two for
    /// `$a and $b`) run their programs; the rest are false. Programs run in
    /// rule order, so the tables they read are walked forwards. Those
    /// tables are rarely in cache (the automaton's scan has just swept it),
    /// so each candidate's entry is requested as it is found, and its
    /// program's first words a few candidates before it runs.
    func evaluateCandidates(_ hold: (Int) -> Void) {
        let entries = tables.program.entry
        var first = Int.max, last = -1
        for s in touchedPatterns.ids {
            let candidate = tables.candidateRule[Int(s)]
            let r = Int(candidate & ScanTables.ruleMask)
            if candidate & ScanTables.decidesRule != 0 {
                hold(r)
                continue
            }
            triage_prefetch(entries.baseAddress! + r)
            candidateBits[r >> 6] |= 1 << UInt64(r & 63)
            if candidate & ScanTables.readByRule != 0 && readHits[r] < UInt8.max { readHits[r] += 1 }
            first = min(first, r >> 6)
            last = max(last, r >> 6)
        }
        if rules.hasBaselineHits {
            for r in tables.baseline.indices where tables.baseline[r] != 0 && tables.ruleStatus[r] != 2
                && candidateBits[r >> 6] & (1 << UInt64(r & 63)) == 0 { hold(r) }
        }
        guard last >= 0 else { return }
        var pending: [UInt32] = []
        swap(&pending, &pendingRules)
        defer {
            pending.removeAll(keepingCapacity: true)
            swap(&pending, &pendingRules)
        }
        for w in first...last {
            var bits = candidateBits[w]
            candidateBits[w] = 0
            // Rules already held were decided by a hit.
            let decided = held[w]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                let r = w << 6 | bit
                let enough = readHits[r] >= tables.hitsNeeded[r]
                readHits[r] = 0
                if enough && decided & (1 << UInt64(bit)) == 0 { pending.append(UInt32(truncatingIfNeeded: r)) }
            }
        }
        let code = tables.program.code
        for k in pending.indices {
            if k &+ Self.programLookahead < pending.count {
                triage_prefetch(code.baseAddress! + Int(entries[Int(pending[k &+ Self.programLookahead])]))
            }
            let r = Int(pending[k])
            if tables.ruleStatus[r] != 2 && evaluate(Int(entries[r]), code) { hold(r) }
        }
    }

    /// How many candidates ahead a program's first words are requested:
    /// enough for the request to arrive, few enough to stay in cache.
    static let programLookahead = 6

    /// Candidates when rules name rules: those owning a hit pattern and,
    /// transitively, those naming a candidate; evaluated so that every rule
    /// runs after the rules it names (`evaluationRank`), which makes a
    /// reference a lookup, never a recursive evaluation.
    func evaluateWithReferences(_ hold: (Int) -> Void) {
        var marked: [UInt32] = []
        swap(&marked, &candidates)
        defer { swap(&marked, &candidates) }
        for s in touchedPatterns.ids {
            let candidate = tables.candidateRule[Int(s)]
            let r = Int(candidate & ScanTables.ruleMask)
            mark(r, &marked)
            // Decided by this hit: its value is known without evaluation.
            if candidate & ScanTables.decidesRule != 0 { ruleState[r] = 3 }
        }
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
    func mark(_ rule: Int, _ marked: inout [UInt32]) {
        guard ruleState[rule] == 0 else { return }
        ruleState[rule] = 1
        marked.append(UInt32(rule))
    }

    /// A candidate's value, evaluated once per scan.
    func value(of rule: Int) -> Bool {
        if ruleState[rule] == 1 {
            let v = tables.ruleStatus[rule] != 2 && evaluate(Int(tables.program.entry[rule]))
            ruleState[rule] = v ? 3 : 2
        }
        return referencedValue(rule)
    }

    /// The value a reference to `rule` reads: its no-hit baseline unless it
    /// is a candidate, whose value is known by then (evaluation order).
    @inline(__always)
    func referencedValue(_ rule: Int) -> Bool {
        switch ruleState[rule] {
        case 0: tables.baseline[rule] != 0
        case 3: true
        default: false
        }
    }

    func evaluate(_ pc: Int) -> Bool { evaluate(pc, tables.program.code) }

    func evaluate(_ pc: Int, _ code: UnsafeBufferPointer<Int32>) -> Bool {
        typealias Op = ConditionProgram.Op
        switch Op(rawValue: code[pc]).unsafelyUnwrapped {
        case .boolean: return code[pc + 1] != 0
        case .pattern: return patternCount[Int(code[pc + 1])] > 0
        case .count:
            return ConditionProgram.comparisons[Int(code[pc + 2])].holds(Int(patternCount[Int(code[pc + 1])]), Int(code[pc + 3]))
        case .atLeast:
            let needed = Int(code[pc + 1])
            var found = 0
            for k in 0..<Int(code[pc + 2]) where patternCount[Int(code[pc + 3 + k])] > 0 {
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
    func near(_ a: Int, _ b: Int, within words: Int) -> Bool {
        guard patternCount[a] > 0, patternCount[b] > 0 else { return false }
        var xs: [Int] = [], ys: [Int] = []
        swap(&xs, &positionsA)
        swap(&ys, &positionsB)
        defer {
            swap(&xs, &positionsA)
            swap(&ys, &positionsB)
        }
        gatherOccurrences(of: a, limit: maxPositionsPerPattern)
        xs.removeAll(keepingCapacity: true)
        for match in occurrenceBuffer { xs.append(match.start) }
        gatherOccurrences(of: b, limit: maxPositionsPerPattern)
        ys.removeAll(keepingCapacity: true)
        for match in occurrenceBuffer { ys.append(match.start) }
        let viewA = tables.patternView[a], viewB = tables.patternView[b]
        guard viewA == viewB else { return nearAcrossViews(xs, viewA, ys, viewB, words) }
        // Neighbours in merged text order: the nearest `b` to any `a` is its
        // neighbour on one side, and neighbours' gaps do not overlap, so this
        // reads the text at most once.
        let bytes = viewBytes[rules.matchers.firstIndex { $0.key.view.code == viewA }!]
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

    /// `near` between patterns of different views: word numbers in the
    /// first view's word table (or the second's, if the first is the
    /// case-preserving view), the second's matches placed there through
    /// the page bytes they came from (the views need not cover the same
    /// text: the case-preserving one may hold only a few places, `CasedGate`).
    func nearAcrossViews(_ xs: [Int], _ viewA: UInt8, _ ys: [Int], _ viewB: UInt8, _ words: Int) -> Bool {
        // Words are counted in a view of the whole text: not the
        // case-preserving one when it holds only a few places.
        if viewA == TextView.cased.code && scanned?.casedIsPartial == true { return nearAcrossViews(ys, viewB, xs, viewA, words) }
        let m = rules.matchers.firstIndex { $0.key.view.code == viewA }!
        let keyA = rules.matchers[m].key.view
        let keyB = rules.matchers.first { $0.key.view.code == viewB }!.key.view
        if wordStartCache[keyA] == nil { wordStartCache[keyA] = WordBoundary.wordStarts(viewBytes[m]) }
        let starts = wordStartCache[keyA]!
        var placed = ys
        if let views = scanned, views.casedIsPartial, keyA == .cased || keyB == .cased {
            let mapA = views.map(keyA), mapB = views.map(keyB)
            placed = ys.map { $0 < mapB.count ? mapA.output(atSource: mapB[$0].lowerBound) : mapA.count }
        }
        let wa = xs.map { WordBoundary.index(of: $0, in: starts) }, wb = placed.map { WordBoundary.index(of: $0, in: starts) }.sorted()
        var i = 0, j = 0
        let sa = wa.sorted()
        while i < sa.count && j < wb.count {
            if abs(sa[i] - wb[j]) <= words { return true }
            if sa[i] < wb[j] { i += 1 } else { j += 1 }
        }
        return false
    }
}
