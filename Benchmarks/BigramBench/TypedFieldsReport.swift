import Foundation

/// The `--typed` section's figures and their renderings (a table, and JSON under `typed`).
struct TypedReport {
    struct Setup {
        var corpus: String
        var documents: Int
        var scale: Int
        var seed: UInt64
        var repeats: Int
        var cpu: String
        var cores: Int
        var sqliteVersion: String
        var loadAverage: (start: Double?, end: Double?)
        /// Distinct `source` values.
        var sources: Int
        /// Texts used (FTS5 answers them exactly) and the candidates they were chosen from.
        var texts: Int
        var textCandidates: Int
    }

    var setup: Setup
    var workload: [TypedQuery]
    /// Each query's match count (the reference's).
    var totals: [Int?]
    var engines: [TypedEngineFigures]
    /// The texts the workload drew from, with their match counts.
    var texts: [(text: String, matches: Int)]
    /// SQLite's query plan of the first query of each class.
    var plans: [(TypedQueryClass, String)]
    var notes: [String]

    static let sqliteName = SQLiteTypedEngine.sqliteEngineName
    static let facetTargetDocuments = 10_000

    var classes: [TypedQueryClass] { TypedQueryClass.allCases.filter { !indices($0).isEmpty } }

    func indices(_ c: TypedQueryClass) -> [Int] { workload.indices.filter { workload[$0].queryClass == c } }

    var sqlite: TypedEngineFigures? { engines.first { $0.name == Self.sqliteName } }

    /// `e`'s queries/s ÷ SQLite's over `subset`.
    func ratioToSQLite(_ e: TypedEngineFigures, _ subset: [Int]) -> Double? {
        Stats.ratio(e.timings.perSecond(subset), sqlite?.timings.perSecond(subset))
    }

    /// Sorted top 10 time ÷ plain top 10 time, the same texts (the two classes pair up).
    func sortedOverPlain(_ e: TypedEngineFigures) -> Double? {
        Stats.ratio(e.timings.perSecond(indices(.plainTop10)), e.timings.perSecond(indices(.sortedTop10)))
    }

    /// Queries with facets whose match set has at least 10,000 documents.
    var largeFacetQueries: [Int] {
        workload.indices.filter { !workload[$0].facets.isEmpty && (totals[$0] ?? 0) >= Self.facetTargetDocuments }
    }

    var sortedIndices: [Int] { indices(.filteredSortedTop10) + indices(.sortedTop10) }

    /// Median and largest match count over `subset` (by the reference).
    func matchSummary(_ subset: [Int]) -> (p50: Int?, max: Int?) {
        let t = subset.compactMap { totals[$0] }.map(Double.init)
        return (Stats.percentile(t, 0.5).map { Int($0) }, t.max().map { Int($0) })
    }

    // MARK: Table

    func table() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let f = TableFormat.self
        line("Typed fields (filters, sorts, facets, pages), one thread")
        let scaled = setup.scale > 1 ? " (scale \(setup.scale))" : ""
        line("  corpus   \(setup.corpus): \(f.grouped(setup.documents)) documents\(scaled); fields date (UTC ms 2015–2025, ~2% missing), n (0…9999, ~5% missing), score2 [0,1), source (\(setup.sources) values)")
        line("  queries  \(workload.count) (seed \(setup.seed)); texts: \(setup.texts) of \(setup.textCandidates) candidates that FTS5 trigram answers exactly")
        line("  machine  \(setup.cpu), \(setup.cores) cores, load average \(f.fixed(setup.loadAverage.start, 2)) at start, \(f.fixed(setup.loadAverage.end, 2)) at end; SQLite \(setup.sqliteVersion)")
        line("  method   per query the median of \(setup.repeats) timed passes; q/s = queries ÷ median pass time; answers compared with brute force")
        line("  build    " + engines.map { "\($0.name) \(f.fixed($0.buildSeconds, 3)) s" }.joined(separator: "; "))
        line()

