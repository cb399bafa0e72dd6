#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BigramSearch
import Foundation

/// When to colour the output.
enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// `auto`: only when standard output is a terminal, `NO_COLOR` is unset (or empty) and `TERM`
    /// is not `dumb`.
    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
            if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
            return stdoutFile.isTerminal
        }
    }
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search a saved index, or a corpus indexed on the fly, and print ranked hits with snippets.",
        discussion: """
            The query may start with '-' (an exclusion: search IDX '-旅游 常熟'); give it as one \
            argument (quote it). Exit status 2 for a query syntax error (its position is shown), 1 \
            for a damaged index. --json prints one object: {"total", "offset", "hits": [{"id", \
            "score", "fields": {every stored field}, "highlights": [{"field", "utf8": [[lo, hi]], \
            "utf16": [[lo, hi]], "snippet"}]}]}, ranges being offsets into the stored field.
            """)

    @Argument(help: "A saved index directory, a .jsonl corpus, a .txt file, or a directory of .txt files.")
    var index: String

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The query (syntax: see README).", valueName: "query"))
    var queryWords: [String] = []

    @Option(help: "Most hits to print.")
    var limit = 10

    @Option(help: "Ranked hits to skip (paging: --offset 10 --limit 10 prints hits 11-20).")
    var offset = 0

    @Option(help: ArgumentHelp(
        "The two marks put around matches in snippets (--mark '[' ']'); default <b> </b> with --json, colour or nothing otherwise.",
        valueName: "before after"))
    var mark: [String] = []

    @Flag(help: "Read the query leniently (never a syntax error).")
    var lenient = false

    @Flag(help: "Re-rank the best candidates by Chinese dictionary word boundaries.")
    var rerank = false

    @Flag(help: "Print one JSON object: total, offset, and the hits with every stored field and highlight.")
    var json = false

    @Option(help: "Highlight matches with colour: auto (only on a terminal, unless NO_COLOR is set), always, never.")
    var color: ColorMode = .auto

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup(title: "Indexing a corpus on the fly") var fields: SchemaOptions

    /// `--mark A B` (given to the parser as `--mark A --mark B`, see `expandingTwoValueOptions`).
    private var marks: (before: String, after: String)? { mark.count == 2 ? (mark[0], mark[1]) : nil }

    /// The query words, without the `--` that ends the options (captured with them).
    private var words: [String] { queryWords.first == "--" ? Array(queryWords.dropFirst()) : queryWords }

    var query: String { words.first ?? "" }

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must not be negative") }
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        if !mark.isEmpty && mark.count != 2 { throw ValidationError("--mark takes two values: the text before and after a match (--mark '[' ']')") }
        guard !words.isEmpty else { throw ValidationError("Missing expected argument '<query>'") }
        guard words.count == 1 else {
            if let option = words.first(where: Self.looksLikeOption) {
                throw ValidationError("Unknown option '\(option)'")
            }
            throw ValidationError("give the query as one argument (quote it: '\(words.joined(separator: " "))')")
        }
        if Self.looksLikeOption(query) && queryWords.first != "--" {
            throw ValidationError("Unknown option '\(query)' (to search for it, put -- before the query)")
        }
    }

    /// `--word` in ASCII: a mistyped option rather than a query.
    private static func looksLikeOption(_ s: String) -> Bool {
        s.hasPrefix("--") && s.count > 2 && s.utf8.dropFirst(2).allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x3D
        }
    }

    func run() throws {
        let snapshot = try openForReading(index, corpus: corpus, schema: fields.schema, analyzer: fields.analyzer())
        let colored = !json && marks == nil && color.enabled
        let highlight = if let marks { HighlightOptions(before: marks.before, after: marks.after) }
            else if json { HighlightOptions(before: "<b>", after: "</b>") }
            else if colored { HighlightOptions(before: "\u{1B}[1;31m", after: "\u{1B}[0m") }
            else { HighlightOptions(before: "", after: "") }
        let options = SearchOptions(limit: limit, offset: offset, highlight: highlight, reranking: rerank ? Reranking() : nil)
        let results: SearchResults
        do {
            if lenient {
                results = try snapshot.search(lenient: query, options: options)
            } else {
                results = try snapshot.search(query, options: options)
            }
        } catch {
            switch error {
            case .syntax(let e): throw CLIError(syntaxErrorMessage(e, in: query), exitCode: 2)
            case .unknownField: throw CLIError(error.description, exitCode: 2)
            default: throw CLIError(error.description)
            }
        }
        if json {
            try say(Self.json(results))
            return
        }
        let shown = results.hits.isEmpty ? "" : offset == 0 && results.hits.count == results.totalCount ? ""
            : results.hits.count == 1 ? " (showing hit \(offset + 1))" : " (showing hits \(offset + 1)–\(offset + results.hits.count))"
        try say("\(results.totalCount) matching document\(results.totalCount == 1 ? "" : "s")\(shown)")
        for (rank, h) in results.hits.enumerated() {
            let title = h["title"].map { "  " + $0 } ?? ""
            try say("\(offset + rank + 1). \(h.id)\(title)  (score \(decimal(h.score, places: 3)))")
            for hl in h.highlights { try say("   \(hl.snippet)") }
        }
    }

    /// The results as one JSON object (the library's `Encodable` form, keys sorted).
    static func json(_ results: SearchResults) throws(CLIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(results), as: UTF8.self) } catch {
            throw CLIError("cannot encode the results as JSON: \(error)")
        }
    }
}

/// The syntax error, the query, and a caret under the position (CJK characters take two columns).
func syntaxErrorMessage(_ error: QuerySyntaxError, in query: String) -> String {
    guard !query.contains("\n") else { return error.description }
    let before = query.prefix(error.position)
    let columns = before.reduce(0) { $0 + displayWidth($1) }
    return error.description + "\n  " + query + "\n  " + String(repeating: " ", count: columns) + "^"
}

func displayWidth(_ c: Character) -> Int {
    guard let v = c.unicodeScalars.first?.value else { return 0 }
    switch v {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
         0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
        return 2
    default:
        return 1
    }
}

/// `x` with `places` decimals.
func decimal(_ x: Double, places: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((abs(x) * scale).rounded())
    let p = Int(scale)
    let fraction = String(n % p)
    return (x < 0 && n != 0 ? "-" : "") + "\(n / p)." + String(repeating: "0", count: places - fraction.count) + fraction
}
