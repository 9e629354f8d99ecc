/// For each byte of a view, the range of input bytes it came from.
///
/// Several output bytes can share a source range (one character folded to
/// several, like `ﬁ` → `fi`, or an entity `&eacute;` decoded to two bytes),
/// and input bytes can have no output at all (dropped invisible characters,
/// markup); `source(of:)` covers both.
///
/// Stored as runs, because text is mostly copied: a run is either *linear*
/// (its bytes came from consecutive source bytes, one each) or a *span*
/// (every byte of it came from the same source range). A page's text is a
/// few runs per text node, its normalised view a few per non-ASCII
/// character, so a map costs a small fraction of a byte per text byte where
/// a start and end per byte cost eight. Reading one byte's range is a binary
/// search over the runs; composing two maps walks both once.
public struct SourceMap: Sendable {
    /// `Run.width` of a linear run.
    @usableFromInline static let linear: UInt32 = .max

    /// One run: where it starts in the output and what it maps to.
    @usableFromInline struct Run: Sendable {
        /// Its first output byte.
        var output: UInt32
        /// The source offset of its first byte.
        var source: UInt32
        /// `linear` (byte `k` of the run came from source byte `source + k`)
        /// or the width of the source range every byte of the run came from
        /// (0: an empty range, a separator standing for a boundary).
        var width: UInt32
    }

    /// The runs, by output offset: strictly increasing `output`, the first 0.
    @usableFromInline private(set) var runs: [Run] = []
    /// Output bytes mapped.
    public private(set) var count = 0

    /// An empty map.
    public init() {}

    /// A map from a start and an end per output byte.
    public init(start: [UInt32], end: [UInt32]) {
        precondition(start.count == end.count, "a source map needs a start and an end per byte")
        for (s, e) in zip(start, end) { append(from: Int(s), to: Int(e)) }
    }

    /// How many runs the map holds.
    public var runCount: Int { runs.count }

    /// Bytes the map's runs occupy.
    public var memoryBytes: Int { runs.capacity * MemoryLayout<Run>.stride }

    /// One past the source range of the last byte (0 when empty).
    public var lastEnd: Int {
        guard let run = runs.last else { return 0 }
        return run.width == Self.linear ? Int(run.source) + count - Int(run.output) : Int(run.source) + Int(run.width)
    }

    // MARK: Building

    /// Maps one more output byte to source bytes `from..<to`.
    @inline(__always)
    public mutating func append(from: Int, to: Int) {
        let source = UInt32(truncatingIfNeeded: from), width = UInt32(truncatingIfNeeded: to - from)
        if let run = runs.last {
            let length = UInt32(truncatingIfNeeded: count) &- run.output
            if run.width == Self.linear {
                if width == 1 && source == run.source &+ length {
                    count += 1
                    return
                }
                // A single byte followed by another from the same byte: a
                // span of width 1 (a windows-1252 letter decoded to two).
                if length == 1 && width == 1 && source == run.source {
                    runs[runs.count - 1].width = 1
                    count += 1
                    return
                }
            } else if run.width == width && run.source == source {
                count += 1
                return
            }
        }
        runs.append(Run(output: UInt32(truncatingIfNeeded: count), source: source, width: width == 1 ? Self.linear : width))
        count += 1
    }

    /// Maps `length` more output bytes to the consecutive source bytes from `from`.
    @inline(__always)
    public mutating func appendLinear(count length: Int, from: Int) {
        guard length > 1 else {
            if length == 1 { append(from: from, to: from + 1) }
            return
        }
        let source = UInt32(truncatingIfNeeded: from)
        if let run = runs.last, run.width == Self.linear, run.source &+ (UInt32(truncatingIfNeeded: count) &- run.output) == source {
            count += length
            return
        }
        runs.append(Run(output: UInt32(truncatingIfNeeded: count), source: source, width: Self.linear))
        count += length
    }

    /// Maps `length` more output bytes each to source bytes `from..<to`.
    public mutating func appendSpan(count length: Int, from: Int, to: Int) {
        guard length > 1 else {
            if length == 1 { append(from: from, to: to) }
            return
        }
        let source = UInt32(truncatingIfNeeded: from), width = UInt32(truncatingIfNeeded: to - from)
        if let run = runs.last, run.width == width, run.source == source {
            count += length
            return
        }
        runs.append(Run(output: UInt32(truncatingIfNeeded: count), source: source, width: width))
        count += length
    }

    /// Drops the mapping of every output byte from `newCount` on.
    public mutating func truncate(to newCount: Int) {
        guard newCount < count else { return }
        while let last = runs.last, Int(last.output) >= newCount { runs.removeLast() }
        count = newCount
    }

    // MARK: Reading

