/// What was measured for one engine's index: build runs, sizes, memory, open time. Raw values;
/// ``Report`` derives rates and ratios from them.
struct IndexFigures {
    /// Documents indexed.
    var documents = 0
    /// UTF-8 bytes of the `text` field of all documents (the input that throughput is per).
    var textBytes = 0
    /// Seconds of each single-threaded build (add every document, then snapshot/commit).
    var singleThreadRuns: [Double] = []
    /// Threads of the multi-threaded builds (1 when there are none).
    var threads = 1
    /// Seconds of each multi-threaded build; empty when not measured.
    var multiThreadRuns: [Double] = []
    /// The searchable index without stored text (ours: postings, dictionaries, field lengths;
    /// SQLite: the FTS5 shadow tables other than the content table).
    var indexBytes: Int?
    /// Everything the index keeps in memory, stored text included (ours: index + stored text;
    /// SQLite: page_count × page_size of the in-memory database).
    var totalBytes: Int?
    /// Size of the saved index on disk (ours: the IndexStore directory; SQLite: the file made
    /// by `VACUUM INTO`).
    var diskBytes: Int?
    /// Distinct terms (ours only; summed over segments).
    var terms: Int?
    /// Segments of the index queries ran on (ours only).
    var segments: Int?
    /// Peak resident set size of the process after indexing (ours: getrusage). SQLite: an
    /// estimate, RSS before indexing plus SQLite's heap high-water mark while indexing.
    var peakRSSBytes: Int?
    /// Peak RSS before any indexing (the corpus loaded).
    var peakRSSBeforeBytes: Int?
    /// Resident set size just before indexing.
    var rssBeforeBytes: Int?
    /// Resident set size after indexing, the index alive.
    var rssAfterBytes: Int?
    /// Memory taken at the peak of indexing beyond what was in use before (ours: peak RSS −
    /// RSS before; SQLite: `sqlite3_memory_highwater` − memory in use before).
    var peakIndexingBytes: Int?
    /// Milliseconds of saving the index (ours) or writing the database file (SQLite).
    var saveMillis: Double?
    /// Milliseconds of each open of the saved index.
    var openRuns: [Double] = []
    /// Why the index could not be saved or opened, when it could not.
    var openError: String?

    var singleThreadSeconds: Double? { Stats.median(singleThreadRuns) }
    var multiThreadSeconds: Double? { Stats.median(multiThreadRuns) }
    /// The headline build time: the multi-threaded one when measured, else single-threaded.
    var headlineSeconds: Double? { multiThreadSeconds ?? singleThreadSeconds }
    var headlineThreads: Int { multiThreadRuns.isEmpty ? 1 : threads }
    var openMillis: Double? { Stats.median(openRuns) }

    /// MB (10⁶ bytes) of `text` per second for a build of `seconds`.
    func megabytesPerSecond(_ seconds: Double?) -> Double? {
        Stats.ratio(Double(textBytes) / 1e6, seconds)
    }

    func documentsPerSecond(_ seconds: Double?) -> Double? {
        Stats.ratio(Double(documents), seconds)
    }

    /// `indexBytes ÷ textBytes`.
    var indexToText: Double? { Stats.ratio(indexBytes.map(Double.init), Double(textBytes)) }
}

/// What was measured for one engine's queries: timings of each mode and exactness per kind.
struct QueryFigures {
    /// Whole match sets: every matching id, unranked.
    var wholeSets: QueryTimings
    /// Top 10 by score.
    var top10: QueryTimings
    /// Whole match sets ranked by score (ours only).
    var rankedWholeSets: QueryTimings?
    /// Exactness by kind.
    var exactness: [String: Exactness]
    /// Ids matched by each query (document order for ours), nil when it failed.
    var results: [[String]?]

    /// Exactness over all kinds.
    var totalExactness: Exactness {
        exactness.values.reduce(into: Exactness()) { t, e in
            t.queries += e.queries; t.judged += e.judged; t.exact += e.exact
            t.falsePositives += e.falsePositives; t.misses += e.misses
            t.queriesWithFalsePositives += e.queriesWithFalsePositives
            t.queriesWithMisses += e.queriesWithMisses; t.errors += e.errors
        }
    }
}

/// The queries of a run and the groups that reports break figures down by.
struct QueryPlan {
    var queries: [BenchQuery]
    /// Where the queries came from (a file path or "drawn from the corpus").
    var source: String
    /// Each query in FTS5 syntax (nil when the baseline cannot express it).
    var fts5: [FTS5Query?]
    /// Indices of each kind's queries.
    var byKind: [String: [Int]]
    /// The kinds in report order.
    var kinds: [String]

    init(queries: [BenchQuery], source: String) {
        self.queries = queries
        self.source = source
        fts5 = queries.map { FTS5Query.translate($0.text) }
        var byKind: [String: [Int]] = [:]
        for (i, q) in queries.enumerated() { byKind[q.kind, default: []].append(i) }
        self.byKind = byKind
        kinds = QueryKind.ordered(Set(byKind.keys))
    }

    var all: [Int] { Array(queries.indices) }

    /// Queries both engines can run: every clause 3+ characters (3+ CJK characters, or Latin
    /// and mixed phrases of that length). The headline query ratio is over these.
    var comparable: [Int] { queries.indices.filter { fts5[$0]?.trigramCanRun ?? false } }

    /// Queries FTS5 trigram cannot answer: a clause under 3 characters (or syntax it lacks).
    var baselineCannotRun: [Int] { queries.indices.filter { !(fts5[$0]?.trigramCanRun ?? false) } }

    /// True when some query has an expected set.
    var hasExpectations: Bool { queries.contains { $0.expected != nil } }
}
