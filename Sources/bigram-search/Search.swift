#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BigramSearch
import BigramSearchVariants
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
            argument (quote it). It may be empty, or left out, when --filter is given. Typed fields \
            (--field NAME:TYPE when indexing): --filter 'source:体育 date:[2024-01-01 TO 2024-12-31]' \
            keeps the matches passing it (ANDed with the query, never changing scores); --sort \
            date:desc --sort n orders by them instead of by score; --facet source (the 10 commonest \
            values; source:N the N commonest), --facet date:year or date:month, --facet \
            n:0..10,10..* (ranges, the upper end excluded) count the whole match set. A page ends \
            with a cursor: --after CURSOR (with the same query, filters and sort) prints the page \
            after it, on a saved index that has not changed since. Exit status 2 for a query or \
            filter syntax error (its position is shown), an unknown field, a sort or facet that does \
            not suit its field, or a cursor that does not belong; 1 for a damaged index. --json \
            prints one object: {"total", "offset", "hits": [{"id", "score", "fields": {every \
            stored field; typed values as numbers, or strings for keywords and ISO 8601 dates}, \
            "highlights": [{"field", "snippet", "utf16": [[lo, hi]], "utf8": [[lo, hi]]}]}], \
            "facets": {"source": {"value": count, …}, "date:year": {"2024": count, …}}, "next": \
            cursor or null}, ranges being offsets into the stored field, facet buckets in their \
            order (by count for values, by date for years and months, as given for ranges). \
            --variants also matches the other region's words: each phrase becomes an OR of it and \
            its Taiwan/mainland variants (軟體 finds 软件, 数据 finds 資料; -軟體 excludes both), \
            from OpenCC's dictionaries (libopencc-data); it adds no script conversion (参观/參觀: \
            index with --fold-traditional for that).
            """)

    @Argument(help: "A saved index directory, a .jsonl corpus, a .txt file, or a directory of .txt files.")
    var index: String

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The query (syntax: see README); may be empty with --filter.", valueName: "query"))
    var queryWords: [String] = []

    @Option(help: "Most hits to print.")
    var limit = 10

    @Option(help: "Ranked hits to skip (paging: --offset 10 --limit 10 prints hits 11-20).")
    var offset = 0

    @Option(name: .customLong("filter"), help: ArgumentHelp(
        "Keep only the matches passing this condition on typed fields, repeatable (ANDed): source:体育, n:[10 TO *], n:{10 TO 20}, date:[2024-01-01 TO 2024-12-31], date:>=2024-06-01; one that excludes with =: --filter=-source:体育.",
        valueName: "filter"))
    var filters: [String] = []

    @Option(name: .customLong("sort"), help: ArgumentHelp(
        "Order hits by a typed field instead of by score, repeatable (later ones break ties): NAME, NAME:asc or NAME:desc. Documents without a value come last.",
        valueName: "field[:asc|desc]"))
    var sorts: [String] = []

    @Option(name: .customLong("facet"), help: ArgumentHelp(
        "Count the matches by a typed field, repeatable: NAME (a keyword field's 10 commonest values), NAME:N (its N commonest), NAME:year or NAME:month (a date field), NAME:A..B,C..D (ranges of an int, double or date field, B excluded, * unbounded).",
        valueName: "facet"))
    var facets: [String] = []

    @Option(help: ArgumentHelp("Print the page after this cursor (the 'next' of an earlier search of the same saved index, query, filters and sort).",
                               valueName: "cursor"))
    var after: String?

    @Option(help: ArgumentHelp(
        "The two marks put around matches in snippets (--mark '[' ']'); default <b> </b> with --json, colour or nothing otherwise.",
        valueName: "before after"))
    var mark: [String] = []

    @Flag(help: "Read the query leniently (never a syntax error; --filter is always read strictly).")
    var lenient = false

    @Flag(inversion: .prefixedNo,
          help: "Re-rank the best candidates by Chinese dictionary word boundaries (the default; score order only). --no-rerank ranks by BM25 alone.")
    var rerank: Bool?

    @Flag(help: "Also match regional word variants: 軟體 finds 软件, 数据 finds 資料 (OpenCC's Taiwan/mainland phrases).")
    var variants = false

    @Flag(help: "Print one JSON object: total, offset, the hits with every stored field and highlight, facets, next.")
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
        guard !words.isEmpty || !filters.isEmpty else { throw ValidationError("Missing expected argument '<query>'") }
        guard words.count <= 1 else {
            if let option = words.first(where: Self.looksLikeOption) {
                throw ValidationError("Unknown option '\(option)'")
            }
            throw ValidationError("give the query as one argument (quote it: '\(words.joined(separator: " "))')")
        }
        if Self.looksLikeOption(query) && queryWords.first != "--" {
            throw ValidationError("Unknown option '\(query)' (to search for it, put -- before the query)")
        }
        for s in sorts where SortField(parsing: s) == nil {
            throw ValidationError("--sort \(s): the form is NAME, NAME:asc or NAME:desc")
        }
        if rerank == true && !sorts.isEmpty { throw ValidationError("--rerank reorders by score; it does not apply with --sort") }
        for f in facets { _ = try FacetSpec.parse(f) }
        if let after, after.isEmpty { throw ValidationError("--after needs a cursor (the 'next' of a search)") }
    }

    /// `--word` in ASCII: a mistyped option rather than a query.
    private static func looksLikeOption(_ s: String) -> Bool {
        s.hasPrefix("--") && s.count > 2 && s.utf8.dropFirst(2).allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x3D
        }
    }

    func run() throws {
        if after != nil && IndexStore.kind(of: index) == .other {
            throw CLIError("--after continues a search of a saved index; \(index) is indexed anew on each run (page it with --offset)", exitCode: 2)
        }
        let snapshot = try openForReading(index, corpus: corpus, schema: fields.schema, analyzer: fields.analyzer())
        let schema = snapshot.schema
        let sortFields = try sorts.map { (s: String) throws(CLIError) -> SortField in try Self.sortField(s, schema: schema) }
        var facetRequests: [FacetRequest] = []
        for f in facets {
            let request = try FacetSpec.parse(f).request(schema: schema, argument: f)
            guard !facetRequests.contains(where: { $0.name == request.name }) else {
                throw CLIError("--facet \(f): the facet \(request.name) is asked for twice", exitCode: 2)
            }
            facetRequests.append(request)
        }
        var fullQuery = try buildQuery(snapshot)
        if variants {
            do { fullQuery = try RegionalVariants().expand(fullQuery) } catch {
                throw CLIError("--variants: \(error.description)")
            }
        }

        let colored = !json && marks == nil && color.enabled
        let highlight = if let marks { HighlightOptions(before: marks.before, after: marks.after) }
            else if json { HighlightOptions(before: "<b>", after: "</b>") }
            else if colored { HighlightOptions(before: "\u{1B}[1;31m", after: "\u{1B}[0m") }
            else { HighlightOptions(before: "", after: "") }
        let options = SearchOptions(limit: limit, offset: offset, highlight: highlight, reranking: rerank ?? true ? Reranking() : nil,
                                    sort: sortFields, facets: facetRequests, after: after)
        let results: SearchResults
        do { results = try snapshot.search(fullQuery, options: options) } catch {
            switch error {
            case .syntax(let e): throw CLIError(syntaxErrorMessage(e, in: query), exitCode: 2)
            case .unknownField, .invalidFilter, .invalidSort, .invalidFacet: throw CLIError(error.description, exitCode: 2)
            case .invalidCursor(let why):
                let hint = why.contains("snapshot") ? "; the index has changed since that page: search again without --after"
                    : why.contains("query") || why.contains("order") ? "; give the query, --filter and --sort of the search that printed it" : ""
                throw CLIError("--after: \(error.description)\(hint)", exitCode: 2)
            default: throw CLIError(error.description)
            }
        }
        if json {
            try say(Self.json(results, schema: schema, facetNames: facetRequests.map(\.name)))
            return
        }
        try printText(results, schema: schema, facetNames: facetRequests.map(\.name), saved: IndexStore.kind(of: index) == .index)
    }

    /// The query and the filters: `.all([query, filter, …])`; the query alone without filters,
    /// the filters alone when the query is empty.
    private func buildQuery(_ snapshot: IndexSnapshot) throws(CLIError) -> Query {
        let parser = snapshot.queryParser
        var clauses: [Query] = []
        if filters.isEmpty || !query.allSatisfy(\.isWhitespace) {
            if lenient {
                clauses.append(parser.parseLenient(query))
            } else {
                do { clauses.append(try parser.parse(query)) } catch {
                    throw CLIError(syntaxErrorMessage(error, in: query), exitCode: 2)
                }
            }
        }
        for text in filters {
            var filter: Query
            do { filter = try parser.parse(text) } catch {
                // A filter that only excludes (-source:体育) is a clause of the whole query, which
                // has others: read it after a word standing for them, then drop that word.
                if case .onlyNegativeClauses = error.kind, case .all(let qs)? = try? parser.parse("x " + text),
                   qs.count >= 2, case .phrase("x", nil, false) = qs[0] {
                    filter = .all(Array(qs.dropFirst()))
                } else {
                    var message = "--filter '\(text)': \(error.description)"
                    if case .unknownField(let f) = error.kind {
                        message += Self.typedFieldsHint(snapshot.schema, unknown: f)
                    }
                    throw CLIError(message, exitCode: 2)
                }
            }
            if let words = Self.firstPhrase(in: filter) {
                throw CLIError("--filter '\(text)': '\(words)' is not a condition on a typed field (source:体育, n:[10 TO *]); words to search for go in the query", exitCode: 2)
            }
            if case .all(let qs) = filter, qs.isEmpty {
                throw CLIError("--filter '\(text)': the filter is empty", exitCode: 2)
            }
            clauses.append(filter)
        }
        if !filters.isEmpty && !clauses.contains(where: Self.hasPositive) {
            throw CLIError("--filter only excludes documents; give a query or a filter that they must match", exitCode: 2)
        }
        return clauses.count == 1 ? clauses[0] : .all(clauses)
    }

    /// Whether `q` has a clause that must match (not only exclusions).
    private static func hasPositive(_ q: Query) -> Bool {
        switch q {
        case .phrase, .filter: return true
        case .all(let qs): return qs.contains(where: hasPositive)
        case .any(let qs): return qs.contains(where: hasPositive)
        case .not: return false
        }
    }

    /// The text of the first phrase (a text clause) of `q`, or nil when it only has filters.
    private static func firstPhrase(in q: Query) -> String? {
        switch q {
        case .phrase(let text, let field, _): return field.map { $0 + ":" + text } ?? text
        case .filter: return nil
        case .not(let inner): return firstPhrase(in: inner)
        case .all(let qs), .any(let qs):
            for q in qs { if let p = firstPhrase(in: q) { return p } }
            return nil
        }
    }

    /// " (the typed fields: …)" for a message about an unknown field `name`.
    static func typedFieldsHint(_ schema: Schema, unknown name: String) -> String {
        if let f = schema.fields.first(where: { $0.name == name }) {
            return " (\"\(name)\" is a \(f.kind == .text ? "text" : f.kind.rawValue) field\(f.kind == .text ? ": filters apply to typed fields" : ""))"
        }
        let typed = schema.fields.filter(\.kind.isTyped)
        if typed.isEmpty { return " (the index has no typed fields: give them when indexing, --field NAME:TYPE)" }
        return " (the typed fields: " + typed.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ") + ")"
    }

    /// The sort key of `--sort text`, checked against the schema.
    static func sortField(_ text: String, schema: Schema) throws(CLIError) -> SortField {
        guard let sort = SortField(parsing: text) else {
            throw CLIError("--sort \(text): the form is NAME, NAME:asc or NAME:desc", exitCode: 2)
        }
        guard let field = schema.fields.first(where: { $0.name == sort.field }) else {
            throw CLIError("--sort \(text): unknown field \"\(sort.field)\"" + typedFieldsHint(schema, unknown: sort.field), exitCode: 2)
        }
        guard field.kind.isTyped else {
            throw CLIError("--sort \(text): \"\(sort.field)\" is a text field; hits are sorted by score or by a typed field (keyword, int, double, date)", exitCode: 2)
        }
        return sort
    }

    /// The text output: the count, each hit (id, title, score, typed values, snippets), the
    /// facets, and how to get the next page.
    private func printText(_ results: SearchResults, schema: Schema, facetNames: [String], saved: Bool) throws(CLIError) {
        let total = results.totalCount, n = results.hits.count
        let shown: String
        if n == 0 { shown = "" }
        else if after != nil { shown = " (showing \(n == 1 ? "1 hit" : "\(n) hits") after the cursor)" }
        else if offset == 0 && n == total { shown = "" }
        else { shown = n == 1 ? " (showing hit \(offset + 1))" : " (showing hits \(offset + 1)–\(offset + n))" }
        try say("\(total) matching document\(total == 1 ? "" : "s")\(shown)")
        let typed = schema.fields.filter { $0.kind.isTyped && $0.stored }
        for (rank, h) in results.hits.enumerated() {
            let title = h["title"].map { "  " + $0 } ?? ""
            let number = after == nil ? "\(offset + rank + 1)." : "-"
            try say("\(number) \(h.id)\(title)  (score \(decimal(h.score, places: 3)))")
            let values = typed.compactMap { f in h.value(f.name).map { "\(f.name): \(Self.text($0))" } }
            if !values.isEmpty { try say("   " + values.joined(separator: "  ")) }
            for hl in h.highlights { try say("   \(hl.snippet)") }
        }
        for request in facetNames {
            guard let facet = results.facets[request] else { continue }
            let more = facet.distinctValues > facet.buckets.count && !request.contains(":")
                ? " (top \(facet.buckets.count) of \(facet.distinctValues) values)" : ""
            try say("facet \(request)\(more)")
            let width = facet.buckets.map { $0.label.reduce(0) { $0 + displayWidth($1) } }.max() ?? 0
            let countWidth = facet.buckets.map { String($0.count).count }.max() ?? 0
            for b in facet.buckets {
                let w = b.label.reduce(0) { $0 + displayWidth($1) }
                let c = String(b.count)
                try say("  " + b.label + String(repeating: " ", count: width - w + 2 + countWidth - c.count) + c)
            }
        }
        if let next = results.next {
            try say(saved ? "more: --after \(next)" : "more: --offset \(offset + n)")
        }
    }

    /// A typed value for a person: dates at midnight UTC as the day alone.
    static func text(_ value: FieldValue) -> String {
        let s = value.description
        if case .date = value, s.hasSuffix("T00:00:00Z") { return String(s.dropLast(10)) }
        return s
    }

    /// The results as one JSON object: `total`, `offset`, `hits` (`id`, `score`, `fields` in
    /// schema order, `highlights`), `facets` (in the order asked, buckets in the facet's order),
    /// `next` (a cursor or null).
    static func json(_ results: SearchResults, schema: Schema, facetNames: [String]) throws(CLIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = "{\"total\":\(results.totalCount),\"offset\":\(results.offset),\"hits\":["
        for (i, h) in results.hits.enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":" + jsonString(h.id) + ",\"score\":" + jsonNumber(h.score) + ",\"fields\":{"
            var first = true
            for f in schema.fields where f.stored {
                let value: String?
                if f.kind.isTyped { value = h.value(f.name).map(jsonValue) } else { value = h[f.name].map(jsonString) }
                guard let value else { continue }
                out += (first ? "" : ",") + jsonString(f.name) + ":" + value
                first = false
            }
            out += "},\"highlights\":["
            for (k, hl) in h.highlights.enumerated() {
                do { out += (k > 0 ? "," : "") + String(decoding: try encoder.encode(hl), as: UTF8.self) } catch {
                    throw CLIError("cannot encode the results as JSON: \(error)")
                }
            }
            out += "]}"
        }
        out += "],\"facets\":{"
        for (i, name) in facetNames.filter({ results.facets[$0] != nil }).enumerated() {
            let facet = results.facets[name]!
            out += (i > 0 ? "," : "") + jsonString(name) + ":{"
            out += facet.buckets.map { jsonString($0.label) + ":\($0.count)" }.joined(separator: ",")
            out += "}"
        }
        out += "},\"next\":" + (results.next.map(jsonString) ?? "null") + "}"
        return out
    }
}

/// One `--facet` value: `NAME`, `NAME:N`, `NAME:year`, `NAME:month` or `NAME:A..B,C..D`, read
/// without the schema (``parse(_:)``, a usage error when malformed), then checked against it
/// (``request(schema:argument:)``).
struct FacetSpec {
    enum Part {
        case none, top(Int), year, month
        case ranges([(lower: String, upper: String)])
    }

    var field: String
    var part: Part

    static let form = "NAME, NAME:N, NAME:year, NAME:month or NAME:A..B,C..D"

    static func parse(_ argument: String) throws(ValidationError) -> FacetSpec {
        let name: Substring, rest: Substring?
        if let colon = argument.firstIndex(of: ":") {
            name = argument[..<colon]
            rest = argument[argument.index(after: colon)...]
        } else {
            name = argument[...]
            rest = nil
        }
        guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }) else {
            throw ValidationError("--facet \(argument): the form is \(form)")
        }
        guard let rest else { return FacetSpec(field: String(name), part: .none) }
        if rest == "year" { return FacetSpec(field: String(name), part: .year) }
        if rest == "month" { return FacetSpec(field: String(name), part: .month) }
        if !rest.isEmpty && rest.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let n = Int(rest), n >= 1 else { throw ValidationError("--facet \(argument): the number of values must be at least 1") }
            return FacetSpec(field: String(name), part: .top(n))
        }
        var ranges: [(lower: String, upper: String)] = []
        for r in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let dots = r.range(of: "..") else {
                throw ValidationError("--facet \(argument): '\(r)' is not N, year, month or a range A..B (the form is \(form))")
            }
            ranges.append((String(r[..<dots.lowerBound]), String(r[dots.upperBound...])))
        }
        return FacetSpec(field: String(name), part: .ranges(ranges))
    }

    /// The library's request, or a one-line error (status 2) when the field is unknown or the
    /// grouping does not suit its kind.
    func request(schema: Schema, argument: String) throws(CLIError) -> FacetRequest {
        func fail(_ why: String) -> CLIError { CLIError("--facet \(argument): \(why)", exitCode: 2) }
        guard let f = schema.fields.first(where: { $0.name == field }) else {
            throw fail("unknown field \"\(field)\"" + Search.typedFieldsHint(schema, unknown: field))
        }
        let byRanges = "count it by ranges (--facet \(field):\(f.kind == .date ? "2024-01-01..2024-07-01,2024-07-01..*" : "0..10,10..*"))"
        switch (f.kind, part) {
        case (.text, _):
            throw fail("\"\(field)\" is a text field; facets count the values of a typed field (keyword, int, double, date)")
        case (.keyword, .none): return .values(field)
        case (.keyword, .top(let n)): return .values(field, top: n)
        case (.keyword, _): throw fail("\"\(field)\" is a keyword field: count its values (--facet \(field), or \(field):N for the N commonest)")
        case (.date, .year): return FacetRequest(field, .years)
        case (.date, .month): return FacetRequest(field, .months)
        case (.date, .none), (.date, .top):
            throw fail("\"\(field)\" is a date field: count it by year or month (--facet \(field):year, \(field):month), or \(byRanges)")
        case (_, .ranges(let list)):
            var out: [FacetRange] = []
            for (lo, hi) in list {
                func bound(_ text: String) throws(CLIError) -> FieldValue? {
                    if text.isEmpty || text == "*" { return nil }
                    guard let v = FieldValue.parse(text, as: f.kind) else {
                        throw fail("'\(text)' is not a\(f.kind == .int ? "n" : "") \(f.kind) value (\"\(field)\" is a\(f.kind == .int ? "n" : "") \(f.kind) field)")
                    }
                    return v
                }
                out.append(FacetRange(try bound(lo), try bound(hi), label: (lo.isEmpty ? "*" : lo) + ".." + (hi.isEmpty ? "*" : hi)))
            }
            return FacetRequest(field, .ranges(out))
        case (_, _):
            throw fail("\"\(field)\" is a\(f.kind == .int ? "n" : "") \(f.kind) field: \(byRanges)")
        }
    }
}

/// `x` as a JSON number (null when not finite, which JSON cannot write).
func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

/// A typed value as JSON: a string for keywords (an array for several) and ISO 8601 dates, a
/// number for int and double.
func jsonValue(_ value: FieldValue) -> String {
    switch value {
    case .keyword(let s): return jsonString(s)
    case .keywords(let list): return "[" + list.map(jsonString).joined(separator: ",") + "]"
    case .int(let n): return String(n)
    case .double(let d): return jsonNumber(d)
    case .date(let ms): return jsonString(DateText.format(ms))
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
