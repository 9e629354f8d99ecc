import CICUShim

/// Turns text into the views rules are matched against, keeping a map from
/// every output byte back to the input bytes it came from.
///
/// The normalised view, per Unicode scalar of the input (UTF-8; invalid
/// sequences read as U+FFFD):
///
/// 1. ASCII: letters lower-cased, C0 controls other than tab, line feed,
///    form feed and carriage return dropped; nothing else changes. This path
///    never calls ICU.
/// 2. Default-ignorable code points (zero-width characters, bidi controls,
///    soft hyphen, variation selectors, byte-order mark, …) are dropped.
/// 3. Everything else: NFKC with full case folding (ICU's NFKC_Casefold), then
///    diacritics stripped (NFD, combining marks removed).
/// 4. Look-alikes: a non-ASCII letter that looks like a Latin one reads as
///    that letter (`LookAlikes`: Cyrillic `а` → `a`, Greek `Τ` → `t`,
///    small capital `ᴛ` → `t`) in words that are Latin already or made
///    wholly of look-alikes; a word of another script keeps its letters (see
///    `WordFolder`). ASCII is never re-read, so `rn` stays `rn` and `0`
///    stays `0`.
///
/// The leet view (`leet(_:)`) is derived from the normalised one: digits and
/// symbols read as letters, and single letters spaced out by separators
/// joined up. It is a separate view so that ordinary text's digits do not
/// turn into letters where a rule did not ask for that.
///
/// Folding may grow the text to `maxExpansion` times the input (NFKC can
/// grow one character 18-fold); past that, the rest of the input is copied
/// as it is (so the output never exceeds `maxExpansion + 1` times the input,
/// plus a few bytes) and `expansionCapped` says so.
///
/// A normaliser is per task: it caches how each non-ASCII character folds
/// (at most `cacheLimit` characters), so pages in one script cost ICU calls
/// only for characters not seen before.
public final class TextNormalizer {
    /// Output bytes allowed per input byte (plus a small constant).
    public var maxExpansion = 4
    /// Distinct non-ASCII characters remembered between calls.
    public var cacheLimit = 65_536

    private var folds: [UInt32: Fold] = [:]
    private var casedFolds: [UInt32: Fold] = [:]

    public init() {}

    /// Whether ICU could be opened (without it, non-ASCII text passes
    /// through lower-cased only where it is ASCII).
    public static var icuAvailable: Bool { triage_icu_available() == 1 }

    /// The normalised view of `text`; with `keepingCase`, the
    /// case-preserving one (NFKC without case folding, look-alikes read in
    /// their case, ASCII left as it is).
    public func normalize(_ text: [UInt8], keepingCase: Bool = false) -> NormalizedText {
        text.withUnsafeBytes { normalize($0, keepingCase: keepingCase) }
    }

