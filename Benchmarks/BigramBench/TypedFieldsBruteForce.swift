/// The reference engine: answers typed queries by SEMANTICS (TypedFieldsQuery.swift) directly
/// from the documents' fields, with no index.
///
/// The text part is not evaluated: a query's text match set is the exact one known for it, the
/// `expected` set of the query file (computed by `oracle.py`, the brute-force reference of the
/// exactness rule), given at init. A text without a known set is an error. Its timings are those
/// of filtering, sorting and counting over precomputed text match sets: a floor, not an engine.
struct BruteForceTypedEngine: TypedEngine {
    static let engineName = "brute force"
    let name = BruteForceTypedEngine.engineName
    let corpus: TypedCorpus
    /// Text → the matching documents' positions, ascending.
    let textMatches: [String: [Int]]

    struct UnknownText: Error, CustomStringConvertible {
        var text: String
        var description: String { "brute force: no exact match set known for \(text)" }
    }

    struct BadQuery: Error, CustomStringConvertible {
        var description: String
    }

    /// `expected`: text → matching ids (any order); ids not in the corpus are ignored.
    init(corpus: TypedCorpus, expected: [String: [String]]) {
        self.corpus = corpus
        var position: [String: Int] = [:]
        position.reserveCapacity(corpus.count)
        for (i, d) in corpus.documents.enumerated() { position[d.id] = i }
        textMatches = expected.mapValues { ids in ids.compactMap { position[$0] }.sorted() }
    }

    /// The match set of `q`: positions in document order.
    func matchSet(_ q: TypedQuery) throws -> [Int] {
        let candidates: [Int]
        if let text = q.text {
            guard let m = textMatches[text] else { throw UnknownText(text: text) }
            candidates = m
        } else {
            candidates = Array(0..<corpus.count)
        }
        for c in q.filters {
            guard let kind = TypedSchema.kind(of: c.field) else { throw BadQuery(description: "unknown field \(c.field)") }
            if case .equals = c, kind != .keyword { throw BadQuery(description: "equals on the \(kind) field \(c.field)") }
            if case .range(_, let lo, let hi, _, _) = c, lo.map({ $0.kind != kind }) ?? false || hi.map({ $0.kind != kind }) ?? false {
                throw BadQuery(description: "a bound of another kind than \(kind) on \(c.field)")
            }
        }
        return candidates.filter { i in q.filters.allSatisfy { Self.holds($0, corpus.fields[i]) } }
    }

    static func holds(_ c: TypedCondition, _ f: TypedFields) -> Bool {
        switch c {
        case .equals(let field, let value):
            return f.value(of: field) == .keyword(value)
        case .range(let field, let lower, let upper, let li, let ui):
            guard let v = f.value(of: field) else { return false }
            if let lower, let c = TypedValue.compare(v, lower) {
                if c < 0 || (c == 0 && !li) { return false }
            }
            if let upper, let c = TypedValue.compare(v, upper) {
                if c > 0 || (c == 0 && !ui) { return false }
            }
            return true
        }
    }

    /// True when document `a` comes before `b` by `keys` (missing values last, then document
    /// order).
    func precedes(_ a: Int, _ b: Int, by keys: [TypedSortKey]) -> Bool {
        for key in keys {
            let va = corpus.fields[a].value(of: key.field), vb = corpus.fields[b].value(of: key.field)
            switch (va, vb) {
            case (nil, nil): continue
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                let c = TypedValue.compare(x, y) ?? 0
                if c != 0 { return key.descending ? c > 0 : c < 0 }
            }
        }
        return a < b
    }

    func answer(_ q: TypedQuery) throws -> TypedAnswer {
        var matches = try matchSet(q)
        var answer = TypedAnswer(total: matches.count, ids: [])
        for facet in q.facets { answer.facets[facet.name] = try counts(facet, over: matches) }
        // By score: this engine has no score; its page is the first matches in document order
        // (TypedCheck compares by-score pages by size and membership only).
        if !q.sort.isEmpty { matches.sort { precedes($0, $1, by: q.sort) } }
        let start = min(q.offset, matches.count)
        let end = q.limit.map { min(matches.count, start + $0) } ?? matches.count
        answer.ids = matches[start..<end].map { corpus.documents[$0].id }
        return answer
    }

    func counts(_ facet: TypedFacet, over matches: [Int]) throws -> [TypedFacetCount] {
        switch facet {
        case .values(let field, let top):
            var counts: [String: Int] = [:]
            for i in matches {
                if case .keyword(let v)? = corpus.fields[i].value(of: field) { counts[v, default: 0] += 1 }
            }
            let ordered = counts.sorted { a, b in
                a.value != b.value ? a.value > b.value : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
            }
            return ordered.prefix(top).map { TypedFacetCount(label: $0.key, count: $0.value) }
        case .dateBuckets(let field, let unit):
            var counts: [String: Int] = [:]
            for i in matches {
                guard case .date(let ms)? = corpus.fields[i].value(of: field) else { continue }
                counts[unit == .year ? UTCDate.yearLabel(ms) : UTCDate.monthLabel(ms), default: 0] += 1
            }
            return counts.sorted { $0.key < $1.key }.map { TypedFacetCount(label: $0.key, count: $0.value) }
        case .ranges(let field, let buckets):
            var counts = [Int](repeating: 0, count: buckets.count)
            for i in matches {
                guard let v = corpus.fields[i].value(of: field) else { continue }
                for (b, bucket) in buckets.enumerated() {
                    let aboveLower = bucket.lower.map { (TypedValue.compare(v, $0) ?? -1) >= 0 } ?? true
                    let belowUpper = bucket.upper.map { (TypedValue.compare(v, $0) ?? 1) < 0 } ?? true
                    if aboveLower && belowUpper { counts[b] += 1 }
                }
            }
            return zip(buckets, counts).map { TypedFacetCount(label: $0.label, count: $1) }
        }
    }
}
