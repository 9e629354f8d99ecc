import Crypto
import Encoders

/// The identity of a rule set's sources: SHA-256 over their normalised text.
///
/// Shown with every compiled rule set and (with the pipeline) in every
/// assessment, so a decision can be traced to the exact rules that made it.
/// Normalisation makes the fingerprint depend on what the rules say, not on
/// where the files sit or how an editor saved them:
/// - line endings become LF and trailing spaces and tabs are removed;
/// - files are taken in the order of their own digests, so the order of
///   paths on the command line and the folder they are in do not matter;
/// - each file is framed by its length, so no two different sets of files
///   can hash the same text.
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(sources: [SourceFile]) {
        let normalised = sources.map { Fingerprint.normalise($0.bytes) }
        let ordered = normalised
            .map { (digest: Array(SHA256.hash(data: $0)), text: $0) }
            .sorted { $0.digest.lexicographicallyPrecedes($1.digest) }
        var hasher = SHA256()
        for file in ordered {
            var length = UInt64(file.text.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: file.text)
        }
        bytes = Array(hasher.finalize())
    }

    /// Lower-case hex of the digest.
    public var hex: String { Hex.lowercase(bytes) }

    /// `sha256:` followed by the hex digest.
    public var description: String { "sha256:" + hex }

    static func normalise(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var line: [UInt8] = []
        func flush() {
            while let last = line.last, last == 0x20 || last == 0x09 || last == 0x0D { line.removeLast() }
            out += line
            line.removeAll(keepingCapacity: true)
        }
        for b in bytes {
            if b == 0x0A {
                flush()
                out.append(0x0A)
            } else {
                line.append(b)
            }
        }
        flush()
        return out
    }
}