    /// The normalised view of `text` (see `normalize(_:keepingCase:)`).
    public func normalize(_ text: UnsafeRawBufferPointer, keepingCase: Bool = false) -> NormalizedText {
        var out = WordFolder(capacity: text.count, keepingCase: keepingCase)
        let limit = maxExpansion * text.count + 64
        var capped = false
        var i = 0
        let n = text.count
        while i < n {
            let b = text[i]
            if b < 0x80 {
                // Step 1: ASCII. A whole run at once when no word is waiting
                // for a look-alike decision (almost always).
                if out.isSettled {
                    var j = i + 1
                    while j + 8 <= n && text.loadUnaligned(fromByteOffset: j, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { j += 8 }
                    while j < n && text[j] < 0x80 { j += 1 }
                    out.asciiRun(UnsafeRawBufferPointer(rebasing: text[i..<j]), at: i)
                    i = j
                } else {
                    if b >= 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D {
                        out.ascii(b, at: i)
                    }
                    i += 1
                }
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: text, at: i)
            if out.count > limit {
                // Past the cap: the rest as it is.
                capped = true
                out.finishWord()
                for k in i..<n { out.view.append(text[k], from: k, to: k + 1) }
                break
            }
            let folded = fold(scalar, keepingCase: keepingCase)
            if folded.parts.isEmpty {
                out.scalar(folded, from: i, to: i + length)
            } else {
                // Folds to several characters: each is read as a character
                // of its own, as a second pass over the view would read it.
                for part in folded.parts {
                    if part < 0x80 {
                        out.asciiByte(UInt8(part), from: i, to: i + length)
                    } else {
                        out.scalar(fold(part, keepingCase: keepingCase), from: i, to: i + length)
                    }
                }
            }
            i += length
        }
        out.finishWord()
        let view = out.view
        return NormalizedText(bytes: view.bytes, map: view.map, expansionCapped: capped)
    }

    /// How one non-ASCII scalar folds (steps 2-4), cached.
    func fold(_ scalar: UInt32, keepingCase: Bool) -> Fold {
        if keepingCase { return Self.fold(scalar, keepingCase: true, cache: &casedFolds, limit: cacheLimit) }
        return Self.fold(scalar, keepingCase: false, cache: &folds, limit: cacheLimit)
    }

    private static func fold(_ scalar: UInt32, keepingCase: Bool, cache: inout [UInt32: Fold], limit: Int) -> Fold {
        if let known = cache[scalar] { return known }
        let folded = Fold(scalar, keepingCase: keepingCase)
        if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
        cache[scalar] = folded
        return folded
    }
}

/// How a non-ASCII character appears in the normalised view.
struct Fold: Sendable {
    /// NFKC_Casefold without diacritics (empty: dropped as invisible).
    let folded: [UInt8]
    /// The Latin letter a reader sees in it (`LookAlikes`), if any: used
    /// only in a word that is Latin already or made wholly of look-alikes
    /// (see `WordFolder`).
    let lookAlike: [UInt8]?
    /// `lookAlike` is read only in a word that has a Latin letter, never in
    /// one made wholly of look-alikes (`LookAlikes.reading`).
    let latinOnly: Bool
    /// `folded` is plain ASCII (an accented Latin letter, a fullwidth form).
    let isASCII: Bool
    /// `folded` is a separator (space or punctuation once folded).
    let isSeparator: Bool
    /// The scalars of `folded` when there are several of them (`ﬁ` → f, i;
    /// `ᾠ` → ω, ι), each to be folded as a character of its own; empty when
    /// the character folds to one scalar or none.
    let parts: [UInt32]

    /// How `scalar` folds in the case-folded views, or with `keepingCase`
    /// in the case-preserving one (NFKC without case folding; readings keep
    /// their case).
    init(_ scalar: UInt32, keepingCase: Bool) {
        if triage_icu_is_default_ignorable(scalar) == 1 {
            (folded, lookAlike, isASCII, isSeparator, parts, latinOnly) = ([], nil, true, false, [], false)
            return
        }
        // Typographic punctuation after NFKC, so what folds to it (`⁻` to
        // `−`, `︱` to `—`) reads as the same ASCII.
        let units = UTF16.units(of: scalar)
        let scalars = Self.stripMarks(keepingCase ? ICU.nfkc(units) : ICU.nfkcCasefold(units)).map { Self.typographic[$0].map(UInt32.init) ?? $0 }
        parts = scalars.count > 1 ? scalars : []
        folded = scalars.flatMap(UTF8Decoding.encode)
        isASCII = folded.allSatisfy { $0 < 0x80 }
        isSeparator = !folded.isEmpty && folded.allSatisfy { $0 < 0x80 && !WordFolder.isWordByte($0) }
        // The reading of the character as written (upper-case look-alikes
        // lose their likeness once case-folded: `Н` is `H`, `н` a small
        // capital), failing that the reading of its fold. The second is what
        // makes the view a fixed point: a character kept folded here (in a
        // word of its own script) is read again as its fold, and the fold's
        // reading must be this character's too, or a second pass would
        // change the text. A character that folds to ASCII (`Í`, `Ｉ`, `𝐈`)
        // reads as that, a Latin letter, whatever it resembles.
        // Likewise a reading that holds only in Latin words holds everywhere
        // if its fold's does (Cherokee `ᏻ` folds to `Ᏻ`, a capital that
        // reads `G` alone): a word kept in its script must stay kept when
        // read again as its folds.
        let own = isASCII ? nil : LookAlikes.reading(scalar)
        let ofFold = isASCII || scalars.count != 1 ? nil : LookAlikes.reading(scalars[0])
        let reading = own ?? ofFold
        lookAlike = reading.map { [keepingCase ? $0.letter : $0.letter | 0x20] }
        latinOnly = (reading?.latinOnly ?? false) && (ofFold?.latinOnly ?? true)
    }

