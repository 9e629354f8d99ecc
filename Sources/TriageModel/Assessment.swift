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

    public static func < (a: Band, b: Band) -> Bool { a.rank < b.rank }

    /// Position in the queue's order: P1 first, PENDING last.
    public var rank: Int { Band.allCases.firstIndex(of: self)! }
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

    public init(referral: String, url: String?, canonicalURL: String?, source: String, score: Int, band: Band, primaryCategory: String?,
                categories: [String], contributions: [Contribution], hits: [Hit], shadowHits: [Hit], caseID: String?, caseSize: Int,
                contentFingerprint: String?, rules: String, policy: String, contentKind: String?, pageBytes: Int?, charset: String?,
                notes: [String], incomplete: [LimitReached]? = nil, fetch: FetchRecord? = nil, timings: Timings?) {
        self.referral = referral
        self.url = url
        self.canonicalURL = canonicalURL
        self.source = source
        self.score = score
        self.band = band
        self.primaryCategory = primaryCategory
        self.categories = categories
        self.contributions = contributions
        self.hits = hits
        self.shadowHits = shadowHits
        self.caseID = caseID
        self.caseSize = caseSize
        self.contentFingerprint = contentFingerprint
        self.rules = rules
        self.policy = policy
        self.contentKind = contentKind
        self.pageBytes = pageBytes
        self.charset = charset
        self.notes = notes
        self.incomplete = incomplete
        self.fetch = fetch
        self.timings = timings
    }

    /// Decodes what `jsonBytes()` writes, and what a review queue stores:
    /// the same JSON without the case's members (`AssessedReferral.serialized`),
    /// which then come back as no case.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        referral = try c.decode(String.self, forKey: .referral)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        canonicalURL = try c.decodeIfPresent(String.self, forKey: .canonicalURL)
        source = try c.decode(String.self, forKey: .source)
        score = try c.decode(Int.self, forKey: .score)
        band = try c.decode(Band.self, forKey: .band)
        primaryCategory = try c.decodeIfPresent(String.self, forKey: .primaryCategory)
        categories = try c.decode([String].self, forKey: .categories)
        contributions = try c.decode([Contribution].self, forKey: .contributions)
        hits = try c.decode([Hit].self, forKey: .hits)
        shadowHits = try c.decode([Hit].self, forKey: .shadowHits)
        caseID = try c.decodeIfPresent(String.self, forKey: .caseID)
        caseSize = try c.decodeIfPresent(Int.self, forKey: .caseSize) ?? 0
        contentFingerprint = try c.decodeIfPresent(String.self, forKey: .contentFingerprint)
        rules = try c.decode(String.self, forKey: .rules)
        policy = try c.decode(String.self, forKey: .policy)
        contentKind = try c.decodeIfPresent(String.self, forKey: .contentKind)
        pageBytes = try c.decodeIfPresent(Int.self, forKey: .pageBytes)
        charset = try c.decodeIfPresent(String.self, forKey: .charset)
        notes = try c.decode([String].self, forKey: .notes)
        incomplete = try c.decodeIfPresent([LimitReached].self, forKey: .incomplete)
        fetch = try c.decodeIfPresent(FetchRecord.self, forKey: .fetch)
        timings = try c.decodeIfPresent(Timings.self, forKey: .timings)
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

        public init(points: Int, kind: String, rule: String?, reason: String) {
            self.points = points
            self.kind = kind
            self.rule = rule
            self.reason = reason
        }
    }

    /// A rule that held, with what matched.
    public struct Hit: Sendable, Codable, Equatable {
        public var rule: String
        public var category: String
        public var severity: Int
        public var weight: Int
        public var matches: Int
        public var evidence: [Snippet]

        public init(rule: String, category: String, severity: Int, weight: Int, matches: Int, evidence: [Snippet]) {
            self.rule = rule
            self.category = category
            self.severity = severity
            self.weight = weight
            self.matches = matches
            self.evidence = evidence
        }
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

        public init(pattern: String, view: String, origin: String, hidden: Bool, start: Int, end: Int, before: String, match: String,
                    after: String) {
            self.pattern = pattern
            self.view = view
            self.origin = origin
            self.hidden = hidden
            self.start = start
            self.end = end
            self.before = before
            self.match = match
            self.after = after
        }
    }

    public struct Timings: Sendable, Codable, Equatable {
        public var extractMicroseconds: Int
        public var scanMicroseconds: Int

        public init(extractMicroseconds: Int, scanMicroseconds: Int) {
            self.extractMicroseconds = extractMicroseconds
            self.scanMicroseconds = scanMicroseconds
        }

        enum CodingKeys: String, CodingKey {
            case extractMicroseconds = "extract_us", scanMicroseconds = "scan_us"
        }
    }
}
