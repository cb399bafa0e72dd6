import Foundation

/// Everything one run measured, and its two renderings: a table for people (``table()``) and
/// JSON for tools (``json()``). Every ratio is ours ÷ SQLite's.
struct Report {
    /// Facts about the run, for the header and `benchmark` in JSON.
    struct Setup {
        var corpus: String
        var sourceDocuments: Int
        var scale: Int
        var seed: UInt64
        var repeats: Int
        var opens: Int
        var cpu: String
        var cores: Int
        var sqliteVersion: String
        /// 1-minute load average at the start and at the end of the run.
        var loadAverage: (start: Double?, end: Double?)
    }

    var setup: Setup
    var plan: QueryPlan
    var ours: IndexFigures
    var ourQueries: QueryFigures
    /// Queries on which the reopened index matched the same ids (nil when it could not open).
    var reopenedAgreement: Int?
    var baseline: IndexFigures
    var baselineQueries: QueryFigures
    /// Re-ranking: relevance set metrics and query-time cost (nil when the set is missing).
    var relevance: RelevanceFigures?
    /// Remarks printed under the table and kept in JSON.
    var notes: [String]
    /// The typed-fields section (`--typed`), printed after the table by main and kept in JSON
    /// under `typed`.
    var typed: TypedReport? = nil

    // MARK: Ratios (ours ÷ SQLite)

    var indexThroughputRatio: Double? {
        Stats.ratio(ours.megabytesPerSecond(ours.headlineSeconds), baseline.megabytesPerSecond(baseline.singleThreadSeconds))
    }
    var singleThreadIndexThroughputRatio: Double? {
        Stats.ratio(ours.megabytesPerSecond(ours.singleThreadSeconds), baseline.megabytesPerSecond(baseline.singleThreadSeconds))
    }
    func queryRatio(_ subset: [Int], top10: Bool = false) -> Double? {
        top10 ? Stats.ratio(ourQueries.top10.perSecond(subset), baselineQueries.top10.perSecond(subset))
              : Stats.ratio(ourQueries.wholeSets.perSecond(subset), baselineQueries.wholeSets.perSecond(subset))
    }
    private func sizeRatio(_ a: Int?, _ b: Int?) -> Double? { Stats.ratio(a.map(Double.init), b.map(Double.init)) }

    // MARK: JSON

    func json() -> JSON {
        let comparable = plan.comparable
        return .object([
            ("benchmark", .object([
                ("corpus", .string(setup.corpus)),
                ("sourceDocuments", .int(setup.sourceDocuments)),
                ("scale", .int(setup.scale)),
                ("seed", .string(String(setup.seed))),
                ("queries", .string(plan.source)),
                ("repeat", .int(setup.repeats)),
                ("opens", .int(setup.opens)),
                ("cpu", .string(setup.cpu)),
                ("cores", .int(setup.cores)),
                ("sqliteVersion", .string(setup.sqliteVersion)),
                ("loadAverageStart", .number(setup.loadAverage.start)),
                ("loadAverageEnd", .number(setup.loadAverage.end)),
                ("megabyte", .int(1_000_000)),
            ])),
            ("index", indexJSON(ours, extra: [
                ("reopenedAgreement", reopenedAgreement.map { .object([("agree", .int($0)), ("queries", .int(plan.queries.count))]) } ?? .null),
            ])),
            ("queries", queriesJSON(ourQueries)),
            ("baseline", .object([
                ("engine", .string("SQLite FTS5, tokenize='trigram'")),
                ("sqliteVersion", .string(setup.sqliteVersion)),
                ("index", indexJSON(baseline, extra: [])),
                ("queries", queriesJSON(baselineQueries)),
            ])),
            ("ratios", .object([
                ("meaning", .string("ours ÷ SQLite FTS5 trigram: above 1 is better for throughput, below 1 is better for sizes, memory and times")),
                ("indexThroughput", .number(indexThroughputRatio)),
                ("indexThroughputSingleThread", .number(singleThreadIndexThroughputRatio)),
                ("indexSize", .number(sizeRatio(ours.indexBytes, baseline.indexBytes))),
                ("indexSizeWithText", .number(sizeRatio(ours.totalBytes, baseline.totalBytes))),
                ("diskSize", .number(sizeRatio(ours.diskBytes, baseline.diskBytes))),
                ("peakRSS", .number(sizeRatio(ours.peakRSSBytes, baseline.peakRSSBytes))),
                ("peakIndexingMemory", .number(sizeRatio(ours.peakIndexingBytes, baseline.peakIndexingBytes))),
                ("openTime", .number(Stats.ratio(ours.openMillis, baseline.openMillis))),
                ("queryThroughput", .number(queryRatio(comparable))),
                ("queryThroughputQueries", .int(comparable.count)),
                ("queryThroughputAll", .number(queryRatio(plan.all))),
                ("queryThroughputTop10", .number(queryRatio(comparable, top10: true))),
                ("queryThroughputTop10All", .number(queryRatio(plan.all, top10: true))),
                ("queryThroughputByKind", .object(plan.kinds.map { kind in
                    (kind, .number(queryRatio(plan.byKind[kind] ?? [])))
                })),
            ])),
            ("relevance", relevance.map { r in
                .object([
                    ("cases", .int(r.cases)),
                    ("plain", .object([("precisionAt1", .double(r.plain.precisionAt1)), ("mrr", .double(r.plain.mrr))])),
                    ("reranked", .object([("precisionAt1", .double(r.reranked.precisionAt1)), ("mrr", .double(r.reranked.mrr))])),
                    ("top10", .object(latencyJSON(r.top10))),
                    ("top10Reranked", .object(latencyJSON(r.top10Reranked))),
                ])
            } ?? .null),
            ("notes", .array(notes.map(JSON.string))),
            ("typed", typed?.json() ?? .null),
        ])
    }

