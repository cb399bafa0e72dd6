import ArgumentParser
import BigramSearch
import Foundation

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print counts and sizes of an index (or of a corpus indexed on the fly).")

    @Argument(help: "A saved index directory, a .jsonl corpus, or a directory of .txt files.")
    var index: String

    func run() throws {
        let s = try openOrIndex(index).statistics
        let rows: [(String, String)] = [
            ("documents", "\(s.documents)"), ("deleted documents", "\(s.deletedDocuments)"), ("segments", "\(s.segments)"),
            ("terms", "\(s.terms)"), ("dictionary bytes", "\(s.dictionaryBytes)"), ("postings bytes", "\(s.postingsBytes)"),
            ("field length bytes", "\(s.fieldLengthBytes)"), ("index bytes (without stored text)", "\(s.indexBytes)"),
            ("stored text bytes", "\(s.storedTextBytes)"),
        ]
        for (k, v) in rows { print(k.padding(toLength: 36, withPad: " ", startingAt: 0) + v) }
    }
}
