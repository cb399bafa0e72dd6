import BigramSearch
import CSQLite
import Foundation

/// The same work done by SQLite FTS5 with the `trigram` tokenizer, in the same process: what a
/// Swift user would otherwise reach for.
///
/// - Index: an in-memory database, `CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text,
///   tokenize='trigram')`, every document inserted in one transaction (SQLite's default
///   settings otherwise). Built `repeats` times; the last build is kept for the queries.
/// - Size: the FTS5 shadow tables (from `dbstat`), the index without the content table; the
///   whole database (page_count × page_size); and the file made by `VACUUM INTO`.
/// - Memory: SQLite's heap high-water mark while indexing (`sqlite3_memory_highwater`).
/// - Open: `sqlite3_open_v2` on that file plus preparing the query statement (which reads the
///   schema).
/// - Queries: `… WHERE docs MATCH ?` with the query as quoted phrases (``FTS5Query``), reading
///   every id; and `ORDER BY rank LIMIT 10` for the top 10 (bm25).
struct SQLiteBaseline {
    let documents: [Document]
    let repeats: Int

    static let createTable = "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text, tokenize='trigram')"
    static let matchAll = "SELECT id FROM docs WHERE docs MATCH ?1"
    static let matchTop10 = "SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10"

    /// Fails with a clear message when this SQLite lacks FTS5 or the trigram tokenizer
    /// (added in SQLite 3.34).
    static func checkAvailable() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        do { try db.execute(createTable) } catch {
            throw BenchError("SQLite \(SQLiteDatabase.version) cannot create an FTS5 trigram table (\(error)); the baseline needs SQLite ≥ 3.34 built with FTS5")
        }
    }

    /// Builds the database `repeats` times and measures the last one.
    func measureIndexing(rssBefore: Int?) throws -> (IndexFigures, SQLiteDatabase) {
        var f = IndexFigures()
        f.documents = documents.count
        f.textBytes = documents.reduce(0) { $0 + ($1["text"]?.utf8.count ?? 0) }
        f.threads = 1
        var kept: SQLiteDatabase?
        let progress = Progress("SQLite FTS5 indexing")
        for run in 0..<repeats {
            kept = nil  // close the previous database first
            let before = sqlite3_memory_used()
            _ = sqlite3_memory_highwater(1)  // reset the mark to the current use
            let db = try SQLiteDatabase(path: ":memory:")
            try db.execute(Self.createTable)
            let start = Stopwatch.now()
            try db.execute("BEGIN")
            let insert = try db.prepare("INSERT INTO docs(id, text) VALUES (?1, ?2)")
            for d in documents {
                try insert.bind(d.id, at: 1)
                try insert.bind(d["text"] ?? "", at: 2)
                _ = try insert.step()
                insert.reset()
            }
            try db.execute("COMMIT")
            f.singleThreadRuns.append(Stopwatch.seconds(since: start))
            f.peakIndexingBytes = Int(sqlite3_memory_highwater(0) - before)
            kept = db
            progress.update(run + 1, of: repeats)
        }
        progress.finish()
        guard let db = kept else { throw BenchError("no SQLite database was built") }
        if let rssBefore, let extra = f.peakIndexingBytes { f.peakRSSBytes = rssBefore + extra }

        f.totalBytes = try db.integer("PRAGMA page_count") * db.integer("PRAGMA page_size")
        // The FTS5 index proper: every shadow table but the content table (which holds the text).
        let sizes = try db.prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
        var indexBytes = 0
        while try sizes.step() {
            let name = sizes.text(at: 0)
            if name.hasPrefix("docs_") && name != "docs_content" { indexBytes += sizes.integer(at: 1) }
        }
        f.indexBytes = indexBytes
        return (f, db)
    }

    /// Writes `db` to a file with `VACUUM INTO` and times opening it `opens` times.
    func measureStorage(_ db: SQLiteDatabase, opens: Int, into f: inout IndexFigures) {
        do {
            let directory = try ProcessMetrics.makeTemporaryDirectory(prefix: "bigram-bench-sqlite")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/docs.sqlite"
            let (_, seconds) = try Stopwatch.time { () throws(SQLiteError) in
                try db.execute("VACUUM INTO '\(path.replacingOccurrences(of: "'", with: "''"))'")
            }
            f.saveMillis = seconds * 1e3
            f.diskBytes = ProcessMetrics.directorySize(directory)
            for _ in 0..<opens {
                let start = Stopwatch.now()
                let opened = try SQLiteDatabase(path: path, readOnly: true)
                let statement = try opened.prepare(Self.matchAll)
                f.openRuns.append(Stopwatch.seconds(since: start) * 1e3)
                withExtendedLifetime((opened, statement)) {}
            }
        } catch {
            f.openError = "\(error)"
            f.openRuns = []
        }
    }

    /// Runs every query once for exactness, then times `repeats` passes of whole match sets
    /// (every id) and of the top 10 by rank. A query FTS5 cannot express is not run (empty
    /// result, counted as an error).
    func measureQueries(_ db: SQLiteDatabase, plan: QueryPlan) throws -> QueryFigures {
        let all = try db.prepare(Self.matchAll)
        let top = try db.prepare(Self.matchTop10)
        func run(_ statement: SQLiteStatement, _ i: Int) -> [String]? {
            guard let expression = plan.fts5[i]?.expression else { return nil }
            defer { statement.reset() }
            do {
                try statement.bind(expression, at: 1)
                var ids: [String] = []
                while try statement.step() { ids.append(statement.text(at: 0)) }
                return ids
            } catch {
                return nil
            }
        }
        var exactness: [String: Exactness] = [:]
        var results: [[String]?] = []
        for (i, q) in plan.queries.enumerated() {
            let ids = run(all, i)
            results.append(ids)
            exactness[q.kind, default: Exactness()].record(got: ids, expected: q.expected)
        }
        var sink = 0
        let n = plan.queries.count
        let wholeSets = QueryTimings.measure(count: n, passes: repeats, progress: Progress("SQLite queries, whole match sets")) { i in
            sink &+= run(all, i)?.count ?? 0
        }
        let top10 = QueryTimings.measure(count: n, passes: repeats, progress: Progress("SQLite queries, top 10")) { i in
            sink &+= run(top, i)?.count ?? 0
        }
        blackHole(sink)
        return QueryFigures(wholeSets: wholeSets, top10: top10, rankedWholeSets: nil,
                            exactness: exactness, results: results)
    }
}
