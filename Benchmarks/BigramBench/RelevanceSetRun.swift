import BigramSearch
import BigramSearchVariants
import Foundation

/// Relevance on the repository's judged set (Benchmarks/Relevance: real documents, queries and
/// grades made by a rule that does not use this library; see its README): P@1, MRR@10 and
/// nDCG@10 per kind and overall, for plain BM25 and for each ranking feature turned on in turn,
/// and the top-10 latency of the same queries with and without re-ranking.
struct RelevanceSetFigures {
    struct Metrics { var precisionAt1 = 0.0, mrr = 0.0, ndcg = 0.0, queries = 0 }
    struct Configuration {
        var name: String
        var overall: Metrics
        var byKind: [(kind: String, metrics: Metrics)]
        /// The queries of even lines (0, 2, …) of queries.jsonl, on which the defaults of
        /// ``Reranking`` were chosen, and those of odd lines, which played no part in it.
        var tuning: Metrics, heldOut: Metrics
        /// Every query but `heading-tw` (whose relevant documents are in the other script).
        var sameScript: Metrics
    }
    var documents: Int
    var queries: Int
    var configurations: [Configuration]
    var plainTop10: LatencySummary
    var defaultTop10: LatencySummary
    /// The same with ids and snippets read, as a results page shows them.
    var plainPage: LatencySummary
    var defaultPage: LatencySummary
}

enum RelevanceSetRun {
    struct Judged: Decodable { var q: String; var kind: String; var judgments: [String: Int] }

    /// Benchmarks/Relevance, from the current directory or next to this source file.
    static func directory(sourceFile: String = #filePath) -> String? {
        let local = "Benchmarks/Relevance"
        if FileManager.default.fileExists(atPath: local + "/queries.jsonl") { return local }
        let path = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Relevance").path
        return FileManager.default.fileExists(atPath: path + "/queries.jsonl") ? path : nil
    }

    /// One way of ranking: the index's schema and analysis, the search options, and whether
    /// queries are expanded with regional variants.
    struct Setup {
        var name: String
        var schema: Schema
        var foldTraditional = false
        var options: SearchOptions
        var variants = false
    }

    static let setups: [Setup] = [
        Setup(name: "BM25, text only", schema: .corpus, options: SearchOptions(reranking: nil)),
        Setup(name: "BM25, title boost 2", schema: .corpusTitleAndText, options: SearchOptions(reranking: nil)),
        Setup(name: "re-ranked: boundaries ½, no lead", schema: .corpusTitleAndText,
              options: SearchOptions(reranking: Reranking(penalty: 0.5, leadWeight: 0))),
        Setup(name: "re-ranked: no lead", schema: .corpusTitleAndText, options: SearchOptions(reranking: Reranking(leadWeight: 0))),
        Setup(name: "re-ranked, title boost 1", schema: titleBoost(1), options: SearchOptions()),
        Setup(name: "default (title 2, re-ranked)", schema: .corpusTitleAndText, options: SearchOptions()),
        Setup(name: "re-ranked, title boost 4", schema: titleBoost(4), options: SearchOptions()),
        Setup(name: "default + fold Traditional", schema: .corpusTitleAndText, foldTraditional: true, options: SearchOptions()),
        Setup(name: "default + fold + variants", schema: .corpusTitleAndText, foldTraditional: true, options: SearchOptions(), variants: true),
    ]

    static func titleBoost(_ b: Double) -> Schema { Schema([.init("text"), .init("title", boost: b)]) }