    private func indexJSON(_ f: IndexFigures, extra: [(String, JSON)]) -> JSON {
        var members: [(String, JSON)] = [
            ("mbPerSecond", .number(f.megabytesPerSecond(f.headlineSeconds))),
            ("docsPerSecond", .number(f.documentsPerSecond(f.headlineSeconds))),
            ("threads", .int(f.headlineThreads)),
            ("documents", .int(f.documents)),
            ("textBytes", .int(f.textBytes)),
            ("indexBytes", .number(f.indexBytes)),
            ("indexToText", .number(f.indexToText)),
            ("totalBytes", .number(f.totalBytes)),
            ("diskBytes", .number(f.diskBytes)),
            ("terms", .number(f.terms)),
            ("segments", .number(f.segments)),
            ("peakRSSBytes", .number(f.peakRSSBytes)),
            ("peakRSSBeforeBytes", .number(f.peakRSSBeforeBytes)),
            ("rssBeforeBytes", .number(f.rssBeforeBytes)),
            ("rssAfterBytes", .number(f.rssAfterBytes)),
            ("peakIndexingBytes", .number(f.peakIndexingBytes)),
            ("saveMillis", .number(f.saveMillis)),
            ("openMillis", .number(f.openMillis)),
            ("openMillisRuns", .array(f.openRuns.map { .number($0) })),
            ("openError", .text(f.openError)),
            ("singleThread", .object([
                ("seconds", .number(f.singleThreadSeconds)),
                ("runs", .array(f.singleThreadRuns.map { .number($0) })),
                ("mbPerSecond", .number(f.megabytesPerSecond(f.singleThreadSeconds))),
                ("docsPerSecond", .number(f.documentsPerSecond(f.singleThreadSeconds))),
            ])),
        ]
        if !f.multiThreadRuns.isEmpty {
            members.append(("multiThread", .object([
                ("threads", .int(f.threads)),
                ("seconds", .number(f.multiThreadSeconds)),
                ("runs", .array(f.multiThreadRuns.map { .number($0) })),
                ("mbPerSecond", .number(f.megabytesPerSecond(f.multiThreadSeconds))),
                ("docsPerSecond", .number(f.documentsPerSecond(f.multiThreadSeconds))),
                ("speedup", .number(Stats.ratio(f.singleThreadSeconds, f.multiThreadSeconds))),
            ])))
        }
        return .object(members + extra)
    }

