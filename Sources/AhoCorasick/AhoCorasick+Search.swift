/// The search loops. Each is written once, generic over the transition
/// function, and specialised for the DFA and the contiguous NFA.
///
/// All of them work on raw bytes inside the caller's buffer: no `String`, no
/// allocation, no reference counting and no dynamic dispatch per byte.
protocol TransitionFunction {
    /// The state after `state` on a byte of class `cls`.
    func next(_ state: UInt32, _ cls: UInt32) -> UInt32
    /// Head of the match list of match state `state`.
    func matchHead(_ state: UInt32) -> UInt32
}

struct DFATransitions: TransitionFunction {
    let table: UnsafePointer<UInt32>
    let heads: UnsafePointer<UInt32>
    let shift: UInt32

    /// `(table + cls)[state]`, not `table[state + cls]`: the class does not
    /// depend on the previous state, so `table + cls` is computed off the
    /// critical path and the dependent chain is one load with a
    /// base-plus-index address, without an add in front of it.
    @inline(__always)
    func next(_ state: UInt32, _ cls: UInt32) -> UInt32 { (table + Int(cls))[Int(state)] }

    @inline(__always)
    func matchHead(_ state: UInt32) -> UInt32 { heads[Int(state >> shift)] }
}

struct NFATransitions: TransitionFunction {
    let words: UnsafePointer<UInt32>

    @inline(__always)
    func next(_ state: UInt32, _ cls: UInt32) -> UInt32 {
        var s = Int(state)
        while true {
            let head = words[s]
            if head & ContiguousNFAEncoder.denseFlag != 0 {
                // As in the DFA: the class part of the address is off the
                // dependent chain.
                return (words + (ContiguousNFAEncoder.headerWords &+ Int(cls)))[s]
            }
            let n = Int(head)
            let classBytes = UnsafeRawPointer(words + (s &+ ContiguousNFAEncoder.headerWords))
                .assumingMemoryBound(to: UInt8.self)
            var i = 0
            while i < n {
                let c = UInt32(classBytes[i])
                if c == cls {
                    return words[s &+ ContiguousNFAEncoder.headerWords &+ ((n &+ 3) >> 2) &+ i]
                }
                if c > cls { break }
                i &+= 1
            }
            s = Int(words[s &+ 1])
        }
    }

    @inline(__always)
    func matchHead(_ state: UInt32) -> UInt32 { words[Int(state) &+ 2] }
}

extension Tables {
    /// The transitions read as a DFA table (callers switch on the kind, so
    /// each search loop is specialised for one transition function).
    var dfa: DFATransitions { DFATransitions(table: transitions, heads: matchHeads, shift: strideShift) }
    /// The transitions read as a contiguous NFA.
    var nfa: NFATransitions { NFATransitions(words: transitions) }

    @inline(__always)
    func start(ofMatchAt end: Int, pattern: UInt32) -> Int {
        // Never negative for a validated image built by this module; the
        // clamp keeps a forged image from producing a negative offset.
        max(0, end &- Int(patternLengths[Int(pattern)]))
    }
}

/// The outcome of one leftmost search.
struct LeftmostResult {
    /// The match found, if any.
    var match: Match?
    /// True when the search stopped at the dead state, so no later byte could
    /// change the answer. False when it ran out of haystack.
    var settled: Bool
}

extension AhoCorasick {
    // MARK: Public search API

