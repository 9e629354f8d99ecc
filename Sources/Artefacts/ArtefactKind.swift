/// A kind of versioned file this project writes: its name in messages, the
/// magic bytes it starts with, and what to do about a stale one. The matcher
/// defines `.automaton`; other modules define their own (compiled rule sets),
/// so every artefact is checked and reported the same way.
public struct ArtefactKind: Sendable, Hashable {
    /// How messages name it: "automaton", "rule set".
    public let name: String
    /// The 8 bytes every such file starts with.
    public let magic: [UInt8]
    /// What to do when it is from another version or machine.
    public let remedy: String

    public init(name: String, magic: String, remedy: String) {
        precondition(magic.utf8.count == 8, "magic is 8 bytes")
        self.name = name
        self.magic = Array(magic.utf8)
        self.remedy = remedy
    }
}