        var rows: [[String]] = [["class", "n", "matches p50/max", "engine", "q/s", "p50 µs", "p99 µs", "÷ SQLite"]]
        for c in classes {
            let subset = indices(c)
            let matches = matchSummary(subset)
            for (k, e) in engines.enumerated() {
                let s = e.timings.latencySummary(subset)
                rows.append([k == 0 ? c.label : "", k == 0 ? String(subset.count) : "",
                             k == 0 ? "\(matches.p50.map(f.grouped) ?? "—")/\(matches.max.map(f.grouped) ?? "—")" : "",
                             e.name, f.rate(s.perSecond),
                             f.fixed(s.p50Micros, 1), f.fixed(s.p99Micros, 1),
                             e.name == Self.sqliteName ? "" : f.times(ratioToSQLite(e, subset))])
            }
        }
        out += f.columns(rows, rightAligned: [1, 2, 4, 5, 6, 7])
        line()

        line("Answers (compared with brute force; pages ordered by score by total, facets, size and membership only)")
        for e in engines where e.name != BruteForceTypedEngine.engineName {
            line("  \(e.name): \(e.equal)/\(workload.count) equal, \(e.mismatches.count) mismatch\(e.mismatches.count == 1 ? "" : "es")\(e.errors > 0 ? " (\(e.errors) errors)" : "")")
            for m in e.mismatches.prefix(10) {
                line("    #\(m.query) [\(workload[m.query].queryClass.rawValue)] \(workload[m.query]): \(m.reason)")
            }
            if e.mismatches.count > 10 { line("    … \(e.mismatches.count - 10) more (all in the JSON)") }
        }
        line()

