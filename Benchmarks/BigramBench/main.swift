// bigram-bench: measures BigramSearch and SQLite FTS5 (trigram) on the same corpus and queries,
// in one process, and prints a table (and JSON with --json). See Benchmarks/README.md.
//
// Order of work: load (and scale) the corpus; choose the queries; BigramSearch indexing
// (single-threaded, then with --threads), queries, save and open; then the same through SQLite;
// then the report. Our index is released before SQLite starts. With --typed, the typed-fields
// section (TypedFieldsRun.swift) runs afterwards; --typed-only runs it alone.

import BigramSearch
import Foundation

/// Runs the whole benchmark and returns the report.
func runBenchmark(_ options: Options) throws -> Report {
    let loadAtStart = ProcessMetrics.loadAverage()
    guard let corpusPath = options.corpus ?? Options.seedsDirectory() else {
        throw BenchError("no --corpus given and no seeds/ directory found (run from the package root)")
    }
    let source = try CorpusReader.load(corpusPath)
    guard !source.isEmpty else { throw BenchError("\(corpusPath) has no documents") }
    try SQLiteBaseline.checkAvailable()
    let documents = CorpusScaler.scale(source, by: options.scale, seed: options.seed)
    var notes: [String] = []

    // The queries: from the file, or drawn from the (unscaled) corpus.
    let plan: QueryPlan
    if let path = options.queries {
        var queries = try QueryFile.load(path)
        if options.scale > 1 && queries.contains(where: { $0.expected != nil }) {
            for i in queries.indices { queries[i].expected = nil }
            notes.append("the query file's expected sets describe the unscaled corpus: exactness is not judged at --scale \(options.scale)")
        }
        plan = QueryPlan(queries: queries, source: path)
    } else {
        let generator = QueryGenerator(perKind: options.queriesPerKind, seed: options.seed)
        let queries = generator.generate(from: source, absence: AbsenceChecker(documents: documents))
        guard !queries.isEmpty else { throw BenchError("could not draw any query from \(corpusPath)") }
        plan = QueryPlan(queries: queries, source: "drawn from the corpus (seed \(options.seed))")
        notes.append("queries drawn from the corpus have no expected sets except the absent ones (checked absent), so exactness is judged on those only; use --queries for a query set with expected results")
    }
    if let path = options.saveQueries {
        do { try QueryFile.save(plan.queries, to: path) } catch {
            throw BenchError("cannot write \(path): \(error.localizedDescription)")
        }
    }
    let opens = max(5, options.repeats)

    // BigramSearch.
    var ours: IndexFigures
    let ourQueries: QueryFigures
    let agreement: Int?
    var relevance: RelevanceFigures?
    do {
        let run = BigramRun(documents: documents, repeats: options.repeats, threads: options.threads)
        let snapshot: IndexSnapshot
        (ours, snapshot) = try run.measureIndexing()
        ourQueries = run.measureQueries(snapshot, plan: plan)
        if let path = RelevanceRun.setPath() {
            relevance = try RelevanceRun.measure(setPath: path, snapshot: snapshot, plan: plan, repeats: options.repeats)
        } else {
            notes.append("Benchmarks/relevance.jsonl not found: no relevance figures")
        }
        agreement = run.measureStorage(snapshot, opens: opens, plan: plan, inMemory: ourQueries.results, into: &ours)
    }
    if let error = ours.openError {
        notes.append("our index could not be saved or opened (\(error)): open time unavailable")
    } else if let agreement {
        notes.append("the reopened index matched the same ids as the in-memory one for \(agreement) of \(plan.queries.count) queries")
    }
    if ours.threads > 1 {
        let segments = ours.segments.map { " (\($0) segment\($0 == 1 ? "" : "s"))" } ?? ""
        notes.append("our queries ran on the index built by add(contentsOf:threads: \(ours.threads))\(segments)")
    }

    // SQLite FTS5 trigram.
    let baselineRun = SQLiteBaseline(documents: documents, repeats: options.repeats)
    var baseline: IndexFigures
    let baselineQueries: QueryFigures
    do {
        let db: SQLiteDatabase
        (baseline, db) = try baselineRun.measureIndexing(rssBefore: ours.rssBeforeBytes)
        baselineRun.measureStorage(db, opens: opens, into: &baseline)
        baselineQueries = try baselineRun.measureQueries(db, plan: plan)
    }
    let cannotRun = plan.baselineCannotRun
    if !cannotRun.isEmpty {
        var perKind: [String: Int] = [:]
        for i in cannotRun { perKind[plan.queries[i].kind, default: 0] += 1 }
        let list = plan.kinds.compactMap { k in perKind[k].map { "\(k) \($0)" } }.joined(separator: ", ")
        notes.append("FTS5 trigram finds nothing for a clause under 3 characters: \(cannotRun.count) queries (\(list)) return no rows from SQLite, counted as misses where expected sets are known; the headline query ratio is over the other \(plan.comparable.count)")
    }
    let untranslatable = plan.fts5.filter { $0 == nil }.count
    if untranslatable > 0 {
        notes.append("\(untranslatable) queries use syntax the FTS5 translation does not cover (-a, parentheses, prefix*): not run on SQLite (errors)")
    }

    let setup = Report.Setup(corpus: corpusPath, sourceDocuments: source.count, scale: options.scale,
                             seed: options.seed, repeats: options.repeats, opens: opens,
                             cpu: ProcessMetrics.cpuModel(), cores: ProcessMetrics.cores,
                             sqliteVersion: SQLiteDatabase.version,
                             loadAverage: (loadAtStart, ProcessMetrics.loadAverage()))
    return Report(setup: setup, plan: plan, ours: ours, ourQueries: ourQueries, reopenedAgreement: agreement,
                  baseline: baseline, baselineQueries: baselineQueries, relevance: relevance, notes: notes)
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("bigram-bench: \(message)\n".utf8))
    exit(code)
}

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    switch error {
    case .help:
        print(Options.usage)
        exit(0)
    case .invalid(let message):
        fail("\(message)\n\n\(Options.usage)", code: 2)
    }
}

