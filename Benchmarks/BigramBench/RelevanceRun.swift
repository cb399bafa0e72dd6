import BigramSearch
import Foundation

/// Relevance of re-ranking (`SearchOptions.reranking`): precision@1 and MRR on the repository's
/// relevance set (Benchmarks/relevance.jsonl: queries whose bigrams also occur across word
/// boundaries, each with the document that should rank first; all cases in one index), with and
/// without re-ranking, and what re-ranking costs per top-10 query on the benchmark's own queries.
struct RelevanceFigures {
    var cases: Int
    var plain: (precisionAt1: Double, mrr: Double)
    var reranked: (precisionAt1: Double, mrr: Double)
    var top10: LatencySummary
    var top10Reranked: LatencySummary
}

enum RelevanceRun {
    struct Case: Decodable { var q: String; var best: String; var docs: [Doc] }
    struct Doc: Decodable { var id: String; var text: String }

    /// Benchmarks/relevance.jsonl, from the current directory or next to this source file.
    static func setPath(sourceFile: String = #filePath) -> String? {
        let local = "Benchmarks/relevance.jsonl"
        if FileManager.default.fileExists(atPath: local) { return local }
        let path = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("relevance.jsonl").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func measure(setPath: String, snapshot: IndexSnapshot, plan: QueryPlan, repeats: Int) throws -> RelevanceFigures {
        let data = try Data(contentsOf: URL(fileURLWithPath: setPath))
        let cases = try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Case.self, from: Data($0)) }
        let writer = try IndexWriter(schema: .text)
        for (n, c) in cases.enumerated() {
            for d in c.docs { try writer.add(Document(id: "\(n)-\(d.id)", text: d.text)) }
        }
        let set = writer.snapshot()
        func metrics(_ options: SearchOptions) throws -> (Double, Double) {
            var p1 = 0.0, mrr = 0.0
            for (n, c) in cases.enumerated() {
                let hits = try set.search(.phrase(c.q), options: options).hits
                if let rank = hits.firstIndex(where: { $0.id == "\(n)-\(c.best)" }) {
                    if rank == 0 { p1 += 1 }
                    mrr += 1 / Double(rank + 1)
                }
            }
            return (p1 / Double(cases.count), mrr / Double(cases.count))
        }
        let plain = try metrics(SearchOptions(limit: 50, reranking: nil))
        let reranked = try metrics(SearchOptions(limit: 50, reranking: Reranking()))

        let parser = snapshot.queryParser
        let queries = plan.queries.map { try? parser.parse($0.text) }
        var sink = 0
        let top10 = QueryTimings.measure(count: queries.count, passes: repeats, progress: Progress("queries, top 10")) { i in
            guard let q = queries[i] else { return }
            sink &+= (try? snapshot.search(q, options: SearchOptions(limit: 10, reranking: nil)))?.hits.count ?? 0
        }
        let withReranking = QueryTimings.measure(count: queries.count, passes: repeats, progress: Progress("queries, top 10 re-ranked")) { i in
            guard let q = queries[i] else { return }
            sink &+= (try? snapshot.search(q, options: SearchOptions(limit: 10, reranking: Reranking())))?.hits.count ?? 0
        }
        blackHole(sink)
        return RelevanceFigures(cases: cases.count, plain: plain, reranked: reranked,
                                top10: top10.latencySummary(plan.all), top10Reranked: withReranking.latencySummary(plan.all))
    }
}
