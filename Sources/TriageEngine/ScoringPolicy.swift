import TriageModel
import Foundation
import TriageRules

/// How rule hits become a score and a priority band: a versioned, documented
/// file (`Rules/scoring-policy.json`); `ScoringPolicy.default` is identical
/// to the shipped file (a test holds them together).
///
/// The score, in the order `Scorer` applies it:
///
/// 1. Each active rule that held contributes its `weight` times its
///    category's multiplier. Repeated matches add with diminishing returns:
///    n matches count `1 + d + d² + … + dⁿ⁻¹` times (d = `repeatDecay`), so
///    never more than `1 / (1 - d)` times.
/// 2. Co-occurrence: each category hit beyond the first (context aside) adds
///    `coOccurrenceBonus` points.
/// 3. The referral's source scales the sum so far (`sourceMultipliers`):
///    trusted flaggers count more than anonymous public reports.
///    Then, when every indicator is a mere mention (`mentionCategories`:
///    naming a proscribed organisation), the score stops at
///    `mentionCeiling`: reporting, court records, legislation and reference
///    works name many organisations, and naming is not supporting. A
///    mention beside support language (any other category) still rises.
/// 4. Context rules (news reporting, research, counter-speech) subtract their
///    weight the same way, but together take away at most
///    `contextMaxDamping` of the score so far.
/// 5. The total is held within 0…100.
///
/// Every step is a line of the explanation, and the lines add up to the
/// score. The band is P1 whenever an active rule of a `p1Categories`
/// category held, whatever the score (context never hides it); otherwise
/// the first of P2, P3, P4 whose threshold the score reaches, else NFA.
/// Shadow rules are reported, never scored.
public struct ScoringPolicy: Sendable, Equatable, Codable {
    public var version: String
    public var categoryMultipliers: [String: Double]
    public var repeatDecay: Double
    public var coOccurrenceBonus: Int
    public var sourceMultipliers: [String: Double]
    public var contextMaxDamping: Double
    public var p1Categories: [String]
    public var bands: Bands
    /// Categories that only name something (see step 3); empty: no ceiling.
    public var mentionCategories: [String] = []
    /// The most a referral scores on mentions alone (below `bands.p3`
    /// keeps it at P4 or lower, however many organisations it names).
    public var mentionCeiling: Int = 100

    public struct Bands: Sendable, Equatable, Codable {
        public var p2: Int
        public var p3: Int
        public var p4: Int
    }

    enum CodingKeys: String, CodingKey {
        case version, repeatDecay = "repeat_decay", coOccurrenceBonus = "co_occurrence_bonus", bands
        case categoryMultipliers = "category_multipliers", sourceMultipliers = "source_multipliers"
        case contextMaxDamping = "context_max_damping", p1Categories = "p1_categories"
        case mentionCategories = "mention_categories", mentionCeiling = "mention_ceiling"
    }

    public init(version: String, categoryMultipliers: [String: Double], repeatDecay: Double, coOccurrenceBonus: Int,
                sourceMultipliers: [String: Double], contextMaxDamping: Double, p1Categories: [String], bands: Bands,
                mentionCategories: [String] = [], mentionCeiling: Int = 100) {
        self.version = version
        self.categoryMultipliers = categoryMultipliers
        self.repeatDecay = repeatDecay
        self.coOccurrenceBonus = coOccurrenceBonus
        self.sourceMultipliers = sourceMultipliers
        self.contextMaxDamping = contextMaxDamping
        self.p1Categories = p1Categories
        self.bands = bands
        self.mentionCategories = mentionCategories
        self.mentionCeiling = mentionCeiling
    }

