// The typed query model of the `--typed` section, and its semantics. Every engine (SQLite,
// brute force, BigramSearch) answers a TypedQuery with a TypedAnswer, and must follow these rules
// exactly; TypedCheck compares answers with the brute-force engine's by them.
//
// SEMANTICS
//
// Match set. The documents matching `text` (the library's query syntax; nil = every document)
// and every condition of `filters` (all must hold):
//   - `.equals(field, value)`: the keyword field's value is exactly `value` (bytes);
//   - `.range(field, lower, upper, lowerInclusive, upperInclusive)`: the value is ≥ lower (> when
//     not inclusive) and ≤ upper (< when not inclusive); a nil bound is open. Bounds have the
//     field's kind (an int bound for `n`, a date bound in ms for `date`, a double for `score2`).
//   A document without a value for the field never satisfies a condition on it.
//
// Order of the match set:
//   - `sort` non-empty: by the first key, ties by the next, …; ascending or descending by the
//     value (ints, dates and doubles numerically, keywords by UTF-8 bytes); a document without a
//     value for a key sorts after every document with one, in both directions (and such
//     documents tie on that key); the final tie-break is document order (corpus line order,
//     ascending; SQLite's rowid).
//   - `sort` empty, `text` given, `limit` given: by score (BM25), best first. Engines' BM25
//     differ (SQLite: FTS5's `rank`), so by-score answers are compared by total, facets and the
//     page's size and membership in the match set, not by order (TypedCheck).
//   - `sort` empty and (`text` nil or `limit` nil): document order. A whole match set
//     (`limit` nil) without sort keys is the unranked match set, like `matchingIDs`.
//
// Page. `ids` = the ids of the ordered match set from position `offset`, at most `limit` of them
// (all when `limit` is nil; none when it is 0).
//
// Total. The size of the whole match set (not of the page).
//
// Facets, each over the whole match set (not the page), keyed by `TypedFacet.name`:
//   - `.values(field, top)`: the keyword values with their document counts, count descending
//     then value ascending (bytes), the first `top`; documents without a value are not counted;
//   - `.dateBuckets(field, .year / .month)`: buckets of the UTC calendar, labelled "2024" or
//     "2024-06", only non-empty ones, label ascending;
//   - `.ranges(field, buckets)`: every bucket in the order given, empty ones included (count 0);
//     a bucket holds the values v with lower ≤ v < upper (nil = open); labels as given.

/// A condition of a typed query's filter.
enum TypedCondition: Hashable, Sendable, CustomStringConvertible {
    /// The keyword `field` is exactly `value`.
    case equals(field: String, value: String)
    /// `field` is between the bounds (nil = open) of the field's kind.
    case range(field: String, lower: TypedValue?, upper: TypedValue?, lowerInclusive: Bool, upperInclusive: Bool)

    var field: String {
        switch self {
        case .equals(let f, _), .range(let f, _, _, _, _): return f
        }
    }

    var description: String {
        switch self {
        case .equals(let f, let v): return "\(f)=\(v)"
        case .range(let f, let lo, let hi, let li, let ui):
            return "\(f)∈\(lo == nil ? "(" : (li ? "[" : "("))\(lo?.description ?? "*"),\(hi?.description ?? "*")\(hi == nil ? ")" : (ui ? "]" : ")"))"
        }
    }
}

/// A sort key: a typed field, ascending or descending.
struct TypedSortKey: Hashable, Sendable, CustomStringConvertible {
    var field: String
    var descending: Bool

    var description: String { field + (descending ? "↓" : "↑") }
}

/// A bucket of a numeric (or date) range facet: lower ≤ value < upper, nil = open.
struct TypedRangeBucket: Hashable, Sendable {
    var label: String
    var lower: TypedValue?
    var upper: TypedValue?
}

/// Calendar units of date facets (UTC).
enum TypedDateUnit: String, Hashable, Sendable {
    case year, month
}

/// A facet of a typed query: counts over the whole match set.
enum TypedFacet: Hashable, Sendable, CustomStringConvertible {
    /// The `top` most frequent values of a keyword field.
    case values(field: String, top: Int)
    /// Non-empty calendar buckets of a date field.
    case dateBuckets(field: String, unit: TypedDateUnit)
    /// Explicit buckets of a numeric or date field.
    case ranges(field: String, buckets: [TypedRangeBucket])

    var field: String {
        switch self {
        case .values(let f, _), .dateBuckets(let f, _), .ranges(let f, _): return f
        }
    }

