import Artefacts
import Testing
import TestSupport
@testable import AhoCorasick
#if canImport(Glibc)
import Glibc
#endif

@Suite("Serialisation")
struct SerializationTests {
    static let patterns = ["attack", "plan", "at", "pl", "lan", "Ω"]

    func build(_ kind: MatchKind = .standard, _ automaton: AutomatonKind = .dfa) throws -> AhoCorasick {
        try AhoCorasickBuilder.make(kind, automaton, caseInsensitive: true).build(Self.patterns)
    }

    func temporaryPath(_ name: String) -> String {
        "/tmp/ac-test-\(getpid())-\(name)"
    }

    @Test(arguments: MatchKind.allCases, AutomatonKind.allCases)
    func fileRoundTrip(kind: MatchKind, automaton: AutomatonKind) throws {
        let ac = try build(kind, automaton)
        let path = temporaryPath("\(kind)-\(automaton).ac")
        defer { unlink(path) }
        try ac.write(toFile: path)
        let loaded = try AhoCorasick(contentsOfFile: path)
        #expect(loaded.kind == automaton)
        #expect(loaded.matchKind == kind)
        #expect(loaded.asciiCaseInsensitive)
        #expect(loaded.patternCount == Self.patterns.count)
        let text = "An ATTACK plan, a plan to attack. Ω"
        #expect(loaded.matches(in: text) == ac.matches(in: text))
        #expect(loaded.serialized() == ac.serialized())
    }

    @Test func serialisationIsDeterministic() throws {
        #expect(try build().serialized() == build().serialized())
    }

    func loadError(_ bytes: [UInt8]) -> LoadError.Problem? {
        do {
            _ = try AhoCorasick(serialized: bytes)
            return nil
        } catch {
            return error.problem
        }
    }

