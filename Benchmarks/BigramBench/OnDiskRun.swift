import BigramSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `--on-disk` section: the corpus (scaled by `--scale`) indexed by the directory writer, as
/// `bigram-search index` uses it (64 MiB buffer, the default merge factor, one thread), with what a
/// sampler thread sees every 10 ms: anonymous and file-backed resident memory (`RssAnon`,
/// `RssFile` of /proc/self/status) and the index directory's size on disk.
///
/// Figures: ms per MB of text (title and text bytes), peak anonymous memory above what the
/// process held before the writer started (the corpus itself is in memory: "what the caller
/// holds"), peak RSS, bytes of segment files written ÷ final index size (write amplification),
/// peak directory size ÷ final index size, the share of the time spent merging, and the first
/// query of a freshly opened index against a warm one.
struct OnDiskRun {
    let documents: [Document]
    /// Where to move the index when done (nil: removed).
    var keepIndex: String?
    /// Whether to index the same documents in memory too.
    var inMemory = true
    /// Flushes and merges on threads of their own (the default) or in the writer's thread
    /// (`--no-background`).
    var backgroundIndexing = true
    let bufferBytes = 64 << 20

    struct Figures {
        var documents = 0
        var textBytes = 0
        var seconds = 0.0
        var baselineAnon = 0
        var peakAnon = 0
        var peakFile = 0
        var peakRSS = 0
        var indexBytes = 0
        var peakDisk = 0
        var work = WriterWork()
        /// The same documents and schema indexed in memory, one thread (the library's own time).
        var inMemorySeconds = 0.0
        /// Cold queries: open the index and run one query (each query with a fresh open, as a
        /// new process would), then the same query again on that snapshot (warm). Medians over
        /// ``coldQueries``, in seconds; file-backed memory the first queries added, in bytes.
        var coldSeconds = 0.0
        var warmSeconds = 0.0
        var coldFileBytes = 0
        var coldToWarm: Double { coldSeconds / max(warmSeconds, 1e-9) }

        var msPerMB: Double { seconds * 1000 / (Double(textBytes) / 1_000_000) }
        var writeAmplification: Double { Double(work.segmentBytesWritten) / Double(max(indexBytes, 1)) }
        var diskPeakRatio: Double { Double(peakDisk) / Double(max(indexBytes, 1)) }
        var mergeShare: Double { work.mergeSeconds / max(seconds, 1e-9) }
        var anonAboveBaseline: Int { max(0, peakAnon - baselineAnon) }
        var onDiskToInMemory: Double { seconds / max(inMemorySeconds, 1e-9) }
    }

    /// The in-memory build of the same documents (outside the sampled run).
    func inMemorySeconds() throws -> Double {
        let start = Stopwatch.now()
        let writer = try IndexWriter(schema: Schema.corpusTitleAndText, options: .init(maxBufferedBytes: bufferBytes))
        for d in documents { try writer.add(d) }
        _ = writer.snapshot()
        return Stopwatch.seconds(since: start)
    }

