import Foundation
import Testing
import BigramSearch

// The oracle check: runs generated queries on a snapshot and compares every answer with the
// reference (SearchOracle.swift), recording each difference as an issue.

// MARK: - The check

struct OracleRunStats {
    var queries = 0
    var failures = 0
    var parserMismatches = 0
    var invariantChecks = 0
    var highlightChecks = 0
    var wrapSpanning = 0
    var nonEmpty = 0
    var byKind: [String: Int] = [:]
}

func oracleExcerpt(_ text: String, around needle: String) -> String {
    let n = OracleRef.norm(text)
    guard !needle.isEmpty, let r = n.range(of: needle) else { return String(n.prefix(60)) }
    let lo = n.index(r.lowerBound, offsetBy: -15, limitedBy: n.startIndex) ?? n.startIndex
    let hi = n.index(r.upperBound, offsetBy: 15, limitedBy: n.endIndex) ?? n.endIndex
    return String(n[lo..<hi])
}

func oracleDebug(_ s: String) -> String {
    s.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
}

/// Runs `queries` on `snapshot` and compares with `ref`. Records at most `maxIssues` issues.
///
/// - invariantEvery: every n-th query also checks count, totalCount, ranking order, top-k, the
///   string and lenient entry points and stored text.
/// - highlightLimit: this many queries without negation also check that every hit has a
///   highlight and that every highlighted range, normalized, contains a match of a clause.
func runOracle(
    _ snapshot: IndexSnapshot, ref: OracleRefCorpus, keepWS: OracleRefCorpus?, queries: [OracleGenQuery], label: String,
    invariantEvery: Int = 0, highlightLimit: Int = 0, maxIssues: Int = 25
) -> OracleRunStats {
    var stats = OracleRunStats()
    var issues = 0
    func report(_ message: String) {
        stats.failures += 1
        if issues < maxIssues { Issue.record(Comment(rawValue: "[\(label)] " + message)); issues += 1 }
    }
    for (n, g) in queries.enumerated() {
        stats.queries += 1
        stats.byKind[g.kind, default: 0] += 1
        let syntax = g.tree.syntax
        let shown = oracleDebug(syntax)
        let expectedQuery = g.tree.query
        // The parser must read the syntax back as the tree.
        do {
            let parsed = try snapshot.queryParser.parse(syntax)
            if parsed != expectedQuery {
                stats.parserMismatches += 1
                report("parser: \(shown) parsed as \(parsed), expected \(expectedQuery)")
            }
        } catch {
            stats.parserMismatches += 1
            report("parser: \(shown) threw \(error)")
        }
        let expected = ref.eval(g.tree)
        if !expected.isEmpty { stats.nonEmpty += 1 }
        if let keepWS, let clause = g.tree.singleClause, g.kind.hasPrefix("cjk"), keepWS.clause(clause) != expected {
            stats.wrapSpanning += 1
        }
        let ids: [String]
        do { ids = try snapshot.matchingIDs(expectedQuery) } catch {
            report("query \(shown) [\(g.kind)] threw \(error)")
            continue
        }
        let actual = Set(ids)
        if actual != expected {
            let missing = expected.subtracting(actual).sorted(), extra = actual.subtracting(expected).sorted()
            var msg = "query \(shown) [\(g.kind)] expected \(expected.count) ids, got \(actual.count); "
                + "missing \(missing.prefix(6)) extra \(extra.prefix(6))"
            let needle = g.tree.singleClause.map { OracleRef.units($0).first ?? "" } ?? ""
            if let id = missing.first ?? extra.first {
                for f in ref.fieldNames {
                    if let text = ref.text(id, f) { msg += "; \(id).\(f) norm: …\(oracleDebug(oracleExcerpt(text, around: needle)))…" }
                }
            }
            report(msg)
            continue
        }
        if ids.count != actual.count { report("query \(shown): duplicate ids in \(ids)") }

        // Invariants on a sample.
        if invariantEvery > 0 && n % invariantEvery == 0 {
            stats.invariantChecks += 1
            do {
                let count = try snapshot.count(expectedQuery)
                if count != ids.count { report("count(\(shown)) = \(count), matchingIDs has \(ids.count)") }
                let top5 = try snapshot.search(expectedQuery, options: SearchOptions(limit: 5, reranking: nil))
                if top5.totalCount != ids.count { report("search(limit 5).totalCount = \(top5.totalCount) for \(shown), expected \(ids.count)") }
                let viaString = try snapshot.search(syntax, options: SearchOptions(limit: 5, reranking: nil))
                if viaString.totalCount != ids.count { report("search(\"\(shown)\").totalCount = \(viaString.totalCount), expected \(ids.count)") }
                let lenient = try snapshot.search(lenient: syntax, options: SearchOptions(limit: 5, reranking: nil))
                if lenient.totalCount != ids.count { report("search(lenient: \"\(shown)\").totalCount = \(lenient.totalCount), expected \(ids.count)") }
                let all = try snapshot.search(expectedQuery, options: SearchOptions(limit: Int.max, reranking: nil))
                let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
                if all.hits.count != ids.count || Set(all.hits.map(\.id)) != actual {
                    report("search(limit max) of \(shown) returned \(all.hits.count) hits, expected \(ids.count)")
                }
                for (a, b) in zip(all.hits, all.hits.dropFirst()) {
                    let ok = a.score > b.score || (a.score == b.score && (order[a.id] ?? 0) < (order[b.id] ?? 0))
                    if !ok || !a.score.isFinite {
                        report("hits of \(shown) out of order: \(a.id) \(a.score) before \(b.id) \(b.score)")
                        break
                    }
                }
                if top5.hits.map(\.id) != Array(all.hits.prefix(5).map(\.id)) {
                    report("top 5 of \(shown) \(top5.hits.map(\.id)) is not the head of the full ranking \(all.hits.prefix(5).map(\.id))")
                }
                for h in top5.hits {
                    for f in ref.fieldNames where h[f] != ref.text(h.id, f) {
                        report("hit \(h.id) of \(shown): stored \(f) differs from the document's")
                    }
                }
            } catch {
                report("invariants of \(shown) threw \(error)")
            }
        }

        // Highlights: every hit of a query without negation has a highlighted range, and every
        // range, normalized, holds a match of one of the query's clauses.
        if stats.highlightChecks < highlightLimit, !expected.isEmpty, let clauses = g.tree.positiveClauses {
            stats.highlightChecks += 1
            let patterns = clauses.compactMap(OracleRef.clausePattern).map { try! NSRegularExpression(pattern: $0) }
            do {
                let res = try snapshot.search(expectedQuery, options: SearchOptions(limit: 10, highlight: HighlightOptions()))
                for h in res.hits {
                    let ranges = h.highlights.reduce(0) { $0 + $1.utf8Ranges.count }
                    if ranges == 0 { report("hit \(h.id) of \(shown) [\(g.kind)] has no highlight") }
                    for fh in h.highlights {
                        guard let text = h[fh.field] else {
                            report("hit \(h.id) of \(shown): highlight of field \(fh.field), which it does not have")
                            continue
                        }
                        let bytes = Array(text.utf8)
                        for r in fh.utf8Ranges {
                            guard r.lowerBound >= 0, r.upperBound <= bytes.count, !r.isEmpty,
                                  let slice = String(bytes: bytes[r], encoding: .utf8) else {
                                report("hit \(h.id) of \(shown): highlight \(r) is not a valid range of \(fh.field) (\(bytes.count) bytes)")
                                continue
                            }
                            let normed = OracleRef.norm(slice)
                            let range = NSRange(location: 0, length: (normed as NSString).length)
                            if !patterns.contains(where: { $0.firstMatch(in: normed, range: range) != nil }) {
                                report("hit \(h.id) of \(shown) [\(g.kind)]: highlighted \(fh.field) \(r) = \"\(oracleDebug(slice))\" holds no match of the query")
                            }
                        }
                    }
                }
            } catch {
                report("highlight search \(shown) threw \(error)")
            }
        }
    }
    return stats
}

