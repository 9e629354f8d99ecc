import Encoders

/// Renders diagnostics for people (like a compiler) and for programs (JSON).
public enum DiagnosticRenderer {
    /// ```
    /// error[R020]: duplicate rule `glorification-phrases`
    ///  --> Rules/example.rules:14:6
    ///    |
    /// 14 | rule glorification-phrases {
    ///    |      ^^^^^^^^^^^^^^^^^^^^^ first declared at line 3
    ///    = hint: rename one of them; rule names are unique within a namespace
    /// ```
    public static func text(_ d: Diagnostic) -> String {
        let (line, column) = d.span.file.location(of: d.span.start)
        let gutter = String(repeating: " ", count: String(line).count)
        let source = d.span.file.lineText(line)
        // The caret covers the span on its first line (at least one column).
        let lineEnd = d.span.file.lineStarts.count > line ? d.span.file.lineStarts[line] - 1 : d.span.file.bytes.count
        let width = max(1, min(d.span.end, lineEnd) - d.span.start)
        var out = "\(d.severity.rawValue)[\(d.code.rawValue)]: \(d.message)\n"
        out += "\(gutter)--> \(d.span.file.path):\(line):\(column)\n"
        // A problem with a whole file (it could not be read) has no line to show.
        if !d.span.file.bytes.isEmpty {
            out += "\(gutter) |\n"
            out += "\(line) | \(source)\n"
            out += "\(gutter) | \(String(repeating: " ", count: column - 1))\(String(repeating: "^", count: width))"
            if let note = d.note { out += " \(note)" }
            out += "\n"
        }
        for label in d.labels {
            let (l, c) = label.span.file.location(of: label.span.start)
            out += "\(gutter) = note: \(label.message) (\(label.span.file.path):\(l):\(c))\n"
        }
        if let hint = d.hint { out += "\(gutter) = hint: \(hint)\n" }
        return out
    }

    /// All diagnostics, sorted, then a summary line.
    public static func text(_ diagnostics: Diagnostics) -> String {
        var out = diagnostics.sorted.map { text($0) + "\n" }.joined()
        let e = diagnostics.errorCount, w = diagnostics.warningCount
        if e + w > 0 {
            out += "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")\n"
        }
        return out
    }

    /// One JSON object per diagnostic, in a JSON array.
    public static func json(_ diagnostics: Diagnostics) -> String {
        let objects = diagnostics.sorted.map { d -> String in
            let (line, column) = d.span.file.location(of: d.span.start)
            var fields = [
                "\"code\":\(quote(d.code.rawValue))",
                "\"severity\":\(quote(d.severity.rawValue))",
                "\"message\":\(quote(d.message))",
                "\"file\":\(quote(d.span.file.path))",
                "\"line\":\(line)",
                "\"column\":\(column)",
                "\"start\":\(d.span.start)",
                "\"end\":\(d.span.end)",
            ]
            if let note = d.note { fields.append("\"note\":\(quote(note))") }
            if let hint = d.hint { fields.append("\"hint\":\(quote(hint))") }
            if !d.labels.isEmpty {
                let labels = d.labels.map { l -> String in
                    let (ll, lc) = l.span.file.location(of: l.span.start)
                    return "{\"message\":\(quote(l.message)),\"file\":\(quote(l.span.file.path)),\"line\":\(ll),\"column\":\(lc)}"
                }
                fields.append("\"labels\":[\(labels.joined(separator: ","))]")
            }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",\n ") + "]\n"
    }

    private static func quote(_ value: String) -> String { JSON.quoted(value) }
}
