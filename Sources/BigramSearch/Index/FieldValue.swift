import Foundation

/// What a field holds: analyzed text (searched with words and phrases), or a typed value kept per
/// document in a column, for filters, sorting and facets.
public enum FieldKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Analyzed text: the inverted index (the default).
    case text
    /// Exact strings, not analyzed; a document may have several (`section:体育`).
    case keyword
    /// A 64-bit signed integer.
    case int
    /// A 64-bit floating-point number (not NaN).
    case double
    /// An instant, in milliseconds since 1970-01-01T00:00:00Z (UTC), written in ISO 8601.
    case date

    /// Whether values of this kind are kept in a per-document column (every kind but text).
    public var isTyped: Bool { self != .text }
}

/// A typed value of a document (see ``Document/values``).
public enum FieldValue: Hashable, Sendable {
    /// One exact string of a keyword field.
    case keyword(String)
    /// Several exact strings of a keyword field (duplicates count once; order does not matter).
    case keywords([String])
    /// The value of an int field.
    case int(Int64)
    /// The value of a double field (not NaN; -0.0 is stored as 0.0).
    case double(Double)
    /// The value of a date field, in milliseconds since 1970-01-01T00:00:00Z. ``date(_:)`` makes
    /// one from a `Date`, ``parse(_:as:)`` from ISO 8601 text.
    case date(milliseconds: Int64)

    /// A date value from a `Date` (rounded down to the millisecond).
    public static func date(_ date: Date) -> FieldValue {
        .date(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// The kind of field this value belongs to.
    public var kind: FieldKind {
        switch self {
        case .keyword, .keywords: return .keyword
        case .int: return .int
        case .double: return .double
        case .date: return .date
        }
    }

    /// Reads `text` as a value of a field of `kind` (what the command-line tool does with a JSONL
    /// string): keyword as is, int as a decimal integer, double as a decimal number, date as ISO
    /// 8601 (``DateText``). Nil when `text` is not such a value, or `kind` is text.
    public static func parse(_ text: String, as kind: FieldKind) -> FieldValue? {
        switch kind {
        case .text: return nil
        case .keyword: return .keyword(text)
        case .int: return Int64(text).map { .int($0) }
        case .double:
            guard let d = Double(text), !d.isNaN else { return nil }
            return .double(d)
        case .date: return DateText.parse(text).map { .date(milliseconds: $0.start) }
        }
    }

    /// The value as JSON would carry it: a string for keyword (an array for several) and date
    /// (ISO 8601, UTC, milliseconds when not 0), a number for int and double.
    public var jsonObject: Any {
        switch self {
        case .keyword(let s): return s
        case .keywords(let list): return list
        case .int(let n): return n
        case .double(let d): return d
        case .date(let ms): return DateText.format(ms)
        }
    }
}

extension FieldValue: CustomStringConvertible {
    /// The value as text: keywords joined with `, `, dates in ISO 8601.
    public var description: String {
        switch self {
        case .keyword(let s): return s
        case .keywords(let list): return list.joined(separator: ", ")
        case .int(let n): return String(n)
        case .double(let d): return String(d)
        case .date(let ms): return DateText.format(ms)
        }
    }
}

extension FieldValue: Encodable {
    /// Encodes as ``jsonObject`` does: a string, an array of strings or a number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .keyword(let s): try c.encode(s)
        case .keywords(let list): try c.encode(list)
        case .int(let n): try c.encode(n)
        case .double(let d): try c.encode(d)
        case .date(let ms): try c.encode(DateText.format(ms))
        }
    }
}

/// ISO 8601 dates in UTC, at millisecond precision, without Foundation's formatters (fast, and
/// the same on every platform).
///
/// Accepted: `2024`, `2024-06`, `2024-06-01`, `2024-06-01T12:30`, `2024-06-01T12:30:15`, with
/// `.5`/`.123` fractions of a second (digits past milliseconds are dropped), and a zone `Z`,
/// `+08:00`, `-0500` (none means UTC); `T` may be a space. Years 0000–9999.
public enum DateText {
    /// The instants a date stands for: `start ..< end` in milliseconds since 1970 UTC. A date with
    /// every component stands for its millisecond; `2024-06-01` for that whole day, `2024-06` for
    /// the month, `2024` for the year. (A filter bound uses the interval: `date:<=2024-06-01`
    /// includes the whole day, `date:<2024-06-01` excludes it.)
    public struct Interval: Hashable, Sendable {
        /// The first millisecond.
        public var start: Int64
        /// One past the last millisecond.
        public var end: Int64
    }

    /// The interval `text` stands for, or nil when it is not an accepted ISO 8601 date.
    public static func parse(_ text: String) -> Interval? {
        parse(bytes: Array(text.utf8))
    }

