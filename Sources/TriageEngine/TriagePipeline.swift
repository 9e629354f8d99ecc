import Encoders
import Foundation
import TriageModel
import PageText
import TextNormalizer
import TriageRules

/// One referral in, one explained assessment out: page text (`PageText`),
/// its views (`TextNormalizer`), one rule scan (`RuleScanner`), the score
/// (`Scorer`), and evidence mapped back to the page's bytes.
///
/// One pipeline per task: it owns a scanner and a normaliser (both reuse
/// scratch memory between referrals). The rules and the policy are shared.
public final class TriagePipeline {
    public let rules: CompiledRules
    public let scorer: Scorer
    /// Bytes of text shown either side of a match.
    public var snippetContext = 60
    /// Snippets per pattern per rule (every match is still counted).
    public var snippetsPerPattern = 3

    private let extractor = PageExtractor()
    private let normalizer = TextNormalizer()
    private let scanner: RuleScanner
    /// Whether the rules need the leet view made, and where the
    /// case-preserving one (`CasedGate`).
    private let leet: Bool, casedGate: CasedGate?
    private let clock = ContinuousClock()
    /// Rules and pattern names decoded once per pipeline: a compiled rule
    /// set decodes them from its records on every access (condition tree and
    /// examples included), and a batch sees the same rules hit again and again.
    private var decodedRules: [Int: Rule] = [:]
    /// Pattern names as evidence shows them (`$name`).
    private var patternNames: [Int: String] = [:]

    /// `limits` bound what one scan keeps (`ScanLimits`); an assessment
    /// that reaches one says so (`Assessment.incomplete`).
    public init(rules: CompiledRules, policy: ScoringPolicy, limits: ScanLimits = .default) {
        self.rules = rules
        scorer = Scorer(policy: policy)
        scanner = RuleScanner(rules)
        scanner.limits = limits
        leet = rules.scansLeetView
        casedGate = rules.casedGate()
    }

    /// Assesses `referral` with what fetching its URL gave (`PageSource`;
    /// nil: not fetched). A referral that came with content is assessed on
    /// that content, the live page kept beside it (`AssessedReferral.refetched`);
    /// one without is assessed on the fetched page. The assessment carries the
    /// fetch record; a fetch that got no body leaves the referral PENDING with
    /// the reason.
    public func assess(_ referral: Referral, fetched: FetchedPage?) -> AssessedReferral {
        guard let fetched, let url = referral.url else { return assessing(referral) }
        let (record, body) = (fetched.record, fetched.body)
        let failure = record.failure.map { "fetch failed (\($0.rawValue)): \(record.failureDetail ?? "")" }
        if referral.content != .none {
            // Refetched: the submitted content is what is assessed (what the
            // reporter saw); the live page is kept beside it.
            var assessed = assessing(referral)
            let verdict = failure.flatMap { body.isEmpty ? $0 : nil }
                ?? "\(body.count) bytes" + (record.status.map { ", status \($0)" } ?? "")
                + (record.sha256 == assessed.content.map(sha256Hex) ? ", the same bytes as the submitted content"
                   : ", not the submitted content: the live page differs")
            assessed.assessment.fetch = record
            assessed.assessment.notes.insert("refetched \(url): \(verdict); the submitted content was assessed", at: 0)
            assessed.refetched = record.status == nil ? nil : body
            return assessed
        }
        guard !body.isEmpty || failure == nil else {
            var assessment = assess(referral, content: nil, notes: [failure!])
            assessment.fetch = record
            return AssessedReferral(assessment: assessment, referral: referral)
        }
        // The bytes as received are the evidence; the decoded page is what is read.
        let notes = [failure.map { $0 + "; the \(body.count) bytes received were assessed" }, fetched.decodingNote].compactMap { $0 }
        var assessment = assess(referral, content: (fetched.readable, record.contentType), notes: notes)
        assessment.fetch = record
        return AssessedReferral(assessment: assessment, referral: referral, content: body, contentType: record.contentType)
    }

    /// Assesses `referral`; the case fields are left for a `CaseBook`.
    public func assess(_ referral: Referral) -> Assessment { assessing(referral).assessment }

