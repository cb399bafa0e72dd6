import Foundation
import BigramSearch

// A brute-force reference for typed fields (TypedFieldOracleTests): which documents a filter
// passes, the order of a field sort and the counts of a facet, computed directly from the
// documents' values as they were given (no column, no ordinal, no sortable bits, no code of the
// library). Only the text clauses of a query are taken from the library (its match set of each
// phrase alone); the boolean structure around them is evaluated here.
//
// The semantics implemented are the documented ones (FieldFilter, SortField, FacetRequest,
// SearchOptions): keyword values are bytes (two normalizations are two values); -0.0 is 0.0;
// documents without a value match no filter and sort last in either direction; a keyword field
// with several values sorts by its smallest ascending, its largest descending; ties in document
// order (segment order, documents ascending within a segment: the order in which the live
// documents were last added); facets count the whole match set (keyword values by count then
// bytes; UTC years and months in calendar order; ranges lower ..< upper in the order given).

/// A generated document with the values of the reference schema's fields, as given to the writer.
struct TypedDoc: Sendable {
    var id: String
    var text: String
    /// The keyword values as given (nil: no value; `[]`: given as `.keywords([])`).
    var section: [String]?
    /// Whether `section` was given as `.keywords` (else as one `.keyword`).
    var sectionAsList: Bool = false
    var count: Int64?
    var ratio: Double?
    var published: Int64?

    /// The document as the library is given it.
    var document: Document {
        var values: [String: FieldValue] = [:]
        if let section {
            values[TypedFieldReference.section] = sectionAsList || section.count != 1 ? .keywords(section) : .keyword(section[0])
        }
        if let count { values[TypedFieldReference.count] = .int(count) }
        if let ratio { values[TypedFieldReference.ratio] = .double(ratio) }
        if let published { values[TypedFieldReference.published] = .date(milliseconds: published) }
        return Document(id: id, fields: [TypedFieldReference.body: text], values: values)
    }

    /// The distinct keyword values as UTF-8, in byte order (empty: none).
    var sectionBytes: [[UInt8]] {
        var seen = Set<[UInt8]>()
        return (section ?? []).map { Array($0.utf8) }.filter { seen.insert($0).inserted }.sorted(by: bytesPrecede)
    }
}

/// Byte order of UTF-8 strings.
func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

/// The live documents of an index as the reference sees them: added and deleted in the same
/// sequence as the index was.
struct TypedFieldReference {
    static let body = "body"
    static let section = "section"
    static let count = "count"
    static let ratio = "ratio"
    static let published = "published"
    static let typedFields = [section, count, ratio, published]

    /// `count` is not stored (its values still come back from `Hit.value`).
    static let schema = Schema([.init(body), .init(section, kind: .keyword), .init(count, kind: .int, stored: false),
                                .init(ratio, kind: .double), .init(published, kind: .date)])

    private var live: [String: (doc: TypedDoc, sequence: Int)] = [:]
    private var sequence = 0

    mutating func add(_ doc: TypedDoc) {
        live[doc.id] = (doc, sequence)   // a re-added id moves to the end
        sequence += 1
    }

    mutating func delete(_ id: String) { live[id] = nil }

    /// The live documents in document order, frozen for queries.
    func frozen() -> FrozenReference { FrozenReference(live.values.sorted { $0.sequence < $1.sequence }.map(\.doc)) }
}

/// The reference's live documents in document order, with what every query reads precomputed.
struct FrozenReference {
    let docs: [TypedDoc]
    let position: [String: Int]
    /// Each document's distinct keyword values, in byte order.
    let sectionBytes: [[[UInt8]]]
    /// Each document's UTC year and month (from Foundation's Gregorian calendar).
    let yearMonth: [(year: Int, month: Int)?]

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    init(_ docs: [TypedDoc]) {
        self.docs = docs
        position = Dictionary(uniqueKeysWithValues: docs.enumerated().map { ($1.id, $0) })
        sectionBytes = docs.map(\.sectionBytes)
        yearMonth = docs.map { d in
            d.published.map { ms in
                let c = Self.utc.dateComponents([.year, .month], from: Date(timeIntervalSince1970: Double(ms) / 1000))
                return (c.year!, c.month!)
            }
        }
    }

    var count: Int { docs.count }

    // MARK: Matching

    /// The documents matching `query` (by position), `text` giving the library's match set of
    /// a text clause (a phrase) as positions.
    func matches(_ query: Query, text: (Query) throws -> [Bool]) rethrows -> [Bool] {
        switch query {
        case .phrase:
            return try text(query)
        case .filter(let f):
            return docs.indices.map { passes(f, $0) }
        case .all(let qs):
            guard !qs.isEmpty else { return Array(repeating: false, count: count) }
            var out = Array(repeating: true, count: count)
            for q in qs {
                let m = try matches(q, text: text)
                for i in out.indices { out[i] = out[i] && m[i] }
            }
            return out
        case .any(let qs):
            var out = Array(repeating: false, count: count)
            for q in qs {
                let m = try matches(q, text: text)
                for i in out.indices { out[i] = out[i] || m[i] }
            }
            return out
        case .not(let q):
            return try matches(q, text: text).map { !$0 }
        }
    }

