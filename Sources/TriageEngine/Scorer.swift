import TriageModel
import TriageRules

/// Applies a `ScoringPolicy` to the rules that held on a referral (see the
/// policy for the steps). Integer points throughout, each rounded once, so
/// the explanation's lines add up exactly to the score.
public struct Scorer: Sendable {
    public let policy: ScoringPolicy
    /// What the policy gives each category and each number of matches,
    /// worked out once with the text the explanation shows: a batch scores
    /// dozens of hits per referral with the same few factors.
    private let categoryFactors: [Category: Factor]
    /// Index: matches, up to `repeatFactors.count - 1` (more count the same).
    private let repeatFactors: [Factor]
    private let p1Categories: Set<Category>
    private let mentionCategories: Set<Category>

    /// A multiplier and how the explanation writes it.
    private struct Factor: Sendable {
        let value: Double
        let text: String

        init(_ value: Double) {
            self.value = value
            text = Scorer.format(value)
        }
    }

    public init(policy: ScoringPolicy) {
        self.policy = policy
        categoryFactors = Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0, Factor(policy.categoryMultipliers[$0.rawValue] ?? 1)) })
        repeatFactors = (0...64).map { Factor(Self.repeatFactor($0, decay: policy.repeatDecay)) }
        p1Categories = Set(policy.p1Categories.compactMap(Category.init(rawValue:)))
        mentionCategories = Set(policy.mentionCategories.compactMap(Category.init(rawValue:)))
    }

    /// A rule that held, as the scorer needs it: three of its fields, not
    /// the whole rule (condition tree and examples included), which every
    /// copy and filter below would retain and release field by field.
    public struct Held: Sendable {
        /// The rule's qualified name.
        public let name: String
        public let category: Category
        public let weight: Int
        /// Matches of its patterns (at least 1).
        public let matches: Int

        public init(rule: Rule, matches: Int) {
            name = rule.qualifiedName
            category = rule.category
            weight = rule.weight
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
        let indicators = held.filter { $0.category != .context && $0.weight >= 0 }
        let damping = held.filter { $0.category == .context || $0.weight < 0 }
        for hit in indicators {
            let multiplier = categoryFactors[hit.category]!, repeats = repeatFactor(hit.matches)
            let points = Self.round(Double(hit.weight) * multiplier.value * repeats.value)
            lines.append(.init(points: points, kind: "rule", rule: hit.name,
                               reason: "\(hit.category.rawValue): weight \(hit.weight) x\(multiplier.text) category"
                                   + (hit.matches > 1 ? ", \(hit.matches) matches x\(repeats.text)" : "")))
            if best == nil || points > best!.points { best = (points, hit.category) }
        }
        let categories = Set(indicators.map(\.category))
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
        // Mentions alone are not support: held below the ceiling.
        let sofar = lines.reduce(0) { $0 + $1.points }
        if !indicators.isEmpty, indicators.allSatisfy({ mentionCategories.contains($0.category) }), sofar > policy.mentionCeiling {
            lines.append(.init(points: policy.mentionCeiling - sofar, kind: "mention-ceiling", rule: nil,
                               reason: "only mentions (\(Set(indicators.map(\.category.rawValue)).sorted().joined(separator: ", ")))"
                                   + ", no support language: at most \(policy.mentionCeiling)"))
        }
        // Step 4: benign framing, limited.
        let before = lines.reduce(0) { $0 + $1.points }
        var taken = 0
        for hit in damping {
            let multiplier = categoryFactors[hit.category]!, repeats = repeatFactor(hit.matches)
            let points = Self.round(Double(hit.weight) * multiplier.value * repeats.value)
            taken += points
            lines.append(.init(points: points, kind: "rule", rule: hit.name,
                               reason: "\(hit.category.rawValue): weight \(hit.weight)"
                                   + (hit.matches > 1 ? ", \(hit.matches) matches x\(repeats.text)" : "")))
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

        let band: Band
        if indicators.contains(where: { p1Categories.contains($0.category) }) {
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

    /// How many times `matches` matches of one rule count.
    private func repeatFactor(_ matches: Int) -> Factor { repeatFactors[min(max(matches, 0), repeatFactors.count - 1)] }

    /// `1 + d + … + dⁿ⁻¹`: how many times n matches of one rule count (at
    /// least 1; from 64 on, the sum no longer grows).
    static func repeatFactor(_ matches: Int, decay: Double) -> Double {
        var factor = 0.0, term = 1.0
        for _ in 0..<min(matches, 64) {
            factor += term
            term *= decay
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
