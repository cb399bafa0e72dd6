/// An immutable view of an index — a reader of its segments, deletions, statistics and stored
/// fields. Any number of threads may search one snapshot at once (searching is the Search
/// layer's extension of it); changes made by the writer afterwards are not visible in it.
///
/// ```swift
/// let results = try snapshot.search("常熟 -旅游", options: SearchOptions(limit: 5, highlight: HighlightOptions()))
/// for hit in results.hits { print(hit.id, hit.score, hit.highlights.first?.snippet ?? "") }
/// ```
public struct IndexSnapshot: Sendable {
    /// The index's fields.
    public let schema: Schema
    /// The analysis rules of the index (queries are analyzed with them too).
    public let analyzer: any Analyzer
    let segments: [Segment]
    let deletions: [DocumentSet]
    /// Global number of each segment's first document (document order across segments).
    let documentBases: [Int]
    /// Evaluate segments on several threads (sharded search).
    let parallelSegments: Bool

    init(schema: Schema, analyzer: any Analyzer, segments: [Segment], deletions: [DocumentSet], parallelSegments: Bool = false) {
        self.parallelSegments = parallelSegments
        self.schema = schema
        self.analyzer = analyzer
        self.segments = segments
        self.deletions = deletions
        var bases: [Int] = []
        var n = 0
        for s in segments { bases.append(n); n += s.documentCount }
        documentBases = bases
    }

    /// Number of live (not deleted) documents.
    public var documentCount: Int {
        zip(segments, deletions).reduce(0) { $0 + $1.0.documentCount - $1.1.count }
    }

    /// Bytes of the inverted index (postings, dictionaries, field lengths), without stored text.
    public var indexByteCount: Int { segments.reduce(0) { $0 + $1.indexByteCount } }
}
