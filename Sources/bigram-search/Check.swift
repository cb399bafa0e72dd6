import ArgumentParser
import BigramSearch
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a query file with expected results against a corpus; report exactness and speed per kind.",
        discussion: "Query lines: {\"q\": str, \"kind\": str, \"expected\": [ids]}. Exits non-zero if any result set differs.")

    @Option(help: "The corpus (.jsonl, a .txt file, or a directory of .txt files), or a saved index.")
    var corpus: String

    @OptionGroup var corpusOptions: CorpusOptions

    @Option(help: "The query file (.jsonl).")
    var queries: String

    @Option(help: "Timed passes over the query set.")
    var passes: Int = 5

    @Option(help: "What to time: all (every match scored, document order), ranked (every match ranked), top10, rerank (top10 re-ranked), count.")
    var mode = "all"

    @Flag(help: "Index a unigram for every CJK character too (compare index size and 1-char speed).")
    var unigrams = false

    @Flag(help: "Print every query whose result differs.")
    var verbose = false

    func run() throws {
        let snapshot: IndexSnapshot
        switch IndexStore.kind(of: corpus) {
        case .index, .damagedIndex, .missing, .empty:
            snapshot = try openForReading(corpus, corpus: corpusOptions)
            try say("opened \(corpus): \(snapshot.documentCount) documents")
        case .other:
            var report = CorpusReader.Report(path: corpus)
            let docs: [Document]
            do { docs = try CorpusReader.load(corpus, options: corpusOptions.options, report: &report) } catch { throw CLIError(error.description) }
            try printWarnings(report)
            let writer = try IndexWriter(schema: .corpus, analyzer: BigramAnalyzer(.init(emitUnigrams: unigrams)))
            let t0 = ContinuousClock.now
            try writer.add(contentsOf: docs)
            snapshot = writer.snapshot()
            let indexTime = ContinuousClock.now - t0
            let bytes = docs.reduce(0) { $0 + ($1["text"]?.utf8.count ?? 0) }
            try say("indexed \(docs.count) documents, \(bytes) bytes of text in \(indexTime); index \(snapshot.indexByteCount) bytes (\(String(format: "%.3f", Double(snapshot.indexByteCount) / Double(bytes))) × text)")
        }
        let set = try QuerySet.load(queries)
        let parser = snapshot.queryParser
        var report = ExactnessReport()
        var parsed: [(Query, String)] = []
        for q in set {
            let query = try parser.parse(q.q)
            parsed.append((query, q.kind))
            let got = try snapshot.matchingIDs(query)
            let ok = report.record(kind: q.kind, got: got, expected: q.expected)
            if !ok && verbose {
                let g = Set(got), e = Set(q.expected)
                try say("DIFF \(q.kind) \(q.q): got \(got.count), expected \(q.expected.count); missing \(e.subtracting(g).sorted().prefix(5)); extra \(g.subtracting(e).sorted().prefix(5))")
            }
        }
        var latencies: [String: [Duration]] = [:]
        var perQuery = [Duration](repeating: .zero, count: parsed.count)
        let clock = ContinuousClock()
        var total = Duration.zero
        for _ in 0..<max(1, passes) {
            for (qi, (query, kind)) in parsed.enumerated() {
                let d = clock.measure {
                    switch mode {
                    case "count": _ = try? snapshot.count(query)
                    case "top10": _ = try? snapshot.search(query, options: SearchOptions(limit: 10))
                    case "rerank": _ = try? snapshot.search(query, options: SearchOptions(limit: 10, reranking: Reranking()))
                    case "ranked": _ = try? snapshot.search(query, options: SearchOptions(limit: Int.max))
                    default: _ = try? snapshot.matches(query)
                    }
                }
                latencies[kind, default: []].append(d)
                perQuery[qi] += d
                total += d
            }
        }
        let n = parsed.count * max(1, passes)
        if verbose {
            for qi in perQuery.indices.sorted(by: { perQuery[$0] > perQuery[$1] }).prefix(10) {
                try say("slow: \(set[qi].q) [\(set[qi].kind), \(set[qi].expected.count) docs] \(micros(perQuery[qi]) / Double(max(1, passes))) µs")
            }
        }
        try say("kind        queries  exact  falsePos  misses   p50(µs)   p99(µs)")
        for kind in report.kinds {
            let k = report.byKind[kind]!
            let l = latencies[kind, default: []].sorted()
            try say(String(format: "%-10@ %8d %6d %9d %7d %9.1f %9.1f", kind as NSString, k.queries, k.exact, k.falsePositives, k.misses,
                         micros(l.percentile(0.5)), micros(l.percentile(0.99))))
        }
        let qps = Double(n) / (Double(total.components.attoseconds) / 1e18 + Double(total.components.seconds))
        try say("exact \(report.exact)/\(set.count); whole match sets: \(Int(qps)) queries/s (single thread)")
        if report.exact != set.count { throw ExitCode(1) }
    }

    func micros(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
}

/// A query file line.
struct QuerySetEntry: Decodable { var q: String; var kind: String; var expected: [String] }

enum QuerySet {
    static func load(_ path: String) throws -> [QuerySetEntry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(QuerySetEntry.self, from: Data($0)) }
    }
}

/// Exactness of result sets, per query kind.
struct ExactnessReport {
    struct Kind { var queries = 0, exact = 0, falsePositives = 0, misses = 0 }
    var byKind: [String: Kind] = [:]
    var kinds: [String] = []
    var exact: Int { byKind.values.reduce(0) { $0 + $1.exact } }

    mutating func record(kind: String, got: [String], expected: [String]) -> Bool {
        if byKind[kind] == nil { kinds.append(kind) }
        var k = byKind[kind, default: Kind()]
        let g = Set(got), e = Set(expected)
        k.queries += 1
        k.falsePositives += g.subtracting(e).count
        k.misses += e.subtracting(g).count
        if g == e { k.exact += 1 }
        byKind[kind] = k
        return g == e
    }
}

extension Array where Element == Duration {
    func percentile(_ p: Double) -> Duration {
        guard !isEmpty else { return .zero }
        return self[Swift.min(count - 1, Int(Double(count) * p))]
    }
}
