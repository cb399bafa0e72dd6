import Foundation
import Testing
@testable import BigramSearch

// Typed fields against a brute-force reference (Support/TypedFieldReference.swift): filters,
// field sorts, facets, offsets and cursor paging, on thousands of generated combinations, over
// indexes built seven ways from the same kind of generated documents (seed paragraphs for the
// text; keyword values with several, none, non-ASCII and differently normalized values; ints
// with negatives and the extremes; doubles with -0.0, infinities and subnormals; dates before
// 1970): one segment; many small segments; deletions and re-added ids; after forceMerge; saved
// to a directory (commits, automatic merges) and reopened; a snapshot saved by IndexStore.save
// and reopened; three such shards searched together. The reference takes only the text
// clauses' match sets from the library; everything typed it computes from the values given.
// Then bad input (each a typed error naming the field) and damaged column sections (a typed
// error or an answer, never a crash).

// MARK: - Generated documents and queries

private enum Gen {
    static let keywords = ["体育", "财经", "科技", "教育", "a", "B", "b", "ab", "\u{E9}", "e\u{301}", "Ω", "🙂", "", "x y", "体育 "]
    static let ints: [Int64] = [.min, .min + 1, -(1 << 40), -1000, -3, -2, -1, 0, 1, 2, 3, 7, 1 << 40, .max - 1, .max]
    static let doubles: [Double] = [-.infinity, -.greatestFiniteMagnitude, -1e300, -1.5, -.leastNonzeroMagnitude, -0.0, 0.0,
                                    .leastNonzeroMagnitude, 0.25, 1.5, 2.25, 1e300, .greatestFiniteMagnitude, .infinity]
    /// 1900-01-01, 1960-03-01, 1969-12-31T23:59:59.999, 1970-01-01, 2000-02-29, 2024-05-31T23:59:59.999,
    /// 2024-06-01, 2024-12-31T23:59:59.999, 2100-01-01.
    static let dates: [Int64] = [-2_208_988_800_000, -310_608_000_000, -1, 0, 951_782_400_000, 1_717_199_999_999,
                                 1_717_200_000_000, 1_735_689_599_999, 4_102_444_800_000]
    static let dateRange: Range<Int64> = -2_208_988_800_000..<4_102_444_800_000
    static let countTexts = ["0", "-1", "3", "7", "-9223372036854775808", "9223372036854775807", "1099511627776"]
    static let ratioTexts = ["2.25", "-0", "0", "1.5", "inf", "-inf", "1e300", "-1.5"]
    static let dateTexts = ["1969", "1970", "1969-12", "2024-06", "2024-05-31", "2000-02-29", "1900-01-01", "2100", "1960-03"]

    static let paragraphs: [String] = (try? Seeds.paragraphs()) ?? []

    static func doc(_ id: String, _ rng: inout SplitMix64) -> TypedDoc {
        let p = Array(rng.pick(paragraphs))
        let length = min(p.count, rng.int(8...60))
        let start = rng.int(0...(p.count - length))
        var d = TypedDoc(id: id, text: String(p[start..<(start + length)]))
        switch rng.below(100) {
        case 0..<12: d.section = nil
        case 12..<17: d.section = []; d.sectionAsList = true
        case 17..<60: d.section = [rng.pick(keywords)]; d.sectionAsList = rng.chance(10)
        default: d.section = (0..<rng.int(2...4)).map { _ in rng.pick(keywords) }; d.sectionAsList = true   // duplicates too
        }
        if !rng.chance(15) { d.count = rng.chance(50) ? rng.pick(ints) : Int64(rng.int(-5...5)) }
        if !rng.chance(15) { d.ratio = rng.chance(60) ? rng.pick(doubles) : Double(rng.int(-20...20)) / 4 }
        if !rng.chance(15) {
            d.published = rng.chance(40) ? rng.pick(dates)
                : dateRange.lowerBound + Int64(rng.next() % UInt64(dateRange.upperBound - dateRange.lowerBound))
        }
        return d
    }

    static func bound(_ field: String, _ rng: inout SplitMix64) -> RangeBound? {
        if rng.chance(25) { return nil }
        let value: FieldValue
        switch field {
        case TypedFieldReference.section: value = .keyword(rng.pick(keywords + ["体", "c", "\u{10FFFF}"]))
        case TypedFieldReference.count: value = .int(rng.chance(50) ? rng.pick(ints) : Int64(rng.int(-5...5)))
        case TypedFieldReference.ratio:
            value = rng.chance(25) ? .int(Int64(rng.int(-3...3))) : .double(rng.chance(70) ? rng.pick(doubles) : Double(rng.int(-20...20)) / 4)
        default:
            value = .date(milliseconds: rng.chance(50) ? rng.pick(dates)
                          : dateRange.lowerBound + Int64(rng.next() % UInt64(dateRange.upperBound - dateRange.lowerBound)))
        }
        return RangeBound(value, inclusive: rng.chance(50))
    }

    static func filter(_ rng: inout SplitMix64) -> FieldFilter {
        switch rng.below(12) {
        case 0..<3: return .keyword(rng.pick(keywords + ["不存在"]), field: TypedFieldReference.section)
        case 3: return .range(field: TypedFieldReference.section, lower: bound(TypedFieldReference.section, &rng), upper: bound(TypedFieldReference.section, &rng))
        case 4..<6: return .range(field: TypedFieldReference.count, lower: bound(TypedFieldReference.count, &rng), upper: bound(TypedFieldReference.count, &rng))
        case 6..<8: return .range(field: TypedFieldReference.ratio, lower: bound(TypedFieldReference.ratio, &rng), upper: bound(TypedFieldReference.ratio, &rng))
        case 8..<10: return .range(field: TypedFieldReference.published, lower: bound(TypedFieldReference.published, &rng), upper: bound(TypedFieldReference.published, &rng))
        case 10: return .keyword(rng.pick(countTexts), field: TypedFieldReference.count)
        default:
            return rng.chance(50) ? .keyword(rng.pick(ratioTexts), field: TypedFieldReference.ratio)
                : .keyword(rng.pick(dateTexts), field: TypedFieldReference.published)
        }
    }

    /// Han substrings (1–3 characters) of the documents' texts, and a few that match nothing.
    static func phrases(_ docs: [TypedDoc], _ rng: inout SplitMix64, count: Int) -> [String] {
        var out = ["不存在的词", "常熟"]
        var tries = 0
        while out.count < count && tries < 100 * count {
            tries += 1
            let chars = Array(rng.pick(docs).text)
            guard !chars.isEmpty else { continue }
            let start = rng.int(0..<chars.count)
            var run: [Character] = []
            for c in chars[start...] {
                guard let s = c.unicodeScalars.first, c.unicodeScalars.count == 1, (0x4E00...0x9FFF).contains(s.value) else { break }
                run.append(c)
                if run.count == rng.int(1...3) { break }
            }
            if !run.isEmpty { out.append(String(run)) }
        }
        return out
    }

    static func sort(_ rng: inout SplitMix64) -> [SortField] {
        var fields = TypedFieldReference.typedFields
        fields.shuffle(using: &rng)
        return fields.prefix(rng.int(1...3)).map { SortField($0, descending: rng.chance(50)) }
    }

