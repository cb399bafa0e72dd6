#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BigramSearch

/// Options shared by the commands that add documents to an index.
struct WriterOptions: ParsableArguments {
    @Option(help: "Memory budget of the indexing buffer, in MiB (segments are flushed to disk beyond it).")
    var memory = 64

    @Option(help: "Merge this many neighbouring segments of about one size (0: never merge automatically).")
    var mergeFactor = 10

    func validate() throws {
        guard memory > 0 else { throw ValidationError("--memory must be at least 1 (MiB)") }
        guard mergeFactor >= 0 else { throw ValidationError("--merge-factor must not be negative") }
    }

    func options(_ lock: LockOptions) -> IndexWriter.Options {
        .init(maxBufferedBytes: memory << 20, mergeFactor: mergeFactor, lockWait: lock.lockWait)
    }
}

/// How long to wait for another process's write lock: seconds, or `forever`.
struct LockWait: ExpressibleByArgument {
    var duration: Duration

    init?(argument: String) {
        if argument == "forever" || argument == "inf" {
            duration = .seconds(Int64(Int32.max))   // 68 years
            return
        }
        guard let seconds = Double(argument), seconds.isFinite, seconds >= 0 else { return nil }
        duration = .milliseconds(Int64(min(seconds, Double(Int32.max)) * 1000))
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// The write lock option of every command that writes an index.
struct LockOptions: ParsableArguments {
    @Option(name: .customLong("wait"), help: ArgumentHelp(
        "If another process is writing the index, wait up to this many seconds (or 'forever') for it to finish, instead of failing at once.",
        valueName: "seconds"))
    var wait: LockWait?

    var lockWait: Duration? { wait?.duration }
}

/// Opens a writer, turning the library's errors into messages (not an index, locked, damaged).
func openWriter(_ path: String, mode: IndexWriter.OpenMode, schema: Schema? = nil, analyzer: (any Analyzer)? = nil,
                options: IndexWriter.Options = .init()) throws(CLIError) -> IndexWriter {
    do { return try IndexWriter(directory: path, mode: mode, schema: schema, analyzer: analyzer, options: options) } catch {
        throw CLIError(describe(error))
    }
}

/// Waits for the writer's background merges (so the commit names their results: the command
/// ends right after it), then commits; a failure says whether the commit took effect.
func commit(_ writer: IndexWriter) throws(CLIError) {
    do {
        try writer.waitForMerges()
        try writer.commit()
    } catch {
        if case .storage(.committedButNotDurable) = error { throw CLIError(error.description) }
        throw CLIError("\(describe(error)); the commit failed, the index is unchanged")
    }
}

/// Streams a corpus into a writer, in batches for `threads` threads, printing progress on stderr
/// (an updated line on a terminal, a line per batch otherwise). The corpus is read and parsed on
/// a thread of its own, a batch or two ahead (``CorpusPipe``).
func addCorpus(_ path: String, to writer: IndexWriter, threads: Int,
               corpus: CorpusOptions) throws -> (documents: Int, report: CorpusReader.Report) {
    // The corpus's JSON keys read are the index's fields.
    let readerOptions = corpus.options(for: writer.schema)
    var documents = 0, bytes = 0
    let clock = ContinuousClock(), start = clock.now
    let terminal = stderrFile.isTerminal
    var printedProgress = false
    // Documents are handed over in batches: 16 MB of text for the threads to share, else 1 MB
    // (one thread adds them one by one: a batch is only memory held; progress every 16 MB).
    let pipe = CorpusPipe(path: path, options: readerOptions, batchBytes: threads > 1 ? 16 << 20 : 1 << 20)
    var reported = 0
    func progress(final: Bool = false) throws {
        guard final || bytes - reported >= 16 << 20 else { return }
        reported = bytes
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        let line = "\(documents) documents, \(decimal(Double(bytes) / 1e6)) MB, \(decimal(Double(bytes) / 1e6 / max(seconds, 1e-9))) MB/s"
        try stderrFile.write(terminal ? "\r" + line : line + "\n")
        printedProgress = true
    }
    do {
        while let batch = pipe.next() {
            if threads > 1 { try writer.add(contentsOf: batch.documents, threads: threads) } else { try writer.add(contentsOf: batch.documents) }
            documents += batch.documents.count
            bytes += batch.bytes
            try progress()
        }
    } catch {
        pipe.cancel()
        throw error
    }
    let report = try pipe.finish()
    try progress(final: true)
    if terminal && printedProgress { try stderrFile.write("\n") }
    return (documents, report)
}

/// `x` with one decimal.
func decimal(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

private func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}


struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index a corpus (.jsonl, a .txt file, or a directory of .txt files) into a directory, streaming with bounded memory.",
        discussion: """
            Creates the directory (its parent must exist), or adds to the index already there. The \
            index exists once the run completes (the manifest is written last); a failed run leaves \
            no index behind. A directory holding other files is refused unless --force; a damaged \
            index (index files without a MANIFEST) is always refused. A new index gets the fields \
            of --field (default: text, and title with boost 2; typed fields, --field date:date \
            --field source:keyword --field n:int, add to these unless a --field names a text \
            field) and the analyzer options given; an existing index keeps its own (giving other \
            ones is an error). JSON Lines typed values: keyword a string or an array of strings; \
            int an integer or a string of one ("42"); double a number or a string of one; date \
            an ISO 8601 string (2024-06-01, 2024-06-01T12:30:00+08:00) or an integer of \
            milliseconds since 1970 UTC; a missing key or null is no value, anything else an \
            error naming the line (a bad line for --skip-bad-lines).
            """)

    @Argument(help: "A .jsonl corpus, a .txt file, or a directory of .txt files.")
    var input: String

