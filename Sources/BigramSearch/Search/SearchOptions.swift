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
    /// Re-ranking of the best candidates by Chinese word boundaries and clause proximity
    /// (``Reranking``, on by default); nil ranks by BM25 alone.
    public var reranking: Reranking?
    /// The order of hits: by score when empty (the default), else by these typed fields in turn
    /// (``SortField``: documents without a value last, ties in document order). Re-ranking does
    /// not apply to a field order.
    public var sort: [SortField]
    /// Counts of the whole match set by typed fields (``FacetRequest``), in
    /// ``SearchResults/facets``.
    public var facets: [FacetRequest]
    /// A cursor from ``SearchResults/next``: the page after the one that returned it, of the
    /// same snapshot, query and order (``offset`` then counts from the cursor). Rejected with
    /// ``SearchError/invalidCursor(_:)`` when it comes from another snapshot, query or order.
    public var after: String?

    /// Options for a search; by default the 10 best hits by score, BM25 with its usual
    /// parameters re-ranked by word boundaries (``Reranking``), no highlights, no time limit,
    /// no facets.
    public init(limit: Int = 10, offset: Int = 0, bm25: BM25 = BM25(), highlight: HighlightOptions? = nil,
                timeLimit: Duration? = nil, reranking: Reranking? = Reranking(),
                sort: [SortField] = [], facets: [FacetRequest] = [], after: String? = nil) {
        self.reranking = reranking
        self.sort = sort
        self.facets = facets
        self.after = after
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
