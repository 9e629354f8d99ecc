/// Turns a trie with failure links into a dense DFA transition table.
///
/// Row `i` holds the transitions of state `i` for each byte class; entries
/// are *premultiplied* state IDs (`index << strideShift`), so the search loop
/// computes `table[state + class]` with no multiplication. The stride is the
/// class count rounded up to a power of two so a loader can check that an
/// entry is a row start with a mask.
enum DFAEncoder {
    /// Bytes the DFA would take, without building it.
    static func tableBytes(stateCount: Int, classCount: Int) -> Int {
        stateCount << strideShift(classCount: classCount) * 4
    }

    static func strideShift(classCount: Int) -> Int {
        var shift = 0
        while (1 << shift) < classCount { shift += 1 }
        return shift
    }

    static func encode(
        _ trie: TrieNFA, classes: ByteClasses, order: StateOrder, matchHeads: [UInt32]
    ) throws(BuildError) -> EncodedAutomaton {
        let shift = strideShift(classCount: classes.count)
        let stride = 1 << shift
        let words = order.states.count << shift
        guard words <= Int(UInt32.max) else {
            throw BuildError(.tooManyStates(kind: .dfa, needed: words))
        }
        var table = [UInt32](repeating: 0, count: words)
        let premultiplied = order.position.map { $0 << UInt32(shift) }

        // Step 1: the start state's row. A byte with no trie child loops to the
        // start state (unanchored search), or stops the search (dead) when
        // the start state matches under leftmost semantics.
        let startRow = Int(premultiplied[Int(TrieNFA.start)])
        let fallback = premultiplied[Int(trie.startFallback)]
        for cls in 0..<classes.count {
            let child = trie.child(of: TrieNFA.start, on: classes.representatives[cls])
            table[startRow + cls] = child.map { premultiplied[Int($0)] } ?? fallback
        }

        // Step 2: every other state in breadth-first order, so its failure
        // state's row is already complete: start from a copy of that row (what
        // the NFA would do after following the failure link) and overwrite
        // the state's own trie transitions. The dead row stays all zeros,
        // which is the dead state looping to itself.
        table.withUnsafeMutableBufferPointer { table in
            for state in trie.breadthFirstOrder {
                let row = Int(premultiplied[Int(state)])
                let failRow = Int(premultiplied[Int(trie.fail[Int(state)])])
                for cls in 0..<stride { table[row + cls] = table[failRow + cls] }
                trie.forEachChild(of: state) { byte, child in
                    table[row + Int(classes.classes[Int(byte)])] = premultiplied[Int(child)]
                }
            }
        }

        // Step 3: match list heads for the match states, indexed by row.
        var heads = [UInt32](repeating: 0, count: order.matchStateCount + 1)
        for index in 1..<(order.matchStateCount + 1) {
            heads[index] = matchHeads[Int(order.states[index])]
        }
        let start = premultiplied[Int(TrieNFA.start)]
        return EncodedAutomaton(
            kind: .dfa,
            stateCount: order.states.count,
            strideShift: shift,
            start: start,
            maxMatch: UInt32(order.matchStateCount) << UInt32(shift),
            transitions: table,
            matchHeads: heads
        )
    }
}
