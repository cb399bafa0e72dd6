import BigramSearch
import Foundation

/// Measures BigramSearch through its public API only: `IndexWriter`, `IndexSnapshot`,
/// `IndexStore`, `QueryParser`.
struct BigramRun {
    let documents: [Document]
    let repeats: Int
    let threads: Int

    /// Builds the index `repeats` times single-threaded, then `repeats` times with `threads`
    /// threads (when more than 1), and returns the figures with the last snapshot built (the
    /// one queries run on: the headline configuration).
    func measureIndexing() throws -> (IndexFigures, IndexSnapshot) {
        var f = IndexFigures()
        f.documents = documents.count
        f.textBytes = documents.reduce(0) { $0 + ($1["text"]?.utf8.count ?? 0) }
        f.threads = threads
        f.peakRSSBeforeBytes = ProcessMetrics.peakRSS()
        f.rssBeforeBytes = ProcessMetrics.currentRSS()

        var kept: IndexSnapshot?
        let progress = Progress("indexing")
        let total = repeats * (threads > 1 ? 2 : 1)
        for run in 0..<repeats {
            kept = nil  // free the previous index before building the next
            let writer = try IndexWriter(schema: .corpus)
            let (snapshot, seconds) = try Stopwatch.time { () throws -> IndexSnapshot in
                try writer.add(contentsOf: documents)
                return writer.snapshot()
            }
            f.singleThreadRuns.append(seconds)
            if threads == 1 { kept = snapshot }
            progress.update(run + 1, of: total)
        }
        if threads > 1 {
            for run in 0..<repeats {
                kept = nil
                let writer = try IndexWriter(schema: .corpus)
                let (snapshot, seconds) = try Stopwatch.time { () throws -> IndexSnapshot in
                    try writer.add(contentsOf: documents, threads: threads)
                    return writer.snapshot()
                }
                f.multiThreadRuns.append(seconds)
                kept = snapshot
                progress.update(repeats + run + 1, of: total)
            }
        }
        progress.finish()
        guard let snapshot = kept else { throw BenchError("no index was built") }

        f.peakRSSBytes = ProcessMetrics.peakRSS()
        f.rssAfterBytes = ProcessMetrics.currentRSS()
        if let before = f.rssBeforeBytes, let peak = f.peakRSSBytes, let peakBefore = f.peakRSSBeforeBytes,
           peak > peakBefore {
            f.peakIndexingBytes = peak - before
        }
        let statistics = try snapshot.statistics
        f.indexBytes = statistics.indexBytes
        f.totalBytes = statistics.indexBytes + statistics.storedTextBytes
        f.terms = statistics.terms
        f.segments = statistics.segments
        return (f, snapshot)
    }

    /// Saves `snapshot` with `IndexStore`, opens it `opens` times (timing each), and checks that
    /// the reopened index matches the same ids as `snapshot` for every query. A save or open
    /// that throws leaves the open time unavailable, with the error recorded.
    ///
    /// - Returns: how many queries the reopened index agreed on (nil when it could not be opened).
    func measureStorage(_ snapshot: IndexSnapshot, opens: Int, plan: QueryPlan,
                        inMemory results: [[String]?], into f: inout IndexFigures) -> Int? {
        let directory: String
        do { directory = try ProcessMetrics.makeTemporaryDirectory(prefix: "bigram-bench-index") } catch {
            f.openError = "cannot make a temporary directory: \(error)"
            return nil
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let (_, saveSeconds) = try Stopwatch.time { () throws(StorageError) in
                try IndexStore.save(snapshot, to: directory)
            }
            f.saveMillis = saveSeconds * 1e3
            f.diskBytes = ProcessMetrics.directorySize(directory)
            var reopened: IndexSnapshot?
            for _ in 0..<opens {
                reopened = nil
                let (opened, seconds) = try Stopwatch.time { () throws(StorageError) in
                    try IndexStore.open(at: directory)
                }
                f.openRuns.append(seconds * 1e3)
                reopened = opened
            }
            guard let reopened else { return nil }
            let parser = reopened.queryParser
            var agree = 0
            for (i, q) in plan.queries.enumerated() {
                let ids = (try? parser.parse(q.text)).flatMap { try? reopened.matchingIDs($0) }
                if ids == results[i] { agree += 1 }
            }
            return agree
        } catch {
            f.openError = "\(error)"
            f.openRuns = []
            return nil
        }
    }

    /// Runs every query once for exactness (`matchingIDs`), then times `repeats` passes of each
    /// mode: whole match sets (`matchingIDs`), top 10 (`search` with limit 10) and whole match
    /// sets ranked (`search` with no limit). Each timed call parses the query text too.
    func measureQueries(_ snapshot: IndexSnapshot, plan: QueryPlan) -> QueryFigures {
        let parser = snapshot.queryParser
        var exactness: [String: Exactness] = [:]
        var results: [[String]?] = []
        for q in plan.queries {
            let ids = (try? parser.parse(q.text)).flatMap { try? snapshot.matchingIDs($0) }
            results.append(ids)
            exactness[q.kind, default: Exactness()].record(got: ids, expected: q.expected)
        }
        let texts = plan.queries.map(\.text)
        var sink = 0
        let wholeSets = QueryTimings.measure(count: texts.count, passes: repeats, progress: Progress("queries, whole match sets")) { i in
            guard let q = try? parser.parse(texts[i]) else { return }
            sink &+= (try? snapshot.matchingIDs(q))?.count ?? 0
        }
        let top10 = QueryTimings.measure(count: texts.count, passes: repeats, progress: Progress("queries, top 10")) { i in
            guard let q = try? parser.parse(texts[i]) else { return }
            sink &+= (try? snapshot.search(q, options: SearchOptions(limit: 10, reranking: nil)))?.hits.count ?? 0
        }
        let ranked = QueryTimings.measure(count: texts.count, passes: repeats, progress: Progress("queries, ranked match sets")) { i in
            guard let q = try? parser.parse(texts[i]) else { return }
            sink &+= (try? snapshot.search(q, options: SearchOptions(limit: Int.max)))?.hits.count ?? 0
        }
        blackHole(sink)
        return QueryFigures(wholeSets: wholeSets, top10: top10, rankedWholeSets: ranked,
                            exactness: exactness, results: results)
    }
}

/// An error of the benchmark itself, with a message for the user.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Keeps a computed value alive so the optimizer cannot drop the work that made it.
@inline(never) func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