    static func facets(_ rng: inout SplitMix64) -> [FacetRequest] {
        let countRanges = [FacetRange(.int(-3), .int(3)), FacetRange(nil, .int(0), label: "负"), FacetRange(.int(0), nil),
                           FacetRange(.int(5), .int(2)), FacetRange(.int(.min), .int(.max)), FacetRange(nil, nil, label: "all")]
        let ratioRanges = [FacetRange(.double(-.infinity), .double(0)), FacetRange(.double(0), .double(.infinity)),
                           FacetRange(nil, nil), FacetRange(.double(-0.0), .double(0.0)), FacetRange(.int(1), .int(2)),
                           FacetRange(.double(-1.5), .double(2.25), label: "middle"), FacetRange(.double(.infinity), nil)]
        let dateRanges = [FacetRange(nil, .date(milliseconds: 0), label: "before 1970"), FacetRange(.date(milliseconds: 0), nil),
                          FacetRange(.date(milliseconds: 946_684_800_000), .date(milliseconds: 1_735_689_600_000)),
                          FacetRange(.date(milliseconds: -1), .date(milliseconds: 1))]
        func some(_ a: [FacetRange]) -> [FacetRange] { (0..<rng.int(1...4)).map { _ in rng.pick(a) } }
        var all: [FacetRequest] = [
            .values(TypedFieldReference.section, top: rng.pick([0, 1, 3, 5, 100])),
            FacetRequest(TypedFieldReference.published, .years), FacetRequest(TypedFieldReference.published, .months),
            FacetRequest(TypedFieldReference.count, .ranges(some(countRanges))),
            FacetRequest(TypedFieldReference.ratio, .ranges(some(ratioRanges))),
            FacetRequest(TypedFieldReference.published, .ranges(some(dateRanges))),
        ]
        all.shuffle(using: &rng)
        return Array(all.prefix(rng.int(1...3)))
    }
}

// MARK: - Building the indexes

/// What is done to an index, in order: the reference applies the same.
private enum Operation {
    case add(TypedDoc)
    case delete(String)
    /// A segment boundary: `snapshot()` in memory, `commit()` with a directory.
    case boundary
}

enum TypedOracleBuild: String, CaseIterable, Sendable {
    case oneSegment, manySegments, deletionsAndReAdds, forceMerged, savedAndReopened, savedSnapshot, shards
}

/// The operations of a build: `documents` adds, with segment boundaries every few documents,
/// and (`changes`) deletions and re-added ids (with new text and values) in between.
private func operations(documents: Int, boundaryEvery: Int?, changes: Bool, seed: UInt64, prefix: String = "d") -> [Operation] {
    var rng = SplitMix64(seed)
    var ops: [Operation] = []
    var ids: [String] = []
    var next = 0
    while next < documents {
        let id = "\(prefix)\(next)"
        next += 1
        ids.append(id)
        ops.append(.add(Gen.doc(id, &rng)))
        if changes && rng.chance(12) { ops.append(.delete(rng.pick(ids))) }
        if changes && rng.chance(12) { ops.append(.add(Gen.doc(rng.pick(ids), &rng))) }
        if let k = boundaryEvery, next % k == 0 { ops.append(.boundary) }
    }
    if changes {
        // The last added document deleted, and the first re-added at the end.
        ops.append(.delete(ids.last!))
        ops.append(.add(Gen.doc(ids[0], &rng)))
    }
    return ops
}

/// An index built the way `build` says, and the reference's view of it.
private struct BuiltIndex {
    var snapshot: IndexSnapshot
    var reference: FrozenReference
    var directory: String?
}

private func buildIndex(_ build: TypedOracleBuild, seed: UInt64) throws -> BuiltIndex {
    var reference = TypedFieldReference()
    func apply(_ ops: [Operation]) {
        for op in ops {
            switch op {
            case .add(let d): reference.add(d)
            case .delete(let id): reference.delete(id)
            case .boundary: break
            }
        }
    }
    let directory: String? = [.savedAndReopened, .savedSnapshot, .shards].contains(build) ? temporaryIndexPath(build.rawValue) : nil
    let snapshot: IndexSnapshot
    switch build {
    case .oneSegment, .manySegments:
        let ops = operations(documents: 300, boundaryEvery: build == .oneSegment ? nil : 13, changes: false, seed: seed)
        apply(ops)
        snapshot = try buildSnapshot(ops)
    case .deletionsAndReAdds, .forceMerged:
        let ops = operations(documents: 280, boundaryEvery: 17, changes: true, seed: seed)
        apply(ops)
        snapshot = try buildSnapshot(ops, forceMerge: build == .forceMerged)
    case .savedAndReopened:
        let ops = operations(documents: 280, boundaryEvery: 23, changes: true, seed: seed)
        apply(ops)
        snapshot = try buildSnapshot(ops, directory: directory)
    case .savedSnapshot:
        // A writer's snapshot of many segments with deletions, saved by IndexStore.save.
        let ops = operations(documents: 250, boundaryEvery: 19, changes: true, seed: seed)
        apply(ops)
        try IndexStore.save(try buildSnapshot(ops), to: directory!)
        snapshot = try IndexStore.open(at: directory!)
    case .shards:
        // Three shards (ids of their own): in memory, force-merged, committed and reopened;
        // searched together (segments evaluated in parallel), in shard order.
        var shards: [IndexSnapshot] = []
        for k in 0..<3 {
            let ops = operations(documents: 90, boundaryEvery: 11, changes: true, seed: seed &+ UInt64(k), prefix: "s\(k)-")
            apply(ops)
            shards.append(try buildSnapshot(ops, directory: k == 2 ? directory : nil, forceMerge: k == 1))
        }
        snapshot = try IndexSnapshot(shards: shards)
    }
    return BuiltIndex(snapshot: snapshot, reference: reference.frozen(), directory: directory)
}

/// An index of `ops`: in memory (no automatic merges; `snapshot()` at each boundary), or in
/// `directory` (automatic merges of factor 5 at the commits of the boundaries, deletions in
/// committed segments), then reopened.
private func buildSnapshot(_ ops: [Operation], directory: String? = nil, forceMerge: Bool = false) throws -> IndexSnapshot {
    let schema = TypedFieldReference.schema
    let writer = directory == nil ? try IndexWriter(schema: schema, options: .init(mergeFactor: 0))
        : try IndexWriter(directory: directory!, mode: .create, schema: schema, options: .init(mergeFactor: 4))   // (the lowest level merges 8 at once: background flushes)
    for op in ops {
        switch op {
        case .add(let d): try writer.add(d.document)
        case .delete(let id): _ = writer.delete(id: id)
        case .boundary: if directory != nil { try writer.commit() } else { _ = writer.snapshot() }
        }
    }
    if forceMerge { try writer.forceMerge() }
    guard let directory else { return writer.snapshot() }
    try writer.waitForMerges()   // (the last commit names the merges' results)
    try writer.commit()
    writer.close()
    return try IndexStore.open(at: directory)
}

// MARK: - The oracle

