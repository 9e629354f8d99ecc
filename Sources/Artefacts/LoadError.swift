/// Why bytes could not be loaded as an artefact (an automaton, or a file that
/// embeds some). Loading never traps and never accepts bytes it cannot fully
/// vouch for: the header, the checksum and every table entry a search could
/// follow are checked first.
public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public indirect enum Problem: Sendable, Hashable {
        /// Fewer bytes than the header or the header's stated length.
        case truncated(expected: Int, actual: Int)
        /// More bytes than the header's stated length.
        case trailingBytes(expected: Int, actual: Int)
        /// The magic bytes are not there: this is some other kind of file.
        case foreign
        /// Written by a format version this build does not read.
        case unsupportedVersion(found: UInt32, supported: UInt32)
        /// Written on a machine of the other byte order.
        case wrongEndianness
        /// The checksum does not match: the bytes were damaged.
        case checksumMismatch(stored: UInt64, computed: UInt64)
        /// The checksum matches but the tables are inconsistent.
        case malformed(String)
        /// An artefact embedded in this one failed to load.
        case embedded(LoadError)
        /// The file could not be opened, read or mapped.
        case file(FileError)
    }

    /// What is wrong.
    public let problem: Problem
    /// What kind of file it was meant to be.
    public let artefact: ArtefactKind
    /// The file the bytes came from, when they came from a file.
    public let path: String?

    public init(_ problem: Problem, artefact: ArtefactKind, path: String? = nil) {
        self.problem = problem
        self.artefact = artefact
        self.path = path
    }

    /// The same error, naming the file.
    public func at(_ path: String) -> LoadError { LoadError(problem, artefact: artefact, path: path) }

    public var description: String {
        if case let .file(error) = problem { return error.description }
        if let path { return "cannot load \(artefact.name) '\(path)': \(detail)" }
        return "cannot load \(artefact.name): \(detail)"
    }

    /// What is wrong, without the "cannot load …" prefix.
    public var detail: String {
        switch problem {
        case let .truncated(expected, actual):
            "truncated: expected \(expected) bytes, found \(actual)"
        case let .trailingBytes(expected, actual):
            "unexpected bytes after the \(artefact.name): expected \(expected) bytes, found \(actual)"
        case .foreign:
            "not a compiled \(artefact.name) (the magic bytes \"\(String(decoding: artefact.magic, as: UTF8.self))\" are missing)"
        case let .unsupportedVersion(found, supported):
            "format version \(found) is not supported (this build reads version \(supported)); \(artefact.remedy)"
        case .wrongEndianness:
            "written on a machine of the other byte order; \(artefact.remedy) on this machine"
        case let .checksumMismatch(stored, computed):
            "checksum mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is damaged"
        case let .malformed(detail):
            "malformed \(artefact.name): \(detail)"
        case let .embedded(inner):
            "embedded \(inner.artefact.name): \(inner.detail)"
        case let .file(error):
            error.description
        }
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
