import AhoCorasick

/// Step 5 of a scan: evidence for the rules that hold.
extension RuleScanner {
    /// Evidence for the rules whose bits are set in `held` (clearing them).
    ///
    /// A declared pattern with one literal and no `fullword` shows its
    /// literal's occurrences as they are: each such literal gets one slot of
    /// spans, shared by every rule that shows it, filled by one forward pass
    /// over the matches (or, when only a few spans are wanted, by walking
    /// the literals' chains, which reads less). Other patterns gather and
    /// filter their occurrences from their chains.
    func buildEvidence(rules range: ClosedRange<Int>, into result: inout ScanResult) {
        let limit = maxSpansPerPattern
        var reserved = 0
        var chained = 0  // matches the slotted patterns' chains hold
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
                for k in ScanTables.row(tables.rulePatternStart, r) {
                    let s = Int(tables.rulePatternIDs[k])
                    let count = Int(patternCount[s])
                    guard count > 0 else { continue }
                    let literal = tables.soleLiteral[s]
                    if literal != ScanTables.noSoleLiteral {
                        let g = Int(literal)
                        if spanSlot[g].start < 0 {
                            let m = matcher(of: g)
                            let n = min(chainLength(g, matcher: m), limit)
                            spanSlot[g] = SpanSlot(start: Int32(reserved), filled: 0, limit: UInt32(n))
                            slotted.append(UInt32(g))
                            reserved += n
                            chained += chainLength(g, matcher: m)
                        }
                        let slot = spanSlot[g]
                        let start = Int(slot.start)
                        result.evidence.append(EvidenceRecord(pattern: PatternID(s), count: count, spans: start..<(start + Int(slot.limit))))
                    } else {
                        gathered.append(result.evidence.count)
                        result.evidence.append(EvidenceRecord(pattern: PatternID(s), count: count, spans: 0..<0))
                    }
                }
                result.records.append(.init(rule: RuleID(r), shadow: tables.ruleStatus[r] == 1, evidence: first..<result.evidence.count))
            }
        }
        if reserved > 0 {
            result.spans.append(contentsOf: repeatElement(Span(view: .normalized, start: 0, end: 0), count: reserved))
            let totalMatches = matches.reduce(0) { $0 + $1.count }
            result.spans.withUnsafeMutableBufferPointer { spans in
                // Chains are read whole (they run backwards), at random;
                // the pass reads every match, in order.
                if chained * 8 < totalMatches {
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
            appendSpans(of: result.evidence[index].pattern.index, to: &result.spans)
            result.evidence[index].spans = start..<result.spans.count
        }
    }

    /// Declared pattern `s`'s first `limit` occurrences in text order, into
    /// `occurrenceBuffer` (whole words only for `fullword`).
    func gatherOccurrences(of s: Int, limit: Int) {
        var buffer: [Match] = []
        swap(&buffer, &occurrenceBuffer)
        defer { swap(&buffer, &occurrenceBuffer) }
        buffer.removeAll(keepingCapacity: true)
        let whole = tables.fullword[s] != 0
        var sources = 0
        for k in ScanTables.row(tables.patternLiteralStart, s) {
            let g = Int(tables.patternLiteralIDs[k])
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

    func appendSpans(of s: Int, to spans: inout [Span]) {
        let view = TextView(code: tables.patternView[s])!
        let patterns = ScanTables.row(tables.patternLiteralStart, s)
        if patterns.count == 1 {
            // One literal: its chain is already in text order.
            let g = Int(tables.patternLiteralIDs[patterns.lowerBound])
            let m = matcher(of: g)
            let bytes = viewBytes[m], whole = tables.fullword[s] != 0, limit = maxSpansPerPattern
            var taken = 0
            forEachOccurrence(pattern: g, matcher: m) { match in
                if whole && !WordBoundary.isWhole(bytes, match.start, match.end) { return true }
                spans.append(Span(view: view, start: match.start, end: match.end))
                taken += 1
                return taken < limit
            }
            return
        }
        gatherOccurrences(of: s, limit: maxSpansPerPattern)
        for match in occurrenceBuffer { spans.append(Span(view: view, start: match.start, end: match.end)) }
    }
}
