/// Searches a haystack that arrives in chunks, reporting exactly the matches
/// a search of the whole would, with absolute offsets, including matches
/// that cross chunk boundaries.
///
/// ```swift
/// var stream = StreamSearcher(automaton)
/// while let chunk = readChunk() { stream.feed(chunk) { report($0) } }
/// stream.finish { report($0) }
/// ```
///
/// Memory kept between chunks is bounded by the longest pattern:
/// - `.standard`: nothing but the automaton state; a match is reported as
///   soon as its last byte is fed.
/// - leftmost kinds: at most the last `longestPatternLength` bytes, because a
///   match is only final once no longer or earlier-starting candidate can
///   still complete. Those bytes are searched again with the next chunk, so
///   each chunk costs its own length plus at most the longest pattern.
public struct StreamSearcher: Sendable {
    /// The automaton being searched with.
    public let automaton: AhoCorasick
    private var overlapping = AhoCorasick.OverlappingState()
    /// Absolute offset of the next byte to be fed.
    private var consumed = 0
    /// Leftmost kinds: bytes kept from earlier chunks, starting at `carryStart`.
    private var carry: [UInt8] = []
    private var carryStart = 0
    /// Leftmost kinds: absolute offset where the next search starts.
    private var searchFrom = 0
    private var finished = false

    public init(_ automaton: AhoCorasick) {
        self.automaton = automaton
    }

    /// Absolute offset one past the last byte fed.
    public var bytesFed: Int { consumed }

    /// Bytes kept from earlier chunks; never more than the longest pattern.
    var retainedByteCount: Int { carry.count }

    /// Feeds the next chunk; `body` receives every match that is now final.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (Match) throws -> Void) rethrows {
        precondition(!finished, "feed(_:_:) after finish(_:)")
        defer { consumed += chunk.count }
        if automaton.matchKind.isOverlapping {
            overlapping.position = 0
            while let match = automaton.nextOverlapping(in: chunk, state: &overlapping, offsetBase: consumed) {
                try body(match)
            }
            return
        }
        carry.append(contentsOf: chunk)
        let keep = try carry.withUnsafeBytes { buffer in
            var local = searchFrom - carryStart
            var keep = buffer.count
            while local <= buffer.count {
                let result = automaton.leftmostFind(in: buffer, from: local)
                if result.settled, let match = result.match {
                    try body(Match(pattern: match.pattern, start: match.start + carryStart, end: match.end + carryStart))
                    local = match.nextSearchStart
                    continue
                }
                // Ran out of bytes: a candidate may still grow or be beaten.
                // No match can start before the longest pattern's reach from
                // the end, or before the pending candidate.
                var from = buffer.count - max(automaton.longestPatternLength - 1, 0)
                if let match = result.match { from = min(from, match.start) }
                keep = max(local, from)
                break
            }
            let kept = min(keep, buffer.count)
            // No match can start before the kept bytes (see above).
            searchFrom = carryStart + max(local, kept)
            return kept
        }
        carry.removeFirst(keep)
        carryStart += keep
    }

    /// Feeds a chunk of bytes.
    public mutating func feed(_ chunk: [UInt8], _ body: (Match) throws -> Void) rethrows {
        try chunk.withUnsafeBytes { try feed($0, body) }
    }

    /// Ends the stream; `body` receives the matches that were waiting for
    /// more input. The searcher cannot be fed after this.
    public mutating func finish(_ body: (Match) throws -> Void) rethrows {
        guard !finished else { return }
        finished = true
        guard automaton.matchKind.isLeftmost else {
            // A stream that was never fed is the empty haystack, where the
            // empty pattern still matches once.
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            while let match = automaton.nextOverlapping(in: empty, state: &overlapping, offsetBase: consumed) { try body(match) }
            return
        }
        let base = carryStart
        try carry.withUnsafeBytes { buffer in
            var local = searchFrom - base
            while local <= buffer.count {
                guard let match = automaton.leftmostFind(in: buffer, from: local).match else { break }
                try body(Match(pattern: match.pattern, start: match.start + base, end: match.end + base))
                local = match.nextSearchStart
            }
        }
        carry = []
    }
}
