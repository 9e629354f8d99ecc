#if canImport(Glibc)
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
/// byte order, version, length, checksum), then structure. The structural pass proves every invariant the
/// search loops rely on without bounds checks: each state ID a transition,
/// failure link or header field can produce is a real state, each class is in
/// range, every failure chain ends, and every match list ends in range. It is
/// linear in the image size and allocates one bit per transition word at most.
enum ImageValidator {
    /// `parts`: how many parts the NFA's state checks are split into (nil:
    /// one per core for large automata, else one); tests set it.
    static func validate(_ bytes: UnsafeRawBufferPointer, parts: Int? = nil) throws(LoadError) -> ImageHeader {
        // Steps 1-3: identity, byte order, version, length, checksum.
        try ArtefactHeader.verify(bytes, kind: .automaton, version: ImageLayout.formatVersion, headerSize: ImageLayout.headerSize)
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
        case .dfa: try validateDFA(header, transitions: transitions, base: base)
        case .contiguousNFA: try validateNFA(header, transitions: transitions, parts: parts)
        }
        return header
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

    private static func validateNFA(_ header: ImageHeader, transitions words: UnsafeBufferPointer<UInt32>, parts requested: Int?) throws(LoadError) {
        let headerWords = ContiguousNFAEncoder.headerWords
        let denseFlag = ContiguousNFAEncoder.denseFlag
        let classCount = header.classCount
        let count = words.count
        guard count >= headerWords, let w = words.baseAddress else { throw LoadError(.malformed("NFA has no states")) }
        // One bit per word: set where a state starts.
        let bitWords = (count + 63) / 64
        let isStart = UnsafeMutablePointer<UInt64>.allocate(capacity: bitWords)
        isStart.initialize(repeating: 0, count: bitWords)
        defer { isStart.deallocate() }
        @inline(__always) func isState(_ id: UInt32) -> Bool {
            Int(id) < count && isStart[Int(id) >> 6] & (1 << UInt64(id & 63)) != 0
        }
        @inline(__always) func size(_ head: UInt32) -> Int {
            head & denseFlag != 0 ? headerWords + classCount : headerWords + (Int(head) + 3) / 4 + Int(head)
        }

        // Pass 1: walk the self-delimiting states, marking where each starts,
        // and cut the states into equal parts for pass 2.
        let parts = max(1, requested ?? (count >= parallelThreshold ? min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 8) : 1))
        var partStarts: [Int] = [0]
        var offset = 0
        var states = 0
        while offset < count {
            if offset >= partStarts.count * (count / parts) && partStarts.count < parts { partStarts.append(offset) }
            guard offset + headerWords <= count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
            let head = w[offset]
            guard head == denseFlag || head <= 256 else {
                throw LoadError(.malformed("NFA state at \(offset) has an invalid header \(head)"))
            }
            let next = offset + size(head)
            guard next <= count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
            isStart[offset >> 6] |= 1 << UInt64(offset & 63)
            offset = next
            states += 1
        }
        guard states == header.stateCount, states >= 2 else {
            throw LoadError(.malformed("NFA has \(states) states, header says \(header.stateCount)"))
        }
        guard w[0] == denseFlag else { throw LoadError(.malformed("NFA state 0 is not the dead state")) }
        guard isState(header.start), isState(header.maxMatch) else { throw LoadError(.malformed("NFA start or match bound")) }

        // Pass 2: every reference is a state start; classes in range; match
        // lists consistent with the match range. Failure links that point
        // forward are remembered: any cycle has to contain one. Its random
        // reads of the start bitmap dominate loading a large automaton, so
        // the parts run on all cores; each reads only shared immutable data.
        partStarts.append(count)
        var results = [Result<[Int], LoadError>](repeating: .success([]), count: parts)
        results.withUnsafeMutableBufferPointer { results in
            // Each part writes only its own result slot.
            let shared = SharedPass(words: w, count: count, isStart: UnsafePointer(isStart), header: header,
                                    partStarts: partStarts, results: results)
            let work: @Sendable (Int) -> Void = { part in
                shared.results[part] = Result { () throws(LoadError) -> [Int] in
                    try checkStates(from: shared.partStarts[part], to: shared.partStarts[part + 1], words: shared.words,
                                    count: shared.count, isStart: shared.isStart, header: shared.header)
                }
            }
            if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
        }
        var forwardLinks: [Int] = []
        for result in results { forwardLinks += try result.get() }

