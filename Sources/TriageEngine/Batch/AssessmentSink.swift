import TriageModel

/// Where finished assessments go: an output (text, JSON, NDJSON), a review
/// queue, a server's response. A `BatchRun` hands each sink every
/// assessment in input order, with its case.
///
/// A sink says what it needs done on the assessing threads (`preparation`),
/// so that the one thread that keeps the order only copies bytes: the
/// assessment is serialised there once (`AssessedReferral.serialize()`) and
/// every sink writes those same bytes, completed with the case.
public protocol AssessmentSink: AnyObject {
    var preparation: SinkPreparation { get }
    /// The next assessment, in input order, with its case set
    /// (`Assessment.caseID`, `caseSize`).
    func write(_ item: AssessedReferral) throws
    /// The run is over: `summary` says what it did. Write what is buffered.
    func finish(_ summary: BatchSummary) throws
}

/// What a sink needs done to each assessment on its assessing thread.
public struct SinkPreparation: Sendable {
    /// Serialise the assessment (`AssessedReferral.serialize()`).
    public var serialize: Bool
    /// Anything else, after serialising (a queue compresses and hashes).
    public var prepare: (@Sendable (inout AssessedReferral) -> Void)?

    public init(serialize: Bool = false, prepare: (@Sendable (inout AssessedReferral) -> Void)? = nil) {
        self.serialize = serialize
        self.prepare = prepare
    }

    public static let none = SinkPreparation()
}

/// Bytes out: standard output, a file, a response body. Sinks write
/// through it and flush when a unit of output is complete.
public protocol ByteOutput: AnyObject {
    func write(_ bytes: [UInt8])
    func write(_ text: String)
    func flush()
}
