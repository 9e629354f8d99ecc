import CICUShim

/// Legacy charsets ICU decodes (shift_jis, gbk, big5, koi8-r, …), for
/// PageText: behind this API so that ICU's shim has one importer, the
/// target that already links it for normalisation.
public enum ICUCharsets {
    /// Whether ICU has a converter for `label` (a converter name or alias).
    public static func knows(_ label: String) -> Bool {
        var probe: [UInt16] = [0]
        var offsets: [Int32] = [0]
        return label.withCString { name in triage_icu_decode(name, nil, 0, &probe, &offsets, 1) } != -2
    }

    /// `bytes` in the charset `label`, as UTF-16 units with, for each unit,
    /// the index of the source byte that produced it; invalid input becomes
    /// U+FFFD. Nil if ICU cannot decode them.
    public static func decode(_ bytes: UnsafeRawBufferPointer, label: String) -> (units: [UInt16], offsets: [Int32])? {
        let capacity = bytes.count * 2 + 16
        var units = [UInt16](repeating: 0, count: capacity)
        var offsets = [Int32](repeating: 0, count: capacity)
        let written = label.withCString { name in
            triage_icu_decode(name, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), &units, &offsets,
                              Int32(capacity))
        }
        guard written >= 0 else { return nil }
        units.removeLast(capacity - Int(written))
        offsets.removeLast(capacity - Int(written))
        return (units, offsets)
    }
}
