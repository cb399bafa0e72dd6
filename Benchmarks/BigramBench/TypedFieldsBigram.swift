import BigramSearch

/// The BigramSearch engine of the `--typed` section: the corpus indexed in memory with the
/// generated fields as typed fields (`date` date, `n` int, `score2` double, `source` keyword),
/// each TypedQuery answered through the public API (`Query.filter`, `SearchOptions.sort`,
/// `.facets`), one thread.
struct BigramTypedEngine: TypedEngine {
    let name = "BigramSearch"
    let snapshot: IndexSnapshot
    let parser: QueryParser

    static let schema = Schema(Schema.corpus.fields + [
        .init("date", kind: .date), .init("n", kind: .int), .init("score2", kind: .double), .init("source", kind: .keyword),
    ])

    init(corpus: TypedCorpus) throws {
        let writer = try IndexWriter(schema: Self.schema)
        for (d, f) in zip(corpus.documents, corpus.fields) {
            var doc = d
            if let v = f.date { doc.values["date"] = .date(milliseconds: v) }
            if let v = f.n { doc.values["n"] = .int(v) }
            if let v = f.score2 { doc.values["score2"] = .double(v) }
            if let v = f.source { doc.values["source"] = .keyword(v) }
            try writer.add(doc)
        }
        snapshot = writer.snapshot()
        parser = snapshot.queryParser
    }

    private static func value(_ v: TypedValue) -> FieldValue {
        switch v {
        case .keyword(let s): return .keyword(s)
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .date(let ms): return .date(milliseconds: ms)
        }
    }

    func answer(_ q: TypedQuery) throws -> TypedAnswer {
        var clauses: [Query] = []
        if let text = q.text { clauses.append(try parser.parse(text)) }
        for c in q.filters {
            switch c {
            case .equals(let f, let v): clauses.append(.filter(.keyword(v, field: f)))
            case .range(let f, let lo, let hi, let li, let ui):
                clauses.append(.filter(.range(field: f, lower: lo.map { RangeBound(Self.value($0), inclusive: li) },
                                              upper: hi.map { RangeBound(Self.value($0), inclusive: ui) })))
            }
        }
        if clauses.isEmpty {
            // Every document: those with an `n` and those without (the query syntax has no
            // "match all"; an empty query matches nothing).
            let any = Query.filter(.range(field: "n", lower: nil, upper: nil))
            clauses.append(.any([any, .not(any)]))
        }
        let query = clauses.count == 1 ? clauses[0] : .all(clauses)
        let facets = q.facets.map { f -> FacetRequest in
            switch f {
            case .values(let field, let top): return .values(field, top: top)
            case .dateBuckets(let field, let unit): return FacetRequest(field, unit == .year ? .years : .months)
            case .ranges(let field, let buckets):
                return FacetRequest(field, .ranges(buckets.map { FacetRange($0.lower.map(Self.value), $0.upper.map(Self.value), label: $0.label) }))
            }
        }
        let sort = q.sort.map { SortField($0.field, descending: $0.descending) }
        var answer = TypedAnswer(total: 0, ids: [])
        if q.limit == 0 {
            // No page: the total and the facets from one evaluation (no ids read).
            let r = try snapshot.search(query, options: SearchOptions(limit: 0, facets: facets))
            answer.total = r.totalCount
            answer.facets = Self.facets(r, q.facets)
            return answer
        }
        if sort.isEmpty && !q.ordersByScore {
            // Document order: the unranked match set (and the facets, if any, from a search of no hits).
            let ids = try snapshot.matchingIDs(query)
            answer.total = ids.count
            let end = q.limit.map { min(ids.count, q.offset + $0) } ?? ids.count
            answer.ids = q.offset < end ? Array(ids[q.offset..<end]) : []
            if !facets.isEmpty {
                let r = try snapshot.search(query, options: SearchOptions(limit: 0, facets: facets))
                answer.facets = Self.facets(r, q.facets)
            }
            return answer
        }
        let r = try snapshot.search(query, options: SearchOptions(limit: q.limit ?? Int.max, offset: q.offset, sort: sort, facets: facets))
        answer.total = r.totalCount
        answer.ids = r.hits.map(\.id)
        answer.facets = Self.facets(r, q.facets)
        return answer
    }

    private static func facets(_ r: SearchResults, _ asked: [TypedFacet]) -> [String: [TypedFacetCount]] {
        var out: [String: [TypedFacetCount]] = [:]
        for f in asked {
            let name: String
            switch f {
            case .values(let field, _): name = field
            case .dateBuckets(let field, let unit): name = field + (unit == .year ? ":year" : ":month")
            case .ranges(let field, _): name = field + ":ranges"
            }
            out[f.name] = (r.facets[name]?.buckets ?? []).map { TypedFacetCount(label: $0.label, count: $0.count) }
        }
        return out
    }
}
