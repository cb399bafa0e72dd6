import Foundation

/// The command-line options of `bigram-bench`, parsed by hand (the benchmark has no
/// ArgumentParser dependency).
struct Options {
    /// Corpus: a `.jsonl` file or a directory of `.txt` files. Nil means the repository's seeds.
    var corpus: String?
    /// Query file (`{"q", "kind", "expected"}` per line). Nil means queries drawn from the corpus.
    var queries: String?
    /// Size of the indexed corpus as a multiple of the input corpus (see ``CorpusScaler``).
    var scale = 1
    /// Threads for the multi-threaded indexing figure.
    var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Timed passes of each measurement (indexing runs, query passes); the median is reported.
    var repeats = 3
    /// Seed of every pseudo-random choice (scaling, query generation).
    var seed: UInt64 = 42
    /// Queries per kind when they are drawn from the corpus.
    var queriesPerKind = 30
    /// Where to write the JSON report.
    var json: String?
    /// Where to write the query set that was run (JSON Lines, the `--queries` format).
    var saveQueries: String?
    /// Also run the typed-fields section (TypedFieldsRun.swift) after the main benchmark.
    var typed = false
    /// Run the typed-fields section alone.
    var typedOnly = false
    /// Run the relevance section alone (RelevanceSetRun.swift, Benchmarks/Relevance).
    var relevanceOnly = false
    /// Run the on-disk section alone (OnDiskRun.swift): the directory writer, as the CLI uses it.
    var onDisk = false
    /// Where the on-disk section leaves its index (a new directory); nil: it is removed.
    var keepIndex: String?
    /// The on-disk section without its in-memory comparison (for runs too large to hold in memory).
    var skipInMemory = false
    /// The on-disk section with flushes and merges in the writer's thread (`backgroundIndexing: false`).
    var noBackground = false
    /// Measure cold and warm queries on this saved index alone (`--cold-queries DIR`).
    var coldIndex: String?
    /// Time this `bigram-search` binary indexing the corpus against the library in memory
    /// (`--cli-time BINARY`).
    var cliBinary: String?
    /// Internal (`--library-time`): load the corpus, index it in memory once, print the seconds
    /// (the fresh-process side of `--cli-time`).
    var libraryTimeOnly = false
    /// Queries per class of the typed-fields section.
    var typedPerClass = 50
    /// The typed classes to run (nil: all); the workload is drawn whole, then filtered, so a
    /// class's queries are the same with or without this option.
    var typedClasses: Set<TypedQueryClass>?

    /// Why parsing stopped: a request for help or a bad option (exit code 2).
    enum ParseOutcome: Error {
        case help
        case invalid(String)
    }

    static let usage = """
        usage: bigram-bench [--corpus FILE.jsonl|DIR] [--queries FILE.jsonl] [--scale N]
                            [--threads N] [--repeat N] [--seed N] [--per-kind N] [--json FILE]
                            [--save-queries FILE] [--typed | --typed-only | --relevance-only] [--typed-per-class N]
                            [--typed-classes C,C…] [--on-disk [--keep-index DIR] [--skip-in-memory] [--no-background]]
                            [--cold-queries DIR] [--cli-time BINARY]

        Measures BigramSearch (indexing, size, memory, open time, queries, exactness) and the
        same work through SQLite FTS5 with the trigram tokenizer, in one process.

          --corpus PATH    JSON Lines corpus ({"id","title","text"} per line) or a directory of
                           .txt files (default: the repository's seeds/ directory)
          --queries FILE   queries, one {"q","kind","expected"} object per line; without it,
                           queries are drawn deterministically from the corpus
          --scale N        index a corpus N times as large, made by recombining the corpus's
                           sentences into new documents (default 1)
          --threads N      threads for the multi-threaded indexing figure (default: all cores)
          --repeat N       timed passes per measurement; medians are reported (default 3)
          --seed N         seed for scaling and query generation (default 42)
          --per-kind N     queries per kind when drawn from the corpus (default 30)
          --json FILE      also write the results as JSON to FILE
          --save-queries FILE
                           write the queries that were run to FILE, in the --queries format
          --typed          also run the typed-fields section (filters, sorts, facets, pages
                           over generated fields; SQLite FTS5 + a table; brute force)
          --typed-only     run the typed-fields section alone
          --relevance-only run the relevance section alone (Benchmarks/Relevance: P@1, MRR@10,
                           nDCG@10 per ranking feature, and the cost of re-ranking)
          --typed-per-class N
                           typed queries per class (default 50)
          --typed-classes C,C…
                           run only these typed classes (e.g. filtered-set,plain-top10; for
                           profiles): the same queries as in a whole run
          --on-disk        run the on-disk section alone: the corpus (times --scale) indexed
                           by the directory writer as bigram-search index does; time per MB,
                           anonymous and file-backed memory, write amplification, peak disk,
                           merge share, cold and warm queries
          --keep-index DIR leave the on-disk section's index in DIR (which must not exist), to
                           run bigram-search on it
          --skip-in-memory the on-disk section without indexing the same documents in memory
                           (which holds the whole index in memory)
          --no-background  the on-disk section with flushes and merges in the writer's
                           thread, not in the background (to compare)
          --cold-queries DIR
                           the on-disk section's cold and warm queries alone, on the saved
                           index DIR (--repeat N rounds; medians)
          --cli-time BINARY
                           BINARY (a bigram-search) indexing the --corpus file on one thread
                           into a new directory, as a new process, against the library indexing
                           the same documents in memory, in a new process too and in this one,
                           in turn (--repeat N each; medians)
          -h, --help       show this help
        """

