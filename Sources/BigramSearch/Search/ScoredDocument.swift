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