func oracleQueries(count: Int, seed: UInt64, ref: OracleRefCorpus) -> [OracleGenQuery] {
    var gen = OracleQueryGenerator(seed: seed, fixture: OracleFixture.shared, ref: ref)
    return (0..<count).map { _ in gen.next() }
}

func oracleSummary(_ s: OracleRunStats) -> String {
    "\(s.queries) queries (\(s.nonEmpty) with matches, \(s.wrapSpanning) spanning a line wrap), "
        + "\(s.failures) failures, \(s.parserMismatches) parser mismatches, \(s.invariantChecks) invariant checks, "
        + "\(s.highlightChecks) highlight checks; kinds \(s.byKind.sorted { $0.key < $1.key })"
}

/// Writes the corpus and the queries oracle.py can read (no OR, `-`, fields) with this port's
/// expected ids, so the port can be checked against the original:
/// `ORACLE_DUMP=/tmp/d swift test --filter SearchOracleTests/singleWriter` then
/// `python3 shared/corpus/oracle.py recompute /tmp/d/docs.jsonl /tmp/d/queries.jsonl /dev/null`
/// must print "0 queries changed".
func oracleDump(to dir: String, docs: [OracleDoc], queries: [OracleGenQuery], ref: OracleRefCorpus) throws {
    func json(_ x: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: x), as: UTF8.self) }
    func plain(_ t: OracleQTree) -> Bool {
        switch t {
        case .clause(_, _, let f): return f == nil
        case .and(let xs): return xs.allSatisfy(plain)
        default: return false
        }
    }
    var d = "", q = ""
    for doc in docs { d += try json(["id": doc.id, "text": doc.text]) + "\n" }
    for g in queries where plain(g.tree) {
        let expected = ref.eval(g.tree)
        q += try json(["q": g.tree.syntax, "kind": g.kind, "expected": ref.ids.filter(expected.contains)]) + "\n"
    }
    try d.write(toFile: dir + "/docs.jsonl", atomically: true, encoding: .utf8)
    try q.write(toFile: dir + "/queries.jsonl", atomically: true, encoding: .utf8)
}