    /// Parses `arguments` (without the program name).
    ///
    /// Accepts `--name value` and `--name=value`. Paths given to `--corpus` and `--queries`
    /// must exist.
    static func parse(_ arguments: [String]) throws(ParseOutcome) -> Options {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "-h" || argument == "--help" { throw .help }
            if argument == "--typed" { options.typed = true; continue }
            if argument == "--typed-only" { options.typedOnly = true; continue }
            if argument == "--relevance-only" { options.relevanceOnly = true; continue }
            if argument == "--on-disk" { options.onDisk = true; continue }
            if argument == "--skip-in-memory" { options.skipInMemory = true; continue }
            if argument == "--no-background" { options.noBackground = true; continue }
            if argument == "--library-time" { options.libraryTimeOnly = true; continue }
            guard argument.hasPrefix("--") else { throw .invalid("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            func value() throws(ParseOutcome) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst() else { throw .invalid("--\(name) needs a value") }
                return next
            }
            switch name {
            case "corpus": options.corpus = try existingPath(value(), option: name)
            case "queries": options.queries = try existingPath(value(), option: name)
            case "scale": options.scale = try integer(value(), option: name, range: 1...1000)
            case "threads": options.threads = try integer(value(), option: name, range: 1...1024)
            case "repeat": options.repeats = try integer(value(), option: name, range: 1...1000)
            case "per-kind": options.queriesPerKind = try integer(value(), option: name, range: 1...100_000)
            case "seed":
                let text = try value()
                guard let seed = UInt64(text) else { throw .invalid("--seed must be a non-negative integer, not '\(text)'") }
                options.seed = seed
            case "json": options.json = try outputPath(value(), option: name)
            case "save-queries": options.saveQueries = try outputPath(value(), option: name)
            case "keep-index":
                let path = try outputPath(value(), option: name)
                guard !FileManager.default.fileExists(atPath: path) else { throw .invalid("--keep-index: '\(path)' exists") }
                options.keepIndex = path
            case "cold-queries": options.coldIndex = try existingPath(value(), option: name)
            case "cli-time": options.cliBinary = try existingPath(value(), option: name)
            case "typed-per-class": options.typedPerClass = try integer(value(), option: name, range: 1...10_000)
            case "typed-classes":
                var classes = Set<TypedQueryClass>()
                for part in try value().split(separator: ",") {
                    guard let c = TypedQueryClass(rawValue: String(part)) else {
                        throw .invalid("--typed-classes: unknown class '\(part)' (one of \(TypedQueryClass.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    classes.insert(c)
                }
                options.typedClasses = classes
            default:
                throw .invalid("unknown option '--\(name)'")
            }
        }
        return options
    }

    private static func integer(_ text: String, option: String, range: ClosedRange<Int>) throws(ParseOutcome) -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw .invalid("--\(option) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return n
    }

    /// A file to write: its directory must exist.
    private static func outputPath(_ path: String, option: String) throws(ParseOutcome) -> String {
        guard !path.isEmpty else { throw .invalid("--\(option) needs a file name") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalid("--\(option): no such directory '\(parent)'")
        }
        return path
    }

    private static func existingPath(_ path: String, option: String) throws(ParseOutcome) -> String {
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path) else {
            throw .invalid("--\(option): no such file or directory '\(path)'")
        }
        return path
    }

    /// The repository's `seeds/` directory: relative to the current directory when run from the
    /// package root (`swift run`), else located from this source file's path.
    static func seedsDirectory(sourceFile: String = #filePath) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "seeds", isDirectory: &isDirectory), isDirectory.boolValue {
            return "seeds"
        }
        // Benchmarks/BigramBench/Options.swift → the package root is three levels up.
        let root = URL(fileURLWithPath: sourceFile)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let seeds = root.appendingPathComponent("seeds").path
        if FileManager.default.fileExists(atPath: seeds, isDirectory: &isDirectory), isDirectory.boolValue {
            return seeds
        }
        return nil
    }
}