/// Runs generated queries on one index and compares each with the reference.
private final class Oracle {
    let snapshot: IndexSnapshot
    let ref: FrozenReference
    private var textCache: [Query: [Bool]] = [:]
    private(set) var problems: [String] = []
    var counts = (queries: 0, sorted: 0, byScore: 0, filterOnly: 0, facets: 0, offsets: 0, walks: 0, walkPages: 0,
                  values: 0, scoreChecks: 0)

    init(_ snapshot: IndexSnapshot, _ ref: FrozenReference) {
        self.snapshot = snapshot
        self.ref = ref
    }

    func problem(_ s: String) { if problems.count < 30 { problems.append(s) } }

    /// The library's match set of a text clause, as reference positions.
    func text(_ q: Query) throws -> [Bool] {
        if let m = textCache[q] { return m }
        var m = [Bool](repeating: false, count: ref.count)
        for id in try snapshot.matchingIDs(q) {
            guard let i = ref.position[id] else { problem("text \(q) matched \(id), which the reference does not hold"); continue }
            m[i] = true
        }
        textCache[q] = m
        return m
    }

    func expected(_ q: Query) throws -> [Int] {
        try ref.matches(q) { try self.text($0) }.enumerated().filter(\.element).map(\.offset)
    }

    /// Whether `q` has a text clause.
    static func hasText(_ q: Query) -> Bool {
        switch q {
        case .phrase: return true
        case .filter: return false
        case .all(let qs), .any(let qs): return qs.contains(where: hasText)
        case .not(let q): return hasText(q)
        }
    }

    func ids(_ r: SearchResults) -> [String] { r.hits.map(\.id) }

    /// The slice `offset ..< offset + limit` of `all`.
    static func page<T>(_ all: [T], offset: Int, limit: Int) -> [T] {
        let start = min(max(0, offset), all.count)
        let end = limit >= all.count - start ? all.count : start + max(0, limit)
        return Array(all[start..<end])
    }

    /// One query: total, the page, the facets, the hits' values; by score against the library's
    /// own full ranking (whose match set and order are checked).
    func check(_ q: Query, _ options: SearchOptions) throws {
        counts.queries += 1
        let label = "\(q) \(options.sort.map { "\($0.field)\($0.descending ? "↓" : "↑")" }) limit \(options.limit) offset \(options.offset)\(options.reranking != nil ? " reranked" : "")"
        let matched = try expected(q)
        let r = try snapshot.search(q, options: options)
        if r.totalCount != matched.count { problem("\(label): total \(r.totalCount), reference \(matched.count)") }
        let full: [String]
        if !options.sort.isEmpty {
            counts.sorted += 1
            full = ref.sorted(matched, by: options.sort).map { ref.docs[$0].id }
        } else {
            counts.byScore += 1
            full = try fullRanking(q, reranking: options.reranking, matched: matched, label: label)
        }
        let want = Self.page(full, offset: options.offset, limit: options.limit)
        if ids(r) != want { problem("\(label): page \(ids(r)), reference \(want)") }
        if options.offset > 0 { counts.offsets += 1 }
        // The cursor: nil exactly when the page ends the ranking.
        let end = min(full.count, max(0, options.offset) + want.count)
        if (r.next == nil) != (want.isEmpty || end >= full.count) { problem("\(label): next is \(r.next == nil ? "nil" : "set") after \(end) of \(full.count)") }
        for f in options.facets {
            counts.facets += 1
            let want = ref.facet(f, matched)
            guard let got = r.facets[f.name] else { problem("\(label): no facet \(f.name)"); continue }
            if FrozenReference.facet(got) != want { problem("\(label): facet \(f.name) \(FrozenReference.facet(got)), reference \(want)") }
        }
        for hit in r.hits.prefix(5) {
            guard let i = ref.position[hit.id] else { continue }
            for field in TypedFieldReference.typedFields where !ref.isValue(hit.value(field), of: field, i) {
                problem("\(label): \(hit.id).\(field) is \(String(describing: hit.value(field))), reference \(ref.docs[i])")
            }
            counts.values += 1
            // Hit.values: the stored typed fields the document has (count is not stored).
            let stored = Set([TypedFieldReference.section, TypedFieldReference.ratio, TypedFieldReference.published]
                .filter { hit.value($0) != nil })
            if Set(hit.values.keys) != stored { problem("\(label): \(hit.id).values has \(hit.values.keys.sorted()), not \(stored.sorted())") }
            for (f, v) in hit.values where !ref.isValue(v, of: f, i) { problem("\(label): \(hit.id).values[\(f)] is \(v)") }
        }
    }

    /// The library's ranking of every match by score (checked: the reference's match set; by
    /// score descending, ties in document order, over the re-ranked window and the rest each;
    /// for a query without text, document order with scores 0).
    func fullRanking(_ q: Query, reranking: Reranking?, matched: [Int], label: String) throws -> [String] {
        let all = try snapshot.search(q, options: SearchOptions(limit: Int.max, reranking: reranking))
        let ids = all.hits.map(\.id)
        if Set(ids) != Set(matched.map { ref.docs[$0].id }) || ids.count != matched.count {
            problem("\(label): the full ranking holds \(ids.count) documents, the reference \(matched.count)")
        }
        if !Self.hasText(q) {
            counts.filterOnly += 1
            if ids != matched.map({ ref.docs[$0].id }) || all.hits.contains(where: { $0.score != 0 }) {
                problem("\(label): a filter-only ranking is not document order with scores 0")
            }
        }
        let window = reranking?.candidates ?? 0
        for (k, pair) in zip(all.hits, all.hits.dropFirst()).enumerated() where k + 1 != window {
            let (a, b) = pair
            guard let pa = ref.position[a.id], let pb = ref.position[b.id] else { continue }
            if !(a.score > b.score || (a.score == b.score && pa < pb)) {
                problem("\(label): ranks \(k), \(k + 1): \(a.id) \(a.score) before \(b.id) \(b.score)")
                break
            }
        }
        return ids
    }

    /// Filters never change scores: `.all([phrase] + filters)` scores as the phrase alone, and
    /// `.any([phrase, filter])` as the phrase where it matches, else 0.
    func checkScores(_ phrase: Query, _ filters: [FieldFilter]) throws {
        counts.scoreChecks += 1
        let alone = Dictionary(uniqueKeysWithValues: try snapshot.matches(phrase).map { ($0.id, $0.score) })
        for m in try snapshot.matches(.all([phrase] + filters.map { .filter($0) })) where alone[m.id] != m.score {
            problem("\(phrase) with filters \(filters): \(m.id) scores \(m.score), alone \(String(describing: alone[m.id]))")
        }
        for m in try snapshot.matches(.any([phrase, .filter(filters[0])])) where (alone[m.id] ?? 0) != m.score {
            problem("\(phrase) or \(filters[0]): \(m.id) scores \(m.score), alone \(String(describing: alone[m.id]))")
        }
    }