    /// Whether document `i` passes `filter`.
    func passes(_ filter: FieldFilter, _ i: Int) -> Bool {
        let d = docs[i]
        switch filter {
        case .keyword(let v, let field):
            switch field {
            case TypedFieldReference.section:
                return sectionBytes[i].contains(Array(v.utf8))
            case TypedFieldReference.count:
                guard let n = d.count, let want = Int64(v) else { return false }
                return n == want
            case TypedFieldReference.ratio:
                guard let x = d.ratio, let want = Double(v), !want.isNaN else { return false }
                return x == want
            case TypedFieldReference.published:
                guard let ms = d.published, let interval = Self.interval(v) else { return false }
                return interval.contains(ms)
            default:
                return false
            }
        case .range(let field, let lower, let upper):
            switch field {
            case TypedFieldReference.section:
                func key(_ b: RangeBound) -> [UInt8] {
                    guard case .keyword(let s) = b.value else { fatalError("keyword bounds only") }
                    return Array(s.utf8)
                }
                return sectionBytes[i].contains { v in
                    if let lower {
                        let k = key(lower)
                        if lower.inclusive ? bytesPrecede(v, k) : !bytesPrecede(k, v) { return false }
                    }
                    if let upper {
                        let k = key(upper)
                        if upper.inclusive ? bytesPrecede(k, v) : !bytesPrecede(v, k) { return false }
                    }
                    return true
                }
            case TypedFieldReference.ratio:
                guard let x = d.ratio else { return false }
                return Self.within(x, lower.map { (Self.double($0.value), $0.inclusive) }, upper.map { (Self.double($0.value), $0.inclusive) })
            default:
                guard let v = field == TypedFieldReference.count ? d.count : d.published else { return false }
                return Self.within(v, lower.map { (Self.integer($0.value), $0.inclusive) }, upper.map { (Self.integer($0.value), $0.inclusive) })
            }
        }
    }

    private static func within<T: Comparable>(_ v: T, _ lower: (T, Bool)?, _ upper: (T, Bool)?) -> Bool {
        if let l = lower, l.1 ? v < l.0 : v <= l.0 { return false }
        if let u = upper, u.1 ? v > u.0 : v >= u.0 { return false }
        return true
    }

    /// A bound of a double field: a double, or an int.
    static func double(_ v: FieldValue) -> Double {
        switch v {
        case .double(let x): return x
        case .int(let n): return Double(n)
        default: fatalError("not a double bound: \(v)")
        }
    }

    /// A bound of an int or date field.
    static func integer(_ v: FieldValue) -> Int64 {
        switch v {
        case .int(let n), .date(let n): return n
        default: fatalError("not an integer bound: \(v)")
        }
    }

