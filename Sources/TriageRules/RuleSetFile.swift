import AhoCorasick

/// The compiled rule-set file: compile once (`triage rules compile`), load
/// in milliseconds everywhere else.
///
/// ```
/// offset  size  field
///      0     8  magic "TRIAGERS"
///      8     4  format version
///     12     4  endianness marker (the embedded automata are in the
///               writer's byte order, so the whole file is)
///     16     8  total length in bytes
///     24     8  checksum (AhoCorasick.Checksum) of bytes 32..<automata offset
///               (these 32 bytes and their checks are `ArtefactHeader`'s)
///     32    32  fingerprint: SHA-256 of the normalised rule sources
///     64     8  automata offset: where the embedded automata begin
///     72    56  reserved, 0
///    128     …  rule tables (sources, rules, declared patterns, baseline,
///               matchers), encoded with ByteWriter
///      …     …  one automaton image per matcher, each 64-byte aligned,
///               checked by its own header and checksum and mapped in place
/// ```
///
/// Loading runs the shared `ArtefactHeader` checks (identity, byte order,
/// version, length, checksum), then checks every table reference (pattern, rule and string IDs,
/// condition depth, rule-reference cycles, automaton ranges), so a stale,
/// truncated, damaged or forged file gives an error naming the file.
public enum RuleSetFile {
    public static let formatVersion: UInt32 = 1
    static let headerSize = 128
    static let maxConditionDepth = 256

    /// Whether the file at `path` starts like a compiled rule set.
    public static func isCompiledRuleSet(path: String) -> Bool {
        guard let file = try? MappedFile(path: path) else { return false }
        return file.withUnsafeBytes { $0.count >= 8 && $0.prefix(8).elementsEqual(ArtefactKind.ruleSet.magic) }
    }

    // MARK: Writing

