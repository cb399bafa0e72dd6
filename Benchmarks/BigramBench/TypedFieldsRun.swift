import Foundation

/// Builds an engine over the section's corpus (outside the timings).
struct TypedEngineFactory {
    var name: String
    var make: (TypedCorpus) throws -> any TypedEngine
}

/// The `--typed` section: loads the corpus with its generated fields, picks the texts FTS5
/// answers exactly, draws the workload, builds the engines, and runs ``TypedFieldsRun``.
enum TypedFieldsSection {
    // MARK: - BigramSearch engine (library side)
    //
    // The BigramSearch adapter goes here: return a factory that indexes `corpus.documents` with
    // their `corpus.fields` (date, n, score2, source) and answers TypedQuery through the
    // library's typed API, e.g.
    //
    //     [TypedEngineFactory(name: "BigramSearch") { corpus in try BigramTypedEngine(corpus: corpus) }]
    //
    // Its answers are then compared with brute force and timed beside SQLite's, and the
    // report's targets (ratios to SQLite, sorted ÷ plain) are computed for it.
    static func additionalEngines() -> [TypedEngineFactory] {
        [TypedEngineFactory(name: "BigramSearch") { corpus in try BigramTypedEngine(corpus: corpus) }]
    }

    static func run(_ options: Options) throws -> TypedReport {
        let loadAtStart = ProcessMetrics.loadAverage()
        guard let corpusPath = options.corpus ?? Options.seedsDirectory() else {
            throw BenchError("no --corpus given and no seeds/ directory found (run from the package root)")
        }
        try SQLiteBaseline.checkAvailable()
        let corpus = try TypedCorpus.load(corpusPath, scale: options.scale, seed: options.seed)
        var notes: [String] = []

        // Text queries with an exact match set, and FTS5 able to run every clause.
        var candidates: [BenchQuery] = []
        if let path = options.queries {
            if options.scale > 1 {
                notes.append("the query file's expected sets describe the unscaled corpus: at --scale \(options.scale) the section runs its filter-only classes alone")
            } else {
                var seen = Set<String>()
                for q in try QueryFile.load(path) where q.expected != nil && seen.insert(q.text).inserted {
                    if FTS5Query.translate(q.text)?.trigramCanRun ?? false { candidates.append(q) }
                }
                if candidates.isEmpty { notes.append("\(path) has no query with an expected set that FTS5 trigram can run: filter-only classes alone") }
            }
        } else {
            notes.append("no --queries file with expected sets: the section runs its filter-only classes alone (give --queries ../shared/corpus/queries-open.jsonl for the text classes)")
        }

        let sqlite = try SQLiteTypedEngine(corpus: corpus, withText: !candidates.isEmpty)
        // The texts FTS5 answers exactly: its match set equals the expected one.
        var texts: [(text: String, matches: Int)] = []
        var expected: [String: [String]] = [:]
        var eligibleByKind: [String: Int] = [:]
        var candidatesByKind: [String: Int] = [:]
        for q in candidates {
            candidatesByKind[q.kind, default: 0] += 1
            guard let got = try sqlite.plainMatch(q.text), let want = q.expected, Set(got) == Set(want) else { continue }
            texts.append((q.text, want.count))
            expected[q.text] = want
            eligibleByKind[q.kind, default: 0] += 1
        }
        if !candidates.isEmpty {
            let kinds = QueryKind.ordered(Set(candidatesByKind.keys))
                .map { "\($0) \(eligibleByKind[$0] ?? 0)/\(candidatesByKind[$0] ?? 0)" }.joined(separator: ", ")
            notes.append("texts: \(texts.count) of the \(candidates.count) queries with 3+ characters per clause that FTS5 trigram answers exactly (\(kinds))")
        }

        var workload = TypedWorkload(perClass: options.typedPerClass, seed: options.seed).generate(texts: texts, corpus: corpus)
        if let classes = options.typedClasses {
            workload.removeAll { !classes.contains($0.queryClass) }
            notes.append("classes run: \(TypedQueryClass.allCases.filter(classes.contains).map(\.rawValue).joined(separator: ", ")) (--typed-classes)")
        }
        let (brute, bruteSeconds) = Stopwatch.time { BruteForceTypedEngine(corpus: corpus, expected: expected) }
        var engines: [(engine: any TypedEngine, buildSeconds: Double?)] = [(sqlite, sqlite.buildSeconds), (brute, bruteSeconds)]
        for factory in additionalEngines() {
            let (engine, seconds) = try Stopwatch.time { try factory.make(corpus) }
            engines.append((engine, seconds))
        }

        // SQLite's plans for one query of each class (the first), for the record.
        var plans: [(TypedQueryClass, String)] = []
        for c in TypedQueryClass.allCases {
            if let q = workload.first(where: { $0.queryClass == c }), q.limit != 0,
               let lines = try? sqlite.explain(q) {
                plans.append((c, lines.joined(separator: "; ")))
            }
        }

        let runner = TypedFieldsRun(workload: workload, reference: brute, repeats: options.repeats)
        let figures = try engines.map { try runner.measure($0.engine, buildSeconds: $0.buildSeconds) }
        let setup = TypedReport.Setup(corpus: corpusPath, documents: corpus.count, scale: options.scale, seed: options.seed,
                                      repeats: options.repeats, cpu: ProcessMetrics.cpuModel(), cores: ProcessMetrics.cores,
                                      sqliteVersion: SQLiteDatabase.version,
                                      loadAverage: (loadAtStart, ProcessMetrics.loadAverage()),
                                      sources: Set(corpus.fields.compactMap(\.source)).count,
                                      texts: texts.count, textCandidates: candidates.count)
        return TypedReport(setup: setup, workload: workload, totals: runner.totals, engines: figures,
                           texts: texts, plans: plans, notes: notes)
    }
}

