import Foundation
import Prometheus
import TriageEngine
import TriageModel

/// What `GET /metrics` reports, in Prometheus's text format: counts kept as
/// things happen (referrals accepted, assessed, rejected; fetch outcomes;
/// requests), and gauges read from the queue when scraped (the intake
/// backlog, open cases by band and state), with the rule set's fingerprint
/// as a label on an info metric.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let assessmentSeconds: DurationHistogram
    private let requestSeconds: DurationHistogram
    private let backlog: Gauge
    private let rulesInfo = Locked<(fingerprint: String, gauge: Gauge)?>(nil)
    /// Queue sizes are read at most once per `queueRefresh` (a scrape every
    /// few seconds must not count a million cases each time).
    private let queueRead = Locked<ContinuousClock.Instant?>(nil)
    static let queueRefresh: Duration = .seconds(10)

    init() {
        assessmentSeconds = registry.makeDurationHistogram(
            name: "triage_assessment_seconds", labels: [],
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(4), .milliseconds(16), .milliseconds(64), .milliseconds(256),
                      .seconds(1)],
            help: "Time to extract, normalise, scan and score one referral's page")
        requestSeconds = registry.makeDurationHistogram(
            name: "triage_http_request_seconds", labels: [],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100), .milliseconds(500), .seconds(2)],
            help: "Time to answer an HTTP request (streamed bodies: until the handler returned)")
        backlog = registry.makeGauge(name: "triage_intake_backlog", labels: [], help: "Referrals accepted and not yet assessed")
    }

    func accepted(source: Referral.Source) {
        registry.makeCounter(name: "triage_referrals_accepted_total", labels: [("source", source.rawValue)],
                             help: "Referrals accepted into the intake log").increment()
    }

    func rejected(reason: String) {
        registry.makeCounter(name: "triage_referrals_rejected_total", labels: [("reason", reason)],
                             help: "Referrals refused at intake (invalid, conflict)").increment()
    }

    func assessed(_ item: AssessedReferral) {
        let assessment = item.assessment
        registry.makeCounter(name: "triage_referrals_assessed_total", labels: [("source", assessment.source), ("band", assessment.band.rawValue)],
                             help: "Referrals assessed and filed").increment()
        if let timings = assessment.timings {
            assessmentSeconds.record(.microseconds(timings.extractMicroseconds + timings.scanMicroseconds))
        }
        if let fetch = assessment.fetch {
            let outcome = fetch.failure?.rawValue ?? (fetch.status.map { "http-\($0 / 100)xx" } ?? "none")
            registry.makeCounter(name: "triage_fetches_total", labels: [("outcome", outcome)], help: "URL fetches by outcome").increment()
        }
    }

    func request(method: String, status: Int, elapsed: Duration) {
        registry.makeCounter(name: "triage_http_requests_total", labels: [("method", method), ("status", String(status))],
                             help: "HTTP requests answered").increment()
        requestSeconds.record(elapsed)
    }

    /// Reads what is measured at scrape time, then the whole registry as text.
    func scrape(store: any QueueStore, rules: String) throws -> [UInt8] {
        backlog.set(Double(try store.intakeBacklog()))
        rulesInfo.withLock { info in
            guard info?.fingerprint != rules else { return }
            if let old = info?.gauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(name: "triage_rules_info", labels: [("fingerprint", rules)], help: "The rule set in use")
            gauge.set(1.0)
            info = (rules, gauge)
        }
        let due = queueRead.withLock { last -> Bool in
            guard last.map({ ContinuousClock.now - $0 >= Self.queueRefresh }) ?? true else { return false }
            last = .now
            return true
        }
        if due {
            let stats = try store.stats()
            for band in Band.allCases {
                let open = stats.open[band]?.reduce(0, +) ?? 0
                registry.makeGauge(name: "triage_cases_open", labels: [("band", band.rawValue)], help: "Open cases (new or in review) by band")
                    .set(Double(open))
                registry.makeGauge(name: "triage_cases_overdue", labels: [("band", band.rawValue)], help: "Open cases past their service level")
                    .set(Double(stats.overdue[band, default: 0]))
            }
            registry.makeGauge(name: "triage_cases_in_review", labels: [], help: "Cases claimed by an officer").set(Double(stats.inReview))
            for decision in Decision.allCases {
                registry.makeGauge(name: "triage_cases_decided", labels: [("decision", decision.rawValue)], help: "Decided cases by decision")
                    .set(Double(stats.decisions[decision, default: 0]))
            }
        }
        return registry.emitToBuffer()
    }
}

/// Counts each assessment the intake workers file.
final class MetricsSink: AssessmentSink {
    let metrics: ServerMetrics
    let preparation = SinkPreparation()

    init(_ metrics: ServerMetrics) {
        self.metrics = metrics
    }

    func write(_ item: AssessedReferral) throws { metrics.assessed(item) }
    func finish(_ summary: BatchSummary) throws {}
}
