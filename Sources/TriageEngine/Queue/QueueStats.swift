import TriageModel

/// The queue at a glance, and how the rules fare against officers' decisions.
public struct QueueStats: Sendable {
    /// Age buckets of open cases, from when they were opened.
    public static let ageBuckets: [(label: String, upTo: Int64?)] = [
        ("<1h", 3_600_000), ("1-24h", 86_400_000), ("1-7d", 7 * 86_400_000), (">7d", nil),
    ]

    public struct RuleLine: Sendable, Equatable {
        public var rule: String
        public var category: String
        public var referrals: Int
        public var cases: Int
        /// Decided cases the rule hit that were referred or escalated.
        public var actedOn: Int
        /// Decided cases the rule hit that were closed with no further action.
        public var noFurtherAction: Int

        public init(rule: String, category: String, referrals: Int, cases: Int, actedOn: Int, noFurtherAction: Int) {
            self.rule = rule
            self.category = category
            self.referrals = referrals
            self.cases = cases
            self.actedOn = actedOn
            self.noFurtherAction = noFurtherAction
        }
        /// actedOn / (actedOn + noFurtherAction); nil before any such decision.
        public var precision: Double? {
            actedOn + noFurtherAction == 0 ? nil : Double(actedOn) / Double(actedOn + noFurtherAction)
        }
    }

    public var cases = 0
    public var referrals = 0
    /// Open cases (new or in review) per band, per age bucket.
    public var open: [Band: [Int]] = [:]
    public var overdue: [Band: Int] = [:]
    public var inReview = 0
    public var decisions: [Decision: Int] = [:]
    public var rules: [RuleLine] = []
    /// Cases by the verdict of their latest recheck (removal rates).
    public var rechecks: [RecheckOutcome: Int] = [:]

    public init() {}
}
