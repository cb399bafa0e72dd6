/// Draws the typed workload with a fixed seed: the same texts, corpus and seed give the same
/// queries.
///
/// Texts come from the run's query set (e.g. `queries-open.jsonl`), only those whose FTS5
/// trigram match set equals their exact (`expected`) set, so that SQLite can answer every
/// query exactly (chosen by ``TypedFieldsSection``); two in three are drawn from those with 20+
/// matches, the others from all (about one in ten of those without matches). Per class (`perClass` queries each, except
/// `facets-all`):
///
/// - `filtered-set`: a text and 1–2 conditions on distinct fields; the whole match set;
/// - `filtered-sorted-top10`: a text, 1–2 conditions, a sort, limit 10 at offset 0, 10 or 20;
/// - `sorted-top10` / `plain-top10`: the same text for both, query for query: top 10 by a sort /
///   by score, no filter (their ratio is the cost of sorting by a field);
/// - `filtered-score-top10`: a text, 1–2 conditions, top 10 by score;
/// - `facets`: a text, half with conditions, 1–3 facets; no page, or a page of 10 (by date or
///   by score);
/// - `filter-only`: no text, 0–2 conditions, a sort or document order, a page of 10 or the whole
///   set, some with facets;
/// - `facets-all`: no text and no filter, no page: each facet alone, then all of them.
///
/// Conditions: `source = s` (s drawn from a random document, so frequent sources more often);
/// date ranges (whole years [Y, Y′), a span of months with both bounds inclusive, open below or
/// above, exclusive or inclusive bounds at two documents' own dates); `n` ranges (inclusive,
/// exclusive at documents' values, open, a single value [v, v], half-open); `score2` ranges.
/// Sorts: date↓; n↑; date↓ then n↑; source↑; score2↓; n↓. Facets: source top 10, date by year,
/// date by month, n in [0,1000) [1000,5000) [5000,*), score2 in [0,0.5) [0.5,*).
struct TypedWorkload {
    var perClass: Int
    var seed: UInt64

    /// Texts with at least this many matches are drawn more often (see ``generate(texts:corpus:)``).
    static let largeMatches = 20

    static let sorts: [[TypedSortKey]] = [
        [TypedSortKey(field: "date", descending: true)],
        [TypedSortKey(field: "n", descending: false)],
        [TypedSortKey(field: "date", descending: true), TypedSortKey(field: "n", descending: false)],
        [TypedSortKey(field: "source", descending: false)],
        [TypedSortKey(field: "score2", descending: true)],
        [TypedSortKey(field: "n", descending: true)],
    ]

    static let facets: [TypedFacet] = [
        .values(field: "source", top: 10),
        .dateBuckets(field: "date", unit: .year),
        .dateBuckets(field: "date", unit: .month),
        .ranges(field: "n", buckets: [
            TypedRangeBucket(label: "[0,1000)", lower: .int(0), upper: .int(1000)),
            TypedRangeBucket(label: "[1000,5000)", lower: .int(1000), upper: .int(5000)),
            TypedRangeBucket(label: "[5000,*)", lower: .int(5000), upper: nil),
        ]),
        .ranges(field: "score2", buckets: [
            TypedRangeBucket(label: "[0,0.5)", lower: .double(0), upper: .double(0.5)),
            TypedRangeBucket(label: "[0.5,*)", lower: .double(0.5), upper: nil),
        ]),
    ]

