import Artefacts
import AhoCorasick

/// The compiled rule-set file: compile once (`triage rules compile`), load
/// in milliseconds everywhere else.
///
/// ```
/// offset  size  field
///      0     8  magic "TRIAGERS"
///      8     4  format version
///     12     4  endianness marker (tables and automata are in the writer's
///               byte order, so the whole file is)
///     16     8  total length in bytes
///     24     8  checksum (AhoCorasick.Checksum) of bytes 32..<automata offset
///               (these 32 bytes and their checks are `ArtefactHeader`'s)
///     32    32  fingerprint: SHA-256 of the normalised rule sources
///     64     8  automata offset: where the embedded automata begin
///     72    56  reserved, 0
///    128     …  section directory: count (4), 0 (4), then per section its
///               offset (8) and length (8); the sections, each 8-byte aligned
///      …     …  one automaton image per matcher, each 64-byte aligned,
///               checked by its own header and checksum and mapped in place
/// ```
///
/// The sections are the scan tables (`ScanTables`: fixed-width integer
/// arrays the scanner reads in place), the matcher list, and the cold
/// records (names, metadata, literals, examples), which are decoded only
/// when something asks for a rule. So loading maps the file, checks it, and
/// allocates only the few indexes it derives; it decodes nothing per rule.
///
/// Loading runs the shared `ArtefactHeader` checks (identity, byte order,
/// version, length, checksum), then checks every table: sizes, row bounds,
/// every ID, the condition programs (node shapes, IDs, depth), rule-reference
/// cycles, automaton ranges and pattern counts, and that every cold record
/// starts inside the file (its fields are bounds-checked as they are read). A stale, truncated, damaged or forged file gives an
/// error naming the file, never an out-of-bounds read.
public enum RuleSetFile {
    /// 4: patterns match the leet view unless `exact` or `noleet`, and
    /// literals are folded with white space collapsed and typographic
    /// punctuation read as ASCII; a file compiled before reads its literals
    /// differently, so it is refused (recompile its sources).
    public static let formatVersion: UInt32 = 5
    static let headerSize = 128
    static let maxConditionDepth = 256

    enum Section: Int, CaseIterable {
        case sources, ruleRecords, patternRecords, cold
        case code, entry, ruleStatus, ruleCategory, ruleSeverity, ruleWeight, baseline
        case rulePatternStart, rulePatternIDs, patternRule, patternView, fullword
        case patternBase, ownerStart, ownerIDs, matchers
    }

    /// Bytes per entry of the matcher section: view, case, 6 reserved,
    /// image offset, image length.
    static let matcherEntrySize = 24

    /// Whether the file at `path` starts like a compiled rule set.
    public static func isCompiledRuleSet(path: String) -> Bool {
        guard let file = try? MappedFile(path: path) else { return false }
        return file.withUnsafeBytes { $0.count >= 8 && $0.prefix(8).elementsEqual(ArtefactKind.ruleSet.magic) }
    }

    // MARK: Writing

    /// The file's bytes.
    public static func serialize(_ rules: CompiledRules) -> [UInt8] {
        var bytes = Array(rules.records.tableBytes)
        for matcher in rules.matchers {
            bytes += matcher.automaton.serialized()
            while bytes.count % 64 != 0 { bytes.append(0) }
        }
        return bytes
    }

