/// How to run a search.
public struct SearchOptions: Hashable, Sendable {
    /// Most hits to return (ranked); `Int.max` returns every match.
    public var limit: Int
    /// Ranking parameters.
    public var bm25: BM25
    /// When set, hits carry highlighted ranges and snippets.
    public var highlight: HighlightOptions?
    /// The longest a search may run; beyond it, it throws ``SearchError/timeLimitExceeded``.
    public var timeLimit: Duration?
    /// Re-rank the best candidates by Chinese word boundaries (off by default: it costs more
    /// than the search itself; see the README's measurements).
    public var reranking: Reranking?

    public init(limit: Int = 10, bm25: BM25 = BM25(), highlight: HighlightOptions? = nil, timeLimit: Duration? = nil,
                reranking: Reranking? = nil) {
        self.reranking = reranking
        self.limit = limit
        self.bm25 = bm25
        self.highlight = highlight
        self.timeLimit = timeLimit
    }
}

/// How hits are highlighted.
public struct HighlightOptions: Hashable, Sendable {
    /// Text put before and after each match in snippets.
    public var before: String
    public var after: String
    /// Snippet length, in characters of the original text (the window around the best match).
    public var snippetLength: Int

    public init(before: String = "【", after: String = "】", snippetLength: Int = 80) {
        self.before = before
        self.after = after
        self.snippetLength = max(1, snippetLength)
    }
}

/// One matching document.
public struct Hit: Sendable {
    /// BM25 score (higher is better).
    public var score: Double
    /// Per field: where the query matched, when highlighting was asked for.
    public var highlights: [FieldHighlight]
    let segment: Segment
    let doc: Int
    let schema: Schema

    /// The document's id.
    public var id: String { segment.id(doc) }

    /// The stored text of `field`, if the field is stored and the document has it.
    public subscript(field: String) -> String? {
        schema.index(of: field).flatMap { segment.storedText(doc, field: $0) }
    }

    /// All stored fields of the document.
    public var fields: [String: String] {
        var out: [String: String] = [:]
        for (f, field) in schema.fields.enumerated() { if let t = segment.storedText(doc, field: f) { out[field.name] = t } }
        return out
    }
}

/// A matching document and its score, without stored fields or highlights (see
/// ``IndexSnapshot/matches(_:bm25:)``).
public struct ScoredDocument: Sendable {
    let segment: Segment
    let doc: Int
    /// BM25 score.
    public let score: Double
    /// The document's id.
    public var id: String { segment.id(doc) }
}

/// Where a query matched in one field of a hit.
public struct FieldHighlight: Sendable, Hashable {
    public var field: String
    /// The matched ranges of the field's original text, as UTF-8 byte offsets, ascending and
    /// non-overlapping. Convert with ``TextOffsets`` or ``ranges(in:)``.
    ///
    /// For a field longer than 192 KiB (three stored chunks of 64 KiB), only the window around
    /// the best match is read to show a hit: the ranges are then those of that window (about
    /// 128–192 KiB of text around the snippet), still as offsets into the whole field.
    public var utf8Ranges: [Range<Int>]
    /// A window of the text around the best match, matches marked. "…" marks text left out
    /// before or after it.
    public var snippet: String

    /// The matched ranges as indices of `text` (the field's stored text).
    public func ranges(in text: String) -> [Range<String.Index>] {
        let u = text.utf8
        return utf8Ranges.map { u.index(u.startIndex, offsetBy: $0.lowerBound)..<u.index(u.startIndex, offsetBy: $0.upperBound) }
    }
}

/// The result of a search.
public struct SearchResults: Sendable {
    /// Number of matching documents (all of them, not only the returned hits).
    public var totalCount: Int
    /// The best hits, best first; ties in document order.
    public var hits: [Hit]
    /// What building the hits' highlights read (tests check that it is bounded per hit).
    var readCost = StoredReadCost()
}

/// Why a search could not run.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    case syntax(QuerySyntaxError)
    /// The query names a field that is not an indexed field of the schema.
    case unknownField(String)
    /// The search ran longer than ``SearchOptions/timeLimit``.
    case timeLimitExceeded
    /// The search's task was cancelled.
    case cancelled
    /// Shards to search together differ in schema or analyzer.
    case incompatibleShards(String)
    /// A file of the index is damaged (its checksum, verified on first use, does not match).
    case damagedIndex(StorageError)

    public var description: String {
        switch self {
        case .timeLimitExceeded: return "the search ran longer than its time limit"
        case .cancelled: return "the search was cancelled"
        case .incompatibleShards(let why): return "shards cannot be searched together: \(why)"
        case .damagedIndex(let e): return e.description
        case .syntax(let e): return e.description
        case .unknownField(let f): return "unknown or unindexed field \"\(f)\""
        }
    }
}
