/// Checks that bytes are an automaton image this build can search safely.
///
/// Order matters: cheap identity checks first (so a foreign file is called
/// foreign, not "damaged"), then length, then the checksum (accidental
/// damage), then structure. The structural pass proves every invariant the
/// search loops rely on without bounds checks: each state ID a transition,
/// failure link or header field can produce is a real state, each class is in
/// range, every failure chain ends, and every match list ends in range. It is
/// linear in the image size and allocates one bit per transition word at most.
enum ImageValidator {
    static func validate(_ bytes: UnsafeRawBufferPointer) throws(LoadError) -> ImageHeader {
        // Step 1: identity.
        guard bytes.count >= 8 else {
            if bytes.count == 0 || !ImageLayout.magic.starts(with: bytes) {
                throw LoadError(bytes.isEmpty ? .truncated(expected: ImageLayout.headerSize, actual: 0) : .notAnAutomaton)
            }
            throw LoadError(.truncated(expected: ImageLayout.headerSize, actual: bytes.count))
        }
        guard bytes.prefix(8).elementsEqual(ImageLayout.magic) else { throw LoadError(.notAnAutomaton) }
        guard bytes.count >= ImageLayout.headerSize else {
            throw LoadError(.truncated(expected: ImageLayout.headerSize, actual: bytes.count))
        }
        func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        func int(_ offset: Int) -> Int { Int(u32(offset)) }
        let marker = u32(HeaderField.endianness)
        if marker != ImageLayout.endiannessMarker {
            throw LoadError(marker == ImageLayout.endiannessMarker.byteSwapped
                ? .wrongEndianness : .malformed("bad endianness marker"))
        }
        let version = u32(HeaderField.version)
        guard version == ImageLayout.formatVersion else {
            throw LoadError(.unsupportedVersion(found: version, supported: ImageLayout.formatVersion))
        }

        // Step 2: length, before trusting any count in the header.
        let statedLength = bytes.loadUnaligned(fromByteOffset: HeaderField.totalLength, as: UInt64.self)
        guard statedLength <= UInt64(Int.max) else { throw LoadError(.malformed("impossible total length")) }
        if Int(statedLength) > bytes.count {
            throw LoadError(.truncated(expected: Int(statedLength), actual: bytes.count))
        }
        if Int(statedLength) < bytes.count {
            throw LoadError(.trailingBytes(expected: Int(statedLength), actual: bytes.count))
        }

        // Step 3: checksum.
        let stored = bytes.loadUnaligned(fromByteOffset: HeaderField.checksum, as: UInt64.self)
        let computed = Checksum.of(UnsafeRawBufferPointer(rebasing: bytes[ImageLayout.checksummedFrom...]))
        guard stored == computed else { throw LoadError(.checksumMismatch(stored: stored, computed: computed)) }

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
        case .contiguousNFA: try validateNFA(header, transitions: transitions)
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

    private static func validateNFA(_ header: ImageHeader, transitions words: UnsafeBufferPointer<UInt32>) throws(LoadError) {
        let headerWords = ContiguousNFAEncoder.headerWords
        let entryCount = header.layout.matchEntryCount
        // Pass 1: walk the self-delimiting states, marking where each starts.
        var isStart = [UInt64](repeating: 0, count: (words.count + 63) / 64)
        func mark(_ offset: Int) { isStart[offset >> 6] |= 1 << UInt64(offset & 63) }
        func isState(_ id: UInt32) -> Bool {
            Int(id) < words.count && isStart[Int(id) >> 6] & (1 << UInt64(id & 63)) != 0
        }
        var offset = 0
        var states = 0
        while offset < words.count {
            guard offset + headerWords <= words.count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
            let head = words[offset]
            let size: Int
            if head & ContiguousNFAEncoder.denseFlag != 0 {
                guard head == ContiguousNFAEncoder.denseFlag else { throw LoadError(.malformed("NFA state at \(offset) has unknown flags")) }
                size = headerWords + header.classCount
            } else {
                guard head <= 256 else { throw LoadError(.malformed("NFA state at \(offset) has \(head) transitions")) }
                size = headerWords + (Int(head) + 3) / 4 + Int(head)
            }
            guard offset + size <= words.count else { throw LoadError(.malformed("NFA state at \(offset) is cut off")) }
            mark(offset)
            offset += size
            states += 1
        }
        guard states == header.stateCount, states >= 2 else {
            throw LoadError(.malformed("NFA has \(states) states, header says \(header.stateCount)"))
        }
        guard words[0] == ContiguousNFAEncoder.denseFlag else { throw LoadError(.malformed("NFA state 0 is not the dead state")) }
        guard isState(header.start), isState(header.maxMatch) else { throw LoadError(.malformed("NFA start or match bound")) }

        // Pass 2: every reference is a state start; classes in range; match
        // lists consistent with the match range.
        offset = 0
        while offset < words.count {
            let head = words[offset]
            guard isState(words[offset + 1]) else { throw LoadError(.malformed("NFA state \(offset) fails to a non-state")) }
            try checkHead(words[offset + 2], isMatch: offset != 0 && offset <= Int(header.maxMatch),
                          state: offset, entryCount: entryCount)
            if head & ContiguousNFAEncoder.denseFlag != 0 {
                for cls in 0..<header.classCount {
                    let target = words[offset + headerWords + cls]
                    guard isState(target), offset != 0 || target == 0 else {
                        throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                    }
                }
                offset += headerWords + header.classCount
            } else {
                let n = Int(head)
                let packed = (n + 3) / 4
                for i in 0..<n {
                    let cls = (words[offset + headerWords + i / 4] >> UInt32(8 * (i % 4))) & 0xFF
                    let target = words[offset + headerWords + packed + i]
                    guard Int(cls) < header.classCount, isState(target) else {
                        throw LoadError(.malformed("NFA state \(offset) has a bad transition"))
                    }
                }
                offset += headerWords + packed + n
            }
        }

        // Pass 3: every failure chain reaches a dense state (which needs no
        // failure link). Marks states proven good; a chain that comes back to
        // a state on the current path is a cycle.
        var good = [UInt64](repeating: 0, count: isStart.count)
        var onPath = [UInt64](repeating: 0, count: isStart.count)
        func test(_ bits: [UInt64], _ id: Int) -> Bool { bits[id >> 6] & (1 << UInt64(id & 63)) != 0 }
        func set(_ bits: inout [UInt64], _ id: Int) { bits[id >> 6] |= 1 << UInt64(id & 63) }
        func clear(_ bits: inout [UInt64], _ id: Int) { bits[id >> 6] &= ~(1 << UInt64(id & 63)) }
        var path: [Int] = []
        offset = 0
        while offset < words.count {
            var current = offset
            while !test(good, current) && words[current] & ContiguousNFAEncoder.denseFlag == 0 {
                guard !test(onPath, current) else { throw LoadError(.malformed("NFA failure links form a cycle at \(current)")) }
                set(&onPath, current)
                path.append(current)
                current = Int(words[current + 1])
            }
            for state in path { set(&good, state); clear(&onPath, state) }
            path.removeAll(keepingCapacity: true)
            set(&good, offset)
            let head = words[offset]
            offset += head & ContiguousNFAEncoder.denseFlag != 0
                ? headerWords + header.classCount
                : headerWords + (Int(head) + 3) / 4 + Int(head)
        }
    }
}
