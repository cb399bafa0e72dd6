/// How to run a search.
public struct SearchOptions: Hashable, Sendable {
    /// Most hits to return (ranked); `Int.max` returns every match.
    public var limit: Int
    /// Ranked hits to skip before the first one returned (paging): the hits of
    /// `offset: 10, limit: 10` are exactly hits 11–20 of `offset: 0, limit: 20`, with or without
    /// ``reranking``. Negative values count as 0.
    public var offset: Int
    /// Ranking parameters.
    public var bm25: BM25
    /// When set, hits carry highlighted ranges and snippets.
    public var highlight: HighlightOptions?
    /// The longest a search may run; beyond it, it throws ``SearchError/timeLimitExceeded``.
    public var timeLimit: Duration?
    /// Re-rank the best candidates by Chinese word boundaries (off by default: it costs more
    /// than the search itself; see the README's measurements).
    public var reranking: Reranking?

    /// Options for a search; by default the 10 best hits, BM25 with its usual parameters, no
    /// highlights, no time limit, no re-ranking.
    public init(limit: Int = 10, offset: Int = 0, bm25: BM25 = BM25(), highlight: HighlightOptions? = nil,
                timeLimit: Duration? = nil, reranking: Reranking? = nil) {
        self.reranking = reranking
        self.limit = limit
        self.offset = offset
        self.bm25 = bm25
        self.highlight = highlight
        self.timeLimit = timeLimit
    }
}

/// How hits are highlighted.
public struct HighlightOptions: Hashable, Sendable {
    /// Text put before each match in snippets.
    public var before: String
    /// Text put after each match in snippets.
    public var after: String
    /// Snippet length, in characters of the original text (the window around the best match).
    public var snippetLength: Int

    /// Marks and snippet length (at least 1).
    public init(before: String = "【", after: String = "】", snippetLength: Int = 80) {
        self.before = before
        self.after = after
        self.snippetLength = max(1, snippetLength)
    }
}

/// One matching document.
///
/// Encoded (`Encodable`) as `{"id", "score", "fields": {name: stored text, …}, "highlights": […]}`:
/// every stored field the document has, and the highlights as ``FieldHighlight`` encodes them.
public struct Hit: Sendable, Encodable {
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

    private enum CodingKeys: String, CodingKey { case id, score, fields, highlights }

    /// Encodes `id`, `score`, `fields` (every stored field) and `highlights`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(score, forKey: .score)
        try c.encode(fields, forKey: .fields)
        try c.encode(highlights, forKey: .highlights)
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
///
/// Encoded (`Encodable`) as `{"field", "utf8": [[lo, hi], …], "utf16": [[lo, hi], …], "snippet"}`:
/// the matched ranges as half-open UTF-8 byte offsets and UTF-16 code unit offsets (what
/// JavaScript's `String.prototype.slice` takes) into the field's stored text, and the snippet.
public struct FieldHighlight: Sendable, Hashable, Encodable {
    /// The field's name.
    public var field: String
    /// The matched ranges of the field's original text, as UTF-8 byte offsets, ascending and
    /// non-overlapping. Convert with ``TextOffsets`` or ``ranges(in:)``.
    ///
    /// For a field longer than 192 KiB (three stored chunks of 64 KiB), only the window around
    /// the best match is read to show a hit: the ranges are then those of that window (about
    /// 128–192 KiB of text around the snippet), still as offsets into the whole field.
    public var utf8Ranges: [Range<Int>]
    /// A window of the text around the best match, matches marked. "…" marks text left out
    /// before or after it. Spaces and tabs are kept as they are; a run of whitespace holding a
    /// line break is shown as one space, and whitespace between two CJK characters (a line
    /// wrap, which the index joins) is left out.
    public var snippet: String
    /// ``utf8Ranges`` as UTF-16 code unit offsets into the field's text, computed when the
    /// highlight is made. Nil only for a field longer than 192 KiB whose best match lies beyond
    /// its first chunks: the offsets would need the whole text before the window (read with
    /// ``ranges(in:)`` or ``TextOffsets`` from the stored text instead).
    public var utf16Ranges: [Range<Int>]?