    func measure() throws -> Figures {
        let dir = try ProcessMetrics.makeTemporaryDirectory(prefix: "bigram-ondisk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let index = dir + "/index"
        var f = Figures()
        f.documents = documents.count
        f.textBytes = documents.reduce(0) { $0 + $1.fields.values.reduce(0) { $0 + $1.utf8.count } }
        f.baselineAnon = Self.status()?.anon ?? 0
        let sampler = Sampler(directory: index)
        sampler.start()
        let start = Stopwatch.now()
        let writer = try IndexWriter(directory: index, mode: .create, schema: Schema.corpusTitleAndText,
                                     options: .init(maxBufferedBytes: bufferBytes, backgroundIndexing: backgroundIndexing))
        for d in documents { try writer.add(d) }
        try writer.waitForMerges()   // as bigram-search index does: the commit names every merge
        try writer.commit()
        f.seconds = Stopwatch.seconds(since: start)
        f.work = writer.work
        writer.close()
        let peaks = sampler.stop()
        f.peakAnon = peaks.anon
        f.peakFile = peaks.file
        f.peakRSS = max(peaks.rss, ProcessMetrics.currentRSS() ?? 0)
        f.indexBytes = ProcessMetrics.directorySize(index) ?? 0
        f.peakDisk = max(peaks.disk, f.indexBytes)
        try measureColdQueries(index, into: &f)
        if let keepIndex { try FileManager.default.moveItem(atPath: index, toPath: keepIndex) }
        if inMemory { f.inMemorySeconds = try inMemorySeconds() }
        return f
    }

    /// Common words of the corpora (news and encyclopedia text): each one's postings run through
    /// many chunks of a large index, and its hits' stored text is read for highlights.
    static let coldQueries = ["中国", "发展", "经济", "技术", "北京", "国际", "研究", "社会"]

    /// The first query of a freshly opened index (what a new `bigram-search search` process does,
    /// the files in the page cache) against the same query warm: ten hits with highlights.
    func measureColdQueries(_ index: String, into f: inout Figures) throws {
        var cold: [Double] = [], warm: [Double] = []
        let options = SearchOptions(limit: 10, highlight: HighlightOptions())
        let fileBefore = Self.status()?.file ?? 0
        for q in Self.coldQueries {
            let start = Stopwatch.now()
            let snapshot = try IndexStore.open(at: index)
            _ = try snapshot.search(q, options: options)
            cold.append(Stopwatch.seconds(since: start))
            if q == Self.coldQueries[0] { f.coldFileBytes = max(0, (Self.status()?.file ?? 0) - fileBefore) }
            var times: [Double] = []
            for _ in 0..<5 {
                let again = Stopwatch.now()
                _ = try snapshot.search(q, options: options)
                times.append(Stopwatch.seconds(since: again))
            }
            warm.append(Stats.median(times) ?? 0)
        }
        f.coldSeconds = Stats.median(cold) ?? 0
        f.warmSeconds = Stats.median(warm) ?? 0
    }

    /// RssAnon, RssFile and VmRSS of /proc/self/status, in bytes (nil off Linux).
    static func status() -> (anon: Int, file: Int, rss: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        var anon = 0, file = 0, rss = 0
        for line in text.split(separator: "\n") {
            func kb() -> Int { (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024 }
            if line.hasPrefix("RssAnon:") { anon = kb() } else if line.hasPrefix("RssFile:") { file = kb() } else if line.hasPrefix("VmRSS:") { rss = kb() }
        }
        return (anon, file, rss)
    }

    /// Samples memory and the directory's size on its own thread until stopped.
    final class Sampler: @unchecked Sendable {
        private let directory: String
        private let lock = NSLock()
        private var running = true
        private var peaks = (anon: 0, file: 0, rss: 0, disk: 0)
        private var thread: Thread?
        private let done = DispatchSemaphore(value: 0)

        init(directory: String) { self.directory = directory }

        func start() {
            let t = Thread { [self] in
                while lock.withLock({ running }) {
                    sample()
                    usleep(10_000)
                }
                sample()
                done.signal()
            }
            thread = t
            t.start()
        }

        private func sample() {
            let s = OnDiskRun.status()
            var disk = 0
            if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
                for n in names {
                    var st = stat()
                    if stat(directory + "/" + n, &st) == 0 { disk += Int(st.st_size) }
                }
            }
            lock.withLock {
                if let s { peaks.anon = max(peaks.anon, s.anon); peaks.file = max(peaks.file, s.file); peaks.rss = max(peaks.rss, s.rss) }
                peaks.disk = max(peaks.disk, disk)
            }
        }

        func stop() -> (anon: Int, file: Int, rss: Int, disk: Int) {
            lock.withLock { running = false }
            done.wait()
            return lock.withLock { peaks }
        }
    }
}

/// The `--on-disk` section on its own: loads and scales the corpus, measures, prints a table.
enum OnDiskSection {
    static func run(_ options: Options) throws -> (table: String, json: JSON) {
        guard let corpusPath = options.corpus ?? Options.seedsDirectory() else {
            throw BenchError("no --corpus given and no seeds/ directory found (run from the package root)")
        }
        let source = try CorpusReader.load(corpusPath)
        let documents = CorpusScaler.scale(source, by: options.scale, seed: options.seed)
        let load = ProcessMetrics.loadAverage()
        let f = try OnDiskRun(documents: documents, keepIndex: options.keepIndex, inMemory: !options.skipInMemory,
                              backgroundIndexing: !options.noBackground).measure()
        func mb(_ b: Int) -> String { String(format: "%.1f MB", Double(b) / 1_000_000) }
        var lines = [
            "On disk: \(corpusPath) ×\(options.scale): \(f.documents) documents, \(mb(f.textBytes)) of text; directory writer, 64 MiB buffer, merge factor \(IndexWriter.Options().mergeFactor), flushes and merges \(options.noBackground ? "in the writer's thread" : "in the background"), one thread adding (load \(load.map { String(format: "%.2f", $0) } ?? "?"))",
            f.inMemorySeconds > 0
                ? String(format: "  time: %.2f s, %.1f ms per MB; in memory (same documents, one thread): %.2f s; on disk ÷ in memory %.2f", f.seconds, f.msPerMB, f.inMemorySeconds, f.onDiskToInMemory)
                : String(format: "  time: %.2f s, %.1f ms per MB (in memory: not run, --skip-in-memory)", f.seconds, f.msPerMB),
            "  anonymous memory: peak \(mb(f.peakAnon)), \(mb(f.anonAboveBaseline)) above the \(mb(f.baselineAnon)) held before the writer (the corpus)",
            "  peak RSS \(mb(f.peakRSS)); file-backed (mapped segments) peak \(mb(f.peakFile))",
            String(format: "  segment bytes written %@ ÷ index %@ = %.2f (write amplification); peak disk %@ = %.2f × the index",
                   mb(f.work.segmentBytesWritten), mb(f.indexBytes), f.writeAmplification, mb(f.peakDisk), f.diskPeakRatio),
            String(format: "  merges: %d, %.2f s (%.0f%% of the time, on merge threads when in the background); flushes %.2f s; %d segments written", f.work.merges, f.work.mergeSeconds, 100 * f.mergeShare, f.work.flushSeconds, f.work.segmentsWritten),
            String(format: "  cold query (open + first search, 10 hits with highlights, median of %d words): %.2f ms; warm %.2f ms; cold ÷ warm %.1f; file-backed memory after the first: %@ of a %@ index",
                   OnDiskRun.coldQueries.count, f.coldSeconds * 1000, f.warmSeconds * 1000, f.coldToWarm, mb(f.coldFileBytes), mb(f.indexBytes)),
        ]
        lines.append("")
        let json = JSON.object([
            ("scale", .number(Double(options.scale))), ("documents", .number(Double(f.documents))), ("textBytes", .number(Double(f.textBytes))),
            ("seconds", .number(f.seconds)), ("msPerMB", .number(f.msPerMB)), ("inMemorySeconds", .number(f.inMemorySeconds)),
            ("onDiskToInMemory", .number(f.onDiskToInMemory)), ("peakAnonBytes", .number(Double(f.peakAnon))),
            ("baselineAnonBytes", .number(Double(f.baselineAnon))), ("peakFileBytes", .number(Double(f.peakFile))),
            ("peakRSSBytes", .number(Double(f.peakRSS))), ("indexBytes", .number(Double(f.indexBytes))),
            ("segmentBytesWritten", .number(Double(f.work.segmentBytesWritten))), ("writeAmplification", .number(f.writeAmplification)),
            ("peakDiskBytes", .number(Double(f.peakDisk))), ("peakDiskRatio", .number(f.diskPeakRatio)),
            ("merges", .number(Double(f.work.merges))), ("mergeSeconds", .number(f.work.mergeSeconds)), ("mergeShare", .number(f.mergeShare)),
            ("coldQuerySeconds", .number(f.coldSeconds)), ("warmQuerySeconds", .number(f.warmSeconds)),
            ("coldQueryFileBytes", .number(Double(f.coldFileBytes))),
        ])
        return (lines.joined(separator: "\n"), .object([("onDisk", json)]))
    }