    /// Typographic punctuation read as the ASCII a reader takes it for
    /// (NFKC keeps it): apostrophes and single quotes as `'`, double quotes
    /// and guillemets as `"`, hyphens, dashes and the minus sign as `-`. So
    /// `Hamas’s` reads `hamas's`, and the name before it is a whole word.
    static let typographic: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for scalar: UInt32 in [0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0x02BC, 0x2039, 0x203A] { table[scalar] = 0x27 }
        for scalar: UInt32 in [0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0x00AB, 0x00BB] { table[scalar] = 0x22 }
        for scalar: UInt32 in [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63] { table[scalar] = 0x2D }
        return table
    }()

    /// Scalars of `units` after NFD, without combining marks.
    private static func stripMarks(_ units: [UInt16]) -> [UInt32] {
        UTF16.scalars(of: ICU.nfd(units)).filter { triage_icu_is_combining_mark($0) == 0 }
    }
}

/// Builds the normalised view word by word, deciding for each word whether
/// look-alikes in it read as Latin letters (`LookAlikes`): yes if the word
/// has a Latin letter (`pаypаl` with Cyrillic `а`), or if every non-Latin
/// character in it has a reading that holds outside Latin words (`АТТАСК`,
/// all Cyrillic capitals); no for a
/// word of another script that merely contains some look-alikes (Arabic
/// `هجوم`: `ه` resembles `o`, `ج` resembles nothing), so foreign text is not
/// mangled into false matches.
struct WordFolder {
    var view: ViewBuilder
    /// Characters of the current word waiting for that decision.
    private var pending: [(fold: Fold?, byte: UInt8, start: Int, end: Int)] = []
    private var wordHasLatin = false
    private var allLookAlike = true
    /// Characters in the current word so far.
    private var wordLength = 0
    /// ASCII letters keep their case (the case-preserving view).
    let keepingCase: Bool

    init(capacity: Int, keepingCase: Bool = false) {
        view = ViewBuilder(capacity: capacity)
        self.keepingCase = keepingCase
    }

    var count: Int { view.count + pending.count }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    /// An ASCII letter, either case (word bytes are digits, letters and `_`).
    @inline(__always) static func isLetterOfWord(_ b: UInt8) -> Bool { b != 0x5F && b | 0x20 >= 0x61 }

    /// No word is waiting for a decision.
    var isSettled: Bool { pending.isEmpty }

    /// A run of ASCII bytes starting at source offset `offset`, while no
    /// word is pending: lower-cased (unless `keepingCase`) and copied in one
    /// pass (controls other than whitespace dropped), then the word state is
    /// what the run's last word leaves.
    mutating func asciiRun(_ run: UnsafeRawBufferPointer, at offset: Int) {
        var letterInWord = false, sawSeparator = false, trailing = 0
        let lower: UInt8 = keepingCase ? 0 : 0x20
        view.appendMapped(run.count) { bytes, map in
            let n = run.count
            // Usually nothing is dropped: lower-case eight bytes at a time
            // and map the run as one.
            var k = Self.lowercaseClean(run, into: bytes, lowering: lower != 0)
            if k == n {
                map.appendLinear(count: n, from: offset)
            } else {
                k = 0
                var kept = 0
                for index in 0..<n {
                    let b = run[index]
                    if Self.isDropped(b) {
                        // Dropped: the bytes before it are one linear run.
                        map.appendLinear(count: index - kept, from: offset + kept)
                        kept = index + 1
                        continue
                    }
                    bytes[k] = b &+ (b &- 0x41 < 26 ? lower : 0)
                    k += 1
                }
                map.appendLinear(count: n - kept, from: offset + kept)
            }
            // The word state: what the last word of the run leaves.
            var j = k
            while j > 0 && Self.isWordByte(bytes[j - 1]) {
                if Self.isLetterOfWord(bytes[j - 1]) { letterInWord = true }
                j -= 1
            }
            sawSeparator = j > 0
            trailing = k - j
            return k
        }
        if sawSeparator {
            wordHasLatin = letterInWord
            allLookAlike = true
            wordLength = trailing
        } else {
            if letterInWord { wordHasLatin = true }
            wordLength += trailing
        }
    }

    /// C0 controls other than tab, line feed, form feed and carriage return.
    @inline(__always) static func isDropped(_ b: UInt8) -> Bool {
        b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0C && b != 0x0D
    }