    static func measure(directory: String, repeats: Int, setups: [Setup] = setups) throws -> RelevanceSetFigures {
        let documents = try CorpusReader.load(directory + "/documents.jsonl")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/queries.jsonl"))
        let judged = try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Judged.self, from: Data($0)) }
        let variants = try RegionalVariants()
        var configurations: [RelevanceSetFigures.Configuration] = []
        var snapshots: [String: IndexSnapshot] = [:]
        var defaultSnapshot: IndexSnapshot?
        // BIGRAM_BENCH_RELEVANCE_DUMP=FILE: each query's rank of its first relevant hit per setup (for study).
        let dumpPath = ProcessInfo.processInfo.environment["BIGRAM_BENCH_RELEVANCE_DUMP"]
        var dump: String? = dumpPath == nil ? nil : ""
        defer { if let dumpPath, let dump { try? Data(dump.utf8).write(to: URL(fileURLWithPath: dumpPath)) } }
        for setup in setups {
            let key = "\(setup.schema.fields.map { "\($0.name)\($0.indexed)\($0.boost)" })\(setup.foldTraditional)"
            let snapshot: IndexSnapshot
            if let s = snapshots[key] { snapshot = s } else {
                let writer = try IndexWriter(schema: setup.schema, analyzer: BigramAnalyzer(.init(foldTraditional: setup.foldTraditional)))
                try writer.add(contentsOf: documents)
                snapshot = writer.snapshot()
                snapshots[key] = snapshot
            }
            if setup.name.hasPrefix("default (") { defaultSnapshot = snapshot }
            let parser = snapshot.queryParser
            var byKind: [String: [RelevanceSetFigures.Metrics]] = [:]
            var all: [RelevanceSetFigures.Metrics] = []
            for q in judged {
                var query = parser.parseLenient(q.q)
                if setup.variants { query = variants.expand(query) }
                let ids = try snapshot.search(query, options: setup.options).hits.map(\.id)
                let m = metrics(ids, q.judgments)
                if dump != nil {
                    let rank = ids.firstIndex { (q.judgments[$0] ?? 0) > 0 }.map { $0 + 1 } ?? 0
                    dump!.append("\(setup.name)\t\(q.kind)\t\(q.q)\t\(rank)\t\(ids.prefix(3).joined(separator: " "))\t\(q.judgments.keys.sorted().prefix(3).joined(separator: " "))\n")
                }
                byKind[q.kind, default: []].append(m)
                all.append(m)
            }
            let kinds = byKind.keys.sorted()
            configurations.append(.init(name: setup.name, overall: mean(all), byKind: kinds.map { ($0, mean(byKind[$0]!)) },
                                        tuning: mean(all.indices.filter { $0 % 2 == 0 }.map { all[$0] }),
                                        heldOut: mean(all.indices.filter { $0 % 2 == 1 }.map { all[$0] }),
                                        sameScript: mean(all.indices.filter { judged[$0].kind != "heading-tw" }.map { all[$0] })))
        }
        // Latency of the set's queries, top 10, plain BM25 against the default (re-ranked), same index.
        let snapshot = defaultSnapshot ?? snapshots.values.first!
        let queries = judged.map { snapshot.queryParser.parseLenient($0.q) }
        var sink = 0
        let (plain, reranked) = QueryTimings.measurePaired(count: queries.count, passes: repeats, progress: Progress("relevance set, top 10: BM25 | default")) { i in
            sink &+= (try? snapshot.search(queries[i], options: SearchOptions(reranking: nil)))?.hits.count ?? 0
        } _: { i in
            sink &+= (try? snapshot.search(queries[i], options: SearchOptions()))?.hits.count ?? 0
        }
        // As a results page shows them: ids and highlighted snippets of the 10 hits.
        let page = HighlightOptions()
        func shown(_ options: SearchOptions, _ i: Int) -> Int {
            let hits = (try? snapshot.search(queries[i], options: options))?.hits ?? []
            return hits.reduce(0) { $0 + $1.id.utf8.count + ($1.highlights.first?.snippet.utf8.count ?? 0) }
        }
        let (plainPage, defaultPage) = QueryTimings.measurePaired(count: queries.count, passes: repeats, progress: Progress("relevance set, top 10 with snippets: BM25 | default")) { i in
            sink &+= shown(SearchOptions(highlight: page, reranking: nil), i)
        } _: { i in
            sink &+= shown(SearchOptions(highlight: page), i)
        }
        blackHole(sink)
        let everyQuery = Array(queries.indices)
        return RelevanceSetFigures(documents: documents.count, queries: judged.count, configurations: configurations,
                                   plainTop10: plain.latencySummary(everyQuery), defaultTop10: reranked.latencySummary(everyQuery),
                                   plainPage: plainPage.latencySummary(everyQuery), defaultPage: defaultPage.latencySummary(everyQuery))
    }

    /// P@1 (the first hit is judged relevant), MRR@10 (1 ÷ rank of the first relevant hit in the
    /// top 10), nDCG@10 (gain 2^grade − 1, discount log2(rank + 1), ideal from every judged
    /// document) — the definitions of Benchmarks/Relevance/README.md.
    static func metrics(_ ids: [String], _ judgments: [String: Int]) -> RelevanceSetFigures.Metrics {
        var m = RelevanceSetFigures.Metrics(queries: 1)
        let top = ids.prefix(10)
        if let first = top.first, (judgments[first] ?? 0) > 0 { m.precisionAt1 = 1 }
        if let rank = top.firstIndex(where: { (judgments[$0] ?? 0) > 0 }) { m.mrr = 1 / Double(rank + 1) }
        func gain(_ g: Int) -> Double { pow(2, Double(g)) - 1 }
        var dcg = 0.0
        for (r, id) in top.enumerated() { dcg += gain(judgments[id] ?? 0) / log2(Double(r + 2)) }
        var ideal = 0.0
        for (r, g) in judgments.values.sorted(by: >).prefix(10).enumerated() { ideal += gain(g) / log2(Double(r + 2)) }
        m.ndcg = ideal > 0 ? dcg / ideal : 0
        return m
    }

    static func mean(_ ms: [RelevanceSetFigures.Metrics]) -> RelevanceSetFigures.Metrics {
        let n = Double(max(1, ms.count))
        return .init(precisionAt1: ms.reduce(0) { $0 + $1.precisionAt1 } / n, mrr: ms.reduce(0) { $0 + $1.mrr } / n,
                     ndcg: ms.reduce(0) { $0 + $1.ndcg } / n, queries: ms.count)
    }
}