    /// Reads the referral's content once, assesses it, and hands the bytes on.
    private func assessing(_ referral: Referral) -> AssessedReferral {
        let content = referral.readContent()
        var notes: [String] = []
        if content == nil {
            if case let .file(path) = referral.content {
                notes.append("content file \(path) could not be read: not assessed")
            } else {
                notes.append("no content: the url has not been fetched, so nothing was assessed")
            }
        }
        return AssessedReferral(assessment: assess(referral, content: content, notes: notes), referral: referral, content: content?.bytes,
                        contentType: content?.contentType)
    }

    /// The assessment of `content` (nil: nothing to read, PENDING), with
    /// `notes` first among its notes.
    private func assess(_ referral: Referral, content: (bytes: [UInt8], contentType: String?)?, notes: [String]) -> Assessment {
        let canonical = referral.url.flatMap(CanonicalURL.of)
        var assessment = Assessment(
            referral: referral.id, url: referral.url, canonicalURL: canonical, source: referral.source.rawValue, score: 0, band: .pending,
            primaryCategory: nil, categories: [], contributions: [], hits: [], shadowHits: [], caseID: nil, caseSize: 0,
            contentFingerprint: nil, rules: rules.fingerprint.description, policy: scorer.policy.version, contentKind: nil, pageBytes: nil,
            charset: nil,
            notes: notes + (referral.url != nil && canonical == nil ? ["the url is not an absolute http(s) address"] : []),
            timings: .init(extractMicroseconds: 0, scanMicroseconds: 0))
        guard let (bytes, contentType) = content else { return assessment }
        assessment.pageBytes = bytes.count
        let t0 = clock.now
        let page = extractor.extract(bytes, contentType: contentType)
        let t1 = clock.now
        assessment.contentKind = page.kind.description
        assessment.charset = page.charset?.name
        assessment.notes += page.notes
        assessment.timings?.extractMicroseconds = Self.microseconds(t1 - t0)
        if case .binary = page.kind {
            assessment.notes.append("binary content is not assessed as text: a person must look at it")
            return assessment
        }
        let views = TextViews(page.text, normalizer: normalizer, leet: leet, casedGate: casedGate)
        let result = scanner.scan(views)
        var held: [Scorer.Held] = []
        for hit in result {
            let rule = decodedRule(hit.rule)
            let summary = self.hit(rule, hit.evidence, page: page, views: views)
            if hit.shadow {
                assessment.shadowHits.append(summary)
            } else {
                assessment.hits.append(summary)
                held.append(Scorer.Held(rule: rule, matches: max(summary.matches, 1)))
            }
        }
        let t2 = clock.now
        assessment.timings?.scanMicroseconds = Self.microseconds(t2 - t1)
        if views.normalized.expansionCapped {
            assessment.reached("normalization_expansion", value: normalizer.maxExpansion,
                               note: "normalisation reached its expansion cap (\(normalizer.maxExpansion) times the text); "
                                   + "the rest of the text was matched unnormalised")
        }
        if result.matchLimitReached {
            assessment.reached("matches_per_view", value: scanner.maxMatchesPerView,
                               note: "the page has more matches than a scan keeps (\(scanner.maxMatchesPerView) per view): "
                                   + "every match was counted, but evidence and `near` saw only the first ones")
        }
        if !views.normalized.bytes.isEmpty { assessment.contentFingerprint = sha256Hex(views.normalized.bytes) }

        let outcome = scorer.score(held, source: referral.source)
        assessment.score = outcome.score
        assessment.band = outcome.band
        assessment.primaryCategory = outcome.primaryCategory?.rawValue
        assessment.categories = outcome.categories.map(\.rawValue)
        assessment.contributions = outcome.contributions
        return assessment
    }

    private func hit(_ rule: Rule, _ evidence: Evidence, page: PageText, views: TextViews) -> Assessment.Hit {
        var snippets: [Assessment.Snippet] = []
        var matches = 0
        for patternHit in evidence {
            matches += patternHit.count
            let name = patternName(patternHit.pattern)
            for span in patternHit.spans.prefix(snippetsPerPattern) {
                snippets.append(snippet(span, pattern: name, page: page, views: views))
            }
        }
        return Assessment.Hit(rule: rule.qualifiedName, category: rule.category.rawValue, severity: rule.severity, weight: rule.weight,
                              matches: matches, evidence: snippets)
    }

    private func decodedRule(_ id: RuleID) -> Rule {
        if let known = decodedRules[id.index] { return known }
        let rule = rules.rules[id]
        decodedRules[id.index] = rule
        return rule
    }