/// What one engine did on the workload.
struct TypedEngineFigures {
    var name: String
    var buildSeconds: Double?
    /// `seconds[pass][query]`.
    var timings: QueryTimings
    /// Queries whose answer equals the reference's (by TypedCheck), and those that threw.
    var equal = 0
    var errors = 0
    var mismatches: [TypedMismatch] = []
}

struct TypedMismatch {
    var query: Int
    var reason: String
}

/// Times engines on a workload and compares their answers with the reference (brute force).
struct TypedFieldsRun {
    let workload: [TypedQuery]
    let reference: BruteForceTypedEngine
    let repeats: Int
    /// The reference's answers and match sets, computed once.
    let expected: [TypedAnswer?]
    let matchSets: [Set<String>?]

    init(workload: [TypedQuery], reference: BruteForceTypedEngine, repeats: Int) {
        self.workload = workload
        self.reference = reference
        self.repeats = repeats
        expected = workload.map { try? reference.answer($0) }
        matchSets = workload.map { q in
            (try? reference.matchSet(q)).map { Set($0.map { reference.corpus.documents[$0].id }) }
        }
    }

    /// Each query's total match count by the reference (nil when it could not answer).
    var totals: [Int?] { expected.map { $0?.total } }

    /// One untimed pass (answers compared with the reference, caches warmed), then `repeats`
    /// timed passes over the whole workload, one thread.
    func measure(_ engine: any TypedEngine, buildSeconds: Double?) throws -> TypedEngineFigures {
        var f = TypedEngineFigures(name: engine.name, buildSeconds: buildSeconds, timings: QueryTimings(seconds: []))
        for (i, q) in workload.enumerated() {
            let got: TypedAnswer
            do { got = try engine.answer(q) } catch {
                f.errors += 1
                f.mismatches.append(TypedMismatch(query: i, reason: "error: \(error)"))
                continue
            }
            guard let want = expected[i], let set = matchSets[i] else {
                f.mismatches.append(TypedMismatch(query: i, reason: "the reference cannot answer this query"))
                continue
            }
            if let reason = TypedCheck.difference(got: got, expected: want, query: q, matchSet: set) {
                f.mismatches.append(TypedMismatch(query: i, reason: reason))
            } else {
                f.equal += 1
            }
        }
        var sink = 0
        f.timings = QueryTimings.measure(count: workload.count, passes: repeats, progress: Progress("typed queries, \(engine.name)")) { i in
            sink &+= (try? engine.answer(workload[i]))?.total ?? 0
        }
        blackHole(sink)
        return f
    }
}

/// How an answer is compared with the reference's.
enum TypedCheck {
    /// Nil when `got` is right for `query`, else what differs. Exact equality of total, page and
    /// facets, except for pages ordered by score (engines' scores differ): then the page must
    /// have the reference's size, no duplicate, and only ids of the match set.
    static func difference(got: TypedAnswer, expected: TypedAnswer, query: TypedQuery, matchSet: Set<String>) -> String? {
        if got.total != expected.total { return "total \(got.total), expected \(expected.total)" }
        if got.facets != expected.facets {
            for facet in query.facets where got.facets[facet.name] != expected.facets[facet.name] {
                let g = got.facets[facet.name].map { $0.map(\.description).joined(separator: " ") } ?? "none"
                let e = expected.facets[facet.name].map { $0.map(\.description).joined(separator: " ") } ?? "none"
                return "facet \(facet.name): \(g), expected \(e)"
            }
            return "facets \(got.facets.keys.sorted()), expected \(expected.facets.keys.sorted())"
        }
        if query.ordersByScore {
            if got.ids.count != expected.ids.count { return "page of \(got.ids.count), expected \(expected.ids.count)" }
            if Set(got.ids).count != got.ids.count { return "page has duplicate ids" }
            if let outside = got.ids.first(where: { !matchSet.contains($0) }) { return "page holds \(outside), not a match" }
            return nil
        }
        if got.ids != expected.ids {
            if got.ids.count != expected.ids.count { return "page of \(got.ids.count), expected \(expected.ids.count)" }
            let i = got.ids.indices.first { got.ids[$0] != expected.ids[$0] }!
            return "page differs at \(i): \(got.ids[i]), expected \(expected.ids[i])"
        }
        return nil
    }
}