    private static func parse(bytes b: [UInt8]) -> Interval? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func take(_ c: UInt8) -> Bool {
            if i < b.count && b[i] == c { i += 1; return true }
            return false
        }
        guard let year = digits(4) else { return nil }
        var month = 1, day = 1
        var unit: Int64   // the length of the interval, or 0 for a calendar month/year (computed below)
        var calendarUnit = 0   // 1: a year, 2: a month
        var ms: Int64 = 0
        if i == b.count {
            calendarUnit = 1; unit = 0
        } else {
            guard take(0x2D), let m = digits(2), (1...12).contains(m) else { return nil }
            month = m
            if i == b.count {
                calendarUnit = 2; unit = 0
            } else {
                guard take(0x2D), let d = digits(2), d >= 1, d <= daysInMonth(year, month) else { return nil }
                day = d
                unit = 86_400_000
                if i < b.count {
                    guard take(0x54) || take(0x20) || take(0x74), let h = digits(2), h < 24, take(0x3A), let mi = digits(2), mi < 60 else { return nil }
                    ms = Int64(h) * 3_600_000 + Int64(mi) * 60_000
                    unit = 60_000
                    if take(0x3A) {
                        guard let sec = digits(2), sec < 60 else { return nil }
                        ms += Int64(sec) * 1000
                        unit = 1000
                        if take(0x2E) || take(0x2C) {
                            var scale: Int64 = 100, frac: Int64 = 0, n = 0
                            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                                if n < 3 { frac += Int64(b[i] - 0x30) * scale; scale /= 10 }
                                n += 1; i += 1
                            }
                            guard n > 0 else { return nil }
                            ms += frac
                            unit = 1
                        }
                    }
                    // The zone.
                    if take(0x5A) || take(0x7A) {
                    } else if i < b.count, b[i] == 0x2B || b[i] == 0x2D {
                        let sign: Int64 = b[i] == 0x2B ? 1 : -1
                        i += 1
                        guard let zh = digits(2), zh <= 18 else { return nil }
                        _ = take(0x3A)
                        guard let zm = digits(2), zm < 60 else { return nil }
                        ms -= sign * (Int64(zh) * 3_600_000 + Int64(zm) * 60_000)
                    }
                    guard i == b.count else { return nil }
                } else {
                    unit = 86_400_000
                }
            }
        }
        let start = Int64(daysFromCivil(year, month, day)) * 86_400_000 + ms
        switch calendarUnit {
        case 1: return Interval(start: start, end: Int64(daysFromCivil(year + 1, 1, 1)) * 86_400_000)
        case 2:
            let (ny, nm) = month == 12 ? (year + 1, 1) : (year, month + 1)
            return Interval(start: start, end: Int64(daysFromCivil(ny, nm, 1)) * 86_400_000)
        default: return Interval(start: start, end: start + unit)
        }
    }

    /// `milliseconds` as ISO 8601 in UTC: `2024-06-01T12:30:15Z`, with `.123` when the
    /// milliseconds are not 0.
    public static func format(_ milliseconds: Int64) -> String {
        let (days, msOfDay) = floorDivide(milliseconds, 86_400_000)
        let (y, m, d) = civilFromDays(days)
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, f = msOfDay % 1000
        func pad(_ v: Int64, _ n: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, n - t.count)) + t
        }
        let year = y < 0 ? "-" + pad(Int64(-y), 4) : pad(Int64(y), 4)
        var out = "\(year)-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))"
        if f != 0 { out += "." + pad(f, 3) }
        return out + "Z"
    }

    /// The UTC year of `milliseconds`.
    static func year(_ milliseconds: Int64) -> Int { civilFromDays(floorDivide(milliseconds, 86_400_000).quotient).year }

    /// The UTC year and month (1–12) of `milliseconds`.
    static func yearMonth(_ milliseconds: Int64) -> (year: Int, month: Int) {
        let c = civilFromDays(floorDivide(milliseconds, 86_400_000).quotient)
        return (c.year, c.month)
    }

    /// The first millisecond of a UTC year and month, clamped to `Int64.min`/`Int64.max` when
    /// it lies beyond them (the year or month of the extreme dates ends or starts past Int64).
    static func start(year: Int, month: Int = 1) -> Int64 {
        let (ms, overflow) = Int64(daysFromCivil(year, month, 1)).multipliedReportingOverflow(by: 86_400_000)
        return overflow ? (year < 1970 ? Int64.min : Int64.max) : ms
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day since 1970-01-01 (`civil_from_days`).
    static func civilFromDays(_ z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = Int(z0) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