    /// A policy file from before the mention ceiling has none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(version: try c.decode(String.self, forKey: .version),
                  categoryMultipliers: try c.decode([String: Double].self, forKey: .categoryMultipliers),
                  repeatDecay: try c.decode(Double.self, forKey: .repeatDecay),
                  coOccurrenceBonus: try c.decode(Int.self, forKey: .coOccurrenceBonus),
                  sourceMultipliers: try c.decode([String: Double].self, forKey: .sourceMultipliers),
                  contextMaxDamping: try c.decode(Double.self, forKey: .contextMaxDamping),
                  p1Categories: try c.decode([String].self, forKey: .p1Categories),
                  bands: try c.decode(Bands.self, forKey: .bands),
                  mentionCategories: try c.decodeIfPresent([String].self, forKey: .mentionCategories) ?? [],
                  mentionCeiling: try c.decodeIfPresent(Int.self, forKey: .mentionCeiling) ?? 100)
    }

    /// The policy `Rules/scoring-policy.json` ships.
    public static let `default` = ScoringPolicy(
        version: "2026-12-07",
        categoryMultipliers: [
            Category.attackPlanning.rawValue: 1.5,
            Category.instructionalMaterial.rawValue: 1.25,
            Category.encouragementGlorification.rawValue: 1.0,
            Category.proscribedOrganisationSupport.rawValue: 1.0,
            Category.recruitment.rawValue: 1.0,
            Category.fundraising.rawValue: 1.0,
            Category.propagandaBranding.rawValue: 0.75,
            Category.context.rawValue: 1.0,
        ],
        repeatDecay: 0.5,
        coOccurrenceBonus: 10,
        sourceMultipliers: [
            Referral.Source.public.rawValue: 1.0,
            Referral.Source.trustedFlagger.rawValue: 1.3,
            Referral.Source.platform.rawValue: 1.15,
            Referral.Source.internal.rawValue: 1.0,
        ],
        contextMaxDamping: 0.5,
        p1Categories: [Category.attackPlanning.rawValue],
        bands: Bands(p2: 60, p3: 30, p4: 10),
        mentionCategories: [Category.proscribedOrganisationSupport.rawValue],
        mentionCeiling: 29)

    /// Reads and checks a policy file.
    public static func load(path: String) throws -> ScoringPolicy {
        guard let data = FileManager.default.contents(atPath: path) else { throw PolicyError(path: path, reason: "cannot be read") }
        let policy: ScoringPolicy
        do {
            policy = try JSONDecoder().decode(ScoringPolicy.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw PolicyError(path: path, reason: "missing `\(key.stringValue)`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let at = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw PolicyError(path: path, reason: "`\(at)` has the wrong type")
        } catch {
            throw PolicyError(path: path, reason: "not a valid policy (JSON expected)")
        }
        try policy.validate(path: path)
        return policy
    }

    /// Checks ranges and names, so a typo is an error rather than a silent 1.0.
    public func validate(path: String = "policy") throws {
        func fail(_ reason: String) -> PolicyError { PolicyError(path: path, reason: reason) }
        let categories = Set(Category.allCases.map(\.rawValue))
        for (name, value) in categoryMultipliers {
            guard categories.contains(name) else { throw fail("unknown category `\(name)` in category_multipliers") }
            guard value >= 0 && value <= 10 else { throw fail("category_multipliers.\(name) must be within 0...10") }
        }
        for name in p1Categories where !categories.contains(name) { throw fail("unknown category `\(name)` in p1_categories") }
        for name in mentionCategories where !categories.contains(name) { throw fail("unknown category `\(name)` in mention_categories") }
        guard (0...100).contains(mentionCeiling) else { throw fail("mention_ceiling must be within 0...100") }
        let sources = Set(Referral.Source.allCases.map(\.rawValue))
        for (name, value) in sourceMultipliers {
            guard sources.contains(name) else { throw fail("unknown source `\(name)` in source_multipliers") }
            guard value >= 0 && value <= 10 else { throw fail("source_multipliers.\(name) must be within 0...10") }
        }
        guard repeatDecay >= 0 && repeatDecay < 1 else { throw fail("repeat_decay must be within 0..<1") }
        guard contextMaxDamping >= 0 && contextMaxDamping <= 1 else { throw fail("context_max_damping must be within 0...1") }
        guard (0...100).contains(coOccurrenceBonus) else { throw fail("co_occurrence_bonus must be within 0...100") }
        guard bands.p2 > bands.p3 && bands.p3 > bands.p4 && bands.p4 > 0 && bands.p2 <= 100 else {
            throw fail("bands must satisfy 100 >= p2 > p3 > p4 > 0")
        }
    }
}

/// A policy file that cannot be used.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
