import BigramSearch
import Testing
import Foundation

// Comparing two snapshots query by query (an index before and after merging, reopening, or a
// change that must not change results): each difference described in a line.

/// Compares the matching sets of every query (matchingIDs as sets; also count or totalCount for
/// two queries in three). Returns a description of each difference.
func setDifferences(_ a: IndexSnapshot, _ b: IndexSnapshot, _ queries: [String]) -> [String] {
    var out: [String] = []
    for (i, q) in queries.enumerated() {
        do {
            let query = try a.queryParser.parse(q)
            let x = try a.matchingIDs(query), y = try b.matchingIDs(query)
            var what: [String] = []
            if Set(x).count != x.count { what.append("duplicate ids in the first: \(x.count - Set(x).count)") }
            if Set(y).count != y.count { what.append("duplicate ids in the second: \(y.count - Set(y).count)") }
            if Set(x) != Set(y) {
                what.append("sets differ: only first \(Set(x).subtracting(y).sorted().prefix(4)), only second \(Set(y).subtracting(x).sorted().prefix(4))")
            }
            if i % 3 == 1 {
                let cx = try a.count(query), cy = try b.count(query)
                if cx != cy || cx != x.count { what.append("count \(cx) vs \(cy) (ids \(x.count))") }
            } else if i % 3 == 2 {
                let tx = try a.search(query, options: SearchOptions(limit: 5)).totalCount
                let ty = try b.search(query, options: SearchOptions(limit: 5)).totalCount
                if tx != ty || tx != x.count { what.append("totalCount \(tx) vs \(ty)") }
            }
            if !what.isEmpty { out.append("\"\(q)\": " + what.joined(separator: "; ")) }
        } catch {
            out.append("\"\(q)\": error \(error)")
        }
    }
    return out
}

/// Compares ranked results: hit ids in order, scores within 1e-9, and matchingIDs in document
/// order. Every fourth query asks for every match, the others for the top 20.
func rankDifferences(_ a: IndexSnapshot, _ b: IndexSnapshot, _ queries: [String]) -> (differences: [String], withHits: Int) {
    var out: [String] = []
    var withHits = 0
    for (i, q) in queries.enumerated() {
        do {
            let query = try a.queryParser.parse(q)
            let options = SearchOptions(limit: i % 4 == 3 ? Int.max : 20)
            let x = try a.search(query, options: options), y = try b.search(query, options: options)
            if x.totalCount > 0 { withHits += 1 }
            var what: [String] = []
            if x.totalCount != y.totalCount { what.append("totalCount \(x.totalCount) vs \(y.totalCount)") }
            if x.hits.map(\.id) != y.hits.map(\.id) {
                let k = (0..<min(x.hits.count, y.hits.count)).first { x.hits[$0].id != y.hits[$0].id } ?? min(x.hits.count, y.hits.count)
                what.append("hit ids differ from rank \(k): \(x.hits.dropFirst(k).prefix(3).map { "\($0.id)=\($0.score)" }) vs \(y.hits.dropFirst(k).prefix(3).map { "\($0.id)=\($0.score)" })")
            } else if let k = x.hits.indices.first(where: { abs(x.hits[$0].score - y.hits[$0].score) > 1e-9 }) {
                what.append("score at rank \(k) (\(x.hits[k].id)): \(x.hits[k].score) vs \(y.hits[k].score)")
            }
            let ix = try a.matchingIDs(query), iy = try b.matchingIDs(query)
            if ix != iy { what.append("matchingIDs (document order) differ: \(ix.prefix(4)) vs \(iy.prefix(4))") }
            if !what.isEmpty { out.append("\"\(q)\": " + what.joined(separator: "; ")) }
        } catch {
            out.append("\"\(q)\": error \(error)")
        }
    }
    return (out, withHits)
}

/// Everything a search returns, in comparable form.
struct SearchOutcome: Equatable {
    struct HitRecord: Equatable {
        var id: String
        var score: Double
        var fields: [String: String]
        var highlights: [FieldHighlight]
    }
    var totalCount: Int
    var hits: [HitRecord]
    var ids: [String]
    var error: String?
}

private func outcome(_ s: IndexSnapshot, _ query: String, limit: Int) -> SearchOutcome {
    do {
        let r = try s.search(query, options: SearchOptions(limit: limit, highlight: HighlightOptions()))
        let hits = r.hits.map { h in
            var fields: [String: String] = [:]
            for f in s.schema.fields { if let t = h[f.name] { fields[f.name] = t } }
            #expect(fields == h.fields, "subscript and fields disagree for \(h.id)")
            return SearchOutcome.HitRecord(id: h.id, score: h.score, fields: fields, highlights: h.highlights)
        }
        let ids = try s.matchingIDs(try s.queryParser.parse(query))
        return SearchOutcome(totalCount: r.totalCount, hits: hits, ids: ids, error: nil)
    } catch {
        return SearchOutcome(totalCount: -1, hits: [], ids: [], error: "\(error)")
    }
}

/// Runs every query on both snapshots and returns a description of each difference.
func compareSearches(_ a: IndexSnapshot, _ b: IndexSnapshot, _ queries: [String], limit: Int = 20) -> (differences: [String], withHits: Int) {
    var differences: [String] = []
    var withHits = 0
    for (i, q) in queries.enumerated() {
        // Every fourth query asks for every match, the others for the top `limit`.
        let l = i % 4 == 3 ? Int.max : limit
        let x = outcome(a, q, limit: l), y = outcome(b, q, limit: l)
        if x.totalCount > 0 { withHits += 1 }
        if x != y {
            var what: [String] = []
            if x.error != y.error { what.append("error \(x.error ?? "none") vs \(y.error ?? "none")") }
            if x.totalCount != y.totalCount { what.append("totalCount \(x.totalCount) vs \(y.totalCount)") }
            if x.hits.map(\.id) != y.hits.map(\.id) { what.append("hit ids \(x.hits.map(\.id).prefix(5)) vs \(y.hits.map(\.id).prefix(5))") }
            if x.hits.map(\.score) != y.hits.map(\.score) { what.append("scores \(x.hits.map(\.score).prefix(5)) vs \(y.hits.map(\.score).prefix(5))") }
            if x.hits.map(\.fields) != y.hits.map(\.fields) { what.append("stored fields differ") }
            if x.hits.map(\.highlights) != y.hits.map(\.highlights) { what.append("highlights differ") }
            if x.ids != y.ids { what.append("matchingIDs \(x.ids.count) vs \(y.ids.count)") }
            differences.append("query \"\(q)\": " + what.joined(separator: "; "))
        }
    }
    return (differences, withHits)
}