    /// The workload over `corpus`, with `texts` (each with its match count) for the text classes;
    /// without texts, only `filter-only` and `facets-all`.
    func generate(texts: [(text: String, matches: Int)], corpus: TypedCorpus) -> [TypedQuery] {
        var r = SeededRandom(seed: seed ^ 0x7E_D0F1_E1D5)
        // The text pool: every text with matches, and a few without (about 1 in 10), shuffled.
        // Most texts FTS5 can answer match a handful of documents, where filters leave nothing
        // to sort or count; so two draws in three come from the texts with at least
        // `largeMatches` matches (when there are any), each pool drawn in turn.
        var withMatches = texts.filter { $0.matches > 0 }.map(\.text)
        var without = texts.filter { $0.matches == 0 }.map(\.text)
        shuffle(&withMatches, &r)
        shuffle(&without, &r)
        var pool = withMatches + without.prefix(max(1, withMatches.count / 10))
        shuffle(&pool, &r)
        var large = texts.filter { $0.matches >= Self.largeMatches }.map(\.text)
        shuffle(&large, &r)
        if large.isEmpty { large = pool }
        var next = 0, nextLarge = 0
        func text() -> String {
            if r.next(below: 3) < 2 {
                defer { nextLarge += 1 }
                return large[nextLarge % large.count]
            }
            defer { next += 1 }
            return pool[next % pool.count]
        }

        // Every field's values, in document order (a random one is a random document's).
        var values: [String: [TypedValue]] = [:]
        for (field, _) in TypedSchema.fields {
            let v = corpus.fields.compactMap { $0.value(of: field) }
            if !v.isEmpty { values[field] = v }
        }
        func conditions(_ r: inout SeededRandom, count: Int) -> [TypedCondition] {
            self.conditions(&r, values, count: count)
        }

        var out: [TypedQuery] = []
        if !pool.isEmpty {
            for _ in 0..<perClass {
                out.append(TypedQuery(text: text(), filters: conditions(&r, count: 1 + r.next(below: 2)),
                                      limit: nil, queryClass: .filteredSet))
            }
            for _ in 0..<perClass {
                let offset = [0, 0, 0, 0, 0, 0, 0, 10, 10, 20][r.next(below: 10)]
                out.append(TypedQuery(text: text(), filters: conditions(&r, count: 1 + r.next(below: 2)),
                                      sort: r.element(of: Self.sorts)!, limit: 10, offset: offset,
                                      queryClass: .filteredSortedTop10))
            }
            for _ in 0..<perClass {
                let t = text()
                out.append(TypedQuery(text: t, sort: r.element(of: Self.sorts)!, limit: 10, queryClass: .sortedTop10))
                out.append(TypedQuery(text: t, limit: 10, queryClass: .plainTop10))
            }
            for _ in 0..<perClass {
                out.append(TypedQuery(text: text(), filters: conditions(&r, count: 1 + r.next(below: 2)),
                                      limit: 10, queryClass: .filteredScoreTop10))
            }
            for _ in 0..<perClass {
                var q = TypedQuery(text: text(), facets: facetChoice(&r), queryClass: .facets)
                if r.next(below: 2) == 0 { q.filters = conditions(&r, count: 1) }
                switch r.next(below: 4) {
                case 0, 1: q.limit = 0
                case 2: q.sort = [TypedSortKey(field: "date", descending: true)]
                default: break  // top 10 by score
                }
                out.append(q)
            }
        }
        for _ in 0..<perClass {
            let count = [0, 1, 1, 1, 2, 2, 2][r.next(below: 7)]
            var q = TypedQuery(text: nil, filters: conditions(&r, count: count), queryClass: .filterOnly)
            if r.next(below: 4) != 0 { q.sort = r.element(of: Self.sorts)! }
            if r.next(below: 10) < 3 {
                q.limit = nil
            } else if r.next(below: 5) == 0 {
                q.offset = 10
            }
            if r.next(below: 10) < 3 { q.facets = facetChoice(&r) }
            out.append(q)
        }
        for facet in Self.facets {
            out.append(TypedQuery(text: nil, facets: [facet], limit: 0, queryClass: .facetsAll))
        }
        out.append(TypedQuery(text: nil, facets: Self.facets, limit: 0, queryClass: .facetsAll))
        return out
    }

    /// 1–3 distinct facets, in the order of ``facets``.
    private func facetChoice(_ r: inout SeededRandom) -> [TypedFacet] {
        let count = 1 + r.next(below: 3)
        var chosen = Set<Int>()
        while chosen.count < count { chosen.insert(r.next(below: Self.facets.count)) }
        return chosen.sorted().map { Self.facets[$0] }
    }

