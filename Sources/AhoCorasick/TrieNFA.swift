/// The build-time automaton: a trie over the (case-folded) patterns plus
/// failure links and match lists. Every searchable representation (DFA,
/// contiguous NFA) is derived from one of these and then discarded.
///
/// Storage is struct-of-arrays with `UInt32` indices so that a million
/// patterns cost a few tens of bytes per trie state and no per-state
/// allocation.
struct TrieNFA {
    /// State 0. Absorbing: every transition out of it leads back to it. Only
    /// reachable under leftmost semantics, where it means "stop searching".
    static let dead: UInt32 = 0
    /// State 1, the root of the trie. Missing transitions loop back to it
    /// (unanchored search), except under leftmost semantics when it is itself
    /// a match state, where they lead to `dead`.
    static let start: UInt32 = 1
    /// Sentinel for "no transition" / "end of list" in the arenas below; index
    /// 0 of each arena is reserved so 0 can never be a real entry.
    static let none: UInt32 = 0

    let matchKind: MatchKind

    // MARK: Per-state arrays (index = state ID)

    /// Head of the state's transition list in the transition arena, sorted by
    /// byte. Unused for `start`, whose transitions live in `startTable`.
    var transitionHead: [UInt32] = [none, none]
    /// The failure state: the longest proper suffix of this state's string
    /// that is also a trie state. `dead` for match states under leftmost
    /// semantics (and, by propagation, for every state after them).
    var fail: [UInt32] = [dead, start]
    /// Head of the state's match list in the match arena, or `none`.
    /// Lists are shared: a state's own patterns are followed by the list of
    /// its failure state, so they run longest first, then by pattern ID.
    var matchHead: [UInt32] = [none, none]
    /// Last entry of the state's *own* patterns, so the failure state's list
    /// can be linked after them. `none` if the state has no own pattern.
    var ownTail: [UInt32] = [none, none]
    /// Length of the state's string: the number of trie edges from `start`.
    var depth: [UInt32] = [0, 0]

    /// Dense transitions of the start state (the busiest), `none` if absent.
    var startTable = [UInt32](repeating: none, count: 256)

    // MARK: Arenas (index 0 reserved)

    /// Transition arena: the byte, the target state, and the next entry of the
    /// same state's list (`none` at the end).
    var transitionByte: [UInt8] = [0]
    var transitionTarget: [UInt32] = [none]
    var transitionLink: [UInt32] = [none]

    /// Match arena: a pattern ID and the next entry (`none` at the end).
    var matchPattern: [UInt32] = [0]
    var matchLink: [UInt32] = [none]

    /// States other than `start` and `dead` in breadth-first order: a state
    /// always comes after its failure state and its parent.
    var breadthFirstOrder: [UInt32] = []

    /// Length of each pattern, indexed by pattern ID.
    var patternLengths: [UInt32] = []
    /// Which bytes occur in some (folded) pattern, for byte classes.
    var usedBytes = [Bool](repeating: false, count: 256)

    var stateCount: Int { depth.count }
    var longestPattern: Int = 0
    var shortestPattern: Int = Int.max

    init(matchKind: MatchKind) {
        self.matchKind = matchKind
    }

    // MARK: Construction

    /// Builds the trie, then the failure links. Each step's *why* is on the
    /// function that does it.
    static func build<Patterns: Sequence>(
        _ patterns: Patterns,
        matchKind: MatchKind,
        asciiCaseInsensitive: Bool
    ) throws(BuildError) -> TrieNFA where Patterns.Element: Sequence<UInt8> {
        var nfa = TrieNFA(matchKind: matchKind)
        let fold = asciiCaseInsensitive ? ByteClasses.asciiLowercase : ByteClasses.identity
        var patternIndex = 0
        for pattern in patterns {
            guard patternIndex < BuildError.maxPatterns else {
                throw BuildError(.tooManyPatterns(count: patternIndex + 1))
            }
            try nfa.insert(pattern, id: UInt32(patternIndex), fold: fold)
            patternIndex += 1
        }
        if nfa.patternLengths.isEmpty { nfa.shortestPattern = 0 }
        try nfa.fillFailureLinks()
        return nfa
    }

