/// Okapi BM25 (<doc:Relevance>), the ranking function.
///
/// `score = boost × idf × tf × (k1 + 1) / (tf + k1 × (1 − b + b × dl / avgdl))` with
/// `idf = ln(1 + (N − df + 0.5) / (df + 0.5))`. A phrase's `tf` is how often the whole phrase occurs
/// in the field, its `idf` the sum of its terms' idf (as Lucene scores phrases). A one-character
/// query's `df` is the number of documents that contain the character.
public struct BM25: Hashable, Sendable, Codable {
    /// Term-frequency saturation (default 1.2).
    public var k1: Double
    /// Length normalization, 0 (none) … 1 (full) (default 0.75).
    public var b: Double

    /// Parameters; the defaults are the usual ones (Lucene's, Elasticsearch's).
    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }

    @inline(__always)
    func idf(documentFrequency df: Int, documentCount n: Int) -> Double {
        let d = Double(min(df, n)), total = Double(n)
        return log(1 + (total - d + 0.5) / (d + 0.5))
    }

    @inline(__always)
    func score(termFrequency tf: Double, length: Double, averageLength: Double, idf: Double) -> Double {
        let norm = averageLength > 0 ? (1 - b + b * length / averageLength) : 1
        return idf * tf * (k1 + 1) / (tf + k1 * norm)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