        line("Targets")
        let large = largeFacetQueries
        if !indices(.filteredSet).isEmpty {
            for e in engines where e.name != Self.sqliteName {
                let floor = e.name == BruteForceTypedEngine.engineName ? " (a floor: precomputed text sets, not an engine)" : ""
                line("  \(e.name)\(floor)")
                line("    filtered whole match sets ≥ 3× SQLite: \(f.times(ratioToSQLite(e, indices(.filteredSet))))")
                line("    sorted top 10 (filtered and not) ≥ 3× SQLite: \(f.times(ratioToSQLite(e, sortedIndices)))")
            }
            line("  sorted top 10 ÷ plain top 10 by score (time, same texts; ≤ 1.5): "
                 + engines.map { "\($0.name) \(f.fixed(sortedOverPlain($0), 2))" }.joined(separator: ", "))
        }
        if large.isEmpty {
            let all = indices(.facetsAll)
            let sourceDocuments = max(1, setup.documents / setup.scale)
            let scale = (Self.facetTargetDocuments + sourceDocuments - 1) / sourceDocuments
            line("  facets over ≥ 10,000 documents (< 1 ms): no such query here (\(f.grouped(setup.documents)) documents; run --typed-only --scale \(scale)); facets over all documents, p50 / p99 ms: "
                 + engines.map { e in
                     let s = e.timings.latencySummary(all)
                     return "\(e.name) \(f.fixed(s.p50Micros.map { $0 / 1000 }, 3)) / \(f.fixed(s.p99Micros.map { $0 / 1000 }, 3))"
                 }.joined(separator: ", "))
        } else {
            line("  facets over ≥ 10,000 documents (< 1 ms; \(large.count) queries), p50 / max ms: "
                 + engines.map { e in
                     let l = e.timings.latencies(large)
                     return "\(e.name) \(f.fixed(Stats.percentile(l, 0.5).map { $0 * 1000 }, 3)) / \(f.fixed(l.max().map { $0 * 1000 }, 3))"
                 }.joined(separator: ", "))
        }
        line()
        if !plans.isEmpty {
            line("SQLite query plans (first query of each class)")
            for (c, plan) in plans { line("  \(c.rawValue): \(plan)") }
            line()
        }
        for note in notes { line("note: \(note)") }
        return out
    }

    // MARK: JSON

    func json() -> JSON {
        func latency(_ s: LatencySummary) -> [(String, JSON)] {
            [("perSecond", .number(s.perSecond)), ("p50Micros", .number(s.p50Micros)),
             ("p90Micros", .number(s.p90Micros)), ("p99Micros", .number(s.p99Micros))]
        }
        let large = largeFacetQueries
        return .object([
            ("benchmark", .object([
                ("corpus", .string(setup.corpus)),
                ("documents", .int(setup.documents)),
                ("scale", .int(setup.scale)),
                ("seed", .string(String(setup.seed))),
                ("repeat", .int(setup.repeats)),
                ("cpu", .string(setup.cpu)),
                ("cores", .int(setup.cores)),
                ("sqliteVersion", .string(setup.sqliteVersion)),
                ("loadAverageStart", .number(setup.loadAverage.start)),
                ("loadAverageEnd", .number(setup.loadAverage.end)),
                ("queries", .int(workload.count)),
                ("texts", .int(setup.texts)),
                ("textCandidates", .int(setup.textCandidates)),
                ("sources", .int(setup.sources)),
            ])),
            ("classes", .object(classes.map { c in
                let m = matchSummary(indices(c))
                return (c.rawValue, .object([("label", .string(c.label)), ("queries", .int(indices(c).count)),
                                             ("matchesP50", .number(m.p50)), ("matchesMax", .number(m.max))]))
            })),
            ("engines", .array(engines.map { e in
                .object([
                    ("name", .string(e.name)),
                    ("buildSeconds", .number(e.buildSeconds)),
                    ("equal", .int(e.equal)),
                    ("errors", .int(e.errors)),
                    ("byClass", .object(classes.map { c in
                        var members = latency(e.timings.latencySummary(indices(c)))
                        if e.name != Self.sqliteName { members.append(("ratioToSQLite", .number(ratioToSQLite(e, indices(c))))) }
                        return (c.rawValue, .object(members))
                    })),
                    ("targets", .object([
                        ("filteredSetRatioToSQLite", e.name == Self.sqliteName ? .null : .number(ratioToSQLite(e, indices(.filteredSet)))),
                        ("sortedTop10RatioToSQLite", e.name == Self.sqliteName ? .null : .number(ratioToSQLite(e, sortedIndices))),
                        ("sortedOverPlainTop10Time", .number(sortedOverPlain(e))),
                        ("largeFacetQueries", .int(large.count)),
                        ("largeFacetP50Millis", .number(Stats.percentile(e.timings.latencies(large), 0.5).map { $0 * 1000 })),
                        ("largeFacetMaxMillis", .number(e.timings.latencies(large).max().map { $0 * 1000 })),
                    ])),
                    ("mismatches", .array(e.mismatches.prefix(200).map { m in
                        .object([("query", .int(m.query)), ("class", .string(workload[m.query].queryClass.rawValue)),
                                 ("description", .string(workload[m.query].description)), ("reason", .string(m.reason))])
                    })),
                    ("mismatchCount", .int(e.mismatches.count)),
                ])
            })),
            ("sqlitePlans", .object(plans.map { ($0.0.rawValue, .string($0.1)) })),
            ("texts", .array(texts.map { .object([("q", .string($0.text)), ("matches", .int($0.matches))]) })),
            ("notes", .array(notes.map(JSON.string))),
        ])
    }
}

/// Table formatting of the typed section (the same layout as ``Report``'s tables).
enum TableFormat {
    /// Lays out `rows` in columns (the first row is the header, underlined; body rows indented).
    static func columns(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let count = rows.map(\.count).max() ?? 0
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
            var text = cells.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            out += text + "\n"
            if r == 0 { out += String(repeating: "─", count: widths.reduce(0, +) + 2 * (count - 1)) + "\n" }
        }
        return out
    }

    static func fixed(_ x: Double?, _ digits: Int) -> String {
        guard let x, x.isFinite else { return "—" }
        return String(format: "%.\(digits)f", x)
    }

    static func times(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        return String(format: x >= 10 ? "%.1f×" : "%.2f×", x)
    }

    static func rate(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        return x >= 100 ? grouped(Int(x.rounded())) : String(format: "%.1f", x)
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
