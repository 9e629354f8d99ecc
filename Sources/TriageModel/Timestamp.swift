import Foundation

/// A moment, as milliseconds since 1970 (UTC): how the queue stores time,
/// and the one place times are written for people and for JSON.
///
/// Written by hand, byte for byte what `Date.ISO8601FormatStyle` writes
/// (a test holds them equal), without the calendar machinery that costs a
/// few microseconds a call: every fetch record and queue listing writes some.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// `date` cut (not rounded) to the millisecond, as Foundation cuts it.
    public init(_ date: Date) {
        let whole = date.timeIntervalSince1970.rounded(.down)
        milliseconds = Int64(whole) * 1000 + Int64((date.timeIntervalSince1970 - whole) * 1000)
    }

    /// The system clock, to the nearest millisecond.
    public static var now: Timestamp { Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    /// `2026-12-07T15:54:13Z`: ISO 8601 in UTC, to the second (queue times).
    public var iso8601: String { format(fraction: false) }

    /// `2026-12-07T15:54:13.042Z`: with milliseconds (fetch records, WARC-Date).
    public var iso8601Milliseconds: String { format(fraction: true) }

    /// A date (`2026-12-07`, midnight UTC) or an ISO 8601 time with a zone;
    /// nil if `text` is neither.
    public static func parse(_ text: String) -> Timestamp? {
        let formatter = ISO8601DateFormatter()
        let date = formatter.date(from: text) ?? formatter.date(from: text + "T00:00:00Z")
        return date.map { Timestamp(milliseconds: Int64($0.timeIntervalSince1970 * 1000)) }
    }

    /// `45s`, `12m`, `3h`, `9d`: a duration in milliseconds, in its largest whole unit.
    public static func age(_ milliseconds: Int64) -> String {
        let s = max(milliseconds, 0) / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    private func format(fraction: Bool) -> String {
        // Floor division, so times before 1970 come out right too.
        func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            return r < 0 ? (q - 1, r + b) : (q, r)
        }
        let (seconds, millisecond) = floorDivide(milliseconds, 1000)
        let (days, second) = floorDivide(seconds, 86_400)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var value = value
            while divisor > 0 {
                out.append(0x30 + UInt8(value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(0x2D); digits(month, 2); out.append(0x2D); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(second / 3600, 2); out.append(0x3A); digits(second / 60 % 60, 2); out.append(0x3A); digits(second % 60, 2)
        if fraction {
            out.append(0x2E)
            digits(millisecond, 3)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
