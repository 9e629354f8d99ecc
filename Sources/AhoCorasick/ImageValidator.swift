#if canImport(Glibc)
import Artefacts
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Checks that bytes are an automaton image this build can search safely.
///
/// Order matters: the shared header checks first (`ArtefactHeader`: identity,
/// byte order, version, length, checksum), then structure; on a large image
/// the checksum runs beside the first structural pass, but its failure is
/// still the one reported. The structural checks prove every invariant the
/// search loops rely on without bounds checks: each state ID a transition,
/// failure link or header field can produce is a real state, each class is in
/// range, every failure chain ends, and every match list ends in range. They
/// are linear in the image size and allocate one bit per transition word.
/// DESIGN.md ("The image") has the steps and their costs.
enum ImageValidator {
    /// `parts`: how many parts the NFA's state checks are split into (nil:
    /// one per core for large images, else one); above one, the checksum
    /// also runs beside the structural checks. Tests set it. `precise`:
    /// check the NFA's states one by one only, without the batched fast path
    /// (tests compare the two).
    static func validate(_ bytes: UnsafeRawBufferPointer, parts: Int? = nil, precise: Bool = false) throws(LoadError) -> ImageHeader {
        // Steps 1-2: identity, byte order, version, length.
        try ArtefactHeader.verify(bytes, kind: .automaton, version: ImageLayout.formatVersion,
                                  headerSize: ImageLayout.headerSize, checksum: false)
        let cores = max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 8))
        let parts = max(1, parts ?? (bytes.count >= parallelBytes ? cores : 1))
        // Step 3, the checksum, and steps 4-5 with the NFA's first pass each
        // read the whole image once. On a large image they run side by side
        // on two cores: the structural checks are safe on any bytes, and a
        // checksum failure is still the one reported, since damage explains
        // whatever else looks wrong.
        let sides = Sides(bytes)
        let work: @Sendable (Int) -> Void = { side in
            if side == 0 {
                sides.checksum = Result { () throws(LoadError) in
                    try ArtefactHeader.verifyChecksum(sides.bytes, kind: .automaton, end: sides.bytes.count)
                }
            } else {
                sides.structure = Result { () throws(LoadError) in try checkStructure(sides.bytes, parts: parts) }
            }
        }
        if parts > 1 {
            DispatchQueue.concurrentPerform(iterations: 2, execute: work)
        } else {
            work(0)
            if case .success = sides.checksum { work(1) }
        }
        defer { if case let .success(structure) = sides.structure { structure.states?.release() } }
        try sides.checksum.get()
        let checked = try sides.structure.get()

        // Step 6: the NFA's states (a DFA is done).
        if let states = checked.states {
            try checkNFAStates(checked.header, states: states, bytes: bytes, precise: precise)
        }
        return checked.header
    }

    /// What the structural side hands on: the header, and for an NFA where
    /// its states start.
    private struct Structure {
        var header: ImageHeader
        var states: StateStarts?
    }

    /// The image the two sides read, and their results; each side writes
    /// only its own.
    private final class Sides: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        var checksum = Result<Void, LoadError>.success(())
        var structure = Result<Structure, LoadError>.failure(LoadError(.malformed("not checked")))
        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    }

    /// Steps 4-5 and, for an NFA, pass 1.
    private static func checkStructure(_ bytes: UnsafeRawBufferPointer, parts: Int) throws(LoadError) -> Structure {
        func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        func int(_ offset: Int) -> Int { Int(u32(offset)) }
        let statedLength = bytes.loadUnaligned(fromByteOffset: HeaderField.totalLength, as: UInt64.self)

        // Step 4: header fields.
        func malformed(_ detail: String) -> LoadError { LoadError(.malformed(detail)) }
        guard let automatonKind = AutomatonKind(rawValue: bytes[HeaderField.automatonKind]) else {
            throw malformed("unknown automaton kind \(bytes[HeaderField.automatonKind])")
        }
        guard let matchKind = MatchKind(rawValue: bytes[HeaderField.matchKind]) else {
            throw malformed("unknown match kind \(bytes[HeaderField.matchKind])")
        }
        let flags = bytes[HeaderField.flags]
        guard flags & ~1 == 0, bytes[HeaderField.reserved] == 0 else { throw malformed("unknown flags") }
        let layout = ImageLayout(
            transitionWords: int(HeaderField.transitionWords),
            matchHeadCount: int(HeaderField.matchHeadCount),
            matchEntryCount: int(HeaderField.matchEntryCount),
            patternCount: int(HeaderField.patternCount))
        guard layout.totalLength == Int(statedLength) else {
            throw malformed("section sizes add up to \(layout.totalLength) bytes, header says \(statedLength)")
        }
        let header = ImageHeader(
            automatonKind: automatonKind,
            matchKind: matchKind,
            asciiCaseInsensitive: flags & 1 == 1,
            patternCount: layout.patternCount,
            stateCount: int(HeaderField.stateCount),
            classCount: int(HeaderField.classCount),
            strideShift: int(HeaderField.strideShift),
            start: u32(HeaderField.start),
            maxMatch: u32(HeaderField.maxMatch),
            longestPattern: int(HeaderField.longestPattern),
            shortestPattern: int(HeaderField.shortestPattern),
            layout: layout)
        guard (1...256).contains(header.classCount) else { throw malformed("byte class count \(header.classCount)") }
        guard header.shortestPattern <= header.longestPattern || header.patternCount == 0 else {
            throw malformed("shortest pattern longer than the longest")
        }

        // Step 5: tables.
        let base = bytes.baseAddress!
        for byte in 0..<256 where Int(bytes[ImageLayout.classesOffset + byte]) >= header.classCount {
            throw malformed("byte \(byte) has class \(bytes[ImageLayout.classesOffset + byte]), beyond \(header.classCount) classes")
        }
        let lengths = (base + layout.patternLengthsOffset).assumingMemoryBound(to: UInt32.self)
        for id in 0..<layout.patternCount where Int(lengths[id]) > header.longestPattern {
            throw malformed("pattern \(id) is longer than the longest pattern")
        }
        try validateMatchEntries(base: base, layout: layout)
        let transitions = UnsafeBufferPointer(
            start: (base + ImageLayout.transitionsOffset).assumingMemoryBound(to: UInt32.self),
            count: layout.transitionWords)
        switch automatonKind {
        case .dfa:
            try validateDFA(header, transitions: transitions, base: base)
            return Structure(header: header, states: nil)
        case .contiguousNFA:
            return Structure(header: header, states: try findNFAStates(header, transitions: transitions, parts: parts))
        }
    }

    /// Every entry's pattern is in range and its link points strictly
    /// backwards, so every list ends.
    private static func validateMatchEntries(base: UnsafeRawPointer, layout: ImageLayout) throws(LoadError) {
        guard layout.matchEntryCount >= 1 else { throw LoadError(.malformed("match entry 0 is missing")) }
        let entries = (base + layout.matchEntriesOffset).assumingMemoryBound(to: UInt32.self)
        for index in 1..<layout.matchEntryCount {
            guard Int(entries[2 * index]) < layout.patternCount else {
                throw LoadError(.malformed("match entry \(index) names pattern \(entries[2 * index]) of \(layout.patternCount)"))
            }
            guard Int(entries[2 * index + 1]) < index else {
                throw LoadError(.malformed("match entry \(index) links forward"))
            }
        }
    }

    private static func checkHead(_ head: UInt32, isMatch: Bool, state: Int, entryCount: Int) throws(LoadError) {
        guard Int(head) < entryCount else { throw LoadError(.malformed("state \(state) has match list \(head) out of range")) }
        guard (head != 0) == isMatch else {
            throw LoadError(.malformed("state \(state) is \(isMatch ? "in" : "outside") the match range but has \(head == 0 ? "no" : "a") match list"))
        }
    }

    private static func validateDFA(_ header: ImageHeader, transitions: UnsafeBufferPointer<UInt32>, base: UnsafeRawPointer) throws(LoadError) {
        let shift = header.strideShift
        guard shift <= 8, (1 << shift) >= header.classCount else { throw LoadError(.malformed("DFA stride shift \(shift)")) }
        guard header.stateCount >= 2, header.stateCount << shift == transitions.count else {
            throw LoadError(.malformed("DFA table has \(transitions.count) entries for \(header.stateCount) states"))
        }
        let mask = UInt32((1 << shift) - 1)
        let limit = UInt32(transitions.count)
        func isState(_ id: UInt32) -> Bool { id & mask == 0 && id < limit }
        for (index, target) in transitions.enumerated() where !isState(target) {
            throw LoadError(.malformed("DFA entry \(index) is not a state (\(target))"))
        }
        guard isState(header.start), isState(header.maxMatch) else { throw LoadError(.malformed("DFA start or match bound")) }
        let matchStates = Int(header.maxMatch >> UInt32(shift))
        guard header.layout.matchHeadCount == matchStates + 1 else {
            throw LoadError(.malformed("DFA has \(header.layout.matchHeadCount) match heads for \(matchStates) match states"))
        }
        let heads = (base + header.layout.matchHeadsOffset).assumingMemoryBound(to: UInt32.self)
        for state in 0...matchStates {
            try checkHead(heads[state], isMatch: state != 0, state: state, entryCount: header.layout.matchEntryCount)
        }
        for cls in 0..<(1 << shift) where transitions[cls] != 0 {
            throw LoadError(.malformed("the dead state has a way out"))
        }
    }

    // MARK: NFA states

    /// Where an NFA's states start (one bit per transition word), and the
    /// state each part of pass 2 starts at.
    private struct StateStarts: @unchecked Sendable {
        let bits: UnsafeMutablePointer<UInt64>
        let partStarts: [Int]

        @inline(__always) func contains(_ id: UInt32, count: Int) -> Bool {
            Int(id) < count && bits[Int(id) >> 6] & (1 << UInt64(id & 63)) != 0
        }

        func release() { bits.deallocate() }
    }

    /// Pass 1: walks the self-delimiting states, marking where each starts,
    /// and cuts them into `parts` equal parts for pass 2.
    private static func findNFAStates(_ header: ImageHeader, transitions words: UnsafeBufferPointer<UInt32>,
                                      parts: Int) throws(LoadError) -> StateStarts {
        let headerWords = ContiguousNFAEncoder.headerWords
        let denseFlag = ContiguousNFAEncoder.denseFlag
        let denseSize = headerWords + header.classCount
        let count = words.count
        guard count >= headerWords, let w = words.baseAddress else { throw LoadError(.malformed("NFA has no states")) }
        let bitWords = (count + 63) / 64
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: bitWords)
        bits.initialize(repeating: 0, count: bitWords)
        var partStarts: [Int] = [0]
        partStarts.reserveCapacity(parts + 1)
        let partSize = max(1, count / parts)
        var nextCut = parts > 1 ? partSize : Int.max
        var offset = 0
        var states = 0
        do throws(LoadError) {
            while offset < count {
                if offset >= nextCut {
                    partStarts.append(offset)
                    nextCut = partStarts.count < parts ? partStarts.count * partSize : Int.max
                }
                guard offset + headerWords <= count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
                let head = w[offset]
                guard head == denseFlag || head <= 256 else {
                    throw LoadError(.malformed("NFA state at \(offset) has an invalid header \(head)"))
                }
                let n = Int(head)
                let next = offset + (head == denseFlag ? denseSize : headerWords + (n + 3) / 4 + n)
                guard next <= count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
                bits[offset >> 6] |= 1 << UInt64(offset & 63)
                offset = next
                states += 1
            }
            guard states == header.stateCount, states >= 2 else {
                throw LoadError(.malformed("NFA has \(states) states, header says \(header.stateCount)"))
            }
            let starts = StateStarts(bits: bits, partStarts: partStarts + [count])
            guard w[0] == denseFlag else { throw LoadError(.malformed("NFA state 0 is not the dead state")) }
            guard starts.contains(header.start, count: count), starts.contains(header.maxMatch, count: count) else {
                throw LoadError(.malformed("NFA start or match bound"))
            }
            return starts
        } catch {
            bits.deallocate()
            throw error
        }
    }

    /// Pass 2: every reference is a state start; classes in range; match
    /// lists consistent with the match range; every failure chain ends.
    ///
    /// Failure chains end because of the layout order (`StateOrder`): a
    /// sparse state fails to a dense state (where the search stops
    /// following links), or to a state laid out before it, or from the match
    /// range (which comes first) into the rest. A chain then moves backwards
    /// through the match range, at most once jumps past it, and moves
    /// backwards again, so it reaches a dense state. Every automaton the
    /// builder makes keeps this order: a state's failure state is shallower,
    /// and a state failing to a match state inherits its matches, so only a
    /// match state fails forward.
    ///
    /// The parts run on all cores; each reads only shared immutable data.
    private static func checkNFAStates(_ header: ImageHeader, states: StateStarts, bytes: UnsafeRawBufferPointer,
                                       precise: Bool) throws(LoadError) {
        let parts = states.partStarts.count - 1
        let words = (bytes.baseAddress! + ImageLayout.transitionsOffset).assumingMemoryBound(to: UInt32.self)
        var results = [LoadError?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { results in
            let shared = SharedPass(words: words, count: header.layout.transitionWords, states: states,
                                    header: header, results: results)
            let work: @Sendable (Int) -> Void = { part in
                let start = shared.states.partStarts[part], end = shared.states.partStarts[part + 1]
                do throws(LoadError) {
                    if precise {
                        try checkStates(from: start, to: end, pass: shared)
                    } else {
                        try scanStates(from: start, to: end, pass: shared)
                    }
                } catch {
                    shared.results[part] = error
                }
            }
            if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
        }
        if let error = results.lazy.compactMap({ $0 }).first { throw error }
    }

    /// What the parts of pass 2 share: read-only image data, and one result
    /// slot per part.
    private struct SharedPass: @unchecked Sendable {
        let words: UnsafePointer<UInt32>
        let count: Int
        let states: StateStarts
        let header: ImageHeader
        let results: UnsafeMutableBufferPointer<LoadError?>

        /// Whether sparse state `state` may fail to `fail` (see
        /// `checkNFAStates`); `fail` is checked to be a state separately.
        @inline(__always) func failsInOrder(_ state: Int, to fail: UInt32) -> Bool {
            let f = Int(fail), maxMatch = Int(header.maxMatch)
            let before = f < state, past = f > maxMatch
            let ordered = state <= maxMatch ? before || past : before && past
            return ordered || (f < count && words[f] & ContiguousNFAEncoder.denseFlag != 0)
        }
    }

    /// Images of this many bytes or more are validated on all cores (below
    /// it, starting threads costs more than it saves).
    static let parallelBytes = 4 << 20

    /// How many state IDs pass 2 gathers before testing them together.
    private static let batchSize = 2048

    /// Pass 2 over the states starting in `start..<end`, fast: each state's
    /// own words are checked as they are read, while the state IDs it names
    /// are gathered and tested against the start bitmap a batch at a time.
    /// Those bitmap reads land all over it; in a tight loop of independent
    /// reads the processor keeps many in flight, where testing each inside
    /// the walk kept about one. A batch with a problem is checked again by
    /// `checkStates`, which names the first bad state.
    private static func scanStates(from start: Int, to end: Int, pass: SharedPass) throws(LoadError) {
        let headerWords = ContiguousNFAEncoder.headerWords
        let denseFlag = ContiguousNFAEncoder.denseFlag
        let classCount = pass.header.classCount
        let entryCount = UInt32(pass.header.layout.matchEntryCount)
        let maxMatch = Int(pass.header.maxMatch)
        let count = pass.count
        let w = pass.words
        let bits = pass.states.bits
        // Problems are or-ed together without branching; `flag` is 1 for true.
        @inline(__always) func flag(_ condition: Bool) -> UInt32 { condition ? 1 : 0 }
        // One state adds at most 1 + 256 IDs past the batch size.
        let ids = UnsafeMutablePointer<UInt32>.allocate(capacity: batchSize + 1 + 256)
        defer { ids.deallocate() }
        var gathered = 0
        var batchStart = start
        var bad: UInt32 = 0
        var offset = start
        while offset < end {
            let head = w[offset]
            let fail = w[offset + 1]
            let matches = w[offset + 2]
            // A match state is one in 1...maxMatch.
            let isMatch = UInt(bitPattern: offset &- 1) < UInt(maxMatch)
            bad |= flag(matches >= entryCount) | flag((matches != 0) != isMatch)
            ids[gathered] = fail
            gathered += 1
            if head & denseFlag != 0 {
                let row = w + offset + headerWords
                for cls in 0..<classCount { ids[gathered + cls] = row[cls] }
                if offset == 0 {
                    for cls in 0..<classCount { bad |= flag(row[cls] != 0) }
                }
                gathered += classCount
                offset += headerWords + classCount
            } else {
                if !pass.failsInOrder(offset, to: fail) { bad = 1 }
                let n = Int(head)
                let classBytes = UnsafeRawPointer(w + offset + headerWords).assumingMemoryBound(to: UInt8.self)
                let targets = w + offset + headerWords + (n + 3) / 4
                for i in 0..<n {
                    bad |= flag(Int(classBytes[i]) >= classCount)
                    ids[gathered + i] = targets[i]
                }
                gathered += n
                offset += headerWords + (n + 3) / 4 + n
            }
            if gathered >= batchSize || offset >= end {
                var missing: UInt64 = 0
                for i in 0..<gathered {
                    let id = Int(ids[i])
                    let inRange = id < count
                    let safe = inRange ? id : 0
                    missing |= (~bits[safe >> 6] >> UInt64(safe & 63)) & 1
                    missing |= inRange ? 0 : 1
                }
                if bad != 0 || missing != 0 {
                    try checkStates(from: batchStart, to: offset, pass: pass)
                    throw LoadError(.malformed("NFA states \(batchStart)..<\(offset) are malformed"))
                }
                gathered = 0
                batchStart = offset
            }
        }
    }

    /// Pass 2 over the states starting in `start..<end`, one state at a time:
    /// the reference that `scanStates` must agree with, and what names the
    /// first bad state when it finds a problem.
    private static func checkStates(from start: Int, to end: Int, pass: SharedPass) throws(LoadError) {
        let headerWords = ContiguousNFAEncoder.headerWords
        let denseFlag = ContiguousNFAEncoder.denseFlag
        let classCount = pass.header.classCount
        let entryCount = pass.header.layout.matchEntryCount
        let count = pass.count
        let w = pass.words
        @inline(__always) func isState(_ id: UInt32) -> Bool { pass.states.contains(id, count: count) }
        var offset = start
        while offset < end {
            let head = w[offset]
            let fail = w[offset + 1]
            guard isState(fail) else { throw LoadError(.malformed("NFA state \(offset) fails to a non-state")) }
            try checkHead(w[offset + 2], isMatch: offset != 0 && offset <= Int(pass.header.maxMatch),
                          state: offset, entryCount: entryCount)
            if head & denseFlag != 0 {
                let row = offset + headerWords
                for cls in 0..<classCount where !isState(w[row + cls]) || (offset == 0 && w[row + cls] != 0) {
                    throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                }
                offset += headerWords + classCount
            } else {
                guard pass.failsInOrder(offset, to: fail) else {
                    throw LoadError(.malformed("NFA state \(offset) fails to \(fail), out of layout order: its failure chain might not end"))
                }
                let n = Int(head)
                let classBytes = UnsafeRawPointer(w + offset + headerWords).assumingMemoryBound(to: UInt8.self)
                let targets = offset + headerWords + (n + 3) / 4
                for i in 0..<n where Int(classBytes[i]) >= classCount || !isState(w[targets + i]) {
                    throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                }
                offset += headerWords + (n + 3) / 4 + n
            }
        }
    }
}