    /// Walks `next` to the end, a first page of `firstPage` hits then pages of `pageSize` (at
    /// most about 16 pages): the concatenation is the full ranking, every page is its next hits;
    /// and a cursor with an offset skips from the cursor.
    func walk(_ q: Query, sort: [SortField], reranking: Reranking?, firstPage: Int, pageSize chosen: Int, facets: [FacetRequest]) throws {
        counts.walks += 1
        let matched = try expected(q)
        let pageSize = max(chosen, matched.count / 15 + 1)
        let label = "walk \(q) \(sort.map { "\($0.field)\($0.descending ? "↓" : "↑")" }) pages of \(firstPage), then \(pageSize)\(reranking != nil ? " reranked" : "")"
        let full = sort.isEmpty ? try fullRanking(q, reranking: reranking, matched: matched, label: label)
            : ref.sorted(matched, by: sort).map { ref.docs[$0].id }
        var options = SearchOptions(limit: firstPage, reranking: reranking, sort: sort, facets: facets)
        var collected: [String] = []
        var pages = 0
        var firstCursor: String?
        while true {
            let r = try snapshot.search(q, options: options)
            pages += 1
            counts.walkPages += 1
            let want = Self.page(full, offset: collected.count, limit: options.limit)
            if ids(r) != want { problem("\(label): page \(pages) \(ids(r)), reference \(want)"); return }
            if r.totalCount != full.count { problem("\(label): page \(pages) total \(r.totalCount)") }
            if let f = facets.first, r.facets[f.name].map(FrozenReference.facet) != ref.facet(f, matched) {
                problem("\(label): page \(pages) facet \(f.name) differs")
            }
            collected += ids(r)
            guard let next = r.next else { break }
            if firstCursor == nil { firstCursor = next }
            if pages > full.count + 2 { problem("\(label): more pages than hits"); return }
            options.after = next
            options.limit = pageSize
        }
        if collected != full { problem("\(label): the pages hold \(collected.count) hits, the ranking \(full.count)") }
        // A cursor and an offset: the offset counts from the cursor.
        if let firstCursor {
            for skip in [1, pageSize + 1] {
                let r = try snapshot.search(q, options: SearchOptions(limit: pageSize, offset: skip, reranking: reranking, sort: sort, after: firstCursor))
                let want = Self.page(full, offset: firstPage + skip, limit: pageSize)
                if ids(r) != want { problem("\(label): after the first page, offset \(skip): \(ids(r)), reference \(want)") }
            }
        }
    }
}

/// A random query: a filter alone, filters with text clauses by all/any/not, a phrase alone, or
/// a nested combination.
private func randomQuery(_ rng: inout SplitMix64, phrases: [String]) -> Query {
    func phrase() -> Query { .phrase(rng.pick(phrases)) }
    func filter() -> Query { .filter(Gen.filter(&rng)) }
    func leaf() -> Query { rng.chance(50) ? phrase() : filter() }
    func nested(_ depth: Int) -> Query {
        if depth == 0 { return leaf() }
        switch rng.below(4) {
        case 0: return .all((0..<rng.int(2...3)).map { _ in nested(depth - 1) })
        case 1: return .any((0..<rng.int(2...3)).map { _ in nested(depth - 1) })
        case 2: return .all([nested(depth - 1), .not(nested(depth - 1))])
        default: return .not(nested(depth - 1))
        }
    }
    switch rng.below(12) {
    case 0, 1: return filter()
    case 2: return .all([phrase(), filter()])
    case 3: return .all([filter(), filter()])
    case 4: return .any([phrase(), filter()])
    case 5: return .all([phrase(), .not(filter())])
    case 6: return .all([filter(), .not(phrase())])
    case 7: return .not(filter())
    case 8: return .any([filter(), filter()])
    case 9: return phrase()
    default: return nested(2)
    }
}

/// Runs the oracle on an index built the way `build` says: `queries` generated queries (each
/// with generated options), and a walk of the cursor for one in four.
private func runOracle(_ build: TypedOracleBuild, seed: UInt64, queries: Int) throws -> Oracle {
    let started = ContinuousClock.now
    let built = try buildIndex(build, seed: seed)
    let buildTime = ContinuousClock.now - started
    defer { built.directory.map(removeDirectory) }
    let oracle = Oracle(built.snapshot, built.reference)
    var rng = SplitMix64(seed ^ 0x5EED)
    let phrases = Gen.phrases(built.reference.docs, &rng, count: 40)
    // Two-character phrases found in at least 8 documents.
    let popular = try Array(Set(Gen.phrases(built.reference.docs, &rng, count: 300).filter { $0.count == 2 })
        .filter { try built.snapshot.count(.phrase($0)) >= 8 }.sorted().prefix(12))
    let limits = [0, 1, 2, 5, 10, 37, Int.max]
    let offsets = [0, 0, 0, 0, 1, 3, 20, 250, 10_000, -2]
    for k in 0..<queries {
        let q = randomQuery(&rng, phrases: phrases)
        let sort = rng.chance(55) ? Gen.sort(&rng) : []
        let facets = rng.chance(50) ? Gen.facets(&rng) : []
        let reranking = sort.isEmpty && rng.chance(25) ? Reranking(candidates: rng.pick([3, 5, 20])) : nil
        try oracle.check(q, SearchOptions(limit: rng.pick(limits), offset: rng.pick(offsets), reranking: reranking,
                                          sort: sort, facets: facets))
        if k % 4 == 0 {
            // With re-ranking, often a first page that ends at the window's end.
            let pageSize = rng.int(1...40)
            let firstPage = reranking.map { rng.chance(50) ? $0.candidates : pageSize } ?? pageSize
            try oracle.walk(q, sort: sort, reranking: reranking, firstPage: firstPage, pageSize: pageSize, facets: Array(facets.prefix(1)))
        }
        if k % 8 == 2, !popular.isEmpty {
            // A re-ranked walk of a frequent two-character phrase (re-ranked: CJK pieces of two
            // characters or more), its first page ending at the window's end.
            let candidates = rng.pick([1, 2, 3, 5, 8])
            let p = Query.phrase(rng.pick(popular))
            let q: Query = rng.chance(50) ? p : rng.chance(50) ? .all([p, .filter(Gen.filter(&rng))]) : .any([p, .filter(Gen.filter(&rng))])
            try oracle.walk(q, sort: [], reranking: Reranking(candidates: candidates), firstPage: candidates,
                            pageSize: rng.int(1...12), facets: [])
        }
        if k % 8 == 0 {
            try oracle.checkScores(.phrase(rng.pick(phrases)), (0..<rng.int(1...2)).map { _ in Gen.filter(&rng) })
        }
    }
    let c = oracle.counts
    print("TypedFieldOracleTests \(build.rawValue): \(built.reference.count) live documents in \(built.snapshot.segments.count) segments; "
          + "\(c.queries) queries (\(c.sorted) by fields, \(c.byScore) by score, \(c.filterOnly) filter-only, \(c.offsets) with offsets), "
          + "\(c.facets) facets, \(c.walks) cursor walks of \(c.walkPages) pages, \(c.values) hits' values, \(c.scoreChecks) score checks; built in \(buildTime), checked in \(ContinuousClock.now - started - buildTime)")
    return oracle
}

@Suite(.checksSegmentInvariants) struct TypedFieldOracleTests {
    @Test(arguments: TypedOracleBuild.allCases)
    func againstTheReference(_ build: TypedOracleBuild) throws {
        let seed: UInt64 = 0x7E5_0000 + UInt64(TypedOracleBuild.allCases.firstIndex(of: build)!)
        let oracle = try runOracle(build, seed: seed, queries: 260)
        #expect(oracle.problems.isEmpty, "\(build): \(oracle.problems.joined(separator: "\n"))")
    }

