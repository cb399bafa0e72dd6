import ArgumentParser
import BigramSearch

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print counts and sizes of an index, and its fields with their types (or of a corpus indexed on the fly).")

    @Argument(help: "A saved index directory, a .jsonl corpus, a .txt file, or a directory of .txt files.")
    var index: String

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup(title: "Indexing a corpus on the fly") var fields: SchemaOptions

    func run() throws {
        let snapshot = try openForReading(index, corpus: corpus, schema: fields.schema, analyzer: fields.analyzer())
        let s = try snapshot.statistics
        let rows: [(String, String)] = [
            ("documents", "\(s.documents)"), ("deleted documents", "\(s.deletedDocuments)"), ("segments", "\(s.segments)"),
            ("terms", "\(s.terms)"), ("dictionary bytes", "\(s.dictionaryBytes)"), ("postings bytes", "\(s.postingsBytes)"),
            ("field length bytes", "\(s.fieldLengthBytes)"), ("index bytes (without stored text)", "\(s.indexBytes)"),
            ("stored text bytes", "\(s.storedTextBytes)"),
            ("fields", snapshot.schema.fields.map(Self.describe).joined(separator: ", ")),
        ]
        for (k, v) in rows { try say(k + String(repeating: " ", count: max(1, 36 - k.count)) + v) }
    }

    /// `title (text, boost 2)`, `url (text, stored only)`, `date (date)`, `tag (keyword, not stored)`.
    static func describe(_ f: Schema.Field) -> String {
        var parts = [f.kind.rawValue]
        if f.kind == .text {
            if !f.indexed { parts.append("stored only") } else if f.boost != 1 { parts.append("boost \(decimal(f.boost, places: 2).replacing(/\.?0+$/, with: ""))") }
            if f.indexed && !f.stored { parts.append("not stored") }
        } else if !f.stored {
            parts.append("not stored")
        }
        return "\(f.name) (\(parts.joined(separator: ", ")))"
    }
}