    private func latencyJSON(_ s: LatencySummary) -> [(String, JSON)] {
        [("perSecond", .number(s.perSecond)), ("p50Micros", .number(s.p50Micros)),
         ("p90Micros", .number(s.p90Micros)), ("p99Micros", .number(s.p99Micros))]
    }

    private func exactnessJSON(_ e: Exactness) -> [(String, JSON)] {
        let judged = e.judged > 0
        return [
            ("judged", .int(e.judged)),
            ("exact", judged ? .int(e.exact) : .null),
            ("falsePositives", judged ? .int(e.falsePositives) : .null),
            ("misses", judged ? .int(e.misses) : .null),
            ("queriesWithFalsePositives", judged ? .int(e.queriesWithFalsePositives) : .null),
            ("queriesWithMisses", judged ? .int(e.queriesWithMisses) : .null),
            ("errors", .int(e.errors)),
        ]
    }

    private func queriesJSON(_ q: QueryFigures) -> JSON {
        let comparable = plan.comparable
        var members: [(String, JSON)] = [
            ("count", .int(plan.queries.count)),
            ("perSecond", .number(q.wholeSets.perSecond(plan.all))),
            ("perSecondComparable", .number(q.wholeSets.perSecond(comparable))),
            ("comparableQueries", .int(comparable.count)),
            ("top10PerSecond", .number(q.top10.perSecond(plan.all))),
            ("top10PerSecondComparable", .number(q.top10.perSecond(comparable))),
        ]
        if let ranked = q.rankedWholeSets {
            members.append(("rankedPerSecond", .number(ranked.perSecond(plan.all))))
        }
        members += latencyJSON(q.wholeSets.latencySummary(plan.all)).dropFirst()
        members += exactnessJSON(q.totalExactness)
        members.append(("byKind", .object(plan.kinds.map { kind in
            let indices = plan.byKind[kind] ?? []
            var k: [(String, JSON)] = [("queries", .int(indices.count))]
            k += exactnessJSON(q.exactness[kind] ?? Exactness())
            k += latencyJSON(q.wholeSets.latencySummary(indices))
            k.append(("top10", .object(latencyJSON(q.top10.latencySummary(indices)))))
            if let ranked = q.rankedWholeSets {
                k.append(("ranked", .object(latencyJSON(ranked.latencySummary(indices)))))
            }
            k.append(("trigramCannotRun", .int(indices.filter { !(plan.fts5[$0]?.trigramCanRun ?? false) }.count)))
            return (kind, .object(k))
        })))
        return .object(members)
    }

    // MARK: Table

    func table() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let comparable = plan.comparable

        line("BigramSearch benchmark")
        let scaled = setup.scale > 1 ? ", scale \(setup.scale) (from \(grouped(setup.sourceDocuments)) documents)" : ""
        line("  corpus   \(setup.corpus): \(grouped(ours.documents)) documents, \(bytes(ours.textBytes)) of text\(scaled)")
        line("  queries  \(plan.source): \(plan.queries.count) queries, \(plan.kinds.count) kinds; \(comparable.count) that FTS5 trigram can run (all clauses 3+ characters)")
        line("  machine  \(setup.cpu), \(setup.cores) cores, load average \(fixed(setup.loadAverage.start, 2)) at start, \(fixed(setup.loadAverage.end, 2)) at end; SQLite \(setup.sqliteVersion)")
        line("  method   medians of \(setup.repeats) timed passes; MB = 10⁶ bytes of UTF-8 `text`; every ratio is ours ÷ SQLite")
        line()