    /// The key of this facet's counts in ``TypedAnswer/facets``: `source`, `date/year`,
    /// `date/month`, `n/ranges`.
    var name: String {
        switch self {
        case .values(let f, _): return f
        case .dateBuckets(let f, let unit): return "\(f)/\(unit.rawValue)"
        case .ranges(let f, _): return "\(f)/ranges"
        }
    }

    var description: String {
        switch self {
        case .values(let f, let top): return "\(f)/top\(top)"
        case .dateBuckets: return name
        case .ranges(let f, let b): return "\(f)/" + b.map(\.label).joined(separator: "")
        }
    }
}

/// The classes the section times separately (the report's rows).
enum TypedQueryClass: String, CaseIterable, Hashable, Sendable {
    /// Text and filters; the whole match set in document order.
    case filteredSet = "filtered-set"
    /// Text and filters, sorted by fields, a page of 10 (some at offset 10 or 20).
    case filteredSortedTop10 = "filtered-sorted-top10"
    /// Text only, sorted by fields, top 10; the same texts as `plainTop10`, query for query.
    case sortedTop10 = "sorted-top10"
    /// Text only, top 10 by score: the reference of `sortedTop10`.
    case plainTop10 = "plain-top10"
    /// Text and filters, top 10 by score.
    case filteredScoreTop10 = "filtered-score-top10"
    /// Text (some with filters) with facets; no page or a page of 10.
    case facets = "facets"
    /// No text: filters (or none), sorted or in document order, a page or the whole set, some
    /// with facets.
    case filterOnly = "filter-only"
    /// No text, no filter, no page: one or more facets over every document.
    case facetsAll = "facets-all"

    var label: String {
        switch self {
        case .filteredSet: return "filtered, whole match sets"
        case .filteredSortedTop10: return "filtered, sorted top 10"
        case .sortedTop10: return "sorted top 10 (no filter)"
        case .plainTop10: return "top 10 by score (no filter)"
        case .filteredScoreTop10: return "filtered, top 10 by score"
        case .facets: return "text + facets"
        case .filterOnly: return "filter-only (no text)"
        case .facetsAll: return "facets over all documents"
        }
    }
}

/// One query of the typed workload (see SEMANTICS above).
struct TypedQuery: Hashable, Sendable, CustomStringConvertible {
    /// A query in the library's syntax (plain words and quoted phrases), nil for filter-only.
    var text: String?
    /// Conditions that must all hold.
    var filters: [TypedCondition] = []
    /// Sort keys; empty = by score (with text and a limit) or document order.
    var sort: [TypedSortKey] = []
    /// Counts to compute over the whole match set.
    var facets: [TypedFacet] = []
    /// Page size; nil = the whole match set.
    var limit: Int? = 10
    /// Matches skipped before the page.
    var offset: Int = 0
    /// The class the query is timed in.
    var queryClass: TypedQueryClass

    /// True when the page is ordered by score (engines' orders may differ).
    var ordersByScore: Bool { sort.isEmpty && text != nil && limit != nil }

    var description: String {
        var parts: [String] = [text.map { "q=\($0)" } ?? "q=*"]
        if !filters.isEmpty { parts.append(filters.map(\.description).joined(separator: " ∧ ")) }
        if !sort.isEmpty { parts.append("sort " + sort.map(\.description).joined(separator: ",")) }
        else if ordersByScore { parts.append("by score") }
        parts.append(limit.map { "limit \($0)" } ?? "all")
        if offset > 0 { parts.append("offset \(offset)") }
        if !facets.isEmpty { parts.append("facets " + facets.map(\.description).joined(separator: ",")) }
        return parts.joined(separator: "; ")
    }
}

/// One count of a facet.
struct TypedFacetCount: Hashable, Sendable, CustomStringConvertible {
    var label: String
    var count: Int

    var description: String { "\(label):\(count)" }
}

/// An engine's answer to a ``TypedQuery``.
struct TypedAnswer: Hashable, Sendable {
    /// Size of the whole match set.
    var total: Int
    /// Ids of the page, in order.
    var ids: [String]
    /// Facet name (``TypedFacet/name``) → counts, in the order of SEMANTICS.
    var facets: [String: [TypedFacetCount]] = [:]
}

/// What the section times: anything that answers typed queries over ``TypedCorpus`` (built
/// beforehand, outside the timings).
protocol TypedEngine {
    /// The name in the report ("SQLite FTS5 + table", "brute force", "BigramSearch").
    var name: String { get }
    /// Answers `q` by SEMANTICS. Each call is timed, including any parsing of `q.text`.
    func answer(_ q: TypedQuery) throws -> TypedAnswer
}
