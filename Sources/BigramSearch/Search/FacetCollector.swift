/// Counts the whole match set for one ``FacetRequest``: keyword values per segment ordinal (then
/// merged by value), years and months of a date field, or explicit ranges of a numeric field.
struct FacetCollector: Collector {
    private enum Plan {
        /// Per segment: counts per ordinal.
        case values(top: Int)
        case calendar(months: Bool)
        /// Closed ranges of the column's representation (nil: matches nothing).
        case ranges([ClosedRange<Int64>?])
    }

    let request: FacetRequest
    private let field: Int
    private let plan: Plan
    private let segments: [Segment]
    private var ordinalCounts: [[Int]]
    /// Calendar buckets: year × 12 + (month − 1) (months), or the year (years) → count.
    private var calendarCounts: [Int: Int] = [:]
    private var rangeCounts: [Int]

    /// - Throws: ``SearchError/invalidFacet(_:)`` for an unknown field, a text field, or a
    ///   grouping the field's kind does not have (values of a keyword field; years and months
    ///   of a date field; ranges of an int, double or date field, with bounds of that kind).
    init(_ request: FacetRequest, schema: Schema, segments: [Segment]) throws(SearchError) {
        self.request = request
        self.segments = segments
        guard let f = schema.index(of: request.field) else { throw .invalidFacet("unknown field \"\(request.field)\"") }
        field = f
        let kind = schema.fields[f].kind
        ordinalCounts = []
        rangeCounts = []
        switch request.grouping {
        case .values(let top):
            guard kind == .keyword else { throw .invalidFacet("\"\(request.field)\" is a \(kind) field; values are counted for keyword fields") }
            guard top >= 0 else { throw .invalidFacet("top must not be negative") }
            plan = .values(top: top)
            ordinalCounts = segments.map { s in [Int](repeating: 0, count: (f < s.columns.count ? s.columns[f]?.keyword?.valueCount : nil) ?? 0) }
        case .years, .months:
            guard kind == .date else { throw .invalidFacet("\"\(request.field)\" is a \(kind) field; years and months are counted for date fields") }
            if case .months = request.grouping { plan = .calendar(months: true) } else { plan = .calendar(months: false) }
        case .ranges(let ranges):
            guard kind == .int || kind == .double || kind == .date else {
                throw .invalidFacet("\"\(request.field)\" is a \(kind) field; ranges are counted for int, double and date fields")
            }
            var closed: [ClosedRange<Int64>?] = []
            for r in ranges {
                let lower = try r.lower.map { v throws(SearchError) in try v.columnValue(kind: kind, field: request.field, error: SearchError.invalidFacet) }
                let upper = try r.upper.map { v throws(SearchError) in try v.columnValue(kind: kind, field: request.field, error: SearchError.invalidFacet) }
                // lower ..< upper in the column's order.
                let lo = lower ?? Int64.min
                if let upper {
                    closed.append(upper > lo ? lo...(upper - 1) : nil)
                } else {
                    closed.append(lo...Int64.max)
                }
            }
            plan = .ranges(closed)
            rangeCounts = [Int](repeating: 0, count: ranges.count)
        }
    }

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        let seg = segments[segment]
        guard field < seg.columns.count, let column = seg.columns[field] else { return }
        switch (plan, column) {
        case (.values, .keyword(let c)):
            c.countOrdinals(of: docs, into: &ordinalCounts[segment])
        case (.calendar(let months), .numeric(let c)):
            countCalendar(docs, c, months: months)
        case (.ranges(let ranges), .numeric(let c)):
            for d in docs {
                guard let v = c.value(Int(d)) else { continue }
                for (i, r) in ranges.enumerated() where r?.contains(v) == true { rangeCounts[i] += 1 }
            }
        default:
            return
        }
    }

    /// Adds the years or months of `docs`' values. A table maps each day between the column's
    /// smallest and largest value to its bucket (built from the calendar once per segment, a
    /// computation per month), so a document costs one division and two array reads; a column
    /// spanning more than ~11,000 years falls back to a calendar computation per document.
    private mutating func countCalendar(_ docs: [UInt32], _ c: NumericColumn, months: Bool) {
        let day: Int64 = 86_400_000
        func floorDay(_ ms: Int64) -> Int64 { ms % day < 0 ? ms / day - 1 : ms / day }
        let firstDay = floorDay(c.minimum), lastDay = floorDay(c.maximum)
        func key(_ ms: Int64) -> Int {
            let (y, m) = DateText.yearMonth(ms)
            return months ? y * 12 + (m - 1) : y
        }
        // (Columns reaching the ends of Int64, or spanning more than 2^22 days, go value by value.)
        guard c.presentCount > 0, firstDay > Int64.min / day + 1, lastDay < Int64.max / day - 1, lastDay - firstDay < 1 << 22 else {
            for d in docs { if let v = c.value(Int(d)) { calendarCounts[key(v), default: 0] += 1 } }
            return
        }
        // Buckets of the column's range, and each day's bucket.
        var keys: [Int] = []
        var table = [UInt32](repeating: 0, count: Int(lastDay - firstDay) + 1)
        var dayIndex = firstDay
        while dayIndex <= lastDay {
            let k = key(dayIndex * day)
            let (y, m) = DateText.yearMonth(dayIndex * day)
            let next: Int64 = months ? (m == 12 ? DateText.start(year: y + 1) : DateText.start(year: y, month: m + 1)) / day
                                     : DateText.start(year: y + 1) / day
            let b = UInt32(keys.count)
            keys.append(k)
            let end = max(dayIndex + 1, min(next, lastDay + 1))
            for i in Int(dayIndex - firstDay)..<Int(end - firstDay) { table[i] = b }
            dayIndex = end
        }
        var counts = [Int](repeating: 0, count: keys.count)
        for d in docs {
            guard let v = c.value(Int(d)) else { continue }
            counts[Int(table[Int(floorDay(v) - firstDay)])] += 1
        }
        for (b, n) in counts.enumerated() where n > 0 { calendarCounts[keys[b], default: 0] += n }
    }

    /// The counts, in the facet's order.
    func result() -> FacetResult {
        switch plan {
        case .values(let top):
            // Keyed by the values' bytes, not by String: String equality is canonical
            // equivalence, which would merge "é" and "e\u{301}", two values of the column.
            var byValue: [[UInt8]: Int] = [:]
            for (s, counts) in ordinalCounts.enumerated() {
                guard let c = segments[s].columns[field]?.keyword else { continue }
                for (o, n) in counts.enumerated() where n > 0 { byValue[c.valueBytes(o), default: 0] += n }
            }
            let sorted = byValue.sorted { a, b in
                a.value > b.value || (a.value == b.value && a.key.lexicographicallyPrecedes(b.key))
            }
            return FacetResult(buckets: sorted.prefix(top).map { FacetResult.Bucket(label: String(decoding: $0.key, as: UTF8.self), count: $0.value) },
                               distinctValues: byValue.count)
        case .calendar(let months):
            let buckets = calendarCounts.sorted { $0.key < $1.key }.map { k, n in
                let label: String
                if months {
                    let y = k >= 0 ? k / 12 : (k - 11) / 12, m = k - y * 12 + 1
                    label = Self.pad(y, 4) + "-" + Self.pad(m, 2)
                } else {
                    label = Self.pad(k, 4)
                }
                return FacetResult.Bucket(label: label, count: n)
            }
            return FacetResult(buckets: buckets, distinctValues: buckets.count)
        case .ranges:
            guard case .ranges(let requested) = request.grouping else { return FacetResult(buckets: [], distinctValues: 0) }
            return FacetResult(buckets: zip(requested, rangeCounts).map { FacetResult.Bucket(label: $0.label, count: $1) },
                               distinctValues: rangeCounts.filter { $0 > 0 }.count)
        }
    }

    private static func pad(_ v: Int, _ n: Int) -> String {
        let t = String(abs(v))
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, n - t.count)) + t
    }
}