    /// Writes the rule set to `path` atomically.
    public static func write(_ rules: CompiledRules, to path: String) throws(FileError) {
        // `withUnsafeBytes` rethrows untyped errors: carry the typed one out.
        var failure: FileError?
        serialize(rules).withUnsafeBytes { bytes in
            do throws(FileError) { try writeFileAtomically(bytes, to: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Everything a compiled rule set holds, as built by the compiler.
    struct Contents {
        var sourcePaths: [String]
        var fingerprint: Fingerprint
        var rules: [Rule]
        var patterns: [DeclaredPattern]
        var baseline: [UInt8]
        /// Per matcher: its key, its automaton, and each automaton pattern's owners.
        var matchers: [(key: MatcherKey, automaton: AhoCorasick, owners: [[PatternID]])]
    }

    /// The header and sections of `contents` (the automata follow them in
    /// the file; the header already accounts for them).
    static func encodeTables(_ contents: Contents) -> [UInt8] {
        var sections = [[UInt8]](repeating: [], count: Section.allCases.count)
        func put<T: FixedWidthInteger>(_ section: Section, _ values: [T]) {
            var w = ByteWriter()
            w.bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
            for v in values { withUnsafeBytes(of: v) { w.bytes += $0 } }
            sections[section.rawValue] = w.bytes
        }
        var sources = ByteWriter()
        sources.u32(contents.sourcePaths.count)
        for path in contents.sourcePaths { sources.string(path) }
        sections[Section.sources.rawValue] = sources.bytes

        // Cold records: one blob, each record's offset in a fixed table.
        var cold = ByteWriter()
        var ruleOffsets: [UInt32] = [], patternOffsets: [UInt32] = []
        for rule in contents.rules {
            ruleOffsets.append(UInt32(cold.bytes.count))
            cold.string(rule.name)
            cold.string(rule.namespace)
            cold.u32(rule.tags.count)
            for tag in rule.tags { cold.string(tag) }
            cold.string(rule.description)
            cold.optionalString(rule.reference)
            cold.optionalString(rule.author)
            cold.optionalString(rule.reviewed)
            cold.u32(rule.examples.count)
            for example in rule.examples {
                cold.u8(example.shouldMatch ? 1 : 0)
                cold.data(example.text)
                cold.u32(example.line)
            }
            cold.string(rule.file)
            cold.u32(rule.line)
        }
        for s in contents.patterns {
            patternOffsets.append(UInt32(cold.bytes.count))
            cold.string(s.name)
            cold.u32(s.values.count)
            for v in s.values { cold.data(v) }
            cold.u8(s.caseInsensitive ? 1 : 0)
        }
        put(.ruleRecords, ruleOffsets)
        put(.patternRecords, patternOffsets)
        sections[Section.cold.rawValue] = cold.bytes

        let program = ConditionProgram.assemble(contents.rules.map(\.condition))
        put(.code, program.code)
        put(.entry, program.entry)
        put(.ruleStatus, contents.rules.map { UInt8(ScanTables.statusCodes.firstIndex(of: $0.status)!) })
        put(.ruleCategory, contents.rules.map { UInt8(Category.allCases.firstIndex(of: $0.category)!) })
        put(.ruleSeverity, contents.rules.map { Int32($0.severity) })
        put(.ruleWeight, contents.rules.map { Int32($0.weight) })
        put(.baseline, contents.baseline)
        let ruleRows = rows(contents.rules.map { $0.patterns.map(\.rawValue) })
        put(.rulePatternStart, ruleRows.start)
        put(.rulePatternIDs, ruleRows.ids)
        put(.patternRule, contents.patterns.map(\.rule.rawValue))
        put(.patternView, contents.patterns.map(\.view.code))
        put(.fullword, contents.patterns.map { UInt8($0.fullword ? 1 : 0) })
        var base: [UInt32] = [0]
        for matcher in contents.matchers { base.append(base.last! + UInt32(matcher.owners.count)) }
        put(.patternBase, base)
        let ownerRows = rows(contents.matchers.flatMap { $0.owners.map { $0.map(\.rawValue) } })
        put(.ownerStart, ownerRows.start)
        put(.ownerIDs, ownerRows.ids)

        // Layout: directory, sections, then the automata.
        var offset = headerSize + 8 + 16 * sections.count
        var placed: [(offset: Int, length: Int)] = []
        for (index, section) in sections.enumerated() {
            offset = (offset + 7) & ~7
            let length = index == Section.matchers.rawValue ? contents.matchers.count * matcherEntrySize : section.count
            placed.append((offset, length))
            offset += length
        }
        let automataOffset = ByteWriter.alignedEnd(offset)
        var imageOffset = automataOffset
        var matchers = ByteWriter()
        for matcher in contents.matchers {
            let size = matcher.automaton.serializedSize
            matchers.u8(matcher.key.view.code)
            matchers.u8(matcher.key.caseInsensitive ? 1 : 0)
            for _ in 0..<6 { matchers.u8(0) }
            matchers.u64(UInt64(imageOffset))
            matchers.u64(UInt64(size))
            imageOffset = ByteWriter.alignedEnd(imageOffset + size)
        }
        sections[Section.matchers.rawValue] = matchers.bytes

        var w = ByteWriter()
        w.bytes = ArtefactKind.ruleSet.magic
        w.u32(formatVersion)
        w.u32(ArtefactHeader.endiannessMarker)
        w.u64(UInt64(imageOffset))
        w.u64(0)  // checksum, below
        w.bytes += contents.fingerprint.bytes
        w.u64(UInt64(automataOffset))
        while w.bytes.count < headerSize { w.u8(0) }
        w.u32(sections.count)
        w.u32(0)
        for p in placed {
            w.u64(UInt64(p.offset))
            w.u64(UInt64(p.length))
        }
        for (section, p) in zip(sections, placed) {
            while w.bytes.count < p.offset { w.u8(0) }
            w.bytes += section
        }
        while w.bytes.count < automataOffset { w.u8(0) }
        let sum = w.bytes.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[32...])) }
        withUnsafeBytes(of: sum.littleEndian) { w.bytes.replaceSubrange(24..<32, with: $0) }
        return w.bytes
    }

    private static func rows(_ lists: [[UInt32]]) -> (start: [UInt32], ids: [UInt32]) {
        var start: [UInt32] = [0]
        start.reserveCapacity(lists.count + 1)
        var ids: [UInt32] = []
        for list in lists {
            ids += list
            start.append(UInt32(ids.count))
        }
        return (start, ids)
    }

    // MARK: Loading

    /// Loads a compiled rule set by mapping the file.
    public static func load(path: String) throws(LoadError) -> CompiledRules {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw LoadError(.file(error), artefact: .ruleSet, path: path) }
        do {
            return try file.withUnsafeBytes { bytes throws(LoadError) in
                // Step 1: identity, byte order, version, length, checksum.
                try ArtefactHeader.verify(bytes, kind: .ruleSet, version: formatVersion, headerSize: headerSize) { header in
                    Int(clamping: header.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
                }
                // Step 2: the tables, in place.
                return try decode(TableMemory(mapping: file, bytes: bytes)) { _, range throws(LoadError) in
                    do throws(LoadError) { return try AhoCorasick(mappedFile: file, range: range) } catch {
                        throw LoadError(.embedded(error), artefact: .ruleSet)
                    }
                }
            }
        } catch {
            throw error.at(path)
        }
    }

    /// Reads and checks the tables in `memory` (a verified file, or tables
    /// just encoded); `automaton` supplies matcher `m`'s automaton at a byte
    /// range of the file.
    static func decode(_ memory: TableMemory,
                       automaton: (Int, Range<Int>) throws(LoadError) -> AhoCorasick) throws(LoadError) -> CompiledRules {
        let bytes = memory.bytes
        guard bytes.count >= headerSize + 8 else { throw LoadError.malformedRuleSet("the section directory is missing") }
        // The whole file's length (the header's, which loading has checked
        // against the file; freshly encoded tables come without automata).
        let fileLength = Int(clamping: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let automataOffset = Int(clamping: bytes.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
        guard automataOffset >= headerSize, automataOffset <= bytes.count, automataOffset <= fileLength else {
            throw LoadError.malformedRuleSet("automata offset \(automataOffset) is outside the file")
        }
        let tables = UnsafeRawBufferPointer(rebasing: bytes[0..<automataOffset])
        let sectionCount = Int(tables.loadUnaligned(fromByteOffset: headerSize, as: UInt32.self))
        guard sectionCount == Section.allCases.count, headerSize + 8 + 16 * sectionCount <= automataOffset else {
            throw LoadError.malformedRuleSet("the section directory lists \(sectionCount) sections, not \(Section.allCases.count)")
        }
        func raw(_ section: Section) throws(LoadError) -> UnsafeRawBufferPointer {
            let entry = headerSize + 8 + 16 * section.rawValue
            let offset = Int(clamping: tables.loadUnaligned(fromByteOffset: entry, as: UInt64.self))
            let length = Int(clamping: tables.loadUnaligned(fromByteOffset: entry + 8, as: UInt64.self))
            guard offset % 8 == 0, offset >= headerSize, offset <= tables.count, length <= tables.count - offset else {
                throw LoadError.malformedRuleSet("section \(section) (\(length) bytes at \(offset)) is outside the tables")
            }
            return UnsafeRawBufferPointer(rebasing: tables[offset..<(offset + length)])
        }
        func array<T: FixedWidthInteger>(_ section: Section, _: T.Type, count: Int? = nil) throws(LoadError) -> UnsafeBufferPointer<T> {
            let r = try raw(section)
            guard r.count % MemoryLayout<T>.size == 0 else { throw LoadError.malformedRuleSet("section \(section) has a partial entry") }
            let n = r.count / MemoryLayout<T>.size
            if let count, n != count { throw LoadError.malformedRuleSet("section \(section) has \(n) entries, expected \(count)") }
            return r.bindMemory(to: T.self)
        }
        func rowsValid(_ start: UnsafeBufferPointer<UInt32>, _ ids: UnsafeBufferPointer<UInt32>, below bound: Int, _ what: String) throws(LoadError) {
            guard start.first == 0, Int(start.last ?? 1) == ids.count else { throw LoadError.malformedRuleSet("\(what): rows do not cover the table") }
            for i in 1..<start.count where start[i] < start[i - 1] { throw LoadError.malformedRuleSet("\(what): row \(i - 1) ends before it starts") }
            for id in ids where Int(id) >= bound { throw LoadError.malformedRuleSet("\(what): unknown ID \(id)") }
        }

        // Sources.
        var reader = ByteReader(try raw(.sources))
        var sources: [String] = []
        for _ in 0..<(try reader.count(minimumSize: 4)) { sources.append(try reader.string()) }

        // Per rule.
        let ruleStatus = try array(.ruleStatus, UInt8.self)
        let ruleCount = ruleStatus.count
        for status in ruleStatus where status > 2 { throw LoadError.malformedRuleSet("unknown rule status \(status)") }
        let ruleCategory = try array(.ruleCategory, UInt8.self, count: ruleCount)
        for category in ruleCategory where Int(category) >= Category.allCases.count { throw LoadError.malformedRuleSet("unknown category \(category)") }
        let ruleSeverity = try array(.ruleSeverity, Int32.self, count: ruleCount)
        let ruleWeight = try array(.ruleWeight, Int32.self, count: ruleCount)
        let baseline = try array(.baseline, UInt8.self, count: ruleCount)
        let program = ConditionProgram(code: try array(.code, Int32.self), entry: try array(.entry, Int32.self, count: ruleCount))

        // Per declared pattern.
        let patternRule = try array(.patternRule, UInt32.self)
        let patternCount = patternRule.count
        for rule in patternRule where Int(rule) >= ruleCount { throw LoadError.malformedRuleSet("a pattern belongs to unknown rule \(rule)") }
        let patternView = try array(.patternView, UInt8.self, count: patternCount)
        for view in patternView where TextView(code: view) == nil { throw LoadError.malformedRuleSet("a pattern has unknown view \(view)") }
        let fullword = try array(.fullword, UInt8.self, count: patternCount)
        let rulePatternStart = try array(.rulePatternStart, UInt32.self, count: ruleCount + 1)
        let rulePatternIDs = try array(.rulePatternIDs, UInt32.self)
        try rowsValid(rulePatternStart, rulePatternIDs, below: patternCount, "rule patterns")
        for rule in 0..<ruleCount {
            for k in ScanTables.row(rulePatternStart, rule) where Int(patternRule[Int(rulePatternIDs[k])]) != rule {
                throw LoadError.malformedRuleSet("rule \(rule) lists pattern \(rulePatternIDs[k]) that is not its own")
            }
        }
        try program.validate(patterns: patternCount, rules: ruleCount, maxDepth: maxConditionDepth)

        // Per matcher and automaton pattern.
        let matcherTable = try raw(.matchers)
        guard matcherTable.count % matcherEntrySize == 0 else { throw LoadError.malformedRuleSet("section matchers has a partial entry") }
        let matcherCount = matcherTable.count / matcherEntrySize
        let patternBase = try array(.patternBase, UInt32.self, count: matcherCount + 1)
        guard patternBase[0] == 0 else { throw LoadError.malformedRuleSet("pattern numbering does not start at 0") }
        let ownerStart = try array(.ownerStart, UInt32.self, count: Int(patternBase[matcherCount]) + 1)
        let ownerIDs = try array(.ownerIDs, UInt32.self)
        try rowsValid(ownerStart, ownerIDs, below: patternCount, "pattern owners")
        var matchers: [ViewMatcher] = []
        for m in 0..<matcherCount {
            let entry = m * matcherEntrySize
            let view = matcherTable[entry], ci = matcherTable[entry + 1]
            let offset = Int(clamping: matcherTable.loadUnaligned(fromByteOffset: entry + 8, as: UInt64.self))
            let length = Int(clamping: matcherTable.loadUnaligned(fromByteOffset: entry + 16, as: UInt64.self))
            guard let view = TextView(code: view), ci <= 1 else { throw LoadError.malformedRuleSet("matcher \(m) has an unknown view or case") }
            guard patternBase[m] <= patternBase[m + 1] else { throw LoadError.malformedRuleSet("pattern numbering goes backwards at matcher \(m)") }
            guard offset >= automataOffset, length <= fileLength, offset <= fileLength - length else {
                throw LoadError.malformedRuleSet("embedded automaton at \(offset) (\(length) bytes) is outside the file")
            }
            let loaded = try automaton(m, offset..<(offset + length))
            let expected = Int(patternBase[m + 1] - patternBase[m])
            guard loaded.patternCount == expected else {
                throw LoadError.malformedRuleSet("automaton \(m) has \(loaded.patternCount) patterns, the table \(expected)")
            }
            matchers.append(ViewMatcher(key: MatcherKey(view: view, caseInsensitive: ci == 1), automaton: loaded))
        }

        // Cold records: each starts inside the blob. They are not walked
        // here (that would cost a pass over every rule's text on each load);
        // decoding them bounds-checks every read, so a forged record reads
        // as empty fields, never out of bounds. Accidental damage is caught
        // by the checksum above.
        let cold = try raw(.cold)
        let ruleRecords = try array(.ruleRecords, UInt32.self, count: ruleCount)
        let patternRecords = try array(.patternRecords, UInt32.self, count: patternCount)
        for offset in ruleRecords where Int(offset) >= cold.count { throw LoadError.malformedRuleSet("a rule record is outside the file") }
        for offset in patternRecords where Int(offset) >= cold.count { throw LoadError.malformedRuleSet("a pattern record is outside the file") }

        let scanTables = try ScanTables(
            memory: memory, program: program, ruleStatus: ruleStatus, ruleCategory: ruleCategory, ruleSeverity: ruleSeverity,
            ruleWeight: ruleWeight, baseline: baseline, rulePatternStart: rulePatternStart, rulePatternIDs: rulePatternIDs,
            patternRule: patternRule, patternView: patternView, fullword: fullword, patternBase: patternBase,
            ownerStart: ownerStart, ownerIDs: ownerIDs)
        return CompiledRules(
            tables: scanTables, matchers: matchers, sourcePaths: sources,
            fingerprint: Fingerprint(bytes: Array(bytes[32..<64])),
            records: ColdRecords(rules: ruleRecords, patterns: patternRecords, blob: cold, tableBytes: tables))
    }
}

/// Where each rule's and pattern's cold record is: decoded on demand.
struct ColdRecords: @unchecked Sendable {
    let rules: UnsafeBufferPointer<UInt32>
    let patterns: UnsafeBufferPointer<UInt32>
    let blob: UnsafeRawBufferPointer
    /// The file's bytes before the automata (what `serialize` writes first).
    let tableBytes: UnsafeRawBufferPointer
}

extension ByteWriter {
    /// `offset` rounded up to a multiple of 64.
    static func alignedEnd(_ offset: Int) -> Int { (offset + 63) & ~63 }
}

extension ArtefactKind {
    /// A compiled rule-set file.
    public static let ruleSet = ArtefactKind(name: "rule set", magic: "TRIAGERS", remedy: "compile the rules again")
}

extension LoadError {
    /// A rule-set file whose tables are inconsistent.
    static func malformedRuleSet(_ detail: String) -> LoadError { LoadError(.malformed(detail), artefact: .ruleSet) }
}
