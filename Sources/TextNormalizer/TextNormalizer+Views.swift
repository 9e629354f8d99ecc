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
        let folded = inDisplayOrder(text) { normalize($0) }
        return (WhitespaceCollapse.of(folded), leet ? WhitespaceCollapse.of(LeetView.of(folded)) : .empty)
    }

    /// The case-preserving view (for `exact` patterns): as the normalised
    /// view (invisible characters dropped, NFKC, diacritics stripped,
    /// look-alikes read as Latin, typographic punctuation as ASCII,
    /// right-to-left overrides in display order, white space collapsed) but
    /// with letters in the case they are written: `ＳＲＮ`, `S\u{200B}RN`
    /// and Cyrillic `ЅRΝ` read `SRN`; `srn` stays `srn`.
    public func casedView(of text: [UInt8]) -> NormalizedText {
        WhitespaceCollapse.of(inDisplayOrder(text) { normalize($0, keepingCase: true) })
    }

    /// `read(text)`, with text inside right-to-left overrides reversed first
    /// and the result mapped back to `text`.
    private func inDisplayOrder(_ text: [UInt8], _ read: ([UInt8]) -> NormalizedText) -> NormalizedText {
        guard let ordered = BidiOverride.displayOrder(text) else { return read(text) }
        let folded = read(ordered.bytes)
        return NormalizedText(bytes: folded.bytes, map: folded.map.composed(with: ordered.map), expansionCapped: folded.expansionCapped)
    }
}