extension RelevanceSetFigures {
    func table() -> String {
        var out = "Relevance on Benchmarks/Relevance (\(documents) documents, \(queries) judged queries; title and text searched)\n"
        let first = configurations.first
        var rows = [["", "P@1", "MRR@10", "nDCG@10"] + (first?.byKind ?? []).map { "P@1 \($0.kind) (\($0.metrics.queries))" }
                    + ["P@1 tuning (\(first?.tuning.queries ?? 0))", "P@1 held-out (\(first?.heldOut.queries ?? 0))", "MRR held-out",
                       "P@1 same script (\(first?.sameScript.queries ?? 0))", "MRR same script"]]
        for c in configurations {
            rows.append([c.name, TableFormat.fixed(c.overall.precisionAt1, 3), TableFormat.fixed(c.overall.mrr, 3), TableFormat.fixed(c.overall.ndcg, 3)]
                        + c.byKind.map { TableFormat.fixed($0.metrics.precisionAt1, 3) }
                        + [c.tuning.precisionAt1, c.heldOut.precisionAt1, c.heldOut.mrr, c.sameScript.precisionAt1, c.sameScript.mrr].map { TableFormat.fixed($0, 3) })
        }
        out += TableFormat.columns(rows, rightAligned: Set(1..<rows[0].count))
        out += "\nTop 10 of the same queries, same index (title 2): BM25 p50 \(TableFormat.fixed(plainTop10.p50Micros, 1)) µs, p99 \(TableFormat.fixed(plainTop10.p99Micros, 1)) µs; "
        out += "default (re-ranked) p50 \(TableFormat.fixed(defaultTop10.p50Micros, 1)) µs, p99 \(TableFormat.fixed(defaultTop10.p99Micros, 1)) µs; "
        out += "ratio p50 \(TableFormat.fixed(Stats.ratio(defaultTop10.p50Micros, plainTop10.p50Micros), 2)), p99 \(TableFormat.fixed(Stats.ratio(defaultTop10.p99Micros, plainTop10.p99Micros), 2))\n"
        out += "With ids and snippets of the 10 hits: BM25 p50 \(TableFormat.fixed(plainPage.p50Micros, 1)) µs, p99 \(TableFormat.fixed(plainPage.p99Micros, 1)) µs; "
        out += "default p50 \(TableFormat.fixed(defaultPage.p50Micros, 1)) µs, p99 \(TableFormat.fixed(defaultPage.p99Micros, 1)) µs; "
        out += "ratio p50 \(TableFormat.fixed(Stats.ratio(defaultPage.p50Micros, plainPage.p50Micros), 2)), p99 \(TableFormat.fixed(Stats.ratio(defaultPage.p99Micros, plainPage.p99Micros), 2))\n"
        return out
    }

    func json() -> JSON {
        func m(_ x: Metrics) -> JSON {
            .object([("precisionAt1", .double(x.precisionAt1)), ("mrr", .double(x.mrr)), ("ndcg", .double(x.ndcg)), ("queries", .int(x.queries))])
        }
        func latency(_ s: LatencySummary) -> JSON {
            .object([("perSecond", .number(s.perSecond)), ("p50Micros", .number(s.p50Micros)), ("p99Micros", .number(s.p99Micros))])
        }
        return .object([
            ("documents", .int(documents)), ("queries", .int(queries)),
            ("configurations", .array(configurations.map { c in
                .object([("name", .string(c.name)), ("overall", m(c.overall)),
                         ("byKind", .object(c.byKind.map { ($0.kind, m($0.metrics)) })),
                         ("tuning", m(c.tuning)), ("heldOut", m(c.heldOut)), ("sameScript", m(c.sameScript))])
            })),
            ("top10Plain", latency(plainTop10)), ("top10Default", latency(defaultTop10)),
            ("pagePlain", latency(plainPage)), ("pageDefault", latency(defaultPage)),
        ])
    }
}
