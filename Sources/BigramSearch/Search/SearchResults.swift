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
