/// Why bytes could not be loaded as an automaton. Loading never traps and
/// never accepts bytes it cannot fully vouch for: the header, the checksum
/// and every table entry a search could follow are checked first.
public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// Fewer bytes than the header or the header's stated length.
        case truncated(expected: Int, actual: Int)
        /// More bytes than the header's stated length.
        case trailingBytes(expected: Int, actual: Int)
        /// The magic bytes are not there: this is some other kind of file.
        case notAnAutomaton
        /// Written by a format version this build does not read.
        case unsupportedVersion(found: UInt32, supported: UInt32)
        /// Written on a machine of the other byte order.
        case wrongEndianness
        /// The checksum does not match: the bytes were damaged.
        case checksumMismatch(stored: UInt64, computed: UInt64)
        /// The checksum matches but the tables are inconsistent.
        case malformed(String)
        /// The file could not be opened, read or mapped.
        case file(FileError)
    }

    /// What is wrong.
    public let problem: Problem
    /// The file the bytes came from, when they came from a file.
    public let path: String?

    init(_ problem: Problem, path: String? = nil) {
        self.problem = problem
        self.path = path
    }

    func at(_ path: String) -> LoadError { LoadError(problem, path: path) }

    public var description: String {
        let what: String
        switch problem {
        case let .truncated(expected, actual):
            what = "truncated: expected \(expected) bytes, found \(actual)"
        case let .trailingBytes(expected, actual):
            what = "unexpected bytes after the automaton: expected \(expected) bytes, found \(actual)"
        case .notAnAutomaton:
            what = "not a compiled automaton (the magic bytes \"TRIAGEAC\" are missing)"
        case let .unsupportedVersion(found, supported):
            what = "format version \(found) is not supported (this build reads version \(supported)); rebuild it from its patterns"
        case .wrongEndianness:
            what = "written on a machine of the other byte order; rebuild it from its patterns on this machine"
        case let .checksumMismatch(stored, computed):
            what = "checksum mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is damaged"
        case let .malformed(detail):
            what = "malformed automaton: \(detail)"
        case let .file(error):
            return error.description
        }
        if let path { return "cannot load automaton '\(path)': \(what)" }
        return "cannot load automaton: \(what)"
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
