extension TextNormalizer {
    /// The views patterns are matched in, made the same way for a page and
    /// for a rule's literal (so the two always agree): the normalised view
    /// with white space collapsed, and when `leet` is true the leet view,
    /// derived from the normalised text before collapsing (so a wide gap
    /// between spaced-out words, `a t t a c k  p l a n`, still separates
    /// them), then collapsed.
    ///
    /// Text inside a right-to-left override is read in display order first
    /// (`BidiOverride`).
    public func views(of text: [UInt8], leet: Bool) -> (normalized: NormalizedText, leet: NormalizedText) {
        let folded: NormalizedText
        if let ordered = BidiOverride.displayOrder(text) {
            let read = normalize(ordered.bytes)
            folded = NormalizedText(bytes: read.bytes, map: read.map.composed(with: ordered.map), expansionCapped: read.expansionCapped)
        } else {
            folded = normalize(text)
        }
        return (WhitespaceCollapse.of(folded), leet ? WhitespaceCollapse.of(LeetView.of(folded)) : .empty)
    }
}
