/// Packs a trie with failure links into one `UInt32` array, state after
/// state. A state's ID is the offset of its first word.
///
/// ```
/// word 0     header: bit 31 set = dense; otherwise bits 0-8 = transition count n
/// word 1     failure state ID
/// word 2     match list head (0 = no match)
/// dense:     one word per byte class: the next state, already resolved
///            through failure links (a dense state never needs its failure link)
/// sparse:    n class bytes packed four per word, then n next-state words
/// ```
///
/// States up to `denseDepth` from the root are dense: they are few (bounded
/// by the alphabet, not the pattern count) and they are where an unanchored
/// search spends most of its time. Deeper states are sparse and fall back
/// along failure links, which always lead to a shallower state and end in a
/// dense one.
enum ContiguousNFAEncoder {
    static let denseFlag: UInt32 = 1 << 31
    static let countMask: UInt32 = 0x1FF
    static let headerWords = 3
    static let denseDepth: UInt32 = 2

    static func encode(
        _ trie: TrieNFA, classes: ByteClasses, order: StateOrder, matchHeads: [UInt32]
    ) throws(BuildError) -> EncodedAutomaton {
        // Step 1: decide each state's encoding and size, and so its offset.
        func isDense(_ state: UInt32) -> Bool {
            state == TrieNFA.dead || state == TrieNFA.start || trie.depth[Int(state)] <= denseDepth
        }
        var offset = [UInt32](repeating: 0, count: trie.stateCount)
        var childCounts = [UInt16](repeating: 0, count: trie.stateCount)
        var total = 0
        for state in order.states {
            guard total <= Int(UInt32.max) else {
                throw BuildError(.tooManyStates(kind: .contiguousNFA, needed: total))
            }
            offset[Int(state)] = UInt32(total)
            if isDense(state) {
                total += headerWords + classes.count
            } else {
                let n = trie.childCount(of: state)
                childCounts[Int(state)] = UInt16(n)
                total += headerWords + (n + 3) / 4 + n
            }
        }
        guard total <= Int(UInt32.max) else {
            throw BuildError(.tooManyStates(kind: .contiguousNFA, needed: total))
        }

        // Step 2: write the states. Dense rows are resolved the same way as
        // DFA rows: copy the failure state's row, which breadth-first order
        // has already written, and overwrite the state's own transitions.
        var words = [UInt32](repeating: 0, count: total)
        let startFallback = offset[Int(trie.startFallback)]
        words.withUnsafeMutableBufferPointer { words in
            // The dead state: dense, every transition back to itself (offset 0).
            words[0] = denseFlag
            for state in [TrieNFA.start] + trie.breadthFirstOrder {
                let s = Int(state)
                let base = Int(offset[s])
                words[base + 1] = offset[Int(trie.fail[s])]
                words[base + 2] = matchHeads[s]
                if isDense(state) {
                    words[base] = denseFlag
                    let row = base + headerWords
                    if state == TrieNFA.start {
                        for cls in 0..<classes.count { words[row + cls] = startFallback }
                    } else {
                        let failRow = Int(offset[Int(trie.fail[s])]) + headerWords
                        for cls in 0..<classes.count { words[row + cls] = words[failRow + cls] }
                    }
                    trie.forEachChild(of: state) { byte, child in
                        words[row + Int(classes.classes[Int(byte)])] = offset[Int(child)]
                    }
                } else {
                    let n = Int(childCounts[s])
                    words[base] = UInt32(n)
                    let classBytes = UnsafeMutableRawPointer(words.baseAddress! + base + headerWords)
                        .assumingMemoryBound(to: UInt8.self)
                    let targets = base + headerWords + (n + 3) / 4
                    var i = 0
                    trie.forEachChild(of: state) { byte, child in
                        classBytes[i] = classes.classes[Int(byte)]
                        words[targets + i] = offset[Int(child)]
                        i += 1
                    }
                }
            }
        }
        let lastMatch = order.states[order.matchStateCount]
        return EncodedAutomaton(
            kind: .contiguousNFA,
            stateCount: order.states.count,
            strideShift: 0,
            start: offset[Int(TrieNFA.start)],
            maxMatch: offset[Int(lastMatch)],
            transitions: words,
            matchHeads: []
        )
    }
}
