import ArgumentParser
import BigramSearch
import Foundation

@main
struct BigramSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigram-search",
        abstract: "Full-text search for Chinese (and mixed) text: analyze, index, search, check.",
        subcommands: [Analyze.self, Index.self, Add.self, Delete.self, Merge.self, Search.self, Stats.self, Check.self])
}

/// Prints a line to standard error.
func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Opens a saved index, or indexes a corpus (`.jsonl` file or directory of `.txt`) in memory.
func openOrIndex(_ path: String) throws -> IndexSnapshot {
    if IndexStore.isIndex(at: path) {
        return try IndexStore.open(at: path)
    }
    let writer = try IndexWriter(schema: .corpus)
    try writer.add(contentsOf: CorpusReader.load(path))
    return writer.snapshot()
}

func jsonString(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}