do {
    let json: JSON
    if options.libraryTimeOnly {
        // The fresh-process side of --cli-time: one in-memory build, its seconds on stdout.
        guard let corpus = options.corpus else { throw BenchError("--library-time needs --corpus FILE.jsonl") }
        print(try OnDiskRun(documents: try CorpusReader.load(corpus)).inMemorySeconds())
        exit(0)
    } else if let binary = options.cliBinary {
        // The CLI's indexing time against the library's (OnDiskRun.swift).
        guard let corpus = options.corpus else { throw BenchError("--cli-time needs --corpus FILE.jsonl") }
        let (table, j) = try OnDiskSection.cliTime(binary, corpus: corpus, repeats: options.repeats)
        print(table)
        json = j
    } else if let index = options.coldIndex {
        // Cold and warm queries of a saved index alone (OnDiskRun.swift).
        let (table, j) = try OnDiskSection.coldQueries(index, repeats: options.repeats)
        print(table)
        json = j
    } else if options.onDisk {
        // The on-disk section alone (OnDiskRun.swift).
        let (table, j) = try OnDiskSection.run(options)
        print(table)
        json = j
    } else if options.relevanceOnly {
        // The relevance section alone (RelevanceSetRun.swift).
        guard let dir = RelevanceSetRun.directory() else { throw BenchError("Benchmarks/Relevance not found (run from the package root)") }
        let figures = try RelevanceSetRun.measure(directory: dir, repeats: options.repeats)
        print(figures.table(), terminator: "")
        json = .object([("relevanceSet", figures.json())])
    } else if options.typedOnly {
        // The typed-fields section alone (TypedFieldsRun.swift).
        let typed = try TypedFieldsSection.run(options)
        print(typed.table(), terminator: "")
        json = .object([("typed", typed.json())])
    } else {
        var report = try runBenchmark(options)
        print(report.table(), terminator: "")
        if options.typed {
            // After the main benchmark, whose indexes are released by now.
            let typed = try TypedFieldsSection.run(options)
            print("\n" + typed.table(), terminator: "")
            report.typed = typed
        }
        json = report.json()
    }
    if let path = options.json {
        do {
            try Data((json.rendered() + "\n").utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            fail("cannot write \(path): \(error.localizedDescription)", code: 1)
        }
    }
} catch {
    fail("\(error)", code: 1)
}