    @Test(arguments: AutomatonKind.allCases)
    func everyTruncationIsReported(automaton: AutomatonKind) throws {
        let bytes = try build(.standard, automaton).serialized()
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            let problem = loadError(Array(bytes[..<length]))
            switch problem {
            case .truncated?: break
            case .foreign? where length < 8: break
            default: Issue.record("length \(length): \(String(describing: problem))")
            }
        }
        guard case .trailingBytes? = loadError(bytes + [0]) else { Issue.record("trailing byte accepted"); return }
    }

    @Test(arguments: AutomatonKind.allCases)
    func everyFlippedBitIsReported(automaton: AutomatonKind) throws {
        let bytes = try build(.leftmostLongest, automaton).serialized()
        for offset in 0..<bytes.count {
            var damaged = bytes
            damaged[offset] ^= 0x10
            #expect(loadError(damaged) != nil, "a flipped bit at \(offset) was accepted")
        }
    }

    /// A large image runs the checksum beside the structural checks; damage
    /// is still reported as damage, even where the structure fails too.
    @Test(arguments: AutomatonKind.allCases)
    func damageIsReportedAsDamageWhenCheckedInParallel(automaton: AutomatonKind) throws {
        let bytes = try build(.standard, automaton).serialized()
        let offsets = [HeaderField.stateCount, HeaderField.start, ImageLayout.transitionsOffset + 5, bytes.count - 3]
        for offset in offsets {
            var damaged = bytes
            damaged[offset] ^= 0x40
            let problem = damaged.withUnsafeBytes { raw -> LoadError.Problem? in
                do throws(LoadError) { _ = try ImageValidator.validate(raw, parts: 2); return nil } catch { return error.problem }
            }
            guard case .checksumMismatch? = problem else {
                Issue.record("offset \(offset): \(String(describing: problem))"); continue
            }
        }
    }

    @Test func foreignFiles() throws {
        #expect(loadError([]) == .truncated(expected: 128, actual: 0))
        #expect(loadError(Array("<html><body>not an automaton</body></html>".utf8)) == .foreign)
        #expect(loadError([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 500)) == .foreign)
    }

    /// Rewrites header fields and re-seals the checksum, as a forger (or a
    /// future format version) would.
    func resealed(_ bytes: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var copy = bytes
        edit(&copy)
        let sum = copy.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[ImageLayout.checksummedFrom...])) }
        withUnsafeBytes(of: sum) { copy.replaceSubrange(24..<32, with: $0) }
        return copy
    }

    @Test func versionAndEndianness() throws {
        let bytes = try build().serialized()
        let newer = resealed(bytes) { $0[8] = 2 }
        #expect(loadError(newer) == .unsupportedVersion(found: 2, supported: 1))
        var swapped = bytes
        swapped.replaceSubrange(12..<16, with: [0x0A, 0x0B, 0x0C, 0x0D])
        #expect(loadError(swapped) == .wrongEndianness)
    }

    @Test(arguments: AutomatonKind.allCases)
    func forgedTablesAreRejected(automaton: AutomatonKind) throws {
        let bytes = try build(.leftmostFirst, automaton).serialized()
        let transitions = ImageLayout.transitionsOffset
        // A transition, start state and match bound pointing outside the table.
        for (offset, value) in [(transitions + 4 * 40, UInt32.max - 7), (52, UInt32(1 << 30)), (56, UInt32(1 << 30))] {
            let forged = resealed(bytes) { b in withUnsafeBytes(of: value) { b.replaceSubrange(offset..<(offset + 4), with: $0) } }
            guard case .malformed? = loadError(forged) else {
                Issue.record("forged word at \(offset) accepted"); continue
            }
        }
        // A byte class beyond the class count.
        let badClass = resealed(bytes) { $0[ImageLayout.classesOffset + 65] = 255 }
        guard case .malformed? = loadError(badClass) else { Issue.record("bad class accepted"); return }
    }

    /// Large automata check their NFA states in parallel parts; whatever the
    /// split, the same images are accepted and the same damage rejected.
    @Test func parallelValidationAgreesWithSequential() throws {
        var rng = SeededRandom(seed: 20261124)  // seeded: a failure replays
        let patterns = (0..<3000).map { i in "p\(i)-" + String((0..<(i % 7 + 2)).map { _ in "abcdefgh".randomElement(using: &rng)! }) }
        let bytes = try AhoCorasickBuilder.make(.standard, .contiguousNFA).build(patterns).serialized()
        func outcome(_ image: [UInt8], parts: Int, precise: Bool = false) -> String {
            image.withUnsafeBytes { raw in
                do throws(LoadError) {
                    _ = try ImageValidator.validate(raw, parts: parts, precise: precise)
                    return "ok"
                } catch {
                    return "\(error.problem)"
                }
            }
        }
        #expect(outcome(bytes, parts: 4) == "ok")
        #expect(outcome(bytes, parts: 1, precise: true) == "ok")
        let transitions = ImageLayout.transitionsOffset
        var rejected = 0
        for _ in 0..<400 {
            let offset = Int.random(in: transitions..<bytes.count, using: &rng)
            let damaged = resealed(bytes) { $0[offset] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }
            // One part, state by state: the reference.
            let reference = outcome(damaged, parts: 1, precise: true)
            if reference != "ok" { rejected += 1 }
            // The batched fast path names the same first bad state.
            #expect(outcome(damaged, parts: 1) == reference, "offset \(offset)")
            for parts in [2, 3, 7] {
                // The same verdict; with several bad states the parts may
                // name a different first one, so compare the kind of problem.
                #expect((reference == "ok") == (outcome(damaged, parts: parts) == "ok"), "offset \(offset), \(parts) parts")
            }
        }
        // The damage is mostly caught (a flipped bit in a class byte's
        // unused high bits, say, can still make a valid automaton).
        #expect(rejected > 200)
    }

    @Test func forgedFailureCycleIsRejected() throws {
        // Enough depth that the NFA has sparse states, then point a sparse
        // state's failure link at itself.
        let ac = try AhoCorasickBuilder.make(.standard, .contiguousNFA).build(["abcdef"])
        let bytes = ac.serialized()
        let words = bytes.count / 4
        var sparse: Int?
        var offset = 0
        let base = ImageLayout.transitionsOffset
        let transitionWords = ac.header.layout.transitionWords
        func word(_ i: Int) -> UInt32 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self) } }
        while offset < transitionWords {
            let head = word(offset)
            if head & ContiguousNFAEncoder.denseFlag == 0 { sparse = offset; break }
            offset += 3 + ac.byteClassCount
        }
        let state = try #require(sparse)
        #expect(words > 0)
        let forged = resealed(bytes) { b in
            withUnsafeBytes(of: UInt32(state)) { b.replaceSubrange((base + 4 * (state + 1))..<(base + 4 * (state + 2)), with: $0) }
        }
        #expect(loadError(forged) == .malformed("NFA state \(state) fails to \(state), out of layout order: its failure chain might not end"))
    }

    /// Failure chains end because links keep the layout order: backwards,
    /// or from the match range forwards past it. A match state failing into
    /// the rest is fine; a state past the match range failing forwards, or
    /// back into the match range, is not (two such links could make a cycle).
    @Test func failureLinksKeepLayoutOrder() throws {
        let ac = try AhoCorasickBuilder.make(.standard, .contiguousNFA).build(["abcdefg", "xbcdefg", "cdefgh"])
        let bytes = ac.serialized()
        let base = ImageLayout.transitionsOffset
        let maxMatch = Int(ac.header.maxMatch)
        func word(_ i: Int) -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self) }) }
        // The sparse states, in layout order.
        var sparse: [Int] = []
        var offset = 0
        while offset < ac.header.layout.transitionWords {
            let head = word(offset)
            if head & Int(ContiguousNFAEncoder.denseFlag) != 0 {
                offset += 3 + ac.byteClassCount
            } else {
                sparse.append(offset)
                offset += 3 + (head + 3) / 4 + head
            }
        }
        func failingTo(_ state: Int, _ target: Int) -> [UInt8] {
            resealed(bytes) { b in
                withUnsafeBytes(of: UInt32(target)) { b.replaceSubrange((base + 4 * (state + 1))..<(base + 4 * (state + 2)), with: $0) }
            }
        }
        let inMatchRange = sparse.filter { $0 <= maxMatch }, pastIt = sparse.filter { $0 > maxMatch }
        let first = try #require(pastIt.first), last = try #require(pastIt.last), match = try #require(inMatchRange.last)
        // Allowed: a match state failing forward past the match range; any
        // state failing to an earlier state in its own range.
        #expect(loadError(failingTo(match, last)) == nil)
        #expect(loadError(failingTo(last, first)) == nil)
        // Not allowed: past the match range, failing forward or back into it.
        let problem = { (state: Int, target: Int) in
            LoadError.Problem.malformed("NFA state \(state) fails to \(target), out of layout order: its failure chain might not end")
        }
        #expect(loadError(failingTo(first, last)) == problem(first, last))
        #expect(loadError(failingTo(first, match)) == problem(first, match))
    }

    @Test func fileErrorsNameTheFile() throws {
        do {
            _ = try AhoCorasick(contentsOfFile: "/nonexistent/rules.ac")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/rules.ac"))
            #expect(error.description.contains("No such file"))
        }
        let path = temporaryPath("foreign.ac")
        defer { unlink(path) }
        let text = Array("just some text, long enough to have a header-sized prefix... ".utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        do {
            _ = try AhoCorasick(contentsOfFile: path)
            Issue.record("loaded a text file")
        } catch {
            #expect(error.description == "cannot load automaton '\(path)': not a compiled automaton (the magic bytes \"TRIAGEAC\" are missing)")
        }
    }
}