        let b = baseline
        var rows: [[String]] = [["Indexing", "BigramSearch", "SQLite FTS5 trigram", "ours ÷ SQLite"]]
        rows.append(["throughput, 1 thread",
                     "\(fixed(ours.megabytesPerSecond(ours.singleThreadSeconds), 2)) MB/s, \(rate(ours.documentsPerSecond(ours.singleThreadSeconds))) docs/s",
                     "\(fixed(b.megabytesPerSecond(b.singleThreadSeconds), 2)) MB/s, \(rate(b.documentsPerSecond(b.singleThreadSeconds))) docs/s",
                     times(singleThreadIndexThroughputRatio)])
        if !ours.multiThreadRuns.isEmpty {
            rows.append(["throughput, \(ours.threads) threads",
                         "\(fixed(ours.megabytesPerSecond(ours.multiThreadSeconds), 2)) MB/s, \(rate(ours.documentsPerSecond(ours.multiThreadSeconds))) docs/s (\(times(Stats.ratio(ours.singleThreadSeconds, ours.multiThreadSeconds))) speedup)",
                         "(1 thread only)", times(indexThroughputRatio)])
        }
        rows.append(["index size (÷ text)",
                     "\(bytes(ours.indexBytes)) (\(fixed(ours.indexToText, 3)))",
                     "\(bytes(b.indexBytes)) (\(fixed(b.indexToText, 3)))",
                     fixed(sizeRatio(ours.indexBytes, b.indexBytes), 3)])
        rows.append(["with stored text", bytes(ours.totalBytes), "\(bytes(b.totalBytes)) (whole database)",
                     fixed(sizeRatio(ours.totalBytes, b.totalBytes), 3)])
        rows.append(["saved on disk", ours.diskBytes.map(bytes) ?? "unavailable", "\(bytes(b.diskBytes)) (VACUUM INTO)",
                     fixed(sizeRatio(ours.diskBytes, b.diskBytes), 3)])
        rows.append(["peak RSS", bytes(ours.peakRSSBytes), "\(bytes(b.peakRSSBytes)) (estimate)",
                     fixed(sizeRatio(ours.peakRSSBytes, b.peakRSSBytes), 3)])
        rows.append(["memory at peak of indexing", bytes(ours.peakIndexingBytes), "\(bytes(b.peakIndexingBytes)) (SQLite heap)",
                     fixed(sizeRatio(ours.peakIndexingBytes, b.peakIndexingBytes), 3)])
        rows.append(["RSS before → after indexing", "\(bytes(ours.rssBeforeBytes)) → \(bytes(ours.rssAfterBytes))", "", ""])
        rows.append(["open (median of \(setup.opens))",
                     ours.openMillis.map { "\(fixed($0, 3)) ms" } ?? "unavailable",
                     b.openMillis.map { "\(fixed($0, 3)) ms" } ?? "unavailable",
                     fixed(Stats.ratio(ours.openMillis, b.openMillis), 3)])
        out += columns(rows)
        line()

        rows = [["Queries (1 thread, queries/s)", "BigramSearch", "SQLite FTS5 trigram", "ours ÷ SQLite"]]
        rows.append(["whole match sets, \(comparable.count) comparable",
                     rate(ourQueries.wholeSets.perSecond(comparable)), rate(baselineQueries.wholeSets.perSecond(comparable)),
                     times(queryRatio(comparable))])
        rows.append(["whole match sets, all \(plan.queries.count)",
                     rate(ourQueries.wholeSets.perSecond(plan.all)), rate(baselineQueries.wholeSets.perSecond(plan.all)),
                     times(queryRatio(plan.all))])
        rows.append(["top 10, \(comparable.count) comparable",
                     rate(ourQueries.top10.perSecond(comparable)), rate(baselineQueries.top10.perSecond(comparable)),
                     times(queryRatio(comparable, top10: true))])
        rows.append(["top 10, all \(plan.queries.count)",
                     rate(ourQueries.top10.perSecond(plan.all)), rate(baselineQueries.top10.perSecond(plan.all)),
                     times(queryRatio(plan.all, top10: true))])
        if let ranked = ourQueries.rankedWholeSets {
            rows.append(["whole match sets ranked, all", rate(ranked.perSecond(plan.all)), "", ""])
        }
        out += columns(rows)
        line()

