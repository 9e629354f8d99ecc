import Artefacts

/// The byte layout of a built automaton. A freshly built automaton and one
/// mapped from a file are the same bytes, read through the same views, so
/// "save" is a single write and "load" is map + validate.
///
/// ```
/// offset  size  field
///      0     8  magic "TRIAGEAC"
///      8     4  format version
///     12     4  endianness marker 0x0A0B0C0D, as written by the producer
///     16     8  total length in bytes
///     24     8  checksum of bytes 32..<total length (see Checksum.swift)
///     32     1  automaton kind (1 dfa, 2 contiguous NFA)
///     33     1  match kind (0 standard, 1 leftmost-first, 2 leftmost-longest)
///     34     1  flags (bit 0: ASCII case-insensitive)
///     35     1  reserved, 0
///     36     4  pattern count
///     40     4  state count
///     44     4  byte class count
///     48     4  stride shift (DFA: log2 of the row stride; NFA: 0)
///     52     4  start state ID
///     56     4  largest match state ID
///     60     4  longest pattern length
///     64     4  shortest pattern length
///     68     4  transition words
///     72     4  match heads (DFA only)
///     76     4  match entries (including the reserved entry 0)
///     80    48  reserved, 0
///    128   256  byte classes
///    384     …  transitions (UInt32), match heads (UInt32),
///               match entries (UInt32 pattern, UInt32 link), pattern lengths
///               (UInt32); each section starts on an 8-byte boundary.
/// ```
///
/// All integers are in the producer's byte order; the marker lets a reader on
/// a machine of the other order say so instead of misreading.
struct ImageLayout: Equatable {
    static let magic = ArtefactKind.automaton.magic
    static let formatVersion: UInt32 = 1
    static let endiannessMarker = ArtefactHeader.endiannessMarker
    static let headerSize = 128
    static let checksummedFrom = ArtefactHeader.size
    static let classesOffset = 128
    static let transitionsOffset = 384

    let transitionWords: Int
    let matchHeadCount: Int
    let matchEntryCount: Int
    let patternCount: Int

    var matchHeadsOffset: Int { Self.align(Self.transitionsOffset + 4 * transitionWords) }
    var matchEntriesOffset: Int { Self.align(matchHeadsOffset + 4 * matchHeadCount) }
    var patternLengthsOffset: Int { Self.align(matchEntriesOffset + 8 * matchEntryCount) }
    var totalLength: Int { Self.align(patternLengthsOffset + 4 * patternCount) }

    static func align(_ offset: Int) -> Int { (offset + 7) & ~7 }
}

/// Field offsets within the header.
enum HeaderField {
    static let version = 8
    static let endianness = 12
    static let totalLength = 16
    static let checksum = 24
    static let automatonKind = 32
    static let matchKind = 33
    static let flags = 34
    static let reserved = 35
    static let patternCount = 36
    static let stateCount = 40
    static let classCount = 44
    static let strideShift = 48
    static let start = 52
    static let maxMatch = 56
    static let longestPattern = 60
    static let shortestPattern = 64
    static let transitionWords = 68
    static let matchHeadCount = 72
    static let matchEntryCount = 76
}

/// Everything the header describes, decoded.
struct ImageHeader: Equatable {
    var automatonKind: AutomatonKind
    var matchKind: MatchKind
    var asciiCaseInsensitive: Bool
    var patternCount: Int
    var stateCount: Int
    var classCount: Int
    var strideShift: Int
    var start: UInt32
    var maxMatch: UInt32
    var longestPattern: Int
    var shortestPattern: Int
    var layout: ImageLayout
}

/// The pieces an encoder produces, before they are laid out as an image.
struct EncodedAutomaton {
    var kind: AutomatonKind
    var stateCount: Int
    var strideShift: Int
    var start: UInt32
    var maxMatch: UInt32
    var transitions: [UInt32]
    var matchHeads: [UInt32]
}

extension ImageStorage {
    /// Lays out an encoded automaton as an image: header, sections, checksum.
    static func write(
        _ encoded: EncodedAutomaton,
        trie: TrieNFA,
        classes: ByteClasses,
        matchEntries: [UInt32],
        asciiCaseInsensitive: Bool
    ) -> ImageStorage {
        let layout = ImageLayout(
            transitionWords: encoded.transitions.count,
            matchHeadCount: encoded.matchHeads.count,
            matchEntryCount: matchEntries.count / 2,
            patternCount: trie.patternLengths.count
        )
        let storage = ImageStorage(zeroedByteCount: layout.totalLength)
        let out = storage.mutableBase
        ImageLayout.magic.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: 8) }
        func put32(_ value: UInt32, at offset: Int) { out.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
        func put(_ value: Int, at offset: Int) { put32(UInt32(value), at: offset) }
        put32(ImageLayout.formatVersion, at: HeaderField.version)
        put32(ImageLayout.endiannessMarker, at: HeaderField.endianness)
        out.storeBytes(of: UInt64(layout.totalLength), toByteOffset: HeaderField.totalLength, as: UInt64.self)
        out.storeBytes(of: encoded.kind.rawValue, toByteOffset: HeaderField.automatonKind, as: UInt8.self)
        out.storeBytes(of: trie.matchKind.rawValue, toByteOffset: HeaderField.matchKind, as: UInt8.self)
        out.storeBytes(of: asciiCaseInsensitive ? 1 : 0, toByteOffset: HeaderField.flags, as: UInt8.self)
        put(trie.patternLengths.count, at: HeaderField.patternCount)
        put(encoded.stateCount, at: HeaderField.stateCount)
        put(classes.count, at: HeaderField.classCount)
        put(encoded.strideShift, at: HeaderField.strideShift)
        put32(encoded.start, at: HeaderField.start)
        put32(encoded.maxMatch, at: HeaderField.maxMatch)
        put(trie.longestPattern, at: HeaderField.longestPattern)
        put(trie.shortestPattern, at: HeaderField.shortestPattern)
        put(layout.transitionWords, at: HeaderField.transitionWords)
        put(layout.matchHeadCount, at: HeaderField.matchHeadCount)
        put(layout.matchEntryCount, at: HeaderField.matchEntryCount)

        classes.classes.withUnsafeBytes {
            (out + ImageLayout.classesOffset).copyMemory(from: $0.baseAddress!, byteCount: 256)
        }
        func copy(_ words: [UInt32], to offset: Int) {
            words.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress {
                    (out + offset).copyMemory(from: source, byteCount: bytes.count)
                }
            }
        }
        copy(encoded.transitions, to: ImageLayout.transitionsOffset)
        copy(encoded.matchHeads, to: layout.matchHeadsOffset)
        copy(matchEntries, to: layout.matchEntriesOffset)
        copy(trie.patternLengths, to: layout.patternLengthsOffset)

        let sum = Checksum.of(UnsafeRawBufferPointer(
            start: out + ImageLayout.checksummedFrom,
            count: layout.totalLength - ImageLayout.checksummedFrom))
        out.storeBytes(of: sum, toByteOffset: HeaderField.checksum, as: UInt64.self)
        return storage
    }
}
