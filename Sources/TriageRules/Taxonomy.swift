/// What a rule indicates, under the Terrorism Acts 2000 and 2006. A referral's
/// priority and the explanation an officer reads are built from these.
public enum Category: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Threat to life or attack planning: a named target, a time, a method.
    /// Any active rule of this category puts a referral in P1.
    case attackPlanning = "attack-planning"
    /// Material useful to a person preparing an act of terrorism (TA 2000 s.58, TA 2006 s.2).
    case instructionalMaterial = "instructional-material"
    /// Encouragement or glorification of terrorism (TA 2006 s.1).
    case encouragementGlorification = "encouragement-glorification"
    /// Support for, or membership of, a proscribed organisation (TA 2000 ss.11-13).
    case proscribedOrganisationSupport = "proscribed-organisation-support"
    /// Inviting people to join or train.
    case recruitment = "recruitment"
    /// Inviting money or property for terrorism (TA 2000 s.15).
    case fundraising = "fundraising"
    /// Names, logos and slogans of terrorist media outlets and groups.
    case propagandaBranding = "propaganda-branding"
    /// Benign framing: news reporting, research, counter-speech, court
    /// reporting. Context rules carry negative weight; they lower a score but
    /// never hide an attack-planning indicator.
    case context = "context"

    public static func < (a: Category, b: Category) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Whether a rule counts.
public enum RuleStatus: String, Sendable, Hashable, CaseIterable {
    /// Evaluated, reported and scored.
    case active
    /// Evaluated and reported, but never changes a score or priority: for
    /// trying a new rule on live traffic before trusting it.
    case shadow
    /// Not evaluated at all.
    case disabled
}