    /// Calls `body` with each match in `haystack`, in order, until `body`
    /// returns false.
    ///
    /// For `.standard` automata these are all matches, overlapping ones
    /// included; for the leftmost kinds, successive non-overlapping matches.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, _ body: (Match) throws -> Bool) rethrows {
        if matchKind.isLeftmost {
            var at = 0
            while at <= haystack.count {
                let result = leftmostFind(in: haystack, from: at)
                guard let match = result.match else { return }
                guard try body(match) else { return }
                at = match.nextSearchStart
            }
        } else {
            var state = OverlappingState()
            while let match = nextOverlapping(in: haystack, state: &state, offsetBase: 0) {
                guard try body(match) else { return }
            }
        }
    }

    /// All matches in `haystack` (see `forEachMatch(in:_:)`).
    public func matches(in haystack: UnsafeRawBufferPointer) -> [Match] {
        var result: [Match] = []
        forEachMatch(in: haystack) { result.append($0); return true }
        return result
    }

    /// All matches in a byte array (see `forEachMatch(in:_:)`).
    public func matches(in haystack: [UInt8]) -> [Match] {
        haystack.withUnsafeBytes { matches(in: $0) }
    }

    /// All matches in the UTF-8 bytes of a string (see `forEachMatch(in:_:)`).
    public func matches(in haystack: String) -> [Match] {
        matches(in: Array(haystack.utf8))
    }

    /// Appends every match in `haystack` to `matches`, in the order
    /// `forEachMatch(in:_:)` reports them.
    ///
    /// The fastest way to get all matches: one loop with no closure call and
    /// no resumable state per match. Reuse `matches` (`removeAll(keepingCapacity:)`)
    /// across haystacks to avoid reallocating.
    public func appendMatches(in haystack: UnsafeRawBufferPointer, to matches: inout [Match]) {
        appendMatches(in: haystack, to: &matches, limit: .max)
    }

    /// Appends matches in `haystack` to `matches` as `appendMatches(in:to:)`
    /// does, but stops once `matches` holds `limit` or more: a bound on the
    /// memory a hostile haystack can make a search take (10 MB of `a` holds
    /// 10 million matches of `aaaa`).
    ///
    /// Returns true if it searched the whole haystack, so every match was
    /// appended; false if it stopped before the end with `limit` or more
    /// appended, so matches may have been left out. Either way the matches
    /// appended are the first ones `forEachMatch(in:_:)` reports, in its
    /// order; they may pass `limit` by the matches that end at the byte
    /// where it stopped (at most one per pattern), and a caller that wants
    /// the rest skips that many in `forEachMatch(in:_:)`.
    @discardableResult
    public func appendMatches(in haystack: UnsafeRawBufferPointer, to matches: inout [Match], limit: Int) -> Bool {
        guard matchKind.isOverlapping else {
            var complete = true
            forEachMatch(in: haystack) { match in
                guard matches.count < limit else { complete = false; return false }
                matches.append(match)
                return true
            }
            return complete
        }
        switch kind {
        case .dfa: return appendOverlapping(in: haystack, to: &matches, limit: limit, tables.dfa)
        case .contiguousNFA: return appendOverlapping(in: haystack, to: &matches, limit: limit, tables.nfa)
        }
    }

    /// Returns false if it stopped at `limit` (after a whole byte's matches).
    @inline(__always)
    private func appendOverlapping(in haystack: UnsafeRawBufferPointer, to matches: inout [Match], limit: Int,
                                   _ t: some TransitionFunction) -> Bool {
        let tables = self.tables
        let entries = tables.matchEntries
        @inline(__always) func report(_ state: UInt32, _ end: Int) {
            var entry = t.matchHead(state)
            while entry != 0 {
                let pattern = entries[Int(entry) &* 2]
                matches.append(Match(pattern: PatternID(pattern), start: tables.start(ofMatchAt: end, pattern: pattern), end: end))
                entry = entries[Int(entry) &* 2 &+ 1]
            }
        }
        var state = tables.start
        let maxMatch = tables.maxMatch
        let count = haystack.count
        if state <= maxMatch {
            report(state, 0)
            if matches.count >= limit && count > 0 { return false }
        }
        guard let base = haystack.baseAddress else { return true }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let classes = tables.classes
        for i in 0..<count {
            state = t.next(state, UInt32(classes[Int(bytes[i])]))
            if state <= maxMatch {
                report(state, i &+ 1)
                // Checked only where matches were added, off the path most
                // bytes take; stopping after the last byte is finishing.
                if matches.count >= limit && i &+ 1 < count { return false }
            }
        }
        return true
    }

    /// The first match in `haystack`: the leftmost one for the leftmost
    /// kinds, the one that ends first for `.standard`.
    public func firstMatch(in haystack: UnsafeRawBufferPointer) -> Match? {
        var first: Match?
        forEachMatch(in: haystack) { first = $0; return false }
        return first
    }

    /// Whether any pattern occurs in `haystack`.
    public func isMatch(in haystack: UnsafeRawBufferPointer) -> Bool {
        firstMatch(in: haystack) != nil
    }

    /// The number of matches `forEachMatch(in:_:)` would report, counted
    /// without materialising them.
    public func countMatches(in haystack: UnsafeRawBufferPointer) -> Int {
        if matchKind.isLeftmost {
            var count = 0
            forEachMatch(in: haystack) { _ in count += 1; return true }
            return count
        }
        switch kind {
        case .dfa: return countOverlapping(in: haystack, tables.dfa)
        case .contiguousNFA: return countOverlapping(in: haystack, tables.nfa)
        }
    }

    // MARK: Leftmost

    /// The leftmost match starting at or after `from`, using the automaton's
    /// leftmost kind.
    ///
    /// The automaton does the work: after the first match state the search
    /// can only follow trie edges to longer candidates (failure links of
    /// match states lead to the dead state), so the last match seen before
    /// the dead state is the answer.
    func leftmostFind(in haystack: UnsafeRawBufferPointer, from: Int) -> LeftmostResult {
        switch kind {
        case .dfa: leftmostFind(in: haystack, from: from, tables.dfa)
        case .contiguousNFA: leftmostFind(in: haystack, from: from, tables.nfa)
        }
    }

    @inline(__always)
    private func leftmostFind(in haystack: UnsafeRawBufferPointer, from: Int, _ t: some TransitionFunction) -> LeftmostResult {
        let tables = self.tables
        let maxMatch = tables.maxMatch
        var state = tables.start
        var lastPattern: UInt32 = 0
        var lastEnd = -1
        if state <= maxMatch {
            lastPattern = tables.matchEntries[Int(t.matchHead(state)) &* 2]
            lastEnd = from
        }
        guard let base = haystack.baseAddress else {
            return LeftmostResult(match: lastEnd < 0 ? nil : match(lastPattern, end: lastEnd), settled: false)
        }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let classes = tables.classes
        var i = from
        let end = haystack.count
        while i < end {
            state = t.next(state, UInt32(classes[Int(bytes[i])]))
            i &+= 1
            if state <= maxMatch {
                if state == 0 {
                    return LeftmostResult(match: lastEnd < 0 ? nil : match(lastPattern, end: lastEnd), settled: true)
                }
                lastPattern = tables.matchEntries[Int(t.matchHead(state)) &* 2]
                lastEnd = i
            }
        }
        return LeftmostResult(match: lastEnd < 0 ? nil : match(lastPattern, end: lastEnd), settled: false)
    }

    @inline(__always)
    private func match(_ pattern: UInt32, end: Int) -> Match {
        Match(pattern: PatternID(pattern), start: tables.start(ofMatchAt: end, pattern: pattern), end: end)
    }

    // MARK: Overlapping

    /// Where an overlapping search is: resumable across calls and chunks.
    struct OverlappingState {
        /// Automaton state after the bytes consumed so far.
        var automatonState: UInt32 = UInt32.max
        /// Bytes consumed so far, relative to the current buffer.
        var position = 0
        /// Next entry of the current match list still to report (0: none).
        var pendingEntry: UInt32 = 0
        /// End offset of the pending matches, relative to the current buffer.
        var pendingEnd = 0
    }

    /// The next overlapping match, or nil when the buffer is exhausted (the
    /// state then holds the automaton state to continue with the next chunk).
    func nextOverlapping(in haystack: UnsafeRawBufferPointer, state s: inout OverlappingState, offsetBase: Int) -> Match? {
        switch kind {
        case .dfa: nextOverlapping(in: haystack, state: &s, offsetBase: offsetBase, tables.dfa)
        case .contiguousNFA: nextOverlapping(in: haystack, state: &s, offsetBase: offsetBase, tables.nfa)
        }
    }

    @inline(__always)
    private func nextOverlapping(
        in haystack: UnsafeRawBufferPointer, state s: inout OverlappingState, offsetBase: Int, _ t: some TransitionFunction
    ) -> Match? {
        let tables = self.tables
        if s.automatonState == UInt32.max {
            // First call: the start state may itself match (empty pattern).
            s.automatonState = tables.start
            if tables.start <= tables.maxMatch {
                s.pendingEntry = t.matchHead(tables.start)
                s.pendingEnd = 0
            }
        }
        if s.pendingEntry != 0 {
            let entry = Int(s.pendingEntry) &* 2
            let pattern = tables.matchEntries[entry]
            s.pendingEntry = tables.matchEntries[entry &+ 1]
            let end = offsetBase + s.pendingEnd
            return Match(pattern: PatternID(pattern), start: tables.start(ofMatchAt: end, pattern: pattern), end: end)
        }
        guard let base = haystack.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let classes = tables.classes
        let maxMatch = tables.maxMatch
        var state = s.automatonState
        var i = s.position
        let end = haystack.count
        while i < end {
            state = t.next(state, UInt32(classes[Int(bytes[i])]))
            i &+= 1
            if state <= maxMatch {
                s.automatonState = state
                s.position = i
                let entry = Int(t.matchHead(state)) &* 2
                let pattern = tables.matchEntries[entry]
                s.pendingEntry = tables.matchEntries[entry &+ 1]
                s.pendingEnd = i
                let matchEnd = offsetBase + i
                return Match(pattern: PatternID(pattern), start: tables.start(ofMatchAt: matchEnd, pattern: pattern), end: matchEnd)
            }
        }
        s.automatonState = state
        s.position = i
        return nil
    }

    @inline(__always)
    private func countOverlapping(in haystack: UnsafeRawBufferPointer, _ t: some TransitionFunction) -> Int {
        let tables = self.tables
        let entries = tables.matchEntries
        @inline(__always) func listLength(_ head: UInt32) -> Int {
            var n = 0
            var entry = head
            while entry != 0 { n &+= 1; entry = entries[Int(entry) &* 2 &+ 1] }
            return n
        }
        var count = 0
        var state = tables.start
        let maxMatch = tables.maxMatch
        if state <= maxMatch { count &+= listLength(t.matchHead(state)) }
        guard let base = haystack.baseAddress else { return count }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let classes = tables.classes
        for i in 0..<haystack.count {
            state = t.next(state, UInt32(classes[Int(bytes[i])]))
            if state <= maxMatch { count &+= listLength(t.matchHead(state)) }
        }
        return count
    }
}
