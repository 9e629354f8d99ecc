import AhoCorasick
import TextNormalizer

/// The texts a page is matched as. Rules choose a view per pattern.
public struct TextViews: Sendable {
    public let raw: [UInt8]
    /// `raw` normalised (`TextNormalizer`), with a map back to `raw`.
    public let normalized: NormalizedText
    /// `normalized` with leetspeak undone (`LeetView`), mapped back to `raw`.
    public let leet: NormalizedText
    /// `raw` normalised with case kept (`TextNormalizer.casedView`), mapped
    /// back to `raw`.
    public let cased: NormalizedText
    /// `cased` holds only the places a `CasedGate` found, not the whole text.
    public let casedIsPartial: Bool

    public init(raw: [UInt8], normalized: NormalizedText, leet: NormalizedText, cased: NormalizedText = .empty, casedIsPartial: Bool = false) {
        self.raw = raw
        self.normalized = normalized
        self.leet = leet
        self.cased = cased
        self.casedIsPartial = casedIsPartial
    }

    /// The views of `raw` (UTF-8 text), normalised by `normalizer` (one per
    /// task: it caches how characters fold). The leet view is made only when
    /// `leet` is true (`CompiledRules.scansLeetView`), the case-preserving
    /// one, whole, only when `cased` is; a view not made is empty. (For
    /// batches, `init(_:normalizer:leet:casedGate:)` makes the
    /// case-preserving view only where it can matter.)
    public init(_ raw: [UInt8], normalizer: TextNormalizer = TextNormalizer(), leet: Bool = true, cased: Bool = true) {
        let views = normalizer.views(of: raw, leet: leet)
        self.init(raw: raw, normalized: views.normalized, leet: views.leet, cased: cased ? normalizer.casedView(of: raw) : .empty)
    }

    /// The views of `raw`, the case-preserving one made only around the
    /// places `gate` finds in the normalised view (`CasedGate`): what a
    /// scanner sees is the same, for a fraction of the cost.
    public init(_ raw: [UInt8], normalizer: TextNormalizer, leet: Bool, casedGate gate: CasedGate?) {
        let views = normalizer.views(of: raw, leet: leet)
        let cased = gate.map { $0.casedView(of: raw, normalized: views.normalized, normalizer: normalizer) } ?? (.empty, true)
        self.init(raw: raw, normalized: views.normalized, leet: views.leet, cased: cased.view, casedIsPartial: cased.partial)
    }

    public func bytes(_ view: TextView) -> [UInt8] {
        switch view {
        case .cased: cased.bytes
        case .normalized: normalized.bytes
        case .leet: leet.bytes
        }
    }

    /// The map of a view back to `raw`.
    public func map(_ view: TextView) -> SourceMap {
        switch view {
        case .cased: cased.map
        case .normalized: normalized.map
        case .leet: leet.map
        }
    }

    /// The bytes of `raw` behind `span` of its view.
    public func source(of span: Span) -> Range<Int> {
        switch span.view {
        case .cased: cased.map.source(of: span.start..<span.end)
        case .normalized: normalized.map.source(of: span.start..<span.end)
        case .leet: leet.map.source(of: span.start..<span.end)
        }
    }
}

/// Where a pattern matched: the view and the byte span in it.
public struct Span: Sendable, Hashable {
    public let view: TextView
    public let start: Int
    public let end: Int
}

/// The hits of one declared pattern on one text.
public struct PatternHit: Sendable, Hashable {
    public let pattern: PatternID
    /// Every hit, counted.
    public let count: Int
    /// The first `RuleScanner.maxSpansPerPattern` hits, in text order.
    public let spans: ArraySlice<Span>
}

/// A rule whose condition held, with the pattern hits that are its evidence.
public struct RuleHit: Sendable, Hashable {
    public let rule: RuleID
    /// True for a shadow rule: reported, never scored.
    public let shadow: Bool
    /// The hits of the rule's own patterns (those that matched at all).
    public let evidence: Evidence
}

/// A rule hit's evidence: the hits of its patterns, in declaration order.
/// A view into its scan's result (no copies per hit).
public struct Evidence: RandomAccessCollection, Sendable, Hashable {
    let records: ArraySlice<EvidenceRecord>
    let spans: [Span]

    /// Equal when they hold the same hits, wherever they are stored.
    public static func == (a: Evidence, b: Evidence) -> Bool { a.elementsEqual(b) }
    public func hash(into hasher: inout Hasher) {
        for hit in self { hasher.combine(hit) }
    }

    public var startIndex: Int { records.startIndex }
    public var endIndex: Int { records.endIndex }
    public subscript(i: Int) -> PatternHit {
        let r = records[i]
        return PatternHit(pattern: r.pattern, count: r.count, spans: spans[r.spans])
    }
}

struct EvidenceRecord: Sendable {
    let pattern: PatternID
    let count: Int
    var spans: Range<Int>
}

/// The rules that held on one text, in rule order. Every hit's evidence
/// lives in three arrays shared by the whole result, so a scan allocates
/// the same few buffers however many rules hold.
public struct ScanResult: RandomAccessCollection, Sendable, Equatable {
    struct Record: Sendable {
        let rule: RuleID
        let shadow: Bool
        let evidence: Range<Int>
    }

    var records: [Record] = []
    var evidence: [EvidenceRecord] = []
    var spans: [Span] = []
    /// True when a view had more matches than the scanner keeps
    /// (`RuleScanner.maxMatchesPerView`): counts are exact, but evidence
    /// and `near` saw only the matches kept.
    public internal(set) var matchLimitReached = false

    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        evidence.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        matchLimitReached = false
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }
    public static func == (a: ScanResult, b: ScanResult) -> Bool { a.elementsEqual(b) }
    public subscript(i: Int) -> RuleHit {
        let r = records[i]
        return RuleHit(rule: r.rule, shadow: r.shadow, evidence: Evidence(records: evidence[r.evidence], spans: spans))
    }
}

/// Where the case-preserving view is needed: an automaton of every `exact`
/// pattern's case-folded form (`CompiledRules.casedGate()`), searched in the
/// normalised view. Only the words around its hits are read again with case
/// kept (`TextNormalizer.casedView(of:around:)`); a page without one needs
/// no case-preserving view at all, as no `exact` pattern can match there.
public struct CasedGate: Sendable {
    let automaton: AhoCorasick
    /// Past this many hits the whole view is made.
    static let maxWindows = 256

    /// The case-preserving view of `raw` where `normalized` (its normalised
    /// view) holds a gate hit.
    /// `partial` when the view holds only the places found.
    func casedView(of raw: [UInt8], normalized: NormalizedText, normalizer: TextNormalizer) -> (view: NormalizedText, partial: Bool) {
        var hits: [Match] = []
        let complete = normalized.bytes.withUnsafeBytes { automaton.appendMatches(in: $0, to: &hits, limit: Self.maxWindows) }
        if hits.isEmpty { return (.empty, true) }
        // Past the limit, or where text is read in display order (an
        // override may start far from what it reverses): the whole view.
        if !complete || BidiOverride.overrides(raw) { return (normalizer.casedView(of: raw), false) }
        return (normalizer.casedView(of: raw, around: hits.map { normalized.map.source(of: $0.range) }), true)
    }
}
