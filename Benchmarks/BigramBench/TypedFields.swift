import BigramSearch

// The typed-fields section (`--typed`): generated typed fields for every corpus document, the
// workload of filtered, sorted and faceted queries over them (TypedFieldsQuery.swift,
// TypedFieldsWorkload.swift), the engines that answer it (SQLite FTS5 + a normal table, brute
// force; BigramSearch is added by the library side) and the runner that times and compares them
// (TypedFieldsRun.swift). See Benchmarks/README.md, "Typed fields".

/// The kinds of typed field.
enum TypedFieldKind: String, Hashable, Sendable {
    /// An exact string (compared, sorted and faceted as UTF-8 bytes).
    case keyword
    /// A 64-bit signed integer.
    case int
    /// A 64-bit floating-point number (never NaN here).
    case double
    /// An instant: milliseconds since 1970-01-01T00:00:00Z (UTC), as Int64.
    case date
}

/// A value of a typed field (or a bound of a range over one).
enum TypedValue: Hashable, Sendable, CustomStringConvertible {
    case keyword(String)
    case int(Int64)
    case double(Double)
    /// Milliseconds since the epoch, UTC.
    case date(Int64)

    var kind: TypedFieldKind {
        switch self {
        case .keyword: return .keyword
        case .int: return .int
        case .double: return .double
        case .date: return .date
        }
    }

    /// −1, 0 or 1 as `a` sorts before, with or after `b`; nil when the kinds differ. Keywords
    /// compare by their UTF-8 bytes (SQLite's BINARY collation).
    static func compare(_ a: TypedValue, _ b: TypedValue) -> Int? {
        switch (a, b) {
        case (.keyword(let x), .keyword(let y)):
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.int(let x), .int(let y)), (.date(let x), .date(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        default:
            return nil
        }
    }

    var description: String {
        switch self {
        case .keyword(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .date(let ms): return UTCDate.iso(ms)
        }
    }
}

/// The typed fields of the section and their kinds: what the SQLite table `docs` has as columns
/// and what the library's schema declares.
enum TypedSchema {
    static let fields: [(name: String, kind: TypedFieldKind)] = [
        ("date", .date), ("n", .int), ("score2", .double), ("source", .keyword),
    ]

    static func kind(of field: String) -> TypedFieldKind? {
        fields.first { $0.name == field }?.kind
    }
}

/// The typed fields of one document.
///
/// **The rule** (a function of the id alone, the same on every platform and run, independent of
/// `--seed`): `h` = FNV-1a 64-bit of the id's UTF-8 bytes; a ``SeededRandom`` (SplitMix64)
/// seeded with `h ^ 0x7F1E_1D5E_ED00_0001` then gives, in this order, five draws:
///
/// 1. `date` = 2015-01-01T00:00:00.000Z + `next(below: span)` ms, span = up to
///    2025-12-31T23:59:59.999Z inclusive (1,420,070,400,000 … 1,767,225,599,999);
/// 2. `date` is missing when `next(below: 50) == 0` (about 2% of documents);
/// 3. `n` = `next(below: 10_000)` (0…9999);
/// 4. `n` is missing when `next(below: 20) == 0` (about 5%);
/// 5. `score2` = (`next() >> 11`) × 2⁻⁵³, in [0, 1), always present.
///
/// `source` is the corpus's own `source` key (a keyword; missing when the line has none). A
/// document made by `--scale` (id `<original>#<copy>`) has its original's source and its own
/// generated fields.
struct TypedFields: Hashable, Sendable {
    var date: Int64?
    var n: Int64?
    var score2: Double?
    var source: String?

    static let dateMin: Int64 = 1_420_070_400_000   // 2015-01-01T00:00:00Z
    static let dateMax: Int64 = 1_767_225_599_999   // 2025-12-31T23:59:59.999Z
    static let seed: UInt64 = 0x7F1E_1D5E_ED00_0001

    /// The fields of the document `id` (see the rule above).
    static func generate(id: String, source: String?) -> TypedFields {
        var random = SeededRandom(seed: fnv1a64(id) ^ seed)
        var date: Int64? = dateMin + Int64(random.next(below: Int(dateMax - dateMin + 1)))
        if random.next(below: 50) == 0 { date = nil }
        var n: Int64? = Int64(random.next(below: 10_000))
        if random.next(below: 20) == 0 { n = nil }
        let score2 = Double(random.next() >> 11) * 0x1p-53
        return TypedFields(date: date, n: n, score2: score2, source: source)
    }

    /// FNV-1a, 64 bits, of the UTF-8 bytes of `s`.
    static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The value of `field`, nil when the document has none (or the field is unknown).
    func value(of field: String) -> TypedValue? {
        switch field {
        case "date": return date.map(TypedValue.date)
        case "n": return n.map(TypedValue.int)
        case "score2": return score2.map(TypedValue.double)
        case "source": return source.map(TypedValue.keyword)
        default: return nil
        }
    }
}

/// The documents of the section with their typed fields, in corpus order (document order: the
/// order of the lines, SQLite's rowid − 1).
struct TypedCorpus {
    var documents: [Document]
    var fields: [TypedFields]

    var count: Int { documents.count }

    /// Reads the corpus at `path` with its `source` key, scales it like the main benchmark
    /// (``CorpusScaler``, the same seed) and generates every document's fields.
    static func load(_ path: String, scale: Int, seed: UInt64) throws -> TypedCorpus {
        let withSource = try CorpusReader.load(path, options: .init(textKeys: ["text", "title", "source"]))
        guard !withSource.isEmpty else { throw BenchError("\(path) has no documents") }
        let sources = withSource.map { $0["source"] }
        // The text documents as the main benchmark has them (no `source` field), then scaled:
        // copies follow the originals in order, so copy i is of original i % count.
        let plain = withSource.map { d -> Document in
            var d = d
            d.fields["source"] = nil
            return d
        }
        let documents = CorpusScaler.scale(plain, by: scale, seed: seed)
        let fields = documents.indices.map { i in
            TypedFields.generate(id: documents[i].id, source: sources[i % sources.count])
        }
        return TypedCorpus(documents: documents, fields: fields)
    }
}

/// UTC calendar arithmetic on milliseconds since the epoch (proleptic Gregorian, no Foundation).
enum UTCDate {
    /// Year, month (1…12), day (1…31) of day number `days` since 1970-01-01 (H. Hinnant's
    /// civil_from_days).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a civil date (days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Milliseconds of the start (00:00:00.000Z) of a civil date.
    static func millis(year: Int64, month: Int64, day: Int64 = 1) -> Int64 {
        days(year: year, month: month, day: day) * 86_400_000
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func civil(millis ms: Int64) -> (year: Int64, month: Int64, day: Int64) {
        civil(days: floorDiv(ms, 86_400_000))
    }

    /// "2024" — a year bucket's label.
    static func yearLabel(_ ms: Int64) -> String { pad(civil(millis: ms).year, 4) }

    /// "2024-06" — a month bucket's label.
    static func monthLabel(_ ms: Int64) -> String {
        let c = civil(millis: ms)
        return pad(c.year, 4) + "-" + pad(c.month, 2)
    }

    /// "2024-06-30T12:34:56.789Z".
    static func iso(_ ms: Int64) -> String {
        let c = civil(millis: ms)
        let inDay = ms - floorDiv(ms, 86_400_000) * 86_400_000
        let h = inDay / 3_600_000, m = inDay / 60_000 % 60, s = inDay / 1000 % 60, f = inDay % 1000
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(f, 3))Z"
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
