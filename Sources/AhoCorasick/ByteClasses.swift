/// A map from the 256 byte values to a smaller alphabet of equivalence
/// classes: two bytes share a class when no pattern can tell them apart.
///
/// Every byte that occurs in some (case-folded) pattern gets a class of its
/// own; with ASCII case insensitivity an upper-case letter shares the class of
/// its lower-case form; all bytes that occur in no pattern share class 0.
/// English word lists need about 30 classes instead of 256, which shrinks DFA
/// rows (and so the DFA) by a factor of eight.
struct ByteClasses {
    /// `classes[b]` is the class of byte `b`. Invariant: every value is
    /// `< count`.
    let classes: [UInt8]
    /// Number of distinct classes, 1...256.
    let count: Int
    /// A byte of each class, folded, for looking up trie transitions.
    let representatives: [UInt8]

    init(usedBytes: [Bool], asciiCaseInsensitive: Bool) {
        let used = (0..<256).filter { usedBytes[$0] }
        // Class 0 holds the bytes no pattern uses, unless every byte is used.
        let firstClass = used.count == 256 ? 0 : 1
        var classes = [UInt8](repeating: 0, count: 256)
        var representatives: [UInt8] = firstClass == 1 ? [0] : []
        for (offset, byte) in used.enumerated() {
            classes[byte] = UInt8(firstClass + offset)
            representatives.append(UInt8(byte))
        }
        if firstClass == 1, let unused = (0..<256).first(where: { !usedBytes[$0] }) {
            representatives[0] = UInt8(unused)
        }
        if asciiCaseInsensitive {
            for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
                classes[Int(upper)] = classes[Int(upper | 0x20)]
            }
        }
        self.classes = classes
        self.count = representatives.count
        self.representatives = representatives
    }

    /// The identity fold.
    static let identity: [UInt8] = (0..<256).map { UInt8($0) }
    /// ASCII upper case to lower case; every other byte unchanged.
    static let asciiLowercase: [UInt8] = (0..<256).map {
        (65...90).contains($0) ? UInt8($0 | 0x20) : UInt8($0)
    }
}
