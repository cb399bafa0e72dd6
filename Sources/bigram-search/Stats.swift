import ArgumentParser
import BigramSearch

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print counts and sizes of an index (or of a corpus indexed on the fly).")

    @Argument(help: "A saved index directory, a .jsonl corpus, a .txt file, or a directory of .txt files.")
    var index: String

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup(title: "Indexing a corpus on the fly") var fields: SchemaOptions

    func run() throws {
        let s = try openForReading(index, corpus: corpus, schema: fields.schema, analyzer: fields.analyzer()).statistics
        let rows: [(String, String)] = [
            ("documents", "\(s.documents)"), ("deleted documents", "\(s.deletedDocuments)"), ("segments", "\(s.segments)"),
            ("terms", "\(s.terms)"), ("dictionary bytes", "\(s.dictionaryBytes)"), ("postings bytes", "\(s.postingsBytes)"),
            ("field length bytes", "\(s.fieldLengthBytes)"), ("index bytes (without stored text)", "\(s.indexBytes)"),
            ("stored text bytes", "\(s.storedTextBytes)"),
        ]
        for (k, v) in rows { try say(k + String(repeating: " ", count: max(1, 36 - k.count)) + v) }
    }
}
