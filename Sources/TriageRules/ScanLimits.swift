/// What one scan of one page may keep, whatever the page holds: the bound on
/// a scan's memory. Counts go on past every limit; what is kept stops.
///
/// | limit | default | kept, per | past it |
/// |---|---|---|---|
/// | `matchesPerView` | 1,000,000 | view (automaton) and page | counted, not kept; `ScanResult.matchLimitReached` |
/// | `spansPerPattern` | 100 | declared pattern | counted, not shown as evidence |
/// | `positionsPerPattern` | 10,000 | declared pattern, for `near` | not considered by `near` |
///
/// A kept match costs 28 bytes (the match and its chain link), so a page
/// keeps at most about 28 MB of matches per view, and its evidence spans are
/// bounded by the same count.
public struct ScanLimits: Sendable, Equatable {
    public var matchesPerView: Int
    public var spansPerPattern: Int
    public var positionsPerPattern: Int

    public init(matchesPerView: Int = 1_000_000, spansPerPattern: Int = 100, positionsPerPattern: Int = 10_000) {
        self.matchesPerView = matchesPerView
        self.spansPerPattern = spansPerPattern
        self.positionsPerPattern = positionsPerPattern
    }

    public static let `default` = ScanLimits()
}
