/// Finds the charset a page declares in its first bytes: `<meta
/// charset="…">`, or `<meta http-equiv="content-type" content="…;
/// charset=…">`, skipping comments. A simplified form of the HTML
/// standard's prescan: enough for what pages say, byte-level, bounded.
enum MetaPrescan {
    static func charset(in bytes: UnsafeRawBufferPointer) -> String? {
        let n = bytes.count
        var i = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        func starts(_ word: String, at k: Int) -> Bool {
            let w = Array(word.utf8)
            guard k + w.count <= n else { return false }
            for j in 0..<w.count where lower(bytes[k + j]) != w[j] { return false }
            return true
        }
        while i < n {
            // Only a `<` can start what the prescan looks for.
            guard bytes[i] == 0x3C else {
                i += 1
                continue
            }
            if starts("<!--", at: i) {
                // Skip the comment.
                var j = i + 4
                while j < n && !(bytes[j] == 0x2D && starts("-->", at: j)) { j += 1 }
                i = j + 3
                continue
            }
            if starts("<meta", at: i), i + 5 < n, [0x20, 0x09, 0x0A, 0x0C, 0x0D, 0x2F].contains(bytes[i + 5]) {
                var j = i + 5
                var attributes: [String: String] = [:]
                while j < n && bytes[j] != 0x3E {
                    guard let (name, value, next) = attribute(bytes, from: j) else { break }
                    if attributes[name] == nil { attributes[name] = value }
                    j = next
                }
                if let charset = attributes["charset"], !charset.isEmpty { return charset }
                if attributes["http-equiv"]?.lowercased() == "content-type", let content = attributes["content"],
                   let label = charsetParameter(content) {
                    return label
                }
                i = j
                continue
            }
            i += 1
        }
        return nil
    }

    /// One attribute starting at or after `k`: lower-cased name, value, and
    /// where the next one starts.
    static func attribute(_ bytes: UnsafeRawBufferPointer, from k: Int) -> (String, String, Int)? {
        let n = bytes.count
        var i = k
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D || b == 0x2F }
        while i < n && isSpace(bytes[i]) { i += 1 }
        guard i < n, bytes[i] != 0x3E else { return nil }
        var name: [UInt8] = []
        while i < n && !isSpace(bytes[i]) && bytes[i] != 0x3D && bytes[i] != 0x3E {
            name.append(bytes[i] >= 0x41 && bytes[i] <= 0x5A ? bytes[i] | 0x20 : bytes[i])
            i += 1
        }
        while i < n && isSpace(bytes[i]) { i += 1 }
        guard i < n, bytes[i] == 0x3D else { return (String(decoding: name, as: UTF8.self), "", i) }
        i += 1
        while i < n && isSpace(bytes[i]) { i += 1 }
        var value: [UInt8] = []
        if i < n && (bytes[i] == 0x22 || bytes[i] == 0x27) {
            let quote = bytes[i]
            i += 1
            while i < n && bytes[i] != quote { value.append(bytes[i]); i += 1 }
            i += 1
        } else {
            while i < n && !isSpace(bytes[i]) && bytes[i] != 0x3E { value.append(bytes[i]); i += 1 }
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self), i)
    }

    /// `charset=…` inside a Content-Type value.
    static func charsetParameter(_ value: String) -> String? {
        let bytes = Array(value.lowercased().utf8)
        let key = Array("charset".utf8)
        guard bytes.count >= key.count, let at = (0...(bytes.count - key.count)).first(where: { bytes[$0..<($0 + key.count)].elementsEqual(key) }) else {
            return nil
        }
        var i = at + key.count
        while i < bytes.count && bytes[i] == 0x20 { i += 1 }
        guard i < bytes.count, bytes[i] == 0x3D else { return nil }
        i += 1
        while i < bytes.count && bytes[i] == 0x20 { i += 1 }
        var label: [UInt8] = []
        if i < bytes.count && (bytes[i] == 0x22 || bytes[i] == 0x27) {
            let quote = bytes[i]
            i += 1
            while i < bytes.count && bytes[i] != quote { label.append(bytes[i]); i += 1 }
        } else {
            while i < bytes.count && bytes[i] != 0x3B && bytes[i] != 0x20 && bytes[i] != 0x2C { label.append(bytes[i]); i += 1 }
        }
        return label.isEmpty ? nil : String(decoding: label, as: UTF8.self)
    }
}