    /// The builds are what they say: one segment, several, deletions present, merged.
    @Test func theBuildsHaveTheirShapes() throws {
        let one = try buildIndex(.oneSegment, seed: 1)
        #expect(one.snapshot.segments.count == 1)
        let many = try buildIndex(.manySegments, seed: 1)
        #expect(many.snapshot.segments.count > 10)
        let changed = try buildIndex(.deletionsAndReAdds, seed: 1)
        #expect(changed.snapshot.segments.count > 10 && changed.snapshot.deletions.contains { $0.count > 0 })
        #expect(changed.snapshot.documentCount == changed.reference.count)
        let merged = try buildIndex(.forceMerged, seed: 1)
        #expect(merged.snapshot.segments.count == 1 && merged.snapshot.deletions[0].count == 0)
        let saved = try buildIndex(.savedAndReopened, seed: 1)
        defer { saved.directory.map(removeDirectory) }
        #expect(saved.snapshot.segments.count > 1 && saved.snapshot.segments.count < 12)
        #expect(saved.snapshot.deletions.contains { $0.count > 0 })
        #expect(saved.snapshot.documentCount == saved.reference.count)
        _ = try IndexStore.verify(at: saved.directory!)
        let savedSnapshot = try buildIndex(.savedSnapshot, seed: 1)
        defer { savedSnapshot.directory.map(removeDirectory) }
        #expect(savedSnapshot.snapshot.segments.count > 10 && savedSnapshot.snapshot.deletions.contains { $0.count > 0 })
        _ = try IndexStore.verify(at: savedSnapshot.directory!)
        let shards = try buildIndex(.shards, seed: 1)
        defer { shards.directory.map(removeDirectory) }
        #expect(shards.snapshot.segments.count > 8 && shards.snapshot.deletions.contains { $0.count > 0 })
        // Document order is the reference's.
        for b in [one, many, changed, merged, saved, savedSnapshot, shards] {
            #expect(try b.snapshot.matchingIDs(.not(.phrase("不存在的词"))) == b.reference.docs.map(\.id))
        }
    }
}

// MARK: - Bad input

/// A small index of the reference schema (two segments, a deletion), and an empty one.
private func smallIndexes() throws -> (writer: IndexWriter, snapshot: IndexSnapshot, empty: IndexSnapshot) {
    let empty = try IndexWriter(schema: TypedFieldReference.schema).snapshot()
    let w = try IndexWriter(schema: TypedFieldReference.schema, options: .init(mergeFactor: 0))
    var rng = SplitMix64(42)
    for i in 0..<40 {
        try w.add(Gen.doc("s\(i)", &rng).document)
        if i == 20 { _ = w.snapshot() }
    }
    _ = w.delete(id: "s3")
    return (w, w.snapshot(), empty)
}

private func searchError(_ s: IndexSnapshot, _ q: Query, _ o: SearchOptions = SearchOptions()) -> SearchError? {
    do { _ = try s.search(q, options: o); return nil } catch { return error }
}

