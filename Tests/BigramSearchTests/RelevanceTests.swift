import Foundation
import Testing
@testable import BigramSearch

/// The relevance set (Benchmarks/relevance.jsonl): queries whose bigrams also occur across word
/// boundaries (`常熟` in `非常熟悉`, `大学生` in `大学 生物`), each with the document that should rank
/// first. All cases share one index, so statistics are realistic.
@Suite(.checksSegmentInvariants) struct RelevanceTests {
    struct Case: Decodable { var q: String; var best: String; var docs: [Doc] }
    struct Doc: Decodable { var id: String; var text: String }

    static let cases: [Case] = {
        let url = Seeds.repositoryRoot.appendingPathComponent("Benchmarks/relevance.jsonl")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Case.self, from: Data($0)) }
    }()

    static let snapshot: IndexSnapshot = {
        let writer = try! IndexWriter(schema: .text)
        for (n, c) in cases.enumerated() {
            for d in c.docs { try! writer.add(Document(id: "\(n)-\(d.id)", text: d.text)) }
        }
        return writer.snapshot()
    }()

    /// Rank (1-based) of each case's best document, or nil when it is not found.
    static func ranks(_ options: SearchOptions) throws -> [Int?] {
        try cases.enumerated().map { n, c in
            let hits = try snapshot.search(.phrase(c.q), options: options).hits
            return hits.firstIndex { $0.id == "\(n)-\(c.best)" }.map { $0 + 1 }
        }
    }

    static func metrics(_ ranks: [Int?]) -> (precisionAt1: Double, mrr: Double) {
        let p1 = Double(ranks.filter { $0 == 1 }.count) / Double(ranks.count)
        let mrr = ranks.reduce(0.0) { $0 + ($1.map { 1 / Double($0) } ?? 0) } / Double(ranks.count)
        return (p1, mrr)
    }

    @Test func theSetLoads() {
        #expect(Self.cases.count >= 12)
    }

    @Test func rerankingImprovesPrecisionAndMRR() throws {
        let plain = Self.metrics(try Self.ranks(SearchOptions(limit: 50, reranking: nil)))
        let reranked = Self.metrics(try Self.ranks(SearchOptions(limit: 50, reranking: Reranking())))
        print("relevance set: P@1 \(plain.precisionAt1) → \(reranked.precisionAt1), MRR \(plain.mrr) → \(reranked.mrr)")
        #expect(reranked.precisionAt1 > plain.precisionAt1)
        #expect(reranked.mrr > plain.mrr)
        #expect(reranked.precisionAt1 >= 0.9)
    }

    @Test func changshuCityRanksAboveVeryFamiliar() throws {
        let options = SearchOptions(limit: 10, reranking: Reranking())
        let ids = try Self.snapshot.search(.phrase("常熟"), options: options).hits.map(\.id)
        let city = try #require(ids.firstIndex(of: "0-city")), familiar = try #require(ids.firstIndex(of: "0-familiar"))
        #expect(city < familiar)
        // Without re-ranking, plain BM25 puts the two-occurrence "very familiar" text first.
        let plain = try Self.snapshot.search(.phrase("常熟"), options: SearchOptions(limit: 10, reranking: nil)).hits.map(\.id)
        #expect(plain.firstIndex(of: "0-familiar")! < plain.firstIndex(of: "0-city")!)
    }

    @Test func withoutRerankingTheOrderIsPlainBM25() throws {
        for c in Self.cases {
            let hits = try Self.snapshot.search(.phrase(c.q), options: SearchOptions(limit: 50, reranking: nil)).hits
            let scores = hits.map(\.score)
            #expect(scores == scores.sorted(by: >))
            // Plain BM25: the scores are those of the unranked whole match set.
            let all = Dictionary(uniqueKeysWithValues: try Self.snapshot.matches(.phrase(c.q)).map { ($0.id, $0.score) })
            for h in hits { #expect(all[h.id] == h.score) }
        }
    }

    @Test func rerankingChangesOrderNeverTheSet() throws {
        for c in Self.cases {
            let plain = try Self.snapshot.search(.phrase(c.q), options: SearchOptions(limit: 1000, reranking: nil))
            let reranked = try Self.snapshot.search(.phrase(c.q), options: SearchOptions(limit: 1000, reranking: Reranking()))
            #expect(plain.totalCount == reranked.totalCount)
            #expect(Set(plain.hits.map(\.id)) == Set(reranked.hits.map(\.id)))
        }
    }

    @Test func clausesNearEachOtherRankHigher() throws {
        let filler = String(repeating: "今天天气很好我们去公园散步", count: 8)
        let writer = try IndexWriter(schema: .text)
        try writer.add(Document(id: "far", text: "常熟" + filler + "考察"))
        try writer.add(Document(id: "near", text: "常熟考察" + filler))
        let s = writer.snapshot()
        let plain = try s.search("常熟 考察", options: SearchOptions(reranking: nil)).hits.map(\.id)
        #expect(plain == ["far", "near"])   // equal BM25: document order
        let reranked = try s.search("常熟 考察", options: SearchOptions(reranking: Reranking())).hits
        #expect(reranked.map(\.id) == ["near", "far"])
        #expect(reranked[0].score > reranked[1].score)
        // Proximity (and the lead, where `near` has both clauses) off: back to document order.
        let off = try s.search("常熟 考察", options: SearchOptions(reranking: Reranking(penalty: 0, proximityWeight: 0, leadWeight: 0))).hits
        #expect(off.map(\.id) == ["far", "near"])
    }
}