    /// The milliseconds `2024`, `2024-06` or `2024-06-01` stands for (UTC), by the Gregorian
    /// calendar of Foundation; nil for other text.
    static func interval(_ text: String) -> Range<Int64>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts.count > 1 ? parts[1] : 1; c.day = parts.count > 2 ? parts[2] : 1
        guard let start = utc.date(from: c) else { return nil }
        let unit: Calendar.Component = parts.count == 1 ? .year : parts.count == 2 ? .month : .day
        guard let end = utc.date(byAdding: unit, value: 1, to: start) else { return nil }
        return milliseconds(start)..<milliseconds(end)
    }

    static func milliseconds(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

    // MARK: Sorting

    /// The positions `matched` in the order of `sort` (ties in document order).
    func sorted(_ matched: [Int], by sort: [SortField]) -> [Int] {
        matched.sorted { a, b in
            for key in sort {
                let c = compare(a, b, key)
                if c != 0 { return c < 0 }
            }
            return a < b
        }
    }

    /// -1 when document `a` comes before `b` on `key`, 1 after, 0 for a tie.
    private func compare(_ a: Int, _ b: Int, _ key: SortField) -> Int {
        func order<T: Comparable>(_ x: T?, _ y: T?) -> Int {
            switch (x, y) {
            case (nil, nil): return 0
            case (nil, _): return 1    // missing last, in either direction
            case (_, nil): return -1
            case let (x?, y?):
                let c = x < y ? -1 : (x == y ? 0 : 1)
                return key.descending ? -c : c
            }
        }
        switch key.field {
        case TypedFieldReference.section:
            func pick(_ i: Int) -> BytesKey? {
                let v = sectionBytes[i]
                return (key.descending ? v.last : v.first).map(BytesKey.init)
            }
            return order(pick(a), pick(b))
        case TypedFieldReference.count: return order(docs[a].count, docs[b].count)
        case TypedFieldReference.ratio: return order(docs[a].ratio, docs[b].ratio)   // (-0.0 == 0.0)
        case TypedFieldReference.published: return order(docs[a].published, docs[b].published)
        default: fatalError("no such sort field \(key.field)")
        }
    }

    struct BytesKey: Comparable {
        var bytes: [UInt8]
        static func < (a: BytesKey, b: BytesKey) -> Bool { bytesPrecede(a.bytes, b.bytes) }
    }

    // MARK: Facets

    /// A facet's buckets as labels' UTF-8 and counts, and the number of distinct values.
    struct Facet: Equatable, CustomStringConvertible {
        var buckets: [(label: [UInt8], count: Int)]
        var distinct: Int

        static func == (a: Facet, b: Facet) -> Bool {
            a.distinct == b.distinct && a.buckets.count == b.buckets.count
                && zip(a.buckets, b.buckets).allSatisfy { $0.label == $1.label && $0.count == $1.count }
        }

        var description: String {
            "\(buckets.map { "\(String(decoding: $0.label, as: UTF8.self)):\($0.count)" }) (\(distinct) distinct)"
        }
    }

    /// The library's result in the same form.
    static func facet(_ r: FacetResult) -> Facet {
        Facet(buckets: r.buckets.map { (Array($0.label.utf8), $0.count) }, distinct: r.distinctValues)
    }

    /// The counts of `request` over the documents `matched`.
    func facet(_ request: FacetRequest, _ matched: [Int]) -> Facet {
        switch request.grouping {
        case .values(let top):
            var counts: [[UInt8]: Int] = [:]
            for i in matched { for v in sectionBytes[i] { counts[v, default: 0] += 1 } }
            let sorted = counts.sorted { $0.value > $1.value || ($0.value == $1.value && bytesPrecede($0.key, $1.key)) }
            return Facet(buckets: sorted.prefix(top).map { ($0.key, $0.value) }, distinct: counts.count)
        case .years, .months:
            let months = request.grouping == .months
            var counts: [Int: Int] = [:]
            for i in matched {
                guard let (y, m) = yearMonth[i] else { continue }
                counts[months ? y * 100 + m : y, default: 0] += 1
            }
            func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
            let buckets = counts.sorted { $0.key < $1.key }.map { k, n in
                (Array((months ? pad(k / 100, 4) + "-" + pad(k % 100, 2) : pad(k, 4)).utf8), n)
            }
            return Facet(buckets: buckets, distinct: buckets.count)
        case .ranges(let ranges):
            var counts = [Int](repeating: 0, count: ranges.count)
            for i in matched {
                let d = docs[i]
                for (k, r) in ranges.enumerated() {
                    let inside: Bool
                    switch request.field {
                    case TypedFieldReference.ratio:
                        guard let x = d.ratio else { continue }
                        inside = Self.within(x, r.lower.map { (Self.double($0), true) }, r.upper.map { (Self.double($0), false) })
                    default:
                        guard let v = request.field == TypedFieldReference.count ? d.count : d.published else { continue }
                        inside = Self.within(v, r.lower.map { (Self.integer($0), true) }, r.upper.map { (Self.integer($0), false) })
                    }
                    if inside { counts[k] += 1 }
                }
            }
            return Facet(buckets: zip(ranges, counts).map { (Array($0.label.utf8), $1) }, distinct: counts.filter { $0 > 0 }.count)
        }
    }

    // MARK: Values

    /// Whether `value` (from `Hit.value`) is document `i`'s value of `field`: keywords distinct
    /// in byte order (one as `.keyword`), doubles bit for bit with -0.0 as 0.0.
    func isValue(_ value: FieldValue?, of field: String, _ i: Int) -> Bool {
        let d = docs[i]
        switch field {
        case TypedFieldReference.section:
            let want = sectionBytes[i]
            switch value {
            case nil: return want.isEmpty
            case .keyword(let s)?: return want == [Array(s.utf8)]
            case .keywords(let list)?: return want.count > 1 && list.map { Array($0.utf8) } == want
            default: return false
            }
        case TypedFieldReference.count:
            if case .int(let n)? = value { return d.count == n }
            return value == nil && d.count == nil
        case TypedFieldReference.ratio:
            if case .double(let x)? = value, let want = d.ratio { return x.bitPattern == (want == 0 ? 0.0 : want).bitPattern }
            return value == nil && d.ratio == nil
        case TypedFieldReference.published:
            if case .date(let ms)? = value { return d.published == ms }
            return value == nil && d.published == nil
        default:
            return false
        }
    }
}