    /// `--cold-queries DIR`: the cold and warm queries of ``OnDiskRun/measureColdQueries(_:into:)``
    /// on a saved index, `repeats` rounds (medians of the rounds' medians).
    static func coldQueries(_ index: String, repeats: Int) throws -> (table: String, json: JSON) {
        var cold: [Double] = [], warm: [Double] = [], file: [Double] = []
        for _ in 0..<repeats {
            var f = OnDiskRun.Figures()
            try OnDiskRun(documents: []).measureColdQueries(index, into: &f)
            cold.append(f.coldSeconds); warm.append(f.warmSeconds); file.append(Double(f.coldFileBytes))
        }
        let c = Stats.median(cold) ?? 0, w = Stats.median(warm) ?? 0
        let table = String(format: "Cold queries of %@ (open + first search, 10 hits with highlights, median of %d words, %d rounds): cold %.2f ms, warm %.3f ms, cold ÷ warm %.1f; file-backed memory after the first (first round) %.1f MB",
                           index, OnDiskRun.coldQueries.count, repeats, c * 1000, w * 1000, c / max(w, 1e-9), (file.first ?? 0) / 1_000_000)
        return (table, .object([("coldQueries", .object([("coldQuerySeconds", .number(c)), ("warmQuerySeconds", .number(w))]))]))
    }

