import TriageModel

/// Which cases a listing wants, and where the page starts: the queue's
/// order (band, then score, highest first, then age), filtered, resumed
/// after a cursor. A cursor names the last case of the previous page, so
/// paging is stable while cases are filed or decided in between: a case is
/// never shown twice, and one that was already past the cursor is never
/// skipped.
public struct CaseQuery: Sendable, Equatable {
    public var states: [CaseState] = [.new, .inReview]
    public var band: Band?
    /// Cases whose primary category is this.
    public var category: String?
    /// Cases held by this officer.
    public var officer: String?
    /// Only cases open past their band's service level.
    public var overdueOnly = false
    /// Resume after this case (the `cursor` of the last page's last case).
    public var after: CaseCursor?
    public var limit = 50

    public init(states: [CaseState] = [.new, .inReview], band: Band? = nil, category: String? = nil, officer: String? = nil,
                overdueOnly: Bool = false, after: CaseCursor? = nil, limit: Int = 50) {
        self.states = states
        self.band = band
        self.category = category
        self.officer = officer
        self.overdueOnly = overdueOnly
        self.after = after
        self.limit = limit
    }
}

/// A case's place in the queue's order, as an opaque token for the next page:
/// `<band rank>.<score>.<opened at>.<case id>`.
public struct CaseCursor: Sendable, Equatable, CustomStringConvertible {
    public var bandRank: Int
    public var score: Int
    public var openedAt: Int64
    public var caseID: String

    public init(_ queueCase: QueueCase) {
        self.init(bandRank: queueCase.band.rank, score: queueCase.score, openedAt: queueCase.openedAt, caseID: queueCase.id)
    }

    public init(bandRank: Int, score: Int, openedAt: Int64, caseID: String) {
        self.bandRank = bandRank
        self.score = score
        self.openedAt = openedAt
        self.caseID = caseID
    }

    /// Reads a cursor back; nil if `text` is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let rank = Int(parts[0]), let score = Int(parts[1]), let opened = Int64(parts[2]),
              !parts[3].isEmpty, parts[3].utf8.count <= 128 else { return nil }
        self.init(bandRank: rank, score: score, openedAt: opened, caseID: String(parts[3]))
    }

    public var description: String { "\(bandRank).\(score).\(openedAt).\(caseID)" }
}

extension QueueReports {
    /// Cases in `states` (and `band`), in queue order, at most `limit`.
    public func list(states: [CaseState] = [.new, .inReview], band: Band? = nil, limit: Int = 50) throws -> [QueueCase] {
        try list(CaseQuery(states: states, band: band, limit: limit))
    }
}