/// `error` is of the case `matches` accepts, and its message names `field` (quoted).
private func expectError(_ error: SearchError?, _ what: String, names field: String?, _ matches: (SearchError) -> Bool,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { Issue.record("\(what): no error", sourceLocation: sourceLocation); return }
    #expect(matches(error), "\(what): \(error)", sourceLocation: sourceLocation)
    if let field { #expect(error.description.contains("\"\(field)\""), "\(what): \"\(error)\" does not name \(field)", sourceLocation: sourceLocation) }
}

private func isInvalidFilter(_ e: SearchError) -> Bool { if case .invalidFilter = e { return true } else { return false } }
private func isInvalidSort(_ e: SearchError) -> Bool { if case .invalidSort = e { return true } else { return false } }
private func isInvalidFacet(_ e: SearchError) -> Bool { if case .invalidFacet = e { return true } else { return false } }
private func isInvalidCursor(_ e: SearchError) -> Bool { if case .invalidCursor = e { return true } else { return false } }

@Suite(.checksSegmentInvariants) struct TypedFieldBadInputTests {
    let section = TypedFieldReference.section, count = TypedFieldReference.count
    let ratio = TypedFieldReference.ratio, published = TypedFieldReference.published, body = TypedFieldReference.body

    @Test func filtersOnUnknownOrTextFieldsOrWithBoundsOfAnotherKind() throws {
        let (_, s, empty) = try smallIndexes()
        for snapshot in [s, empty] {
            for q: Query in [.filter(.keyword("a", field: "nosuch")), .filter(.range(field: "nosuch", lower: nil, upper: nil)),
                             .all([.phrase("的"), .not(.filter(.keyword("a", field: "nosuch")))])] {
                #expect(searchError(snapshot, q) == .unknownField("nosuch"), "\(q)")
                #expect(throws: SearchError.unknownField("nosuch")) { try snapshot.count(q) }
            }
            let bad: [(FieldFilter, String)] = [
                (.keyword("a", field: body), body),
                (.range(field: body, lower: RangeBound(.keyword("a")), upper: nil), body),
                (.range(field: count, lower: RangeBound(.date(milliseconds: 0)), upper: nil), count),
                (.range(field: count, lower: nil, upper: RangeBound(.double(1.5))), count),
                (.range(field: count, lower: RangeBound(.keyword("1")), upper: nil), count),
                (.range(field: published, lower: RangeBound(.int(0)), upper: nil), published),
                (.range(field: ratio, lower: RangeBound(.date(milliseconds: 0)), upper: nil), ratio),
                (.range(field: ratio, lower: RangeBound(.double(.nan)), upper: nil), ratio),
                (.range(field: section, lower: RangeBound(.int(1)), upper: nil), section),
                (.keyword("abc", field: count), count),
                (.keyword("1.5", field: count), count),
                (.keyword("nan", field: ratio), ratio),
                (.keyword("2024-13", field: published), published),
            ]
            for (f, field) in bad {
                expectError(searchError(snapshot, .filter(f)), "\(f)", names: field, isInvalidFilter)
                expectError(searchError(snapshot, .any([.phrase("的"), .filter(f)])), "\(f) in any", names: field, isInvalidFilter)
            }
        }
    }

    @Test func sortsOnTextOrUnknownFieldsOrTooMany() throws {
        let (_, s, empty) = try smallIndexes()
        for snapshot in [s, empty] {
            for q: Query in [.phrase("的"), .filter(.range(field: count, lower: nil, upper: nil)), .phrase("不存在的词")] {
                expectError(searchError(snapshot, q, SearchOptions(sort: [SortField(body)])), "sort by text", names: body, isInvalidSort)
                expectError(searchError(snapshot, q, SearchOptions(sort: [SortField(count), SortField("nosuch", descending: true)])),
                            "sort by unknown", names: "nosuch", isInvalidSort)
                let five = [section, count, ratio, published, count].map { SortField($0) }
                expectError(searchError(snapshot, q, SearchOptions(sort: five)), "five sort fields", names: nil, isInvalidSort)
                // Four is the most, and works.
                #expect(searchError(snapshot, q, SearchOptions(sort: Array(five.prefix(4)))) == nil)
            }
        }
    }

    @Test func facetsThatDoNotSuitTheField() throws {
        let (_, s, empty) = try smallIndexes()
        let bad: [(FacetRequest, String)] = [
            (FacetRequest(count, .years), count), (FacetRequest(ratio, .months), ratio), (FacetRequest(section, .years), section),
            (.values(published), published), (.values(count), count), (.values(body), body),
            (FacetRequest(section, .ranges([FacetRange(.keyword("a"), nil)])), section),
            (FacetRequest(body, .ranges([FacetRange(.int(0), nil)])), body),
            (FacetRequest(count, .ranges([FacetRange(.date(milliseconds: 0), nil)])), count),
            (FacetRequest(published, .ranges([FacetRange(nil, .int(5))])), published),
            (FacetRequest(ratio, .ranges([FacetRange(.double(.nan), nil)])), ratio),
            (.values("nosuch"), "nosuch"), (FacetRequest("nosuch", .years), "nosuch"),
        ]
        for snapshot in [s, empty] {
            for (f, field) in bad {
                expectError(searchError(snapshot, .phrase("的"), SearchOptions(facets: [f])), "facet \(f)", names: field, isInvalidFacet)
                expectError(searchError(snapshot, .filter(.keyword("a", field: section)), SearchOptions(sort: [SortField(count)], facets: [.values(section), f])),
                            "facet \(f) after a good one", names: field, isInvalidFacet)
            }
            expectError(searchError(snapshot, .phrase("的"), SearchOptions(facets: [.values(section, top: -1)])), "top -1", names: nil, isInvalidFacet)
        }
    }

    @Test func cursorsThatAreMalformedOrFromElsewhere() throws {
        let (w, s, _) = try smallIndexes()
        let q = Query.filter(.range(field: count, lower: nil, upper: nil))
        let sorted = SearchOptions(limit: 3, sort: [SortField(published)])
        let cursor = try #require(try s.search(q, options: sorted).next)
        let byScore = try #require(try s.search(.phrase("的"), options: SearchOptions(limit: 2, reranking: nil)).next)
        // Well-formed ones work.
        #expect(searchError(s, q, SearchOptions(limit: 3, sort: [SortField(published)], after: cursor)) == nil)
        #expect(searchError(s, .phrase("的"), SearchOptions(limit: 2, reranking: nil, after: byScore)) == nil)
        // Malformed.
        var flipped = Array(cursor)
        flipped[0] = flipped[0] == "A" ? "B" : "A"   // the version byte
        for text in ["", "!!!", "abc", "AAAA", String(cursor.dropLast(3)), cursor + "AAAA", cursor + "=", String(flipped),
                     String(repeating: "_", count: 80)] {
            expectError(searchError(s, q, SearchOptions(limit: 3, sort: [SortField(published)], after: text)), "cursor \(text)", names: nil, isInvalidCursor)
            expectError(searchError(s, .phrase("的"), SearchOptions(after: text)), "cursor \(text) by score", names: nil, isInvalidCursor)
        }
        // From another query, order or ranking.
        let others: [(Query, SearchOptions)] = [
            (.filter(.range(field: count, lower: RangeBound(.int(0)), upper: nil)), SearchOptions(limit: 3, sort: [SortField(published)], after: cursor)),
            (q, SearchOptions(limit: 3, sort: [SortField(published, descending: true)], after: cursor)),
            (q, SearchOptions(limit: 3, sort: [SortField(published), SortField(count)], after: cursor)),
            (q, SearchOptions(limit: 3, after: cursor)),
            (.phrase("的"), SearchOptions(limit: 2, sort: [SortField(count)], after: byScore)),
            (.phrase("的"), SearchOptions(limit: 2, reranking: Reranking(), after: byScore)),
            (.phrase("的"), SearchOptions(limit: 2, bm25: BM25(k1: 2), after: byScore)),
            (.phrase("是"), SearchOptions(limit: 2, after: byScore)),
        ]
        for (query, options) in others {
            expectError(searchError(s, query, options), "\(query) \(options.sort)", names: nil, isInvalidCursor)
        }
        // From another snapshot: after a deletion, after an addition.
        _ = w.delete(id: "s5")
        let s2 = w.snapshot()
        expectError(searchError(s2, q, SearchOptions(limit: 3, sort: [SortField(published)], after: cursor)), "after a deletion", names: nil, isInvalidCursor)
        try w.add(Document(id: "new", fields: [body: "的"]))
        let s3 = w.snapshot()
        expectError(searchError(s3, .phrase("的"), SearchOptions(limit: 2, after: byScore)), "after an addition", names: nil, isInvalidCursor)
    }

    @Test func documentValuesOfTheWrongKind() throws {
        let w = try IndexWriter(schema: TypedFieldReference.schema)
        try w.add(Document(id: "keep", fields: [body: "常熟"], values: [count: .int(1)]))
        let bad: [(Document, field: String, expected: FieldKind)] = [
            (Document(id: "keep", fields: [body: "x"], values: [count: .date(milliseconds: 0)]), count, .int),
            (Document(id: "b1", fields: [:], values: [published: .int(5)]), published, .date),
            (Document(id: "b2", fields: [:], values: [ratio: .keyword("1.5")]), ratio, .double),
            (Document(id: "b3", fields: [:], values: [ratio: .double(.nan)]), ratio, .double),
            (Document(id: "b3", fields: [:], values: [ratio: .double(-.nan)]), ratio, .double),
            (Document(id: "b4", fields: [:], values: [section: .int(1)]), section, .keyword),
            (Document(id: "b5", fields: [:], values: [count: .keywords(["1"])]), count, .int),
            (Document(id: "b6", fields: [section: "体育"]), section, .keyword),
            (Document(id: "b7", fields: [published: "2024-06-01"]), published, .date),
            (Document(id: "b8", fields: [body: "x"], values: [body: .keyword("x")]), body, .text),
        ]
        for (d, field, expected) in bad {
            #expect(throws: IndexError.wrongValueType(field: field, documentID: d.id, expected: expected), "\(d)") { try w.add(d) }
            do { try w.add(d) } catch {
                #expect(error.description.contains("\"\(field)\"") && error.description.contains("\"\(d.id)\""), "\(error)")
            }
        }
        #expect(throws: IndexError.unknownField("nosuch", documentID: "b9")) {
            try w.add(Document(id: "b9", fields: [:], values: ["nosuch": .int(1)]))
        }
        // Nothing changed: the document with the same id is still there, with its value.
        let s = w.snapshot()
        #expect(s.documentCount == 1)
        #expect(try s.search(.phrase("常熟")).hits.first?.value(count) == .int(1))
        // Many documents on threads: one bad one, nothing added.
        var docs = (0..<64).map { Document(id: "t\($0)", fields: [body: "的"], values: [count: .int(Int64($0))]) }
        docs[40].values[count] = .double(1)
        #expect(throws: IndexError.wrongValueType(field: count, documentID: "t40", expected: .int)) { try w.add(contentsOf: docs, threads: 2) }
        #expect(w.snapshot().documentCount == 1)
    }
}

