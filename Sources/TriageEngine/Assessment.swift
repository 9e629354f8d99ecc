import PageFetch

/// How urgently an officer should look at a referral.
public enum Band: String, Sendable, Codable, CaseIterable, Comparable {
    /// Immediate: threat-to-life or attack-planning indicators, whatever else.
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"
    case p4 = "P4"
    /// No further action: nothing of note.
    case nfa = "NFA"
    /// Not assessed: there was no content to read (the URL is still to be fetched).
    case pending = "PENDING"

    public static func < (a: Band, b: Band) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// What the engine concluded about one referral, and why: the score is the
/// sum of `contributions`, each rule hit carries the text that matched and
/// where it is in the page. Encoded as JSON with sorted keys, so the same
/// referral, rules and policy give the same bytes.
public struct Assessment: Sendable, Codable, Equatable {
    public var referral: String
    public var url: String?
    public var canonicalURL: String?
    public var source: String
    public var score: Int
    public var band: Band
    /// The category of the hit that contributed most (none when nothing hit).
    public var primaryCategory: String?
    /// Every category an active rule hit, in taxonomy order.
    public var categories: [String]
    /// The lines that add up to `score`.
    public var contributions: [Contribution]
    public var hits: [Hit]
    /// Shadow rules that held: reported for evaluation, never scored.
    public var shadowHits: [Hit]
    /// The case this referral joined and how many referrals it now has.
    public var caseID: String?
    public var caseSize: Int
    /// SHA-256 of the normalised text (duplicates by content).
    public var contentFingerprint: String?
    /// Which rules: the fingerprint of their sources.
    public var rules: String
    public var policy: String
    /// `html`, `text` or `binary (type)`; nil if there was no content.
    public var contentKind: String?
    /// Bytes of content read (nil if there was none).
    public var pageBytes: Int?
    public var charset: String?
    /// Limits reached, fallbacks taken, content not assessed.
    public var notes: [String]
    /// The limits this assessment reached, so that what was read is not the
    /// whole page (nil when none was): each is also explained in `notes`.
    public var incomplete: [LimitReached]? = nil
    /// When the engine fetched the URL itself: what it saw (hops, address,
    /// status, SHA-256 of the body as received).
    public var fetch: FetchRecord? = nil
    /// How long extraction and the scan took; nil when left out for
    /// reproducible output (everything else is the same for the same input).
    public var timings: Timings?

    enum CodingKeys: String, CodingKey {
        case referral, url, canonicalURL = "canonical_url", source, score, band, primaryCategory = "primary_category"
        case categories, contributions, hits, shadowHits = "shadow_hits", caseID = "case", caseSize = "case_size"
        case contentFingerprint = "content_fingerprint", rules, policy, contentKind = "content_kind", pageBytes = "page_bytes", charset
        case notes, timings, fetch, incomplete
    }

    /// A limit an assessment reached: its name and value.
    public struct LimitReached: Sendable, Codable, Equatable {
        /// `matches_per_view`, `normalization_expansion`.
        public var limit: String
        public var value: Int

        public init(limit: String, value: Int) {
            self.limit = limit
            self.value = value
        }
    }

    /// Records that `limit` (of `value`) was reached, with a note for a person.
    public mutating func reached(_ limit: String, value: Int, note: String) {
        incomplete = (incomplete ?? []) + [LimitReached(limit: limit, value: value)]
        notes.append(note)
    }

    /// One line of the explanation.
    public struct Contribution: Sendable, Codable, Equatable {
        public var points: Int
        /// What it is: `rule`, `co-occurrence`, `source`, `context-limit`, `cap`.
        public var kind: String
        /// The rule's qualified name (for `rule` lines).
        public var rule: String?
        public var reason: String
    }

    /// A rule that held, with what matched.
    public struct Hit: Sendable, Codable, Equatable {
        public var rule: String
        public var category: String
        public var severity: Int
        public var weight: Int
        public var matches: Int
        public var evidence: [Snippet]
    }

    /// A match, as an officer checks it: the text around it (as a reader
    /// sees the page), the match marked, and where it is in the page's bytes.
    public struct Snippet: Sendable, Codable, Equatable {
        public var pattern: String
        /// The view the pattern matched: `leet`, `normalized` or `cased`.
        public var view: String
        /// Where on the page: `body`, `title`, `meta`, `alt`, `link`, `media`, `tooltip`, `structure`.
        public var origin: String
        /// In text hidden from readers (hiding keywords is itself a signal).
        public var hidden: Bool
        /// Byte offsets of the match in the page as received.
        public var start: Int
        public var end: Int
        public var before: String
        public var match: String
        public var after: String
    }

    public struct Timings: Sendable, Codable, Equatable {
        public var extractMicroseconds: Int
        public var scanMicroseconds: Int

        enum CodingKeys: String, CodingKey {
            case extractMicroseconds = "extract_us", scanMicroseconds = "scan_us"
        }
    }
}
