/// Re-ranking of the best BM25 candidates (<doc:Relevance>): by Chinese word boundaries, and by
/// how close the clauses of a multi-clause query stand. Ranking changes; the match set never does.
///
/// - Word boundaries: bigrams find `常熟` (a city) inside `非常熟悉` ("very familiar") too. The top
///   candidates' occurrences of each multi-character CJK piece of the query are re-segmented with
///   ICU's dictionary word iterator — slow (~8 MB/s), so only a few characters around each
///   occurrence — and a document whose occurrences start or end inside a dictionary word (they
///   straddle words) loses up to ``penalty`` of its score.
/// - Proximity: with two or more clauses (`常熟 考察`), a document where occurrences of different
///   clauses stand close gains up to ``proximityWeight``: `× (1 + weight ÷ (1 + gap ÷ 16))`, gap
///   in characters between the nearest occurrences of two clauses.
/// - Lead: a document where a clause occurs as a word (not straddling) in the first
///   ``leadBytes`` bytes of a field — a heading, a man page's NAME line, an article's first
///   sentence — gains up to ``leadWeight``: `× (1 + weight × clauses in a lead ÷ clauses)`.
///
/// The defaults (penalty 0.75, lead 0.5 over 256 bytes) were chosen on half of the judged
/// queries of `Benchmarks/Relevance` and checked on the other half (Benchmarks/README.md).
public struct Reranking: Hashable, Sendable {
    /// How many of the best BM25 candidates are re-ranked; the hits after them follow in BM25
    /// order, so every page of a search is a slice of one ranking (see ``SearchOptions/offset``).
    public var candidates: Int
    /// Score factor lost by a document whose every examined occurrence straddles a word
    /// boundary: its score becomes `score × (1 − penalty × straddling ÷ examined)`.
    public var penalty: Double
    /// Occurrences examined per piece per field.
    public var occurrences: Int
    /// Largest gain of a document whose clauses stand next to each other (0 turns it off).
    public var proximityWeight: Double
    /// Gain of a document where every clause occurs in the lead of a field (its first
    /// ``leadBytes`` bytes): `× (1 + weight × clauses in a lead ÷ clauses)` (0 turns it off).
    public var leadWeight: Double
    /// Bytes at the start of a field that make its lead.
    public var leadBytes: Int

    /// Settings, clamped to their ranges (candidates and occurrences ≥ 1, penalty 0…1, weights
    /// and lead bytes ≥ 0).
    public init(candidates: Int = 20, penalty: Double = 0.75, occurrences: Int = 2, proximityWeight: Double = 0.25,
                leadWeight: Double = 0.5, leadBytes: Int = 256) {
        self.candidates = max(1, candidates)
        self.penalty = min(1, max(0, penalty))
        self.occurrences = max(1, occurrences)
        self.proximityWeight = max(0, proximityWeight)
        self.leadWeight = max(0, leadWeight)
        self.leadBytes = max(0, leadBytes)
    }
}