    /// Adds one pattern to the trie.
    ///
    /// Under leftmost-first semantics a pattern that passes through a state
    /// where an earlier pattern ends can never match (the earlier, shorter one
    /// always wins at that start), so it is left out of the trie entirely.
    /// This is the *only* difference between the leftmost-first and
    /// leftmost-longest automata, and it is needed for correctness, not just
    /// for size. The pattern still gets its ID and length.
    private mutating func insert<P: Sequence<UInt8>>(
        _ pattern: P, id: UInt32, fold: [UInt8]
    ) throws(BuildError) {
        var state = TrieNFA.start
        var length = 0
        var abandoned = false
        for rawByte in pattern {
            length += 1
            if abandoned { continue }
            if matchKind == .leftmostFirst && matchHead[Int(state)] != TrieNFA.none {
                abandoned = true
                continue
            }
            let byte = fold[Int(rawByte)]
            usedBytes[Int(byte)] = true
            if let next = child(of: state, on: byte) {
                state = next
            } else {
                state = try addChild(of: state, on: byte)
            }
        }
        guard length <= BuildError.maxPatternLength else {
            throw BuildError(.patternTooLong(pattern: Int(id), length: length))
        }
        patternLengths.append(UInt32(length))
        longestPattern = max(longestPattern, length)
        shortestPattern = min(shortestPattern, length)
        if !abandoned {
            try appendOwnMatch(id, to: state)
        }
    }

    /// Appends a pattern to the end of a state's own match list, keeping the
    /// list in ascending ID order (patterns arrive in ID order).
    private mutating func appendOwnMatch(_ id: UInt32, to state: UInt32) throws(BuildError) {
        guard matchPattern.count < Int(UInt32.max) else {
            throw BuildError(.tooManyMatchEntries(needed: matchPattern.count + 1))
        }
        let entry = UInt32(matchPattern.count)
        matchPattern.append(id)
        matchLink.append(TrieNFA.none)
        let s = Int(state)
        if ownTail[s] == TrieNFA.none {
            matchHead[s] = entry
        } else {
            matchLink[Int(ownTail[s])] = entry
        }
        ownTail[s] = entry
    }

    /// The trie child of `state` on `byte`, if there is one.
    func child(of state: UInt32, on byte: UInt8) -> UInt32? {
        if state == TrieNFA.start {
            let next = startTable[Int(byte)]
            return next == TrieNFA.none ? nil : next
        }
        var entry = transitionHead[Int(state)]
        while entry != TrieNFA.none {
            let b = transitionByte[Int(entry)]
            if b == byte { return transitionTarget[Int(entry)] }
            if b > byte { return nil }
            entry = transitionLink[Int(entry)]
        }
        return nil
    }

    /// Calls `body` with each (byte, child) of `state`, in byte order.
    func forEachChild(of state: UInt32, _ body: (UInt8, UInt32) -> Void) {
        if state == TrieNFA.start {
            for byte in 0..<256 where startTable[byte] != TrieNFA.none {
                body(UInt8(byte), startTable[byte])
            }
            return
        }
        var entry = transitionHead[Int(state)]
        while entry != TrieNFA.none {
            body(transitionByte[Int(entry)], transitionTarget[Int(entry)])
            entry = transitionLink[Int(entry)]
        }
    }

    /// Number of trie children of `state`.
    func childCount(of state: UInt32) -> Int {
        var count = 0
        forEachChild(of: state) { _, _ in count += 1 }
        return count
    }

