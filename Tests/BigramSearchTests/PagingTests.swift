import Foundation
import Testing
@testable import BigramSearch

// Paging (`SearchOptions.offset`): every page is a slice of one ranking, whatever the page size,
// with and without re-ranking; checked against a brute force (the whole match set sorted by score,
// ties in document order) and against one big page.

@Suite(.checksSegmentInvariants) struct PagingTests {
    /// Documents over a small alphabet (many matches, many equal scores), in several segments.
    static let snapshot: IndexSnapshot = {
        var rng = SplitMix64(0x5EED)
        let pieces = ["常熟", "非常熟悉", "参观", "考察", "大学生", "大学 生物", "市", "的", "Linux", "内核", "，", " "]
        let writer = try! IndexWriter(schema: Schema([.init("title"), .init("body")]))
        for n in 0..<240 {
            func text(_ count: Int) -> String { (0..<count).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined() }
            try! writer.add(Document(id: "d\(n)", fields: ["title": text(2), "body": text(3 + Int(rng.next() % 12))]))
            if n % 70 == 69 { _ = writer.snapshot() }   // freeze a segment
        }
        writer.delete(id: "d5")
        writer.delete(id: "d100")
        return writer.snapshot()
    }()

    static let queries = ["常熟", "熟", "参观 考察", "大学生 OR linux", "title:常熟 -考察", "\"linux 内核\"", "市", "常熟 OR 参观 OR 大学"]

    /// The whole match set ranked independently of `search`: by score, ties in document order.
    static func bruteForce(_ query: String) throws -> [(id: String, score: Double)] {
        let q = try snapshot.queryParser.parse(query)
        let all = try snapshot.matches(q)   // document order
        let order = all.indices.sorted { all[$0].score > all[$1].score || (all[$0].score == all[$1].score && $0 < $1) }
        return order.map { (all[$0].id, all[$0].score) }
    }

    @Test func pagesAreSlicesOfTheBruteForceRanking() throws {
        for query in Self.queries {
            let brute = try Self.bruteForce(query)
            #expect(brute.count > 3, "\(query)")
            for limit in [1, 3, 10] {
                var pages: [String] = []
                var offset = 0
                while offset <= brute.count {
                    let r = try Self.snapshot.search(query, options: SearchOptions(limit: limit, offset: offset, reranking: nil))
                    #expect(r.totalCount == brute.count)
                    #expect(r.offset == offset)
                    let expected = brute[min(offset, brute.count)..<min(offset + limit, brute.count)]
                    #expect(r.hits.map(\.id) == expected.map(\.id), "\(query) offset \(offset) limit \(limit)")
                    #expect(r.hits.map(\.score) == expected.map(\.score))
                    pages += r.hits.map(\.id)
                    offset += limit
                }
                #expect(pages == brute.map(\.id), "\(query): the pages in turn are the whole ranking")
            }
        }
    }

    @Test func withRerankingPageTwoContinuesPageOne() throws {
        var reordered = 0
        defer { #expect(reordered > 0, "re-ranking changed no order: the test would not see a page-dependent pool") }
        for candidates in [1, 5, 20, 1000] {
            let options = Reranking(candidates: candidates)
            for query in Self.queries {
                let all = try Self.snapshot.search(query, options: SearchOptions(limit: Int.max, reranking: options))
                let brute = try Self.bruteForce(query)
                #expect(all.totalCount == brute.count)
                #expect(Set(all.hits.map(\.id)) == Set(brute.map(\.id)))
                if all.hits.map(\.id) != brute.map(\.id) { reordered += 1 }
                // Only the best `candidates` by BM25 are re-ranked; the rest keep BM25 order.
                let window = min(candidates, brute.count)
                #expect(Set(all.hits.prefix(window).map(\.id)) == Set(brute.prefix(window).map(\.id)), "\(query)")
                #expect(all.hits.dropFirst(window).map(\.id) == brute.dropFirst(window).map(\.id), "\(query)")
                for limit in [1, 4, 10] {
                    var pages: [String] = []
                    for offset in stride(from: 0, through: brute.count, by: limit) {
                        let page = try Self.snapshot.search(query, options: SearchOptions(limit: limit, offset: offset, reranking: options))
                        #expect(page.totalCount == brute.count)
                        let expected = all.hits[min(offset, all.hits.count)..<min(offset + limit, all.hits.count)]
                        #expect(page.hits.map(\.id) == expected.map(\.id), "\(query) candidates \(candidates) offset \(offset) limit \(limit)")
                        #expect(page.hits.map(\.score) == expected.map(\.score))
                        pages += page.hits.map(\.id)
                    }
                    #expect(pages == all.hits.map(\.id))
                }
                // The brief's example: offset 10, limit 10 are hits 11–20 of offset 0, limit 20.
                let big = try Self.snapshot.search(query, options: SearchOptions(limit: 20, reranking: options))
                let second = try Self.snapshot.search(query, options: SearchOptions(limit: 10, offset: 10, reranking: options))
                #expect(second.hits.map(\.id) == Array(big.hits.dropFirst(10).map(\.id)))
            }
        }
    }

    @Test func shardsPageLikeOneIndex() throws {
        let writerA = try IndexWriter(schema: .text), writerB = try IndexWriter(schema: .text)
        for n in 0..<60 {
            let text = String(repeating: "常熟", count: 1 + n % 4) + (n % 3 == 0 ? "考察" : "参观")
            try (n < 30 ? writerA : writerB).add(Document(id: "s\(n)", text: text))
        }
        let sharded = try IndexSnapshot(shards: [writerA.snapshot(), writerB.snapshot()])
        for rerank in [nil, Reranking(candidates: 7)] {
            let all = try sharded.search("常熟", options: SearchOptions(limit: Int.max, reranking: rerank)).hits.map(\.id)
            #expect(all.count == 60)
            var pages: [String] = []
            for offset in stride(from: 0, to: 60, by: 8) {
                pages += try sharded.search("常熟", options: SearchOptions(limit: 8, offset: offset, reranking: rerank)).hits.map(\.id)
            }
            #expect(pages == all)
        }
    }

    @Test func edgeCases() throws {
        let s = Self.snapshot
        let total = try s.count(s.queryParser.parse("常熟"))
        // Beyond the end: no hits, the total unchanged.
        let past = try s.search("常熟", options: SearchOptions(limit: 10, offset: total))
        #expect(past.hits.isEmpty && past.totalCount == total && past.offset == total)
        let far = try s.search("常熟", options: SearchOptions(limit: Int.max, offset: Int.max))
        #expect(far.hits.isEmpty && far.totalCount == total)
        // A negative offset counts as 0; limit 0 returns only the total.
        let negative = try s.search("常熟", options: SearchOptions(limit: 3, offset: -5))
        #expect(negative.offset == 0)
        #expect(negative.hits.map(\.id) == (try s.search("常熟", options: SearchOptions(limit: 3))).hits.map(\.id))
        let none = try s.search("常熟", options: SearchOptions(limit: 0, offset: 4))
        #expect(none.hits.isEmpty && none.totalCount == total)
        // Highlights are made for the page's hits only, and are theirs.
        let page = try s.search("常熟", options: SearchOptions(limit: 2, offset: 3, highlight: HighlightOptions()))
        for h in page.hits { #expect(h.highlights.contains { $0.snippet.contains("【") }) }
    }
}
