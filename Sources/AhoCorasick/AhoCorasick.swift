import Artefacts

/// An immutable Aho-Corasick automaton: finds every pattern of a set in one
/// pass over a haystack.
///
/// Build one with `AhoCorasickBuilder`, or load one saved with
/// `write(toFile:)` through `init(contentsOfFile:)`, which maps the file and
/// validates it without rebuilding. The value is `Sendable`: build once, then
/// search from as many tasks as you like.
///
/// ```swift
/// let ac = try AhoCorasickBuilder().build(["he", "she", "his", "hers"])
/// "ushers".utf8.withContiguousStorageIfAvailable { bytes in
///     ac.forEachMatch(in: UnsafeRawBufferPointer(bytes)) { match in
///         print(match)   // she 1..<4, he 2..<4, hers 2..<6
///         return true
///     }
/// }
/// ```
public struct AhoCorasick: Sendable {
    let storage: ImageStorage
    let tables: Tables
    let header: ImageHeader

    /// Validates `storage` as an image and builds the views searches use.
    init(validating storage: ImageStorage) throws(LoadError) {
        let header = try ImageValidator.validate(storage.bytes)
        self.storage = storage
        self.header = header
        self.tables = Tables(storage: storage, header: header)
    }

    // MARK: Loading

    /// Loads an automaton from a file written by `write(toFile:)`, by mapping
    /// it: nothing is rebuilt and no memory is allocated per state.
    public init(contentsOfFile path: String) throws(LoadError) {
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch {
            throw LoadError(.file(error), path: path)
        }
        do {
            try self.init(validating: ImageStorage(mapping: file))
        } catch {
            throw error.at(path)
        }
    }

    /// Loads an automaton stored inside a larger mapped file (for example a
    /// compiled rule set) at `range`, without copying it. `range` must lie
    /// within the file and start on a 64-byte boundary.
    public init(mappedFile file: MappedFile, range: Range<Int>) throws(LoadError) {
        guard range.lowerBound >= 0, range.upperBound <= file.count, range.lowerBound % 64 == 0 else {
            throw LoadError(.malformed("embedded at \(range), outside the file or misaligned"), path: file.path)
        }
        do {
            try self.init(validating: ImageStorage(mapping: file, range: range))
        } catch {
            throw error.at(file.path)
        }
    }

    /// Loads an automaton from bytes produced by `serialized()`. The bytes
    /// are copied once (to get the alignment the tables need).
    public init(serialized bytes: UnsafeRawBufferPointer) throws(LoadError) {
        try self.init(validating: ImageStorage(copying: bytes))
    }

    /// Loads an automaton from bytes produced by `serialized()`.
    public init(serialized bytes: [UInt8]) throws(LoadError) {
        let storage = bytes.withUnsafeBytes { ImageStorage(copying: $0) }
        try self.init(validating: storage)
    }

    // MARK: Saving

    /// The automaton's bytes, ready to store and load back with
    /// `init(serialized:)`.
    public func serialized() -> [UInt8] { Array(storage.bytes) }

    /// Writes the automaton to `path` (atomically: a reader sees the old file
    /// or the new one, never a mix).
    public func write(toFile path: String) throws(FileError) {
        try writeFileAtomically(storage.bytes, to: path)
    }

    // MARK: Properties

    /// The representation in use.
    public var kind: AutomatonKind { header.automatonKind }
    /// The match semantics the automaton was built for.
    public var matchKind: MatchKind { header.matchKind }
    /// Whether ASCII letters match regardless of case.
    public var asciiCaseInsensitive: Bool { header.asciiCaseInsensitive }
    /// Number of patterns, including empty and duplicate ones.
    public var patternCount: Int { header.patternCount }
    /// Number of automaton states, including the dead state.
    public var stateCount: Int { header.stateCount }
    /// Number of byte equivalence classes.
    public var byteClassCount: Int { header.classCount }
    /// Length in bytes of the longest pattern (0 if there are none).
    public var longestPatternLength: Int { header.longestPattern }
    /// Length in bytes of the shortest pattern (0 if there are none).
    public var shortestPatternLength: Int { header.shortestPattern }
    /// Bytes of memory the automaton occupies (its whole image).
    public var memoryUsage: Int { storage.count }
    /// Size of `serialized()` in bytes (the image is the memory it uses).
    public var serializedSize: Int { storage.count }

    /// Length of pattern `id` in bytes.
    public func patternLength(_ id: PatternID) -> Int {
        precondition(id.index < patternCount, "\(id) is out of range for \(patternCount) patterns")
        return Int(tables.patternLengths[id.index])
    }
}

/// Raw views into an image, built once per automaton.
///
/// Unsafe pointers are not `Sendable`; these point into `ImageStorage`, which
/// the owning `AhoCorasick` keeps alive and which is never written after
/// validation, so sharing them across tasks is safe.
struct Tables: @unchecked Sendable {
    /// Byte to class. Invariant: every value `< classCount`.
    let classes: UnsafePointer<UInt8>
    /// DFA: premultiplied row table. NFA: the packed states.
    let transitions: UnsafePointer<UInt32>
    /// DFA only: match list head of each match state, by row index.
    let matchHeads: UnsafePointer<UInt32>
    /// Pairs (pattern ID, link); entry 0 is reserved; links point backwards.
    let matchEntries: UnsafePointer<UInt32>
    let patternLengths: UnsafePointer<UInt32>
    /// Start state ID (premultiplied for the DFA).
    let start: UInt32
    /// IDs `<= maxMatch` are the dead state (0) or match states.
    let maxMatch: UInt32
    let strideShift: UInt32

    init(storage: ImageStorage, header: ImageHeader) {
        let base = storage.base
        let layout = header.layout
        classes = (base + ImageLayout.classesOffset).assumingMemoryBound(to: UInt8.self)
        transitions = (base + ImageLayout.transitionsOffset).assumingMemoryBound(to: UInt32.self)
        matchHeads = (base + layout.matchHeadsOffset).assumingMemoryBound(to: UInt32.self)
        matchEntries = (base + layout.matchEntriesOffset).assumingMemoryBound(to: UInt32.self)
        patternLengths = (base + layout.patternLengthsOffset).assumingMemoryBound(to: UInt32.self)
        start = header.start
        maxMatch = header.maxMatch
        strideShift = UInt32(header.strideShift)
    }
}
