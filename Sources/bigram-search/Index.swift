import ArgumentParser
import BigramSearch
import Foundation

/// Options shared by the commands that write an index.
struct WriterOptions: ParsableArguments {
    @Option(help: "Memory budget of the indexing buffer, in MiB (segments are flushed to disk beyond it).")
    var memory = 64

    @Option(help: "Merge this many neighbouring segments of one size tier (0: never merge automatically).")
    var mergeFactor = 8

    var options: IndexWriter.Options { .init(maxBufferedBytes: memory << 20, mergeFactor: mergeFactor) }
}

/// Streams a corpus into a writer, in batches for `threads` threads, printing progress on stderr.
func addCorpus(_ path: String, to writer: IndexWriter, threads: Int) throws -> (documents: Int, bytes: Int) {
    var batch: [Document] = []
    var documents = 0, bytes = 0, batchBytes = 0
    let clock = ContinuousClock(), start = clock.now
    func flush() throws {
        if threads > 1 { try writer.add(contentsOf: batch, threads: threads) } else { try writer.add(contentsOf: batch) }
        batch.removeAll(keepingCapacity: true)
        batchBytes = 0
        let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        warn(String(format: "\r%d documents, %.1f MB, %.1f MB/s", documents, Double(bytes) / 1e6, Double(bytes) / 1e6 / max(seconds, 1e-9)))
    }
    try CorpusReader.forEach(path) { doc in
        let n = doc.fields.values.reduce(0) { $0 + $1.utf8.count }
        batch.append(doc)
        documents += 1
        bytes += n
        batchBytes += n
        if batchBytes >= 16 << 20 { try flush() }
    }
    try flush()
    return (documents, bytes)
}

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index a corpus (.jsonl or directory of .txt files) into a directory, streaming with bounded memory.")

    @Argument(help: "A .jsonl corpus or a directory of .txt files.")
    var input: String

    @Option(help: "Directory of the index (created, or added to).")
    var out: String

    @Option(help: "Indexing threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var writerOptions: WriterOptions

    func run() throws {
        let writer = try IndexWriter(directory: out, schema: .corpus, options: writerOptions.options)
        let (documents, _) = try addCorpus(input, to: writer, threads: threads)
        try writer.commit()
        let s = try writer.snapshot().statistics
        warn("")
        print("indexed \(documents) documents into \(out): \(s.segments) segment(s), \(s.indexBytes) bytes of postings and dictionary")
    }
}

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add (or replace, by id) the documents of a corpus in a saved index, and commit.")

    @Argument(help: "The index directory.")
    var index: String

    @Argument(help: "A .jsonl corpus or a directory of .txt files.")
    var input: String

    @OptionGroup var writerOptions: WriterOptions

    func run() throws {
        let writer = try IndexWriter(directory: index, options: writerOptions.options)
        let (documents, _) = try addCorpus(input, to: writer, threads: 1)
        try writer.commit()
        warn("")
        print("added \(documents) documents; the index has \(writer.documentCount)")
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete documents by id from a saved index, and commit.")

    @Argument(help: "The index directory.")
    var index: String

    @Argument(help: "Document ids.")
    var ids: [String]

    func run() throws {
        let writer = try IndexWriter(directory: index)
        let deleted = ids.filter { writer.delete(id: $0) }.count
        try writer.commit()
        print("deleted \(deleted) of \(ids.count) documents; the index has \(writer.documentCount)")
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge all segments of a saved index into one, dropping deleted documents, and commit.")

    @Argument(help: "The index directory.")
    var index: String

    func run() throws {
        let writer = try IndexWriter(directory: index)
        try writer.forceMerge()
        try writer.commit()
        try print("merged: \(writer.snapshot().statistics.segments) segment, \(writer.documentCount) documents")
    }
}
