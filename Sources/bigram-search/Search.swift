import ArgumentParser
import BigramSearch
import Foundation

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search a saved index, or a corpus indexed on the fly, and print ranked hits with snippets.")

    @Argument(help: "A saved index directory, a .jsonl corpus, or a directory of .txt files.")
    var index: String

    @Argument(help: "The query (syntax: see README).")
    var query: String

    @Option(help: "Most hits to print.")
    var limit = 10

    @Flag(help: "Read the query leniently (never a syntax error).")
    var lenient = false

    @Flag(help: "Re-rank the best candidates by Chinese dictionary word boundaries.")
    var rerank = false

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    func run() throws {
        let snapshot = try openOrIndex(index)
        let options = SearchOptions(limit: limit, highlight: HighlightOptions(before: json ? "<b>" : "\u{1B}[1;31m", after: json ? "</b>" : "\u{1B}[0m"),
                                    reranking: rerank ? Reranking() : nil)
        let results: SearchResults
        if lenient {
            results = try snapshot.search(lenient: query, options: options)
        } else {
            do { results = try snapshot.search(query, options: options) } catch {
                throw ValidationError(error.description)
            }
        }
        if json {
            for h in results.hits {
                let snippet = h.highlights.first?.snippet ?? ""
                print("{\"id\":\(jsonString(h.id)),\"score\":\(h.score),\"title\":\(jsonString(h["title"] ?? "")),\"snippet\":\(jsonString(snippet))}")
            }
            return
        }
        print("\(results.totalCount) matching document\(results.totalCount == 1 ? "" : "s")")
        for (rank, h) in results.hits.enumerated() {
            let title = h["title"].map { "  " + $0 } ?? ""
            print("\(rank + 1). \(h.id)\(title)  (score \(String(format: "%.3f", h.score)))")
            for hl in h.highlights { print("   \(hl.snippet)") }
        }
    }
}