// MARK: - Damaged column sections

/// A saved index of the reference schema in two segments (one with a deletion), its segment
/// files as images.
private final class TypedDamageFixture: Sendable {
    let directory: String
    let snapshot: IndexSnapshot
    let images: [SegmentImage]
    let intact: [Segment]

    init() throws {
        directory = temporaryIndexPath("damage")
        let w = try IndexWriter(schema: TypedFieldReference.schema, options: .init(mergeFactor: 0))
        var rng = SplitMix64(0xDA_0A6E)
        for i in 0..<150 {
            try w.add(Gen.doc("d\(i)", &rng).document)
            if i == 99 { _ = w.snapshot() }
        }
        _ = w.delete(id: "d7")
        try IndexStore.save(w.snapshot(), to: directory)
        snapshot = try IndexStore.verify(at: directory)
        intact = snapshot.segments
        images = try snapshot.segments.map { s in SegmentImage(path: s.origin!, bytes: try readBytes(s.origin!)) }
    }

    deinit { removeDirectory(directory) }

    /// The column sections (numericColumn 10, keywordColumn 11) of every image.
    var targets: [(image: Int, section: SectionInfo)] {
        images.indices.flatMap { k in images[k].sections.filter { $0.kind == 10 || $0.kind == 11 }.map { (k, $0) } }
    }

    /// Typed searches: filters, sorts and facets of every typed field, cursors, values.
    static let searches: [(Query, SearchOptions)] = {
        let r = TypedFieldReference.self
        var out: [(Query, SearchOptions)] = []
        let facets: [FacetRequest] = [.values(r.section, top: 5), FacetRequest(r.published, .years), FacetRequest(r.published, .months),
                                      FacetRequest(r.count, .ranges([FacetRange(.int(-3), .int(3)), FacetRange(nil, nil)])),
                                      FacetRequest(r.ratio, .ranges([FacetRange(.double(0), nil)])),
                                      FacetRequest(r.published, .ranges([FacetRange(nil, .date(milliseconds: 0))]))]
        let filters: [FieldFilter] = [.keyword("体育", field: r.section), .range(field: r.section, lower: RangeBound(.keyword("a")), upper: nil),
                                      .range(field: r.count, lower: RangeBound(.int(-2)), upper: RangeBound(.int(1 << 41))),
                                      .range(field: r.ratio, lower: nil, upper: RangeBound(.double(1.5), inclusive: false)),
                                      .range(field: r.published, lower: RangeBound(.date(milliseconds: 0)), upper: nil),
                                      .keyword("2024-06", field: r.published)]
        for f in filters { out.append((.filter(f), SearchOptions(limit: 5, facets: facets))) }
        for field in r.typedFields {
            for descending in [false, true] {
                out.append((.not(.phrase("不存在的词")), SearchOptions(limit: 7, sort: [SortField(field, descending: descending), SortField(r.count)])))
            }
        }
        out.append((.all([.phrase("的"), .filter(filters[2])]), SearchOptions(limit: Int.max, sort: [SortField(r.section, descending: true)], facets: facets)))
        return out
    }()
}

/// Decodes `bytes` as segment `k` of the fixture, then runs the typed searches (and a cursor
/// walk, every hit's values, the full check): anything but a typed error naming the segment,
/// or an answer, is a problem.
private func runTypedCase(_ fixture: TypedDamageFixture, segment k: Int, bytes: [UInt8]) -> CaseResult {
    var result = CaseResult()
    let path = fixture.images[k].path
    func expectNamesSegment(_ e: StorageError, _ what: String) {
        if let p = problem(of: e, naming: path, what, versionErrors: false) { result.problems.append(p) }
    }
    guard let (segment, s) = replacingSegment(k, with: bytes, path: path, in: fixture.snapshot, intact: fixture.intact,
                                              versionErrors: false, result: &result) else { return result }
    for (q, options) in TypedDamageFixture.searches {
        do {
            var o = options
            var pages = 0
            repeat {
                let r = try s.search(q, options: o)
                for hit in r.hits { for f in TypedFieldReference.typedFields { _ = hit.value(f) }; _ = hit.values }
                o.after = r.next
                o.facets = []
                o.limit = 40
                pages += 1
            } while o.after != nil && pages < 3
            _ = try s.count(q)
        } catch {
            guard case .damagedIndex(let e) = error else { result.problems.append("\(q): threw \(error), not damagedIndex"); continue }
            expectNamesSegment(e, "search \(q)")
            if result.searchError == nil { result.searchError = e }
        }
    }
    do { try segment.verifyAll() } catch {
        expectNamesSegment(error, "verify")
        result.verifyError = error
    }
    return result
}

/// The crafted cases (checksums recomputed) of the column sections, in this process.
private func runColumnDamageCases(iterations: Int, seed: UInt64, log: String?) throws -> (problems: [String], summary: String) {
    let fixture = try TypedDamageFixture()
    let watchdog = Watchdog(limit: .seconds(20), log: log)
    var problems: [String] = []
    var counts = (cases: 0, open: 0, search: 0, verify: 0, files: 0)
    let copy = temporaryIndexPath("copy")
    try FileManager.default.copyItem(atPath: fixture.directory, toPath: copy)
    defer { removeDirectory(copy) }
    let targets = fixture.targets
    let perSection = max(1, iterations / max(1, targets.count))
    for (k, section) in targets {
        var generator = MutationGenerator(seed: seed &+ UInt64(section.index), documentCount: fixture.intact[k].documentCount)
        for _ in 0..<perSection {
            let m = generator.mutation(of: section, in: fixture.images[k])
            if m.changes.isEmpty { continue }
            let bytes = m.apply(to: fixture.images[k])
            let name = "segment \(k): \(m)"
            var r = CaseResult()
            let time = watchdog.run(name) { r = runTypedCase(fixture, segment: k, bytes: bytes) }
            counts.cases += 1
            if time > .seconds(3) { problems.append("\(name): took \(time)") }
            problems += r.problems.map { "\(name): \($0)" }
            if r.rejectedAtOpen != nil { counts.open += 1 }
            if r.searchError != nil { counts.search += 1 }
            if r.verifyError != nil { counts.verify += 1 }
            // Some cases as files, through IndexStore.open and a search of every typed field.
            if counts.cases % 25 == 1 {
                counts.files += 1
                let file = copy + "/" + URL(fileURLWithPath: fixture.images[k].path).lastPathComponent
                try writeBytes(file, bytes)
                do {
                    let opened = try IndexStore.open(at: copy)
                    if r.rejectedAtOpen != nil { problems.append("\(name): IndexStore.open opened the file") }
                    for (q, o) in TypedDamageFixture.searches {
                        do { _ = try opened.search(q, options: o) } catch {
                            if case .damagedIndex = error {} else { problems.append("\(name): file search threw \(error)") }
                        }
                    }
                } catch {
                    if r.rejectedAtOpen == nil { problems.append("\(name): IndexStore.open threw \(error), the segment decoded") }
                }
                try writeBytes(file, fixture.images[k].bytes)
            }
        }
    }
    let summary = "\(counts.cases) cases of \(targets.count) column sections (\(counts.files) also as files): \(counts.open) rejected at open, "
        + "\(counts.search) failed a search, \(counts.verify) failed verify"
    return (problems, summary)
}