    @Option(help: "Directory of the index (created, or added to).")
    var out: String

    @Flag(help: "Create the index in a directory that holds other files (they are left alone).")
    var force = false

    @Option(help: "Indexing threads.")
    var threads = processorCount()

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup(title: "Fields and analysis of a new index") var fields: SchemaOptions
    @OptionGroup var writerOptions: WriterOptions
    @OptionGroup var lock: LockOptions

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let kind = IndexStore.kind(of: out)
        let mode: IndexWriter.OpenMode
        switch kind {
        case .index: mode = .open
        case .missing, .empty: mode = .create
        case .damagedIndex: throw CLIError(describe(StorageError.missingManifest(path: out)))
        case .other:
            guard isDirectory(out) else { throw CLIError("\(out) is a file, not a directory") }
            guard force else {
                throw CLIError("\(out) is not empty and not an index; use --force to create the index among its files")
            }
            mode = .createAmongOtherFiles
        }
        guard access(input, F_OK) == 0 else { throw CLIError("cannot read \(input): no such file or directory") }
        // An existing index keeps its schema and analyzer unless options were given (then they
        // must be the index's).
        let creating = mode != .open
        let writer = try openWriter(out, mode: mode, schema: creating || !fields.fieldArguments.isEmpty ? fields.schema : nil,
                                    analyzer: creating || fields.foldTraditional || fields.unigrams ? fields.analyzer() : nil,
                                    options: writerOptions.options(lock))
        let documents: Int
        do {
            let (n, report) = try addCorpus(input, to: writer, threads: threads, corpus: corpus)
            documents = n
            try printWarnings(report)
        } catch {
            if creating { writer.discardUncommitted() }
            throw CLIError("\(describe(error)); nothing was committed" + (creating ? ", no index was created" : ", the index is unchanged"))
        }
        if documents == 0 && !creating {
            try say("indexed nothing (\(input) has no documents); the index \(out) is unchanged")
            return
        }
        do { try commit(writer) } catch {
            if creating { writer.discardUncommitted() }
            throw error
        }
        let s = try writer.snapshot().statistics
        try say("indexed \(count(documents, "document")) into \(out): \(s.documents) in the index, \(count(s.segments, "segment")), \(s.indexBytes) bytes of postings and dictionary")
    }
}

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add (or replace, by id) the documents of a corpus in a saved index, and commit.")

    @Argument(help: "The index directory (an existing index).")
    var index: String

    @Argument(help: "A .jsonl corpus, a .txt file, or a directory of .txt files.")
    var input: String

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup var writerOptions: WriterOptions
    @OptionGroup var lock: LockOptions

    func run() throws {
        try requireIndex(index)
        let writer = try openWriter(index, mode: .open, options: writerOptions.options(lock))
        let documents: Int
        do {
            let (n, report) = try addCorpus(input, to: writer, threads: 1, corpus: corpus)
            documents = n
            try printWarnings(report)
        } catch {
            throw CLIError("\(describe(error)); nothing was committed, the index is unchanged")
        }
        if documents == 0 {
            try say("added nothing (\(input) has no documents); the index is unchanged")
            return
        }
        try commit(writer)
        try say("added \(count(documents, "document")); the index has \(writer.documentCount)")
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete documents by id from a saved index, and commit.")

    @Argument(help: "The index directory (an existing index).")
    var index: String

    @Argument(help: "Document ids.")
    var ids: [String]

    @OptionGroup var lock: LockOptions

    func run() throws {
        try requireIndex(index)
        let writer = try openWriter(index, mode: .open, options: .init(lockWait: lock.lockWait))
        var missing: [String] = []
        var deleted = 0
        for id in ids { if writer.delete(id: id) { deleted += 1 } else { missing.append(id) } }
        if deleted == 0 {
            try say("nothing deleted (no document has \(ids.count == 1 ? "this id" : "these ids")); the index is unchanged")
            return
        }
        try commit(writer)
        let notFound = missing.isEmpty ? "" : " (not found: \(missing.prefix(10).joined(separator: ", "))\(missing.count > 10 ? ", …" : ""))"
        try say("deleted \(deleted) of \(count(ids.count, "document"))\(notFound); the index has \(writer.documentCount)")
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge all segments of a saved index into one, dropping deleted documents, and commit.")

    @Argument(help: "The index directory (an existing index).")
    var index: String

    @OptionGroup var lock: LockOptions

    func run() throws {
        try requireIndex(index)
        let writer = try openWriter(index, mode: .open, options: .init(lockWait: lock.lockWait))
        let before = try writer.snapshot().statistics
        if before.segments <= 1 && before.deletedDocuments == 0 {
            try say("nothing to merge: \(count(before.segments, "segment")), no deleted documents; the index is unchanged")
            return
        }
        do { try writer.forceMerge() } catch {
            throw CLIError("\(describe(error)); nothing was committed, the index is unchanged")
        }
        try commit(writer)
        try say("merged \(count(before.segments, "segment")) into \(writer.snapshot().statistics.segments), dropping \(count(before.deletedDocuments, "deleted document")); the index has \(writer.documentCount)")
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every checksum of every file of a saved index (a full read); exit 1 naming the first damaged file.")

    @Argument(help: "The index directory.")
    var index: String

    func run() throws {
        try requireIndex(index)
        let snapshot: IndexSnapshot
        do { snapshot = try IndexStore.verify(at: index) } catch { throw CLIError(describe(error)) }
        let s = try snapshot.statistics
        try say("ok: \(count(s.documents, "document")), \(count(s.segments, "segment"))")
    }
}

/// "1 document", "2 documents".
func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

/// Online processors.
func processorCount() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