    /// A highlight of `field` with its ranges in UTF-8 and UTF-16 offsets.
    public init(field: String, utf8Ranges: [Range<Int>], utf16Ranges: [Range<Int>]?, snippet: String) {
        self.field = field
        self.utf8Ranges = utf8Ranges
        self.utf16Ranges = utf16Ranges
        self.snippet = snippet
    }

    private enum CodingKeys: String, CodingKey { case field, utf8, utf16, snippet }

    /// Encodes `field`, `utf8` and `utf16` (ranges as `[lo, hi]` pairs; `utf16` is `null` when
    /// ``utf16Ranges`` is nil) and `snippet`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(field, forKey: .field)
        try c.encode(utf8Ranges.map { [$0.lowerBound, $0.upperBound] }, forKey: .utf8)
        if let utf16Ranges {
            try c.encode(utf16Ranges.map { [$0.lowerBound, $0.upperBound] }, forKey: .utf16)
        } else {
            try c.encodeNil(forKey: .utf16)
        }
        try c.encode(snippet, forKey: .snippet)
    }

    /// The matched ranges as indices of `text` (the field's stored text).
    public func ranges(in text: String) -> [Range<String.Index>] {
        let u = text.utf8
        return utf8Ranges.map { u.index(u.startIndex, offsetBy: $0.lowerBound)..<u.index(u.startIndex, offsetBy: $0.upperBound) }
    }
}

/// The result of a search.
///
/// Encoded (`Encodable`) as `{"total": totalCount, "offset": offset, "hits": [hit, …]}` (see
/// ``Hit`` and ``FieldHighlight``), for example with `JSONEncoder` and `.sortedKeys`:
///
/// ```json
/// {"hits":[{"fields":{"text":"赴常熟市参观"},"highlights":[{"field":"text","snippet":"赴【常熟】市参观",
///   "utf16":[[1,3]],"utf8":[[3,9]]}],"id":"a","score":0.42}],"offset":0,"total":1}
/// ```
public struct SearchResults: Sendable, Encodable {
    /// Number of matching documents (all of them, not only the returned hits).
    public var totalCount: Int
    /// How many ranked hits were skipped before ``hits`` (``SearchOptions/offset``).
    public var offset: Int
    /// The hits from rank `offset + 1` on, best first; ties in document order.
    public var hits: [Hit]
    /// What building the hits' highlights read (tests check that it is bounded per hit).
    var readCost = StoredReadCost()

    init(totalCount: Int, offset: Int = 0, hits: [Hit]) {
        self.totalCount = totalCount
        self.offset = offset
        self.hits = hits
    }

    private enum CodingKeys: String, CodingKey { case total, offset, hits }

    /// Encodes `total`, `offset` and `hits`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(totalCount, forKey: .total)
        try c.encode(offset, forKey: .offset)
        try c.encode(hits, forKey: .hits)
    }
}

/// Why a search could not run.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The query text is malformed (strict parsing), at the error's position.
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

    /// One line saying what went wrong.
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

extension FieldHighlight {
    /// `ranges` (ascending, non-overlapping UTF-8 offsets into `text`, shifted by `base`) as
    /// UTF-16 offsets, with `base16` the UTF-16 offset of `text`'s start.
    ///
    /// - Complexity: O(n) in the UTF-8 length of `text` up to the last range's end.
    static func utf16(_ ranges: [Range<Int>], in text: String, base: Int = 0, base16: Int = 0) -> [Range<Int>] {
        guard !ranges.isEmpty else { return [] }
        var out: [Range<Int>] = []
        out.reserveCapacity(ranges.count)
        var u8 = 0, u16 = 0
        var scalars = text.unicodeScalars.makeIterator()
        var pendingLower: Int?
        var i = 0
        func advance(to target: Int) {
            while u8 < target, let s = scalars.next() {
                u8 += UTF8.width(s)
                u16 += UTF16.width(s)
            }
        }
        while i < ranges.count {
            let r = ranges[i]
            if pendingLower == nil {
                advance(to: r.lowerBound - base)
                pendingLower = u16
            } else {
                advance(to: r.upperBound - base)
                out.append((base16 + pendingLower!)..<(base16 + u16))
                pendingLower = nil
                i += 1
            }
        }
        return out
    }
}
