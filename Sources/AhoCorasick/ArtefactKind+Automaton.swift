import Artefacts

extension ArtefactKind {
    /// A saved automaton (`AhoCorasick.write(toFile:)`).
    public static let automaton = ArtefactKind(name: "automaton", magic: "TRIAGEAC", remedy: "rebuild it from its patterns")
}

extension LoadError {
    /// A problem with an automaton.
    init(_ problem: Problem, path: String? = nil) {
        self.init(problem, artefact: .automaton, path: path)
    }
}
