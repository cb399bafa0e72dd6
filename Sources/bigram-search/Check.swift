import ArgumentParser
import BigramSearch
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a query file with expected results against a corpus; report exactness and speed per kind.",
        discussion: """
            Query lines: {"q": str, "kind": str, "expected": [ids]}, kind and expected optional (a query \
            without expected is timed, not judged; without kind its kind is "other"). Only the field \
            text is searched (the expected sets describe text): a corpus is indexed with text \
            searchable and title stored only, and queries on a saved index are restricted to text. \
            Exits 1 if any judged result set differs, or for a malformed query line (naming the file \
            and line).
            """)

    @Option(help: "The corpus (.jsonl, a .txt file, or a directory of .txt files), or a saved index.")
    var corpus: String

    @OptionGroup var corpusOptions: CorpusOptions

    @Option(help: "The query file (.jsonl).")
    var queries: String

    @Option(help: "Timed passes over the query set.")
    var passes: Int = 5

    @Option(help: "What to time: all (every match scored, document order), ranked (every match ranked), top10 (BM25 alone), rerank (top10 re-ranked, the default of a search), count.")
    var mode = "all"

    @Flag(help: "Index a unigram for every CJK character too (compare index size and 1-char speed).")
    var unigrams = false

    @Flag(help: "Print every query whose result differs.")
    var verbose = false

    func run() throws {
        let set = try QuerySet.load(queries)   // a bad query file fails before any indexing
        let snapshot: IndexSnapshot
        switch IndexStore.kind(of: corpus) {
        case .index, .damagedIndex, .missing, .empty:
            snapshot = try openForReading(corpus, corpus: corpusOptions)
            guard snapshot.schema.fields.contains(where: { $0.name == "text" && $0.indexed }) else {
                throw CLIError("\(corpus) has no searchable field text (check compares results on text)")
            }
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
        let parser = snapshot.queryParser
        var report = ExactnessReport()
        var parsed: [(Query, String)] = []
        for q in set {
            let query: Query
            do { query = try parser.parse(q.q).restricted(to: "text") } catch {
                throw CLIError("\(queries):\(q.line): \(error.description)")
            }
            parsed.append((query, q.kind))
            let got = try snapshot.matchingIDs(query)
            let ok = report.record(kind: q.kind, got: got, expected: q.expected)
            if !ok && verbose, let expected = q.expected {
                let g = Set(got), e = Set(expected)
                try say("DIFF \(q.kind) \(q.q): got \(got.count), expected \(expected.count); missing \(e.subtracting(g).sorted().prefix(5)); extra \(g.subtracting(e).sorted().prefix(5))")
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
                    case "top10": _ = try? snapshot.search(query, options: SearchOptions(limit: 10, reranking: nil))
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
                let docs = set[qi].expected.map { ", \($0.count) docs" } ?? ""
                try say("slow: \(set[qi].q) [\(set[qi].kind)\(docs)] \(micros(perQuery[qi]) / Double(max(1, passes))) µs")
            }
        }
        var table = [["kind", "queries", "judged", "exact", "falsePos", "misses", "p50(µs)", "p99(µs)"]]
        for kind in report.kinds {
            let k = report.byKind[kind]!
            let l = latencies[kind, default: []].sorted()
            table.append([kind, "\(k.queries)", "\(k.judged)", "\(k.exact)", "\(k.falsePositives)", "\(k.misses)",
                          String(format: "%.1f", micros(l.percentile(0.5))), String(format: "%.1f", micros(l.percentile(0.99)))])
        }
        for line in alignedColumns(table) { try say(line) }
        let qps = Double(n) / (Double(total.components.attoseconds) / 1e18 + Double(total.components.seconds))
        let unjudged = set.count - report.judged
        let notJudged = unjudged == 0 ? "" : " (\(unjudged) \(unjudged == 1 ? "query" : "queries") without expected results, not judged)"
        try say("exact \(report.exact)/\(report.judged)\(notJudged); whole match sets: \(Int(qps)) queries/s (single thread)")
        if report.exact != report.judged { throw ExitCode(1) }
    }

    func micros(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
}

/// A query file line: the query, its kind ("other" when not given), and the ids it must match
/// (nil: not judged, only timed).
struct QuerySetEntry { var q: String; var kind: String; var expected: [String]?; var line: Int }

enum QuerySet {
    /// Reads a query file: JSON Lines, blank lines skipped. A malformed line is an error naming
    /// the file and line.
    static func load(_ path: String) throws(CLIError) -> [QuerySetEntry] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        var entries: [QuerySetEntry] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            func bad(_ reason: String) -> CLIError { CLIError("\(path):\(lineNumber): \(reason)") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) else { throw bad("not JSON") }
            guard let dict = object as? [String: Any] else { throw bad("not a JSON object") }
            guard let q = dict["q"] as? String else {
                throw bad(dict["q"] == nil ? "no \"q\" (the query)" : "\"q\" is not a string")
            }
            var kind = "other"
            if let value = dict["kind"], !(value is NSNull) {
                guard let k = value as? String, !k.isEmpty else { throw bad("\"kind\" is not a non-empty string") }
                kind = k
            }
            var expected: [String]?
            if let value = dict["expected"], !(value is NSNull) {
                guard let ids = value as? [Any], let strings = ids as? [String], strings.count == ids.count else {
                    throw bad("\"expected\" is not an array of id strings")
                }
                expected = strings
            }
            entries.append(QuerySetEntry(q: q, kind: kind, expected: expected, line: lineNumber))
        }
        if entries.isEmpty { throw CLIError("\(path): no queries") }
        return entries
    }
}

/// Rows as lines of columns: the first column left-aligned, the others right-aligned, each as
/// wide as its widest cell (CJK characters count two columns), two spaces apart.
func alignedColumns(_ rows: [[String]]) -> [String] {
    func width(_ s: String) -> Int { s.reduce(0) { $0 + displayWidth($1) } }
    let columns = rows.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], width(cell)) } }
    return rows.map { row in
        var line = ""
        for (i, cell) in row.enumerated() {
            let pad = String(repeating: " ", count: widths[i] - width(cell))
            line += i == 0 ? cell + pad : "  " + pad + cell
        }
        return line
    }
}

extension Query {
    /// The query with every phrase that names no field restricted to `field`.
    func restricted(to field: String) -> Query {
        switch self {
        case .phrase(let text, nil, let prefix): return .phrase(text, field: field, prefix: prefix)
        case .phrase, .filter: return self
        case .all(let qs): return .all(qs.map { $0.restricted(to: field) })
        case .any(let qs): return .any(qs.map { $0.restricted(to: field) })
        case .not(let q): return .not(q.restricted(to: field))
        }
    }
}

/// Exactness of result sets, per query kind.
struct ExactnessReport {
    struct Kind { var queries = 0, judged = 0, exact = 0, falsePositives = 0, misses = 0 }
    var byKind: [String: Kind] = [:]
    var kinds: [String] = []
    var exact: Int { byKind.values.reduce(0) { $0 + $1.exact } }
    var judged: Int { byKind.values.reduce(0) { $0 + $1.judged } }

    /// Counts one query; true when it is exact or not judged (`expected` nil).
    mutating func record(kind: String, got: [String], expected: [String]?) -> Bool {
        if byKind[kind] == nil { kinds.append(kind) }
        var k = byKind[kind, default: Kind()]
        k.queries += 1
        guard let expected else { byKind[kind] = k; return true }
        k.judged += 1
        let g = Set(got), e = Set(expected)
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
