import Foundation
import Testing
import TriageModel
import TestSupport
@testable import TriageEngine
import TriageRules

/// Generated evasions: every `match` example of `Rules/example.rules` and of
/// a sample of the proscribed-organisation rules, put in a page, its
/// indicator words (the bytes the clean page's evidence covers) rewritten by
/// each evasion a reader sees through, and by every pair of them; the page
/// must still hit the rule the clean page hits.
@Suite("Generated evasions")
struct EvasionTests {
    /// One way of writing words so that a reader still reads them.
    struct Evasion: Sendable {
        let name: String
        /// Changes letters (leet, look-alikes): not for `exact` or `noleet`
        /// patterns, and a second letter-changing evasion is not applied on
        /// top of it.
        let letters: Bool
        /// Reads only in the leet view (digits, spacing out).
        let leetOnly: Bool
        /// Changes letter case (only case-insensitive patterns see through).
        let changesCase: Bool
        /// Wraps the whole phrase (applied last, once).
        let wraps: Bool
        /// Spaces out the letters of words (`a t t a c k`, `a.t.t.a.c.k`).
        var spacesOut: Bool { name.contains("spaced letters") || name.contains("dotted letters") || name.contains("dashed letters") }
        /// When it applies in a pair: letters first, then what goes between
        /// letters, then between words, then markup inside the phrase, then
        /// wrappers, so that no evasion rewrites another's markup.
        var stage: Int {
            if wraps { return 4 }
            if letters || changesCase || name == "accents" { return 0 }
            if ["link inside", "<b> split"].contains(name) { return 3 }
            if ["two spaces", "tab", "line feed", "CR LF", "<br>", "no-break space"].contains(name) { return 2 }
            return 1
        }
        /// The indicator words in, HTML out.
        let apply: @Sendable (String) -> String
    }

