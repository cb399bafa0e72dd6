/// The result of a search.
///
/// Encoded (`Encodable`) as `{"total": totalCount, "offset": offset, "hits": [hit, …],
/// "facets": {name: {label: count, …}, …}, "next": cursor or null}` (see ``Hit``,
/// ``FieldHighlight`` and ``FacetResult``), for example with `JSONEncoder` and `.sortedKeys`:
///
/// ```json
/// {"hits":[{"fields":{"text":"赴常熟市参观"},"highlights":[{"field":"text","snippet":"赴【常熟】市参观",
///   "utf16":[[1,3]],"utf8":[[3,9]]}],"id":"a","score":0.42}],"next":null,"offset":0,"total":1}
/// ```
public struct SearchResults: Sendable, Encodable {
    /// Number of matching documents (all of them, not only the returned hits).
    public var totalCount: Int
    /// How many ranked hits were skipped before ``hits`` (``SearchOptions/offset``).
    public var offset: Int
    /// The hits from rank `offset + 1` on, best first; ties in document order.
    public var hits: [Hit]
    /// The counts asked for with ``SearchOptions/facets``, by ``FacetRequest/name``.
    public var facets: [String: FacetResult] = [:]
    /// A cursor for the next page (``SearchOptions/after``), or nil when this page ends the
    /// ranking.
    public var next: String?
    /// What building the hits' highlights read (tests check that it is bounded per hit).
    var readCost = StoredReadCost()

    init(totalCount: Int, offset: Int = 0, hits: [Hit]) {
        self.totalCount = totalCount
        self.offset = offset
        self.hits = hits
    }

    private enum CodingKeys: String, CodingKey { case total, offset, hits, facets, next }

    /// Encodes `total`, `offset`, `hits`, `next` (null at the end), and `facets` when some were
    /// asked for.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(totalCount, forKey: .total)
        try c.encode(offset, forKey: .offset)
        try c.encode(hits, forKey: .hits)
        if !facets.isEmpty { try c.encode(facets, forKey: .facets) }
        if let next { try c.encode(next, forKey: .next) } else { try c.encodeNil(forKey: .next) }
    }
}