    private func patternName(_ id: PatternID) -> String {
        if let known = patternNames[id.index] { return known }
        let name = "$" + rules.patterns[id].name
        patternNames[id.index] = name
        return name
    }

    /// A match shown in the text a reader sees, located in the page's bytes.
    private func snippet(_ span: Span, pattern: String, page: PageText, views: TextViews) -> Assessment.Snippet {
        let text = views.source(of: span)  // in the page's text
        let bytes = page.map.source(of: text)  // in the page as received
        let segment = Self.segment(containing: text.lowerBound, in: page.segments)
        let first = segment?.range.lowerBound ?? 0, last = segment?.range.upperBound ?? page.text.count
        // Context within the segment, cut at a space where it is cut at all.
        var lower = Self.boundary(page.text, max(text.lowerBound - snippetContext, first), forward: true)
        var upper = Self.boundary(page.text, min(text.upperBound + snippetContext, last), forward: false)
        let cutBefore = lower > first, cutAfter = upper < last
        if cutBefore, let space = page.text[lower..<text.lowerBound].firstIndex(of: 0x20) { lower = space + 1 }
        if cutAfter, let space = page.text[text.upperBound..<upper].lastIndex(of: 0x20) { upper = space }
        return Assessment.Snippet(
            pattern: pattern, view: span.view.rawValue, origin: segment?.origin.rawValue ?? "body", hidden: segment?.hidden ?? false,
            start: bytes.lowerBound, end: bytes.upperBound,
            before: Self.display(page.text[lower..<max(lower, text.lowerBound)], cutBefore: cutBefore),
            match: Self.display(page.text[text]),
            after: Self.display(page.text[min(text.upperBound, upper)..<max(upper, text.upperBound)], cutAfter: cutAfter))
    }

    static func segment(containing offset: Int, in segments: [Segment]) -> Segment? {
        var low = 0, high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].range.upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        return low < segments.count && segments[low].range.contains(offset) ? segments[low] : nil
    }

    /// The nearest character boundary at or after (or before) `offset`.
    static func boundary(_ text: [UInt8], _ offset: Int, forward: Bool) -> Int {
        var at = min(max(offset, 0), text.count)
        while at > 0 && at < text.count && text[at] & 0xC0 == 0x80 { at += forward ? 1 : -1 }
        return at
    }

    /// Text for a person: each whitespace run (line breaks between blocks
    /// included) shown as one space, and invisible characters (zero-width,
    /// bidi controls, soft hyphens: hiding places for keywords) shown as
    /// `<U+200B>`, so the evidence shows what the page hid. `cutBefore` and
    /// `cutAfter` put an ellipsis where the context was cut.
    ///
    /// Three snippet parts per match, and a page can have thousands of
    /// matches: written as bytes straight into the string's own storage.
    /// ASCII, most of what is shown, needs no decoding at all.
    static func display(_ bytes: ArraySlice<UInt8>, cutBefore: Bool = false, cutAfter: Bool = false) -> String {
        var ascii = true
        // Invalid sequences become U+FFFD, as String(decoding:) makes them.
        let text = String(unsafeUninitializedCapacity: bytes.count + 6) { out in
            var count = 0
            func ellipsis() {
                (out[count], out[count + 1], out[count + 2]) = (0xE2, 0x80, 0xA6)
                count += 3
            }
            if cutBefore { ellipsis() }
            var space = false
            for b in bytes {
                if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C {
                    space = true
                    continue
                }
                if space {
                    out[count] = 0x20
                    count += 1
                }
                space = false
                if b >= 0x80 { ascii = false }
                out[count] = b
                count += 1
            }
            if space {
                out[count] = 0x20
                count += 1
            }
            if cutAfter { ellipsis() }
            return count
        }
        if ascii { return text }
        // Each scalar written back or named.
        var shown: [UInt8] = []
        shown.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 && scalar.properties.isDefaultIgnorableCodePoint {
                shown += "<U+".utf8
                let hex = String(scalar.value, radix: 16, uppercase: true).utf8
                shown += repeatElement(UInt8(ascii: "0"), count: max(0, 4 - hex.count))
                shown += hex
                shown.append(UInt8(ascii: ">"))
            } else {
                UTF8.encode(scalar) { shown.append($0) }
            }
        }
        return String(decoding: shown, as: UTF8.self)
    }

    static func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }
}