    static let cyrillic: [Character: Character] = ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
                                                   "s": "ѕ", "j": "ј", "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н",
                                                   "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х", "I": "І", "S": "Ѕ"]
    static let greek: [Character: Character] = ["o": "ο", "i": "ι", "v": "ν", "k": "κ", "A": "Α", "B": "Β", "E": "Ε", "H": "Η",
                                                "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ", "Z": "Ζ"]
    static let leet: [Character: String] = ["a": "4", "e": "3", "o": "0", "s": "5", "t": "7", "i": "1", "l": "1", "A": "4", "E": "3",
                                            "O": "0", "S": "$", "T": "7", "I": "1"]

    static func words(_ text: String) -> [Substring] { text.split(separator: " ", omittingEmptySubsequences: false) }
    static func everyLetter(_ text: String, _ change: (Character) -> String?) -> String {
        text.map { change($0) ?? String($0) }.joined()
    }
    /// Between letters of each word, `glue`; words apart by `gap`.
    static func spaced(_ text: String, glue: String, gap: String) -> String {
        words(text).map { $0.map(String.init).joined(separator: glue) }.joined(separator: gap)
    }

    /// `text` split near its middle at a character boundary outside an
    /// entity or a tag, the second part wrapped in `open`…`close`.
    static func splitting(_ text: String, _ open: String, _ close: String) -> String {
        let characters = Array(text)
        var safe: [Int] = []
        var inEntity = false, inTag = false
        for (k, c) in characters.enumerated() {
            if !inEntity && !inTag && k > 0 { safe.append(k) }
            if c == "&" { inEntity = true } else if c == ";" { inEntity = false }
            if c == "<" { inTag = true } else if c == ">" { inTag = false }
        }
        guard let cut = safe.min(by: { abs($0 - characters.count / 2) < abs($1 - characters.count / 2) }) else { return open + text + close }
        return String(characters[..<cut]) + open + String(characters[cut...]) + close
    }

    static let evasions: [Evasion] = [
        .init(name: "two spaces", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "  ") },
        .init(name: "tab", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "\t") },
        .init(name: "line feed", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "\n") },
        .init(name: "CR LF", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "\r\n") },
        .init(name: "<br>", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "<br>") },
        .init(name: "no-break space", letters: false, leetOnly: false, changesCase: false, wraps: false) { $0.replacingOccurrences(of: " ", with: "&nbsp;") },
        .init(name: "link inside", letters: false, leetOnly: false, changesCase: false, wraps: false) { splitting($0, "<a href=\"/x\">", "</a>") },
        .init(name: "<b> split", letters: false, leetOnly: false, changesCase: false, wraps: false) { splitting($0, "<b>", "</b>") },
        .init(name: "zero-width", letters: false, leetOnly: false, changesCase: false, wraps: false) { text in
            text.map(String.init).joined(separator: "\u{200B}")
        },
        .init(name: "soft hyphen entity", letters: false, leetOnly: false, changesCase: false, wraps: false) { text in
            text.map(String.init).joined(separator: "&shy;")
        },
        .init(name: "numeric entities", letters: false, leetOnly: false, changesCase: false, wraps: false) { text in
            everyLetter(text) { $0.isLetter ? "&#\($0.unicodeScalars.first!.value);" : nil }
        },
        .init(name: "accents", letters: false, leetOnly: false, changesCase: false, wraps: false) { text in
            everyLetter(text) { "aeiouAEIOU".contains($0) ? "\($0)\u{0301}" : nil }
        },
        .init(name: "fullwidth", letters: true, leetOnly: false, changesCase: false, wraps: false) { text in
            everyLetter(text) { c in c.isASCII && (c.isLetter || c.isNumber) ? String(UnicodeScalar(c.unicodeScalars.first!.value + 0xFEE0)!) : nil }
        },
        .init(name: "Cyrillic look-alikes", letters: true, leetOnly: false, changesCase: false, wraps: false) { text in
            everyLetter(text) { cyrillic[$0].map(String.init) }
        },
        .init(name: "Greek look-alikes", letters: true, leetOnly: false, changesCase: false, wraps: false) { text in
            everyLetter(text) { greek[$0].map(String.init) }
        },
        .init(name: "upper case", letters: false, leetOnly: false, changesCase: true, wraps: false) { $0.uppercased() },
        .init(name: "leet", letters: true, leetOnly: true, changesCase: false, wraps: false) { text in everyLetter(text) { leet[$0] } },
        .init(name: "spaced letters", letters: false, leetOnly: true, changesCase: false, wraps: false) { spaced($0, glue: " ", gap: "  ") },
        .init(name: "dotted letters", letters: false, leetOnly: true, changesCase: false, wraps: false) { spaced($0, glue: ".", gap: " ") },
        .init(name: "dashed letters", letters: false, leetOnly: true, changesCase: false, wraps: false) { spaced($0, glue: "-", gap: " ") },
        .init(name: "typographic quotes", letters: false, leetOnly: false, changesCase: false, wraps: true) { "\u{201C}\($0)\u{201D}\u{2014}" },
        .init(name: "tooltip", letters: false, leetOnly: false, changesCase: false, wraps: true) { "<span title=\"\($0)\">(see note)</span>" },
        .init(name: "right-to-left override", letters: false, leetOnly: false, changesCase: false, wraps: true) { text in
            "\u{202E}" + String(text.reversed()) + "\u{202C}"
        },
    ]

    /// Whether evasion `e` is one the patterns behind a hit see through:
    /// `exact` patterns (the case-preserving view) keep case and letters as
    /// written apart from look-alikes, `noleet` ones (the normalised view)
    /// read no leet or spacing.
    static func applies(_ e: Evasion, to c: Case) -> Bool {
        if c.views.contains("cased") && (e.changesCase || e.leetOnly) { return false }
        if c.views.contains("normalized") && e.leetOnly { return false }
        // Spacing out joins letters, so a name with punctuation inside a
        // word (`step-by-step`, `People's`) loses it; and runs shorter than
        // four letters are not joined (`U S A`), so a phrase that is only
        // short words is not spaced out.
        if e.spacesOut {
            let evidence = c.ranges.map { String(decoding: Array(c.text.utf8)[$0], as: UTF8.self) }
            if evidence.contains(where: { $0.contains { !$0.isLetter && !$0.isNumber && $0 != " " } }) { return false }
            if evidence.contains(where: { !words($0).contains { $0.count >= 4 } }) { return false }
        }
        return true
    }

    /// Two evasions that make sense together: at most one changes letters,
    /// at most one wraps, and nothing is wrapped around markup that would
    /// break it (a tooltip holds text, not tags; an override reverses text).
    static func combine(_ a: Evasion, _ b: Evasion) -> Evasion? {
        if a.letters && b.letters || a.stage == b.stage { return nil }
        // Spaced-out letters are set apart by single spaces and words by
        // double ones; a between-words evasion would rewrite both alike.
        if (a.spacesOut && b.stage == 2) || (b.spacesOut && a.stage == 2) { return nil }
        let (inner, outer) = a.stage < b.stage ? (a, b) : (b, a)
        let markup = ["<br>", "link inside", "<b> split", "no-break space", "soft hyphen entity", "numeric entities"]
        if outer.wraps && outer.name != "typographic quotes" && markup.contains(inner.name) { return nil }
        // Spacing out and per-letter insertions interleave: either alone is
        // read, both together are noise no reader reads as a word.
        let perLetter = ["zero-width", "soft hyphen entity", "accents"]
        if (inner.leetOnly && !inner.letters && perLetter.contains(outer.name)) || (outer.leetOnly && !outer.letters && perLetter.contains(inner.name)) { return nil }
        if inner.changesCase && outer.letters || outer.changesCase && inner.letters { return nil }
        return Evasion(name: "\(inner.name) + \(outer.name)", letters: a.letters || b.letters, leetOnly: a.leetOnly || b.leetOnly,
                       changesCase: a.changesCase || b.changesCase, wraps: a.wraps || b.wraps) { outer.apply(inner.apply($0)) }
    }

    /// A rule's match examples, each with the byte ranges (in the example)
    /// of its evidence on a clean page and the views it matched in.
    struct Case: Sendable {
        let rule: String
        let text: String
        let ranges: [Range<Int>]
        let views: Set<String>
    }

    static let prefix = "<!doctype html><html><body><p>SYNTHETIC TEST CONTENT. "
    static let suffix = "</p></body></html>"

    static func page(_ html: String) -> Referral { Referral(id: "e", content: .html(Array((prefix + html + suffix).utf8))) }

    static let cases: [Case] = {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        // Every example rule; every fourth organisation rule, whose examples
        // carry its names and aliases.
        var organisations = 0
        var out: [Case] = []
        for rule in shippedRules.rules where rule.namespace == "example" || rule.namespace == "proscribed-organisations" {
            if rule.namespace == "proscribed-organisations" {
                organisations += 1
                if organisations % 4 != 1 { continue }
            }
            for example in rule.examples where example.shouldMatch {
                let text = String(decoding: example.text, as: UTF8.self)
                guard !text.contains(where: { "<>&\"".contains($0) }) else { continue }
                // Examples that are evasions already (leet, spaced out) are
                // not evaded again: the clean examples are the base.
                guard !text.contains(where: { !$0.isASCII }), text.range(of: #"\b\w[ .\-]\w[ .\-]\w\b"#, options: .regularExpression) == nil,
                      text.range(of: #"[a-zA-Z][0-9@$|]|[0-9@$|][a-zA-Z]"#, options: .regularExpression) == nil else { continue }
                let a = pipeline.assess(page(text))
                guard let hit = a.hits.first(where: { $0.rule == rule.qualifiedName }) else { continue }
                let base = prefix.utf8.count
                // Whole words around each match, merged where they touch.
                var ranges: [Range<Int>] = []
                for snippet in hit.evidence.sorted(by: { $0.start < $1.start }) {
                    let range = (snippet.start - base)..<(snippet.end - base)
                    if let last = ranges.last, last.upperBound >= range.lowerBound { ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound) } else { ranges.append(range) }
                }
                out.append(Case(rule: rule.qualifiedName, text: text, ranges: ranges, views: Set(hit.evidence.map(\.view))))
            }
        }
        return out
    }()

    /// `c`'s text with its evidence rewritten by `e`.
    static func evaded(_ c: Case, _ e: Evasion) -> String {
        let bytes = Array(c.text.utf8)
        var out = "", at = 0
        for range in c.ranges {
            out += String(decoding: bytes[at..<range.lowerBound], as: UTF8.self)
            out += e.apply(String(decoding: bytes[range], as: UTF8.self))
            at = range.upperBound
        }
        return out + String(decoding: bytes[at...], as: UTF8.self)
    }

    /// Runs every case through `evasions`; returns what was missed.
    static func misses(_ evasions: [Evasion]) -> (tried: Int, missed: [String]) {
        let pipeline = TriagePipeline(rules: shippedRules, policy: .default)
        var tried = 0
        var missed: [String] = []
        for c in cases {
            for e in evasions where applies(e, to: c) {
                tried += 1
                let html = evaded(c, e)
                if !pipeline.assess(page(html)).hits.contains(where: { $0.rule == c.rule }) {
                    missed.append("\(c.rule) [\(e.name)]: \(html.debugDescription)")
                }
            }
        }
        return (tried, missed)
    }

    @Test func theCasesCoverTheExampleRulesAndOrganisations() {
        let rules = Set(Self.cases.map(\.rule))
        #expect(rules.filter { $0.hasPrefix("example.") }.count >= 6)
        #expect(rules.filter { $0.hasPrefix("proscribed-organisations.") }.count >= 20)
        #expect(Self.cases.contains { $0.views.contains("cased") })
    }

    @Test func everyEvasionAlone() {
        let (tried, missed) = Self.misses(Self.evasions)
        #expect(tried > 700)
        #expect(missed.isEmpty, "\(missed.count) of \(tried) missed:\n\(missed.prefix(25).joined(separator: "\n"))")
    }

    @Test func everyPairOfEvasions() {
        var pairs: [Evasion] = []
        for (i, a) in Self.evasions.enumerated() {
            for b in Self.evasions[(i + 1)...] { if let pair = Self.combine(a, b) { pairs.append(pair) } }
        }
        #expect(pairs.count > 150)
        let (tried, missed) = Self.misses(pairs)
        #expect(missed.isEmpty, "\(missed.count) of \(tried) missed:\n\(missed.prefix(25).joined(separator: "\n"))")
    }
}
