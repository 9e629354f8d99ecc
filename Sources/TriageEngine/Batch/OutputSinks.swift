import TriageModel

/// One line of JSON per assessment (`--format ndjson`); the summary is not
/// written here (a command prints it on standard error, so the output
/// stays one assessment per line).
public final class NDJSONSink: AssessmentSink {
    private let output: any ByteOutput

    public init(_ output: any ByteOutput) {
        self.output = output
    }

    public var preparation: SinkPreparation { SinkPreparation(serialize: true) }

    public func write(_ item: AssessedReferral) {
        output.write(item.json())
        output.write("\n")
    }

    public func finish(_ summary: BatchSummary) { output.flush() }
}

/// One JSON document: `{"assessments":[…],"summary":{…}}` (`--format json`).
/// Without `assessments` (a dry run), the array stays empty.
public final class JSONSink: AssessmentSink {
    private let output: any ByteOutput
    private let assessments: Bool
    private let timings: Bool
    private var count = 0

    /// `timings: false` leaves the rates out of the summary.
    public init(_ output: any ByteOutput, assessments: Bool = true, timings: Bool = true) {
        self.output = output
        self.assessments = assessments
        self.timings = timings
        output.write("{\"assessments\":[")
    }

    public var preparation: SinkPreparation { SinkPreparation(serialize: assessments) }

    public func write(_ item: AssessedReferral) {
        guard assessments else { return }
        if count > 0 { output.write(",") }
        count += 1
        output.write(item.json())
    }

    public func finish(_ summary: BatchSummary) {
        output.write("],\"summary\":" + summary.json(timings: timings) + "}\n")
        output.flush()
    }
}

/// Text for a person: a line per assessment (`listing`, `triage batch`) or
/// each assessment explained (`explanation`, `triage check`), then, for a
/// listing, the summary.
public final class TextSink: AssessmentSink {
    public enum Style: Sendable {
        /// `Assessment.listingLine()`, then a blank line and the summary.
        case listing
        /// `Assessment.explanation()`; no summary.
        case explanation
    }

    private let output: any ByteOutput
    private let style: Style
    private let assessments: Bool
    private let timings: Bool
    private var count = 0

    public init(_ output: any ByteOutput, style: Style = .listing, assessments: Bool = true, timings: Bool = true) {
        self.output = output
        self.style = style
        self.assessments = assessments
        self.timings = timings
    }

    public var preparation: SinkPreparation { .none }

    public func write(_ item: AssessedReferral) {
        guard assessments else { return }
        count += 1
        output.write(style == .listing ? item.assessment.listingLine() : item.assessment.explanation())
    }

    public func finish(_ summary: BatchSummary) {
        if style == .listing {
            if count > 0 { output.write("\n") }
            output.write(summary.text(timings: timings))
        }
        output.flush()
    }
}
