/// Bytes shown to a person: valid UTF-8 as text, control characters and
/// invalid bytes as `\xNN`, so a match can never inject terminal escapes.
func displayText(_ bytes: some Collection<UInt8>) -> String {
    var out = ""
    let text = String(decoding: bytes, as: UTF8.self)
    if text.utf8.elementsEqual(bytes) {
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\x" + hexByte(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
    // Not valid UTF-8: show printable ASCII, escape the rest.
    for byte in bytes {
        if (0x20..<0x7F).contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += "\\x" + hexByte(byte) }
    }
    return out
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
