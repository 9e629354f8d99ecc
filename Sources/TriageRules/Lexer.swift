/// A token of the rule language.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        /// A name or keyword: `rule`, `attack_phrases`, `and`, …
        case identifier(String)
        /// `$name`, or `$` alone; `wildcard` for `$name*`.
        case pattern(String, wildcard: Bool)
        /// `#name`: the number of matches of a pattern.
        case count(String)
        /// A string literal, decoded to bytes.
        case string([UInt8])
        case integer(Int)
        case symbol(String)
        case end
    }

    let kind: Kind
    let start: Int
    let end: Int

    var identifier: String? {
        if case let .identifier(name) = kind { return name }
        return nil
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
    func isKeyword(_ k: String) -> Bool { kind == .identifier(k) }
}

/// Turns source bytes into tokens. Never stops at the first problem: each
/// one becomes a diagnostic and lexing resumes after it.
struct Lexer {
    let file: SourceFile
    private let bytes: [UInt8]
    private var i = 0
    private(set) var diagnostics = Diagnostics()

    /// The longest string literal accepted, in bytes.
    static let maxStringLength = 1 << 16

    init(_ file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: Diagnostics) {
        var lexer = Lexer(file)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .end { break }
        }
        return (tokens, lexer.diagnostics)
    }

    private func span(_ start: Int, _ end: Int) -> SourceSpan { SourceSpan(file: file, start: start, end: end) }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D
    }

    private mutating func identifier() -> String {
        let start = i
        while i < bytes.count && Lexer.isIdentifierByte(bytes[i]) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func next() -> Token {
        skipTrivia()
        guard i < bytes.count else { return Token(kind: .end, start: bytes.count, end: bytes.count) }
        let start = i
        let b = bytes[i]
        if Lexer.isIdentifierStart(b) {
            let name = identifier()
            return Token(kind: .identifier(name), start: start, end: i)
        }
        if b >= 0x30 && b <= 0x39 {
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            let digits = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let value = Int(digits), value <= 1_000_000_000 else {
                diagnostics.append(Diagnostic(.badInteger, "integer `\(digits.prefix(20))` is too large", at: span(start, i),
                                              hint: "integers in rules are at most 1000000000"))
                return Token(kind: .integer(0), start: start, end: i)
            }
            return Token(kind: .integer(value), start: start, end: i)
        }
        switch b {
        case UInt8(ascii: "$"):
            i += 1
            let name = identifier()
            var wildcard = false
            if i < bytes.count && bytes[i] == UInt8(ascii: "*") {
                wildcard = true
                i += 1
            }
            return Token(kind: .pattern(name, wildcard: wildcard), start: start, end: i)
        case UInt8(ascii: "#"):
            i += 1
            return Token(kind: .count(identifier()), start: start, end: i)
        case UInt8(ascii: "\""):
            return stringLiteral()
        default:
            break
        }
        let two = i + 1 < bytes.count ? String(decoding: bytes[i...(i + 1)], as: UTF8.self) : ""
        if ["==", "!=", "<=", ">="].contains(two) {
            i += 2
            return Token(kind: .symbol(two), start: start, end: i)
        }
        if "{}()[],:=.<>*-".utf8.contains(b) {
            i += 1
            return Token(kind: .symbol(String(UnicodeScalar(b))), start: start, end: i)
        }
        // Anything else: report once per run of unexpected bytes.
        let width = utf8Width(at: i)
        i += max(width, 1)
        let shown = width > 0 ? String(decoding: bytes[start..<i], as: UTF8.self) : "\\x" + hex(b)
        if width == 0 {
            diagnostics.append(Diagnostic(.invalidUTF8, "invalid UTF-8 byte 0x\(hex(b))", at: span(start, i)))
        } else {
            diagnostics.append(Diagnostic(.syntax, "unexpected character `\(shown)`", at: span(start, i)))
        }
        return next()
    }

    /// Whitespace and comments (`// …` and `/* … */`).
    private mutating func skipTrivia() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                i += 1
            } else if b == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            } else if b == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*") {
                let start = i
                i += 2
                while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                if i + 1 >= bytes.count {
                    diagnostics.append(Diagnostic(.syntax, "unterminated comment", at: span(start, start + 2),
                                                  hint: "close it with */"))
                    i = bytes.count
                } else {
                    i += 2
                }
            } else {
                return
            }
        }
    }

    /// A `"…"` literal. Escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\xNN`.
    /// Contents must be valid UTF-8 except what `\xNN` spells.
    private mutating func stringLiteral() -> Token {
        let start = i
        i += 1
        var value: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                if value.count > Lexer.maxStringLength {
                    diagnostics.append(Diagnostic(.syntax, "string literal is \(value.count) bytes long, more than \(Lexer.maxStringLength)",
                                                  at: span(start, start + 1), hint: "patterns are phrases, not documents"))
                    value.removeAll()
                }
                return Token(kind: .string(value), start: start, end: i)
            }
            if b == 0x0A {
                break
            }
            if b == UInt8(ascii: "\\") {
                let escapeStart = i
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "x"):
                    if i + 1 < bytes.count, let high = hexValue(bytes[i]), let low = hexValue(bytes[i + 1]) {
                        value.append(high << 4 | low)
                        i += 2
                    } else {
                        diagnostics.append(Diagnostic(.unknownEscape, "`\\x` needs two hex digits", at: span(escapeStart, i)))
                    }
                default:
                    let width = max(utf8Width(at: i - 1), 1)
                    i = min(bytes.count, i - 1 + width)
                    let shown = String(decoding: bytes[escapeStart..<i], as: UTF8.self)
                    diagnostics.append(Diagnostic(.unknownEscape, "unknown escape sequence `\(shown)`", at: span(escapeStart, i)))
                }
                continue
            }
            let width = utf8Width(at: i)
            if width == 0 {
                diagnostics.append(Diagnostic(.invalidUTF8, "invalid UTF-8 byte 0x\(hex(b)) in a string", at: span(i, i + 1),
                                              hint: "write raw bytes as \\xNN"))
                i += 1
                continue
            }
            value.append(contentsOf: bytes[i..<(i + width)])
            i += width
        }
        diagnostics.append(Diagnostic(.unterminatedString, "unterminated string", at: span(start, min(i, bytes.count)),
                                      hint: "close it with \" on the same line"))
        return Token(kind: .string(value), start: start, end: i)
    }

    /// Length of the valid UTF-8 sequence at `index`, or 0 if it is invalid.
    private func utf8Width(at index: Int) -> Int {
        let b = bytes[index]
        let width: Int
        switch b {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: width = 2
        case 0xE0...0xEF: width = 3
        case 0xF0...0xF4: width = 4
        default: return 0
        }
        guard index + width <= bytes.count else { return 0 }
        for k in 1..<width where bytes[index + k] & 0xC0 != 0x80 { return 0 }
        // Overlong and surrogate forms.
        if b == 0xE0 && bytes[index + 1] < 0xA0 { return 0 }
        if b == 0xED && bytes[index + 1] > 0x9F { return 0 }
        if b == 0xF0 && bytes[index + 1] < 0x90 { return 0 }
        if b == 0xF4 && bytes[index + 1] > 0x8F { return 0 }
        return width
    }

    private func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x61...0x66: b - 0x61 + 10
        case 0x41...0x46: b - 0x41 + 10
        default: nil
        }
    }

    private func hex(_ b: UInt8) -> String {
        let d = Array("0123456789ABCDEF")
        return String([d[Int(b >> 4)], d[Int(b & 15)]])
    }
}
