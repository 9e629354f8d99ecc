/// Word characters are ASCII letters, digits, `_`, and every byte of a
/// non-ASCII UTF-8 sequence (so letters of other scripts count as letters).
enum WordBoundary {
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }

    /// Whether `start..<end` has a word boundary at both ends. Besides ASCII
    /// punctuation and space, the General Punctuation block (U+2000-U+206F:
    /// typographic quotes, apostrophes and dashes, spaces) bounds a word, so
    /// `Hamas’s` and `Division—` keep their names whole in the raw view too.
    static func isWhole(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let before = start == 0 || !isWordByte(bytes[start - 1]) || !isWordByte(bytes[start]) || endsPunctuation(bytes, start)
        let after = end == bytes.count || !isWordByte(bytes[end]) || !isWordByte(bytes[end - 1]) || startsPunctuation(bytes, end)
        return before && after
    }

    /// Whether a General Punctuation character (E2 80 xx or E2 81 xx in
    /// UTF-8) starts at `k`.
    @inline(__always)
    static func startsPunctuation(_ bytes: UnsafeRawBufferPointer, _ k: Int) -> Bool {
        k + 2 < bytes.count && bytes[k] == 0xE2 && (bytes[k + 1] == 0x80 || bytes[k + 1] == 0x81) && bytes[k + 2] & 0xC0 == 0x80
    }

    /// Whether one ends just before `k`.
    @inline(__always)
    static func endsPunctuation(_ bytes: UnsafeRawBufferPointer, _ k: Int) -> Bool {
        k >= 3 && startsPunctuation(bytes, k - 3)
    }

    /// The offset of the first word start, or `bytes.count` if none.
    static func firstWordStart(_ bytes: UnsafeRawBufferPointer) -> Int {
        bytes.firstIndex(where: isWordByte) ?? bytes.count
    }

    /// Whether the word numbers of offsets `x <= y` differ by at most
    /// `limit`, where an offset's word number is that of the word containing
    /// or preceding it (the first word's for offsets before it). Reads only
    /// until the count passes `limit`.
    static func wordsBetween(_ bytes: UnsafeRawBufferPointer, _ x: Int, _ y: Int, firstWordStart: Int, atMost limit: Int) -> Bool {
        // Word starts in (x, y]; an offset before the first word counts as in it.
        let y = min(y, bytes.count - 1)
        var n = x < firstWordStart && firstWordStart <= y ? -1 : 0
        var s = max(x + 1, 1)
        while s <= y {
            if isWordByte(bytes[s]) && !isWordByte(bytes[s - 1]) {
                n += 1
                if n > limit { return false }
            }
            s += 1
        }
        return n <= limit
    }

    /// Offsets where words start.
    static func wordStarts(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        var starts: [Int] = []
        var inWord = false
        for (i, b) in bytes.enumerated() {
            let word = isWordByte(b)
            if word && !inWord { starts.append(i) }
            inWord = word
        }
        return starts
    }

    /// The index of the word containing (or preceding) `offset`.
    static func index(of offset: Int, in starts: [Int]) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return max(low - 1, 0)
    }
}