    /// The run holding output byte `k` (`0 <= k < count`).
    @inline(__always)
    func run(of k: Int) -> Int {
        let target = UInt32(truncatingIfNeeded: k)
        var low = 0, high = runs.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if runs[middle].output <= target { low = middle } else { high = middle }
        }
        return low
    }

    /// Where run `r` ends in the output.
    @inline(__always)
    func end(ofRun r: Int) -> Int { r + 1 < runs.count ? Int(runs[r + 1].output) : count }

    /// The source range of byte `k` of run `r`.
    @inline(__always)
    func source(ofByte k: Int, inRun r: Int) -> Range<Int> {
        let run = runs[r]
        let start = Int(run.source)
        if run.width == Self.linear {
            let at = start + k - Int(run.output)
            return at..<(at + 1)
        }
        return start..<(start + Int(run.width))
    }

    /// The source bytes behind output bytes `range` (empty range: where it
    /// would be): the smallest range holding every byte's source, which is
    /// first to last where the map runs forwards, and still every byte
    /// where it does not (text read in display order, `BidiOverride`).
    public func source(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let at = range.lowerBound < count ? self[range.lowerBound].lowerBound : lastEnd
            return at..<at
        }
        var low = Int.max, high = Int.min
        var k = range.lowerBound, r = run(of: k)
        while k < range.upperBound {
            let stop = Swift.min(end(ofRun: r), range.upperBound)
            let a = source(ofByte: k, inRun: r), b = source(ofByte: stop - 1, inRun: r)
            low = Swift.min(low, a.lowerBound, b.lowerBound)
            high = Swift.max(high, a.upperBound, b.upperBound)
            k = stop
            r += 1
        }
        return low..<Swift.max(low, high)
    }

    /// Where source byte `s` stands in this view: the output byte whose
    /// source holds it, or else the first whose source lies after it
    /// (`count` if none). Meant for maps that run forwards (not text read
    /// in display order).
    public func output(atSource s: Int) -> Int {
        guard !runs.isEmpty else { return 0 }
        let target = UInt32(clamping: s)
        var low = 0, high = runs.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if runs[middle].source <= target { low = middle } else { high = middle }
        }
        let run = runs[low], length = end(ofRun: low) - Int(run.output)
        if run.source >= target { return Int(run.output) }
        if run.width == Self.linear {
            let k = Int(target - run.source)
            return k < length ? Int(run.output) + k : end(ofRun: low)
        }
        return target < run.source + run.width ? Int(run.output) : end(ofRun: low)
    }

    /// This map seen through `inner`: for a view derived from text whose own
    /// map is `inner`, where each byte came from in `inner`'s source.
    public func composed(with inner: SourceMap) -> SourceMap {
        var out = SourceMap()
        out.runs.reserveCapacity(runs.count)
        for r in runs.indices {
            let run = runs[r]
            let length = end(ofRun: r) - Int(run.output)
            let start = Int(run.source)
            guard run.width == Self.linear else {
                let range = inner.source(of: start..<(start + Int(run.width)))
                out.appendSpan(count: length, from: range.lowerBound, to: range.upperBound)
                continue
            }
            // Inner bytes start..<start+length, piece by piece of inner's runs.
            let end = start + length
            guard end <= inner.count else {
                // Beyond the inner text (not from it): where it ends.
                out.appendSpan(count: length, from: inner.lastEnd, to: inner.lastEnd)
                continue
            }
            var at = start
            var i = inner.run(of: at)
            while at < end {
                let pieceEnd = Swift.min(end, inner.end(ofRun: i))
                let range = inner.source(ofByte: at, inRun: i)
                if inner.runs[i].width == Self.linear {
                    out.appendLinear(count: pieceEnd - at, from: range.lowerBound)
                } else {
                    out.appendSpan(count: pieceEnd - at, from: range.lowerBound, to: range.upperBound)
                }
                at = pieceEnd
                i += 1
            }
        }
        return out
    }
}

/// The map read byte by byte: element `k` is the source range of output byte `k`.
extension SourceMap: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(k: Int) -> Range<Int> {
        precondition(k >= 0 && k < count, "source map index out of range")
        return source(ofByte: k, inRun: run(of: k))
    }
}

/// Two maps are equal when every byte maps to the same range, however the
/// runs fell.
extension SourceMap: Equatable {
    public static func == (a: SourceMap, b: SourceMap) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }
}

/// Appends bytes with their source ranges: how every view and decoded text
/// here is built.
public struct ViewBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var map = SourceMap()

    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    /// The bytes and their map.
    public var view: (bytes: [UInt8], map: SourceMap) { (bytes, map) }

    @inline(__always)
    public mutating func append(_ byte: UInt8, from: Int, to: Int) {
        bytes.append(byte)
        map.append(from: from, to: to)
    }

    /// Appends up to `count` bytes written by `fill` into a raw buffer;
    /// `fill` maps each byte it writes (in order) and returns how many it
    /// wrote.
    public mutating func appendMapped(_ count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>, inout SourceMap) -> Int) {
        let base = bytes.count
        var written = 0
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { b in
            written = fill(UnsafeMutableBufferPointer(rebasing: b[base...]), &map)
        }
        if written < count { bytes.removeLast(count - written) }
        precondition(map.count == bytes.count, "every byte appended is mapped")
    }
}
