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