    /// Lower-cases ASCII `run` into `out` (copies it, unless `lowering`)
    /// until a byte that is dropped; returns how many bytes it wrote
    /// (`run.count` if none is dropped). Eight bytes at a time (see `SWAR`):
    /// 0x20 is added where a byte is `A`...`Z`.
    @inline(__always)
    static func lowercaseClean(_ run: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, lowering: Bool = true) -> Int {
        let n = run.count
        guard n > 0, let source = run.baseAddress, let target = out.baseAddress else { return 0 }
        let lower: UInt8 = lowering ? 0x20 : 0, caseBits: UInt64 = lowering ? ~0 : 0
        var i = 0
        while i + 8 <= n {
            let x = source.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // Bytes below 0x20 (line feeds mostly): check them one by one.
            if SWAR.rangeMask(x, 0x00, 0x1F) != 0 {
                for k in i..<(i + 8) where isDropped(run[k]) {
                    for j in i..<k { target[j] = run[j] &+ (run[j] &- 0x41 < 26 ? lower : 0) }
                    return k
                }
            }
            UnsafeMutableRawPointer(target).storeBytes(of: x | (SWAR.rangeMask(x, 0x41, 0x5A) >> 2 & caseBits), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            let b = run[i]
            if isDropped(b) { return i }
            target[i] = b &+ (b &- 0x41 < 26 ? lower : 0)
            i += 1
        }
        return n
    }

    @inline(__always)
    mutating func ascii(_ b: UInt8, at i: Int) { asciiByte(b, from: i, to: i + 1) }

    /// One ASCII byte standing for the source range `start..<end` (a part
    /// of a character that folds to several).
    mutating func asciiByte(_ b: UInt8, from start: Int, to end: Int) {
        let b = b >= 0x41 && b <= 0x5A && !keepingCase ? b | 0x20 : b
        if !Self.isWordByte(b) {
            finishWord()
            view.append(b, from: start, to: end)
            return
        }
        wordLength += 1
        if Self.isLetterOfWord(b) { latinLetter() }
        if pending.isEmpty { view.append(b, from: start, to: end) } else { pending.append((nil, b, start, end)) }
    }

    mutating func scalar(_ fold: Fold, from start: Int, to end: Int) {
        if fold.folded.isEmpty { return }  // invisible: dropped, word goes on
        if fold.isSeparator {
            finishWord()
            emit(fold.folded, from: start, to: end)
            return
        }
        wordLength += 1
        if fold.lookAlike != nil {
            if fold.latinOnly { allLookAlike = false }
            if wordHasLatin { emit(fold.lookAlike!, from: start, to: end) } else { pending.append((fold, 0, start, end)) }
            return
        }
        if fold.isASCII { latinLetter() } else { allLookAlike = false }
        if pending.isEmpty { emit(fold.folded, from: start, to: end) } else { pending.append((fold, 0, start, end)) }
    }

    /// A Latin letter settles the word: look-alikes fold.
    private mutating func latinLetter() {
        wordHasLatin = true
        if !pending.isEmpty { flush(readingLookAlikes: true) }
    }

    /// Ends the word: its pending look-alikes read as Latin if it has a
    /// Latin letter, is made wholly of look-alikes, or is one letter alone
    /// (a letter with no word around it has no script to belong to, and
    /// spaced-out letters, `а т т а с к`, are words of one letter each).
    mutating func finishWord() {
        if !pending.isEmpty { flush(readingLookAlikes: wordHasLatin || allLookAlike || wordLength == 1) }
        wordHasLatin = false
        allLookAlike = true
        wordLength = 0
    }

    private mutating func flush(readingLookAlikes: Bool) {
        for entry in pending {
            if let fold = entry.fold {
                emit(readingLookAlikes ? (fold.lookAlike ?? fold.folded) : fold.folded, from: entry.start, to: entry.end)
            } else {
                view.append(entry.byte, from: entry.start, to: entry.end)
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func emit(_ bytes: [UInt8], from start: Int, to end: Int) {
        for b in bytes { view.append(b, from: start, to: end) }
    }
}

/// One view of a text: its bytes and where each came from.
public struct NormalizedText: Sendable, Equatable {
    public let bytes: [UInt8]
    public let map: SourceMap
    /// True if the expansion cap was reached (the tail is unnormalised).
    public let expansionCapped: Bool

    /// No text: a view that was not made.
    public static let empty = NormalizedText(bytes: [], map: SourceMap(), expansionCapped: false)
}