        // Pass 3: from each forward link, follow the failure chain; it must
        // reach a dense state (which never needs its failure link) or a state
        // already proven, within as many steps as there are states, or it is
        // a cycle. Proven states are remembered, so the pass is linear.
        let proven = UnsafeMutablePointer<UInt64>.allocate(capacity: bitWords)
        proven.initialize(repeating: 0, count: bitWords)
        defer { proven.deallocate() }
        @inline(__always) func isProven(_ id: Int) -> Bool { proven[id >> 6] & (1 << UInt64(id & 63)) != 0 }
        for first in forwardLinks {
            var current = first
            var steps = 0
            while w[current] & denseFlag == 0 && !isProven(current) {
                steps += 1
                guard steps <= states else { throw LoadError(.malformed("NFA failure links form a cycle at \(first)")) }
                current = Int(w[current + 1])
            }
            var marking = first
            while marking != current {
                proven[marking >> 6] |= 1 << UInt64(marking & 63)
                marking = Int(w[marking + 1])
            }
        }
    }

    /// What the parts of pass 2 share: read-only image data, and one result
    /// slot per part.
    private struct SharedPass: @unchecked Sendable {
        let words: UnsafePointer<UInt32>
        let count: Int
        let isStart: UnsafePointer<UInt64>
        let header: ImageHeader
        let partStarts: [Int]
        let results: UnsafeMutableBufferPointer<Result<[Int], LoadError>>
    }

    /// Automata with more transition words than this validate pass 2 in
    /// parallel (below it, starting threads costs more than it saves).
    static let parallelThreshold = 1 << 20

    /// Pass 2 of `validateNFA` over the states starting in `start..<end`;
    /// returns the states whose failure link points forward.
    private static func checkStates(from start: Int, to end: Int, words w: UnsafePointer<UInt32>, count: Int,
                                    isStart: UnsafePointer<UInt64>, header: ImageHeader) throws(LoadError) -> [Int] {
        let headerWords = ContiguousNFAEncoder.headerWords
        let denseFlag = ContiguousNFAEncoder.denseFlag
        let classCount = header.classCount
        let entryCount = header.layout.matchEntryCount
        @inline(__always) func isState(_ id: UInt32) -> Bool {
            Int(id) < count && isStart[Int(id) >> 6] & (1 << UInt64(id & 63)) != 0
        }
        var forwardLinks: [Int] = []
        var offset = start
        while offset < end {
            let head = w[offset]
            let fail = w[offset + 1]
            guard isState(fail) else { throw LoadError(.malformed("NFA state \(offset) fails to a non-state")) }
            try checkHead(w[offset + 2], isMatch: offset != 0 && offset <= Int(header.maxMatch),
                          state: offset, entryCount: entryCount)
            if head & denseFlag != 0 {
                let row = offset + headerWords
                for cls in 0..<classCount where !isState(w[row + cls]) || (offset == 0 && w[row + cls] != 0) {
                    throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                }
                offset += headerWords + classCount
            } else {
                if Int(fail) >= offset { forwardLinks.append(offset) }
                let n = Int(head)
                let classBytes = UnsafeRawPointer(w + offset + headerWords).assumingMemoryBound(to: UInt8.self)
                let targets = offset + headerWords + (n + 3) / 4
                for i in 0..<n where Int(classBytes[i]) >= classCount || !isState(w[targets + i]) {
                    throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                }
                offset += headerWords + (n + 3) / 4 + n
            }
        }
        return forwardLinks
    }
}