    /// `count` conditions on distinct fields (fields without any value are never chosen).
    private func conditions(_ r: inout SeededRandom, _ values: [String: [TypedValue]], count: Int) -> [TypedCondition] {
        // source 3, date 3, n 3, score2 1 in 10.
        let weighted = ["source", "source", "source", "date", "date", "date", "n", "n", "n", "score2"]
            .filter { values[$0] != nil }
        var fields: [String] = []
        while fields.count < min(count, Set(weighted).count) {
            let field = weighted[r.next(below: weighted.count)]
            if !fields.contains(field) { fields.append(field) }
        }
        return fields.map { condition(on: $0, &r, values[$0]!) }
    }

    /// A condition on `field`, whose values (of some documents, any order) are `values`.
    private func condition(on field: String, _ r: inout SeededRandom, _ values: [TypedValue]) -> TypedCondition {
        /// The field's value in a random document that has one.
        func someValue() -> TypedValue { values[r.next(below: values.count)] }
        func twoValues() -> (TypedValue, TypedValue) {
            let a = someValue(), b = someValue()
            return (TypedValue.compare(a, b) ?? 0) <= 0 ? (a, b) : (b, a)
        }
        func range(_ lo: TypedValue?, _ hi: TypedValue?, _ li: Bool, _ ui: Bool) -> TypedCondition {
            .range(field: field, lower: lo, upper: hi, lowerInclusive: li, upperInclusive: ui)
        }
        switch field {
        case "source":
            guard case .keyword(let s) = someValue() else { fatalError("source is a keyword") }
            return .equals(field: field, value: s)
        case "date":
            switch r.next(below: 6) {
            case 0:
                let y = Int64(r.next(in: 2015...2024))
                let y2 = min(2026, y + Int64(r.next(in: 1...4)))
                return range(.date(UTCDate.millis(year: y, month: 1)), .date(UTCDate.millis(year: y2, month: 1)), true, false)
            case 1:
                let y = Int64(r.next(in: 2015...2025)), m = Int64(r.next(in: 1...12))
                let months = Int64(r.next(in: 1...6))
                let endMonth = m + months  // the month after the span, maybe in the next year
                let end = UTCDate.millis(year: y + (endMonth - 1) / 12, month: (endMonth - 1) % 12 + 1) - 1
                return range(.date(UTCDate.millis(year: y, month: m)), .date(end), true, true)
            case 2:
                return range(nil, .date(UTCDate.millis(year: Int64(r.next(in: 2016...2025)), month: 1)), false, false)
            case 3:
                return range(.date(UTCDate.millis(year: Int64(r.next(in: 2015...2025)), month: Int64(r.next(in: 1...12)))), nil, true, false)
            case 4:
                let (a, b) = twoValues()
                return range(a, b, false, false)
            default:
                let (a, b) = twoValues()
                return range(a, b, true, true)
            }
        case "n":
            switch r.next(below: 6) {
            case 0:
                let a = Int64(r.next(below: 10_000)), b = Int64(r.next(below: 10_000))
                return range(.int(min(a, b)), .int(max(a, b)), true, true)
            case 1:
                let (a, b) = twoValues()
                return range(a, b, false, false)
            case 2:
                return range(nil, someValue(), false, true)
            case 3:
                return range(someValue(), nil, false, false)
            case 4:
                let v = someValue()
                return range(v, v, true, true)
            default:
                let a = Int64(r.next(below: 9_000))
                return range(.int(a), .int(a + Int64(r.next(in: 100...5_000))), true, false)
            }
        default:  // score2
            if r.next(below: 2) == 0 {
                let (a, b) = twoValues()
                return range(a, b, true, false)
            }
            return range(someValue(), nil, false, false)
        }
    }

    private func shuffle<T>(_ a: inout [T], _ r: inout SeededRandom) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, r.next(below: i + 1)) }
    }
}
