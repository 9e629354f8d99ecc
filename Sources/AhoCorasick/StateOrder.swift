/// Decisions shared by both encoders: the order states are laid out in, and
/// the renumbered match lists.
struct StateOrder {
    /// Trie state IDs in layout order:
    /// `dead`, the match states, then the other states.
    ///
    /// Why: with `dead` first and match states right after it, one comparison
    /// (`id <= maxMatch`) in the search loop tells "nothing to do" from
    /// "dead or match", which keeps the hot loop to a single predictable
    /// branch. The start state is the last match state when it matches and
    /// the first non-match state otherwise; everything else keeps breadth-first
    /// order for locality.
    let states: [UInt32]
    /// Number of match states (the start state included when it matches).
    let matchStateCount: Int
    /// `position[trieID]` is the state's index in `states`.
    let position: [UInt32]

    init(_ trie: TrieNFA) {
        var matching: [UInt32] = []
        var other: [UInt32] = []
        for state in trie.breadthFirstOrder {
            if trie.matchHead[Int(state)] != TrieNFA.none { matching.append(state) } else { other.append(state) }
        }
        if trie.startIsMatch { matching.append(TrieNFA.start) } else { other.insert(TrieNFA.start, at: 0) }
        states = [TrieNFA.dead] + matching + other
        matchStateCount = matching.count
        var position = [UInt32](repeating: 0, count: trie.stateCount)
        for (index, state) in states.enumerated() { position[Int(state)] = UInt32(index) }
        self.position = position
    }

    /// The match arena renumbered so that every link points to a smaller
    /// index (0 ends a list), as pairs `(pattern, link)`, plus each trie
    /// state's new list head.
    ///
    /// Why: a loader can then prove in one pass that no list is cyclic (each
    /// link must be below its own index), so a forged file cannot make a
    /// search loop forever. States are visited start first, then breadth
    /// first, so a failure state's list is numbered before the lists that
    /// continue into it; a state's own entries are numbered tail first.
    static func renumberedMatches(_ trie: TrieNFA) -> (entries: [UInt32], heads: [UInt32]) {
        var newIndex = [UInt32](repeating: 0, count: trie.matchPattern.count)
        var entries: [UInt32] = [0, 0]
        entries.reserveCapacity(trie.matchPattern.count * 2)
        var heads = [UInt32](repeating: 0, count: trie.stateCount)
        var own: [UInt32] = []
        func visit(_ state: UInt32) {
            let s = Int(state)
            let tail = trie.ownTail[s]
            if tail != TrieNFA.none {
                own.removeAll(keepingCapacity: true)
                var entry = trie.matchHead[s]
                while true {
                    own.append(entry)
                    if entry == tail { break }
                    entry = trie.matchLink[Int(entry)]
                }
                for entry in own.reversed() {
                    let oldLink = trie.matchLink[Int(entry)]
                    newIndex[Int(entry)] = UInt32(entries.count / 2)
                    entries.append(trie.matchPattern[Int(entry)])
                    entries.append(oldLink == TrieNFA.none ? 0 : newIndex[Int(oldLink)])
                }
            }
            let head = trie.matchHead[s]
            heads[s] = head == TrieNFA.none ? 0 : newIndex[Int(head)]
        }
        visit(TrieNFA.start)
        for state in trie.breadthFirstOrder { visit(state) }
        return (entries, heads)
    }
}