    private mutating func addChild(of state: UInt32, on byte: UInt8) throws(BuildError) -> UInt32 {
        guard depth.count < Int(UInt32.max) - 1 else {
            throw BuildError(.tooManyStates(kind: .contiguousNFA, needed: depth.count + 1))
        }
        let next = UInt32(depth.count)
        transitionHead.append(TrieNFA.none)
        fail.append(TrieNFA.start)
        matchHead.append(TrieNFA.none)
        ownTail.append(TrieNFA.none)
        depth.append(depth[Int(state)] + 1)

        if state == TrieNFA.start {
            startTable[Int(byte)] = next
            return next
        }
        // Insert into the sorted list.
        let entry = UInt32(transitionByte.count)
        transitionByte.append(byte)
        transitionTarget.append(next)
        var previous = TrieNFA.none
        var current = transitionHead[Int(state)]
        while current != TrieNFA.none && transitionByte[Int(current)] < byte {
            previous = current
            current = transitionLink[Int(current)]
        }
        transitionLink.append(current)
        if previous == TrieNFA.none {
            transitionHead[Int(state)] = entry
        } else {
            transitionLink[Int(previous)] = entry
        }
        return next
    }

    /// Whether the empty pattern is present (and kept): the start state matches.
    var startIsMatch: Bool { ownTail[Int(TrieNFA.start)] != TrieNFA.none }

    /// Where the search goes from `start` on a byte with no trie child.
    var startFallback: UInt32 {
        // Under leftmost semantics a matching start state means the search
        // has its answer at the first position and must never restart.
        (matchKind.isLeftmost && startIsMatch) ? TrieNFA.dead : TrieNFA.start
    }

    /// Computes failure links and match lists breadth first.
    ///
    /// Standard semantics: the textbook construction; a state's match list is
    /// its own patterns followed by its failure state's list (shared, not
    /// copied), which ends in the start state's list, so the empty pattern is
    /// reported at every position.
    ///
    /// Leftmost semantics: a state with its own patterns gets `dead` as its
    /// failure state, because following a failure link after a match would
    /// only find matches that start later. `dead` then propagates to every
    /// state below it through the ordinary computation. States without own
    /// patterns inherit their failure state's list, except the start state's
    /// (the empty match is only ever reported from the start state itself).
    private mutating func fillFailureLinks() throws(BuildError) {
        let leftmost = matchKind.isLeftmost
        breadthFirstOrder.reserveCapacity(stateCount - 2)
        // A depth-1 state's longest proper suffix is the empty string: the
        // start state. Under leftmost semantics with a matching start state
        // every state comes after a match, so the chain ends at dead instead.
        let rootFailure = startFallback
        for byte in 0..<256 {
            let next = startTable[byte]
            guard next != TrieNFA.none else { continue }
            breadthFirstOrder.append(next)
            link(next, failingTo: rootFailure, leftmost: leftmost)
        }
        var head = 0
        while head < breadthFirstOrder.count {
            let state = breadthFirstOrder[head]
            head += 1
            var entry = transitionHead[Int(state)]
            while entry != TrieNFA.none {
                let byte = transitionByte[Int(entry)]
                let next = transitionTarget[Int(entry)]
                entry = transitionLink[Int(entry)]
                breadthFirstOrder.append(next)
                link(next, failingTo: failTarget(from: fail[Int(state)], on: byte), leftmost: leftmost)
            }
        }
    }

    /// Follows failure links from `state` until one has a transition on `byte`.
    private func failTarget(from state: UInt32, on byte: UInt8) -> UInt32 {
        var f = state
        while true {
            if f == TrieNFA.dead { return TrieNFA.dead }
            if let next = child(of: f, on: byte) { return next }
            if f == TrieNFA.start { return startFallback }
            f = fail[Int(f)]
        }
    }

    private mutating func link(_ state: UInt32, failingTo target: UInt32, leftmost: Bool) {
        let s = Int(state)
        let hasOwn = ownTail[s] != TrieNFA.none
        if leftmost {
            if hasOwn {
                fail[s] = TrieNFA.dead
            } else {
                fail[s] = target
                matchHead[s] = target == TrieNFA.start ? TrieNFA.none : matchHead[Int(target)]
            }
        } else {
            fail[s] = target
            let inherited = matchHead[Int(target)]
            if hasOwn {
                matchLink[Int(ownTail[s])] = inherited
            } else {
                matchHead[s] = inherited
            }
        }
    }
}
