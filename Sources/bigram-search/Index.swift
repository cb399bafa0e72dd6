import ArgumentParser
import BigramSearch
import Foundation

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index a corpus (.jsonl or directory of .txt files) and save the index.")

    @Argument(help: "A .jsonl corpus or a directory of .txt files.")
    var input: String

    @Option(help: "Directory to save the index in.")
    var out: String

    func run() throws {
        let docs = try CorpusReader.load(input)
        let writer = try IndexWriter(schema: .corpus)
        try writer.add(contentsOf: docs)
        let snapshot = writer.snapshot()
        try IndexStore.save(snapshot, to: out)
        print("indexed \(docs.count) documents into \(out) (\(snapshot.indexByteCount) bytes of postings and dictionary)")
    }
}