        line("Per kind: whole match sets (latency in µs); exactness = exact / judged, false-positive ids (queries), missed ids (queries)")
        rows = [["kind", "n", "q/s", "p50", "p90", "p99", "top10 p50", "exact", "false pos.", "misses",
                 "│", "SQLite q/s", "p50", "p99", "exact", "false pos.", "misses", "ratio"]]
        for kind in plan.kinds + ["all"] {
            let indices = kind == "all" ? plan.all : (plan.byKind[kind] ?? [])
            let o = ourQueries.wholeSets.latencySummary(indices)
            let s = baselineQueries.wholeSets.latencySummary(indices)
            let oe = kind == "all" ? ourQueries.totalExactness : (ourQueries.exactness[kind] ?? Exactness())
            let se = kind == "all" ? baselineQueries.totalExactness : (baselineQueries.exactness[kind] ?? Exactness())
            rows.append([kind, String(indices.count), rate(o.perSecond), fixed(o.p50Micros, 1), fixed(o.p90Micros, 1),
                         fixed(o.p99Micros, 1), fixed(ourQueries.top10.latencySummary(indices).p50Micros, 1)]
                        + exactnessCells(oe) + ["│", rate(s.perSecond), fixed(s.p50Micros, 1), fixed(s.p99Micros, 1)]
                        + exactnessCells(se) + [times(queryRatio(indices))])
        }
        out += columns(rows, rightAligned: Set(1..<18).subtracting([10]))
        line()
        if let r = relevance {
            line("Relevance (Benchmarks/relevance.jsonl, \(r.cases) cases) and the cost of re-ranking (top 10, all queries)")
            rows = [["", "precision@1", "MRR", "top-10 q/s", "p50 µs", "p99 µs"],
                    ["plain BM25", fixed(r.plain.precisionAt1, 3), fixed(r.plain.mrr, 3), rate(r.top10.perSecond),
                     fixed(r.top10.p50Micros, 1), fixed(r.top10.p99Micros, 1)],
                    ["re-ranked", fixed(r.reranked.precisionAt1, 3), fixed(r.reranked.mrr, 3), rate(r.top10Reranked.perSecond),
                     fixed(r.top10Reranked.p50Micros, 1), fixed(r.top10Reranked.p99Micros, 1)]]
            out += columns(rows, rightAligned: Set(1..<6))
            line()
        }
        line("ours ÷ SQLite: above 1 is better for throughput, below 1 is better for sizes, memory and times.")
        for note in notes { line("note: \(note)") }
        return out
    }

    private func exactnessCells(_ e: Exactness) -> [String] {
        guard e.judged > 0 else { return ["—", "—", "—"] }
        return ["\(e.exact)/\(e.judged)", "\(e.falsePositives) (\(e.queriesWithFalsePositives))",
                "\(e.misses) (\(e.queriesWithMisses))"]
    }

    // MARK: Formatting

    /// Lays out `rows` in columns (the first row is the header, underlined).
    private func columns(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let count = rows.map(\.count).max() ?? 0
        // Body rows are indented under the header: the indent belongs to the first column.
        let rows = rows.enumerated().map { r, row in
            r == 0 || row.isEmpty ? row : ["  " + row[0]] + row.dropFirst()
        }
        var widths = [Int](repeating: 0, count: count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for (r, row) in rows.enumerated() {
            var cells: [String] = []
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(rightAligned.contains(i) ? padding + cell : cell + padding)
            }
            out += cells.joined(separator: "  ").trailingSpacesRemoved + "\n"
            if r == 0 { out += String(repeating: "─", count: widths.reduce(0, +) + 2 * (count - 1)) + "\n" }
        }
        return out
    }

    private func fixed(_ x: Double?, _ digits: Int) -> String {
        guard let x, x.isFinite else { return "—" }
        return String(format: "%.\(digits)f", x)
    }

    private func times(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        return String(format: x >= 10 ? "%.1f×" : "%.2f×", x)
    }

    private func rate(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        return x >= 100 ? grouped(Int(x.rounded())) : String(format: "%.1f", x)
    }

    private func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    private func bytes(_ n: Int?) -> String {
        guard let n else { return "—" }
        let x = Double(n)
        if x >= 1e9 { return String(format: "%.2f GB", x / 1e9) }
        if x >= 1e6 { return String(format: "%.2f MB", x / 1e6) }
        if x >= 1e3 { return String(format: "%.1f kB", x / 1e3) }
        return "\(n) B"
    }
}

private extension String {
    var trailingSpacesRemoved: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