    /// The file's bytes.
    public static func serialize(_ rules: CompiledRules) -> [UInt8] {
        var w = ByteWriter()
        w.bytes = [UInt8](repeating: 0, count: headerSize)
        w.u32(rules.sourcePaths.count)
        for path in rules.sourcePaths { w.string(path) }
        w.u32(rules.rules.count)
        for rule in rules.rules { encode(rule, into: &w) }
        w.u32(rules.strings.count)
        for s in rules.strings {
            w.u32(s.rule.rawValue)
            w.string(s.name)
            w.u32(s.values.count)
            for v in s.values { w.data(v) }
            w.u8(s.view == .raw ? 1 : 0)
            w.u8(s.caseInsensitive ? 1 : 0)
            w.u8(s.fullword ? 1 : 0)
        }
        w.u32(rules.baseline.count)
        for b in rules.baseline { w.u8(b ? 1 : 0) }
        // Matchers: their tables now, their images after the metadata.
        let images = rules.matchers.map { $0.automaton.serialized() }
        var offset = ByteWriter.alignedEnd(w.bytes.count + rules.matchers.reduce(4) { $0 + 2 + 16 + 4 + $1.owners.reduce(0) { $0 + 4 + 4 * $1.count } })
        let automataOffset = offset
        w.u32(rules.matchers.count)
        for (matcher, image) in zip(rules.matchers, images) {
            w.u8(matcher.key.view == .raw ? 1 : 0)
            w.u8(matcher.key.caseInsensitive ? 1 : 0)
            w.u64(UInt64(offset))
            w.u64(UInt64(image.count))
            w.u32(matcher.owners.count)
            for owners in matcher.owners {
                w.u32(owners.count)
                for id in owners { w.u32(id.rawValue) }
            }
            offset = ByteWriter.alignedEnd(offset + image.count)
        }
        precondition(w.bytes.count <= automataOffset, "matcher table size miscounted")
        let metadataEnd = w.bytes.count
        w.align(64)
        while w.bytes.count < automataOffset { w.u8(0) }
        for image in images {
            w.bytes += image
            w.align(64)
        }
        // Header.
        var header = ByteWriter()
        header.bytes = ArtefactKind.ruleSet.magic
        header.u32(formatVersion)
        header.u32(ArtefactHeader.endiannessMarker)
        header.u64(UInt64(w.bytes.count))
        header.u64(0)  // checksum, below
        header.bytes += rules.fingerprint.bytes
        header.u64(UInt64(automataOffset))
        w.bytes.replaceSubrange(0..<header.bytes.count, with: header.bytes)
        let sum = w.bytes.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[32..<max(metadataEnd, automataOffset)])) }
        withUnsafeBytes(of: sum.littleEndian) { w.bytes.replaceSubrange(24..<32, with: $0) }
        return w.bytes
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

    private static func encode(_ rule: Rule, into w: inout ByteWriter) {
        w.string(rule.name)
        w.string(rule.namespace)
        w.u32(rule.tags.count)
        for tag in rule.tags { w.string(tag) }
        w.string(rule.description)
        w.string(rule.category.rawValue)
        w.i32(rule.severity)
        w.i32(rule.weight)
        w.optionalString(rule.reference)
        w.optionalString(rule.author)
        w.optionalString(rule.reviewed)
        w.string(rule.status.rawValue)
        w.u32(rule.strings.count)
        for id in rule.strings { w.u32(id.rawValue) }
        encode(rule.condition, into: &w)
        w.u32(rule.examples.count)
        for example in rule.examples {
            w.u8(example.shouldMatch ? 1 : 0)
            w.data(example.text)
            w.u32(example.line)
        }
        w.string(rule.file)
        w.u32(rule.line)
    }

    private static let comparisons: [Comparison] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]

    private static func encode(_ c: Condition, into w: inout ByteWriter) {
        switch c {
        case let .boolean(b): w.u8(0); w.u8(b ? 1 : 0)
        case let .string(s): w.u8(1); w.u32(s.rawValue)
        case let .count(s, op, n): w.u8(2); w.u32(s.rawValue); w.u8(UInt8(comparisons.firstIndex(of: op)!)); w.i32(n)
        case let .atLeast(n, members): w.u8(3); w.i32(n); w.u32(members.count); for m in members { w.u32(m.rawValue) }
        case let .near(a, b, words): w.u8(4); w.u32(a.rawValue); w.u32(b.rawValue); w.i32(words)
        case let .rule(r): w.u8(5); w.u32(r.rawValue)
        case let .not(x): w.u8(6); encode(x, into: &w)
        case let .all(xs): w.u8(7); w.u32(xs.count); for x in xs { encode(x, into: &w) }
        case let .any(xs): w.u8(8); w.u32(xs.count); for x in xs { encode(x, into: &w) }
        }
    }

    // MARK: Loading

    /// Loads a compiled rule set by mapping the file.
    public static func load(path: String) throws(LoadError) -> CompiledRules {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw LoadError(.file(error), artefact: .ruleSet, path: path) }
        do {
            return try file.withUnsafeBytes { bytes throws(LoadError) in try decode(bytes, file: file) }
        } catch {
            throw error.at(path)
        }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, file: MappedFile) throws(LoadError) -> CompiledRules {
        // Step 1: identity, byte order, version, length, checksum.
        try ArtefactHeader.verify(bytes, kind: .ruleSet, version: formatVersion, headerSize: headerSize) { header in
            Int(clamping: header.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
        }
        let fingerprint = Fingerprint(bytes: Array(bytes[32..<64]))
        let automataOffset = Int(clamping: bytes.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
        guard automataOffset >= headerSize else { throw LoadError.malformedRuleSet("automata offset \(automataOffset) is inside the header") }

        // Step 2: tables, every reference checked.
        let metadata = UnsafeRawBufferPointer(rebasing: bytes[0..<automataOffset])
        var r = ByteReader(metadata, at: headerSize)
        var sources: [String] = []
        for _ in 0..<(try r.count(minimumSize: 4)) { sources.append(try r.string()) }
        let ruleCount = try r.count(minimumSize: 40)
        var rules: [Rule] = []
        rules.reserveCapacity(ruleCount)
        for index in 0..<ruleCount { rules.append(try decodeRule(&r, id: RuleID(index), ruleCount: ruleCount)) }
        let stringCount = try r.count(minimumSize: 15)
        var strings: [DeclaredString] = []
        strings.reserveCapacity(stringCount)
        for index in 0..<stringCount {
            let rule = try r.int()
            guard rule < ruleCount else { throw LoadError.malformedRuleSet("pattern \(index) belongs to rule \(rule) of \(ruleCount)") }
            let name = try r.string()
            var values: [[UInt8]] = []
            for _ in 0..<(try r.count(minimumSize: 4)) { values.append(try r.data()) }
            let view = try r.u8(), ci = try r.u8(), fullword = try r.u8()
            strings.append(DeclaredString(id: StringID(index), rule: RuleID(rule), name: name, values: values,
                                          view: view == 1 ? .raw : .normalized, caseInsensitive: ci == 1, fullword: fullword == 1))
        }
        for rule in rules {
            try check(rule.condition, strings: stringCount, rules: ruleCount, rule: rule.id)
            for id in rule.strings where id.index >= stringCount || strings[id.index].rule != rule.id {
                throw LoadError.malformedRuleSet("rule \(rule.id.rawValue) lists pattern \(id.rawValue) that is not its own")
            }
        }
        guard RuleChecker.cycles(in: rules).isEmpty else { throw LoadError.malformedRuleSet("rules reference each other in a cycle") }
        let baselineCount = try r.count(minimumSize: 1)
        guard baselineCount == ruleCount else { throw LoadError.malformedRuleSet("baseline has \(baselineCount) entries for \(ruleCount) rules") }
        var baseline: [Bool] = []
        for _ in 0..<ruleCount { baseline.append(try r.u8() == 1) }
        var matchers: [ViewMatcher] = []
        for _ in 0..<(try r.count(minimumSize: 22)) {
            let view = try r.u8(), ci = try r.u8()
            let offset = Int(clamping: try r.u64()), length = Int(clamping: try r.u64())
            var owners: [[StringID]] = []
            for _ in 0..<(try r.count(minimumSize: 4)) {
                var ids: [StringID] = []
                for _ in 0..<(try r.count(minimumSize: 4)) {
                    let id = try r.int()
                    guard id < stringCount else { throw LoadError.malformedRuleSet("automaton pattern owned by unknown pattern \(id)") }
                    ids.append(StringID(id))
                }
                owners.append(ids)
            }
            guard offset >= automataOffset, length <= bytes.count, offset <= bytes.count - length else {
                throw LoadError.malformedRuleSet("embedded automaton at \(offset) (\(length) bytes) is outside the file")
            }
            let automaton: AhoCorasick
            do { automaton = try AhoCorasick(mappedFile: file, range: offset..<(offset + length)) } catch {
                throw LoadError(.embedded(error), artefact: .ruleSet)
            }
            guard automaton.patternCount == owners.count else {
                throw LoadError.malformedRuleSet("automaton has \(automaton.patternCount) patterns, the table \(owners.count)")
            }
            matchers.append(ViewMatcher(key: MatcherKey(view: view == 1 ? .raw : .normalized, caseInsensitive: ci == 1),
                                        automaton: automaton, owners: owners))
        }
        return CompiledRules(rules: rules, strings: strings, sourcePaths: sources, fingerprint: fingerprint,
                             matchers: matchers, baseline: baseline)
    }

    private static func decodeRule(_ r: inout ByteReader, id: RuleID, ruleCount: Int) throws(LoadError) -> Rule {
        let name = try r.string()
        let namespace = try r.string()
        var tags: [String] = []
        for _ in 0..<(try r.count(minimumSize: 4)) { tags.append(try r.string()) }
        let description = try r.string()
        let categoryName = try r.string()
        guard let category = Category(rawValue: categoryName) else { throw LoadError.malformedRuleSet("unknown category `\(categoryName)`") }
        let severity = try r.i32(), weight = try r.i32()
        let reference = try r.optionalString(), author = try r.optionalString(), reviewed = try r.optionalString()
        let statusName = try r.string()
        guard let status = RuleStatus(rawValue: statusName) else { throw LoadError.malformedRuleSet("unknown status `\(statusName)`") }
        var ids: [StringID] = []
        for _ in 0..<(try r.count(minimumSize: 4)) { ids.append(StringID(try r.int())) }
        let condition = try decodeCondition(&r, depth: 0)
        var examples: [Example] = []
        for _ in 0..<(try r.count(minimumSize: 9)) {
            let should = try r.u8() == 1
            let text = try r.data()
            examples.append(Example(shouldMatch: should, text: text, line: try r.int()))
        }
        let file = try r.string()
        let line = try r.int()
        return Rule(id: id, qualifiedName: namespace + "." + name, namespace: namespace, name: name, tags: tags,
                    description: description, category: category, severity: severity, weight: weight,
                    reference: reference, author: author, reviewed: reviewed, status: status, strings: ids,
                    condition: condition, examples: examples, file: file, line: line)
    }

    private static func decodeCondition(_ r: inout ByteReader, depth: Int) throws(LoadError) -> Condition {
        guard depth < maxConditionDepth else { throw LoadError.malformedRuleSet("a condition is nested too deeply") }
        switch try r.u8() {
        case 0: return .boolean(try r.u8() == 1)
        case 1: return .string(StringID(try r.int()))
        case 2:
            let s = StringID(try r.int())
            let op = Int(try r.u8())
            guard op < comparisons.count else { throw LoadError.malformedRuleSet("unknown comparison \(op)") }
            return .count(s, comparisons[op], try r.i32())
        case 3:
            let n = try r.i32()
            var members: [StringID] = []
            for _ in 0..<(try r.count(minimumSize: 4)) { members.append(StringID(try r.int())) }
            return .atLeast(n, members)
        case 4: return .near(StringID(try r.int()), StringID(try r.int()), words: try r.i32())
        case 5: return .rule(RuleID(rawValue: try r.u32()))
        case 6: return .not(try decodeCondition(&r, depth: depth + 1))
        case let tag where tag == 7 || tag == 8:
            var operands: [Condition] = []
            for _ in 0..<(try r.count(minimumSize: 2)) { operands.append(try decodeCondition(&r, depth: depth + 1)) }
            return tag == 7 ? .all(operands) : .any(operands)
        case let tag:
            throw LoadError.malformedRuleSet("unknown condition tag \(tag)")
        }
    }

    /// Every ID a condition names exists; patterns belong to the rule.
    private static func check(_ c: Condition, strings: Int, rules: Int, rule: RuleID) throws(LoadError) {
        var work = [c]
        while let next = work.popLast() {
            switch next {
            case .boolean: break
            case let .string(s), let .count(s, _, _):
                guard s.index < strings else { throw LoadError.malformedRuleSet("rule \(rule.rawValue) names unknown pattern \(s.rawValue)") }
            case let .atLeast(_, members):
                for s in members where s.index >= strings {
                    throw LoadError.malformedRuleSet("rule \(rule.rawValue) names unknown pattern \(s.rawValue)")
                }
            case let .near(a, b, _):
                guard a.index < strings, b.index < strings else { throw LoadError.malformedRuleSet("rule \(rule.rawValue) names an unknown pattern") }
            case let .rule(r):
                guard r.index < rules else { throw LoadError.malformedRuleSet("rule \(rule.rawValue) names unknown rule \(r.rawValue)") }
            case let .not(x): work.append(x)
            case let .all(xs), let .any(xs): work += xs
            }
        }
    }
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
