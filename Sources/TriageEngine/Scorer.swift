import TriageRules

/// Applies a `ScoringPolicy` to the rules that held on a referral (see the
/// policy for the steps). Integer points throughout, each rounded once, so
/// the explanation's lines add up exactly to the score.
public struct Scorer: Sendable {
    public let policy: ScoringPolicy

    public init(policy: ScoringPolicy) {
        self.policy = policy
    }

    /// A rule that held, as the scorer needs it.
    public struct Held: Sendable {
        public let rule: Rule
        /// Matches of its patterns (at least 1).
        public let matches: Int

        public init(rule: Rule, matches: Int) {
            self.rule = rule
            self.matches = matches
        }
    }

    public struct Outcome: Sendable, Equatable {
        public let score: Int
        public let band: Band
        public let primaryCategory: Category?
        public let categories: [Category]
        public let contributions: [Assessment.Contribution]
    }

    /// The score, band and explanation for active (non-shadow) rule hits.
    public func score(_ held: [Held], source: Referral.Source) -> Outcome {
        var lines: [Assessment.Contribution] = []
        var best: (points: Int, category: Category)?
        // Step 1: indicator rules (context rules, and any negative weight, in step 4).
        let indicators = held.filter { $0.rule.category != .context && $0.rule.weight >= 0 }
        let damping = held.filter { $0.rule.category == .context || $0.rule.weight < 0 }
        for hit in indicators {
            let multiplier = policy.categoryMultipliers[hit.rule.category.rawValue] ?? 1
            let repeats = repeatFactor(hit.matches)
            let points = Self.round(Double(hit.rule.weight) * multiplier * repeats)
            lines.append(.init(points: points, kind: "rule", rule: hit.rule.qualifiedName,
                               reason: "\(hit.rule.category.rawValue): weight \(hit.rule.weight) x\(Self.format(multiplier)) category"
                                   + (hit.matches > 1 ? ", \(hit.matches) matches x\(Self.format(repeats))" : "")))
            if best == nil || points > best!.points { best = (points, hit.rule.category) }
        }
        let categories = Set(indicators.map(\.rule.category))
        // Step 2: several kinds of indicator together.
        if categories.count > 1 && policy.coOccurrenceBonus > 0 {
            let points = (categories.count - 1) * policy.coOccurrenceBonus
            lines.append(.init(points: points, kind: "co-occurrence", rule: nil,
                               reason: "\(categories.count) categories together: \(categories.count - 1) x \(policy.coOccurrenceBonus)"))
        }
        // Step 3: who reported it.
        let subtotal = lines.reduce(0) { $0 + $1.points }
        let sourceMultiplier = policy.sourceMultipliers[source.rawValue] ?? 1
        if sourceMultiplier != 1 && subtotal != 0 {
            let points = Self.round(Double(subtotal) * (sourceMultiplier - 1))
            lines.append(.init(points: points, kind: "source", rule: nil, reason: "reported by \(source.rawValue): x\(Self.format(sourceMultiplier))"))
        }
        // Step 4: benign framing, limited.
        let before = lines.reduce(0) { $0 + $1.points }
        var taken = 0
        for hit in damping {
            let multiplier = policy.categoryMultipliers[hit.rule.category.rawValue] ?? 1
            let repeats = repeatFactor(hit.matches)
            let points = Self.round(Double(hit.rule.weight) * multiplier * repeats)
            taken += points
            lines.append(.init(points: points, kind: "rule", rule: hit.rule.qualifiedName,
                               reason: "\(hit.rule.category.rawValue): weight \(hit.rule.weight)"
                                   + (hit.matches > 1 ? ", \(hit.matches) matches x\(Self.format(repeats))" : "")))
        }
        let limit = -Self.round(Double(max(before, 0)) * policy.contextMaxDamping)
        if taken < limit {
            lines.append(.init(points: limit - taken, kind: "context-limit", rule: nil,
                               reason: "context takes away at most \(Int(Self.round(policy.contextMaxDamping * 100)))% of the score"))
        }
        // Step 5: within 0...100.
        let total = lines.reduce(0) { $0 + $1.points }
        if total > 100 { lines.append(.init(points: 100 - total, kind: "cap", rule: nil, reason: "scores stop at 100")) }
        if total < 0 { lines.append(.init(points: -total, kind: "cap", rule: nil, reason: "scores start at 0")) }
        let score = min(max(total, 0), 100)

        let p1 = Set(policy.p1Categories)
        let band: Band
        if indicators.contains(where: { p1.contains($0.rule.category.rawValue) }) {
            band = .p1
        } else if score >= policy.bands.p2 {
            band = .p2
        } else if score >= policy.bands.p3 {
            band = .p3
        } else if score >= policy.bands.p4 {
            band = .p4
        } else {
            band = .nfa
        }
        return Outcome(score: score, band: band, primaryCategory: best?.category, categories: categories.sorted(), contributions: lines)
    }

    /// `1 + d + … + dⁿ⁻¹`: how many times n matches of one rule count.
    func repeatFactor(_ matches: Int) -> Double {
        var factor = 0.0, term = 1.0
        for _ in 0..<min(matches, 64) {
            factor += term
            term *= policy.repeatDecay
        }
        return max(factor, 1)
    }

    static func round(_ value: Double) -> Int { Int(value.rounded(.toNearestOrAwayFromZero)) }

    /// A multiplier as people write it, to two places: `1.5`, `2`, `1.25`.
    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        var text = "\(hundredths / 100)." + String(String(hundredths % 100 + 100).dropFirst())
        while text.hasSuffix("0") { text.removeLast() }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