    /// `--cli-time BINARY`: `BINARY index CORPUS --out DIR --threads 1` — a new process reading
    /// and parsing the file, indexing with the directory writer, committing — against the
    /// library indexing the same documents (already in memory) with `IndexWriter(schema:)` on one
    /// thread: in a new process (`bigram-bench --library-time`: its heap as fresh as the CLI's,
    /// the corpus loaded before the clock starts) and in this one (a heap warmed by the runs
    /// before), in turn, `repeats` times each: ratios of medians are same-moment ratios.
    static func cliTime(_ binary: String, corpus: String, repeats: Int) throws -> (table: String, json: JSON) {
        let documents = try CorpusReader.load(corpus)
        let run = OnDiskRun(documents: documents)
        let dir = try ProcessMetrics.makeTemporaryDirectory(prefix: "bigram-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func spawn(_ path: String, _ arguments: [String]) throws -> (seconds: Double, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let start = Stopwatch.now()
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let seconds = Stopwatch.seconds(since: start)
            guard process.terminationStatus == 0 else { throw BenchError("\(path) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)") }
            return (seconds, output)
        }
        var cli: [Double] = [], fresh: [Double] = [], warm: [Double] = []
        for k in 0..<repeats {
            let out = dir + "/index-\(k)"
            cli.append(try spawn(binary, ["index", corpus, "--out", out, "--threads", "1"]).seconds)
            try? FileManager.default.removeItem(atPath: out)
            let printed = try spawn(CommandLine.arguments[0], ["--library-time", "--corpus", corpus]).output
            guard let seconds = Double(printed.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw BenchError("--library-time printed '\(printed)'") }
            fresh.append(seconds)
            warm.append(try run.inMemorySeconds())
        }
        let c = Stats.median(cli) ?? 0, f = Stats.median(fresh) ?? 0, w = Stats.median(warm) ?? 0
        let table = String(format: "CLI against the library (%@, %d documents, %d runs each, in turn): bigram-search index --threads 1 %.3f s (a new process: start, reading, on disk, commit); library in memory, one thread, in a new process %.3f s (CLI ÷ library %.2f), in this process %.3f s (%.2f)",
                           corpus, documents.count, repeats, c, f, c / max(f, 1e-9), w, c / max(w, 1e-9))
        return (table, .object([("cliTime", .object([("cliSeconds", .number(c)), ("librarySeconds", .number(f)), ("ratio", .number(c / max(f, 1e-9))),
                                                     ("warmLibrarySeconds", .number(w)), ("warmRatio", .number(c / max(w, 1e-9)))]))]))
    }
}
