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
        let collapsed = WhitespaceCollapse.ifNeeded(folded)
        guard leet else { return (collapsed ?? folded, .empty) }
        // The leet view has a white-space run only where the normalised text
        // has one (it writes a space only between the letters of a run it
        // joins), so without one there is nothing to collapse.
        let leetView = LeetView.of(folded)
        return (collapsed ?? folded, collapsed == nil ? leetView : WhitespaceCollapse.of(leetView))
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

    /// The case-preserving view of only the parts of `text` around
    /// `ranges` (byte ranges of `text`), each widened to whole words (to
    /// white space on either side) and merged where they meet, one after
    /// another with a line feed between them; mapped to `text`. A pattern
    /// found there is found where the whole view has it, at a fraction of
    /// the cost when `ranges` are few: a scanner asks only where the
    /// normalised view holds a pattern's case-folded form. For text with a
    /// right-to-left override, ask for the whole view: an override may
    /// start far from the range it reverses.
    public func casedView(of text: [UInt8], around ranges: [Range<Int>]) -> NormalizedText {
        if ranges.isEmpty { return .empty }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C }
        var windows: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            var start = min(range.lowerBound, text.count), end = min(max(range.upperBound, start), text.count)
            while start > 0 && !isSpace(text[start - 1]) { start -= 1 }
            while end < text.count && !isSpace(text[end]) { end += 1 }
            if let last = windows.last, last.upperBound >= start {
                windows[windows.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                windows.append(start..<end)
            }
        }
        var out = ViewBuilder(capacity: windows.reduce(0) { $0 + $1.count + 1 })
        var capped = false
        for window in windows where !window.isEmpty {
            let part = casedView(of: Array(text[window]))
            capped = capped || part.expansionCapped
            for k in 0..<part.bytes.count {
                let source = part.map[k]
                out.append(part.bytes[k], from: window.lowerBound + source.lowerBound, to: window.lowerBound + source.upperBound)
            }
            // Parts never join: a line feed, as between a page's parts.
            out.append(0x0A, from: window.upperBound - 1, to: window.upperBound)
        }
        return NormalizedText(bytes: out.bytes, map: out.map, expansionCapped: capped)
    }

    /// `read(text)`, with text inside right-to-left overrides reversed first
    /// and the result mapped back to `text`.
    private func inDisplayOrder(_ text: [UInt8], _ read: ([UInt8]) -> NormalizedText) -> NormalizedText {
        guard let ordered = BidiOverride.displayOrder(text) else { return read(text) }
        let folded = read(ordered.bytes)
        return NormalizedText(bytes: folded.bytes, map: folded.map.composed(with: ordered.map), expansionCapped: folded.expansionCapped)
    }
}