@Suite(.checksSegmentInvariants) struct TypedFieldDamageTests {
    /// Crafted damage of the column sections: a typed StorageError at open, a damagedIndex at
    /// search, or an answer; never a trap or a hang (run in a child process).
    @Test func craftedDamageOfColumnSections() async {
        let log = temporaryIndexPath("log")
        let report = log + ".report"
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: report) }
        let iterations = fuzzIterations(default: 240)
        let result = await #expect(processExitsWith: .success, "a case crashed, hung or had problems") {
            [iterations = iterations as Int, log = log as String, report = report as String] in
            let (problems, summary) = try runColumnDamageCases(iterations: iterations, seed: 0x7E_DA0A, log: log)
            let text = (["SUMMARY: \(summary)"] + problems.prefix(40).map { "PROBLEM: \($0)" }).joined(separator: "\n")
            try Data(text.utf8).write(to: URL(fileURLWithPath: report))
            exit(problems.isEmpty ? 0 : 1)
        }
        let output = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        for line in output.split(separator: "\n") where line.hasPrefix("SUMMARY:") { print("TypedFieldDamageTests: \(line)") }
        if result?.exitStatus != .exitCode(0) {
            let last = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            Issue.record("\(output.isEmpty ? "crashed or hung in " + last : output)")
        }
    }

    /// Plain damage (checksums not recomputed) of a column section: a checksum error at open,
    /// for the segment and through IndexStore.open.
    @Test func plainDamageOfColumnSectionsIsAChecksumError() throws {
        let fixture = try TypedDamageFixture()
        var rng = SplitMix64(0x7E_DA0B)
        let copy = temporaryIndexPath("plain")
        try FileManager.default.copyItem(atPath: fixture.directory, toPath: copy)
        defer { removeDirectory(copy) }
        var cases = 0
        for (k, section) in fixture.targets {
            for _ in 0..<6 {
                var bytes = fixture.images[k].bytes
                bytes[section.offset + rng.int(0..<section.length)] ^= UInt8(1 << rng.int(0..<8))
                let path = fixture.images[k].path
                #expect(throws: StorageError.checksumMismatch(path: path), "\(section.kindName) of field \(section.field)") {
                    _ = try SegmentFile.decode(ByteBuffer(bytes), path: path, schema: fixture.snapshot.schema)
                }
                cases += 1
                if cases % 5 == 0 {
                    let file = copy + "/" + URL(fileURLWithPath: path).lastPathComponent
                    try writeBytes(file, bytes)
                    #expect(throws: StorageError.checksumMismatch(path: file)) { _ = try IndexStore.open(at: copy) }
                    try writeBytes(file, fixture.images[k].bytes)
                }
            }
        }
        #expect(cases >= 48)
    }
}

// MARK: - Cases the oracle found

@Suite(.checksSegmentInvariants) struct TypedFieldFoundCases {
    /// "é" as one scalar and as "e" + U+0301 are two keyword values (bytes are identity, as
    /// for filters and sorting): the values facet merged them, keyed by String, whose equality
    /// is canonical equivalence.
    @Test func keywordFacetKeepsDifferentlyNormalizedValuesApart() throws {
        let w = try IndexWriter(schema: TypedFieldReference.schema)
        let values = ["\u{E9}", "e\u{301}", "e\u{301}", "a"]
        for (i, v) in values.enumerated() {
            try w.add(Document(id: "k\(i)", fields: [TypedFieldReference.body: "常熟"], values: [TypedFieldReference.section: .keyword(v)]))
        }
        let r = try w.snapshot().search(.phrase("常熟"), options: SearchOptions(facets: [.values(TypedFieldReference.section)]))
        let facet = try #require(r.facets[TypedFieldReference.section])
        #expect(facet.buckets.map { Array($0.label.utf8) } == [Array("e\u{301}".utf8), Array("a".utf8), Array("\u{E9}".utf8)])
        #expect(facet.buckets.map(\.count) == [2, 1, 1])
        #expect(facet.distinctValues == 3)
        #expect(try w.snapshot().count(.filter(.keyword("\u{E9}", field: TypedFieldReference.section))) == 1)
    }

    /// Dates at the ends of Int64 (years ±292 million): counting their years and months
    /// overflowed computing the bucket's end (a trap).
    @Test func yearAndMonthFacetsOfTheExtremeDates() throws {
        let w = try IndexWriter(schema: TypedFieldReference.schema)
        for (i, ms) in [Int64.max, Int64.min, 0, Int64.max - 1].enumerated() {
            try w.add(Document(id: "e\(i)", fields: [TypedFieldReference.body: "常熟"], values: [TypedFieldReference.published: .date(milliseconds: ms)]))
        }
        let published = TypedFieldReference.published
        let r = try w.snapshot().search(.phrase("常熟"), options: SearchOptions(
            limit: 10, sort: [SortField(published, descending: true)],
            facets: [FacetRequest(published, .years), FacetRequest(published, .months),
                     FacetRequest(published, .ranges([FacetRange(nil, .date(milliseconds: 0)), FacetRange(.date(milliseconds: 0), nil)]))]))
        // Long.MAX_VALUE ms is 292278994-08-17T07:12:55.807Z, Long.MIN_VALUE ms -292275055-05-16T16:47:04.192Z.
        #expect(r.facets["\(published):year"]?.buckets.map { "\($0.label) \($0.count)" } == ["-292275055 1", "1970 1", "292278994 2"])
        #expect(r.facets["\(published):month"]?.buckets.map { "\($0.label) \($0.count)" } == ["-292275055-05 1", "1970-01 1", "292278994-08 2"])
        #expect(r.facets["\(published):ranges"]?.buckets.map(\.count) == [1, 3])
        #expect(r.hits.map(\.id) == ["e0", "e3", "e2", "e1"])
    }

    /// A page ending exactly at the end of the re-ranked window: its cursor continued by the
    /// hit's re-ranked score as if it were a BM25 score, and the walk lost the hits after the
    /// window (pages of 3 with candidates 3 gave 3 of 10 hits).
    @Test func rerankedCursorAtTheEndOfTheWindow() throws {
        let w = try IndexWriter()
        let texts = ["非常熟悉这里", "常熟市参观", "他非常熟练", "常熟的企业", "非常熟", "常熟常熟", "去常熟", "很常熟悉", "常熟人", "非常熟人"]
        for (i, t) in texts.enumerated() { try w.add(Document(id: "t\(i)", text: t)) }
        let s = w.snapshot()
        for candidates in 1...6 {
            let rr = Reranking(candidates: candidates)
            let full = try s.search(.phrase("常熟"), options: SearchOptions(limit: Int.max, reranking: rr)).hits.map(\.id)
            for pageSize in 1...6 {
                var o = SearchOptions(limit: pageSize, reranking: rr)
                var got: [String] = []
                while true {
                    let r = try s.search(.phrase("常熟"), options: o)
                    got += r.hits.map(\.id)
                    guard let next = r.next else { break }
                    o.after = next
                }
                #expect(got == full, "candidates \(candidates), pages of \(pageSize)")
            }
        }
    }
}
