import Testing
@testable import BigramSearch

// The collectors on their own (fed segment by segment as the searcher feeds them), and through
// the snapshot's public entry points over an index of several segments: counts, ids, all matches
// and the top k agree with each other and with a brute-force sort.

@Suite(.checksSegmentInvariants) struct CollectorTests {
    /// Matches of segments of the given sizes: each document with probability `percent`, scores
    /// from a few values (so that ties are common).
    private static func segments(_ sizes: [Int], percent: Int, _ rng: inout SplitMix64) -> [(docs: [UInt32], scores: [Double])] {
        sizes.map { n in
            var docs: [UInt32] = [], scores: [Double] = []
            for d in 0..<n where rng.chance(percent) {
                docs.append(UInt32(d))
                scores.append(Double(rng.int(0...6)) / 2)
            }
            return (docs, scores)
        }
    }

    @Test func topAndCountAgreeWithBruteForce() {
        var rng = SplitMix64(12)
        for round in 0..<300 {
            let sizes = (0..<rng.int(1...5)).map { _ in rng.int(0...60) }
            let segs = Self.segments(sizes, percent: [5, 50, 100][round % 3], &rng)
            var all: [(score: Double, global: Int)] = []
            var base = 0
            var count = CountCollector()
            let capacity = rng.int(0...40)
            var top = TopScoreCollector(capacity: capacity)
            for (s, m) in segs.enumerated() {
                count.collect(segment: s, base: base, docs: m.docs, scores: m.scores)
                top.collect(segment: s, base: base, docs: m.docs, scores: m.scores)
                for (k, d) in m.docs.enumerated() { all.append((m.scores[k], base + Int(d))) }
                base += sizes[s]
            }
            #expect(count.count == all.count)
            let expected = all.sorted { $0.score > $1.score || ($0.score == $1.score && $0.global < $1.global) }.prefix(capacity)
            let got = top.ranked()
            #expect(got.map { $0.global } == expected.map { $0.global }, "round \(round): capacity \(capacity), sizes \(sizes)")
            #expect(got.map { $0.score } == expected.map { $0.score })
        }
    }

    @Test func entryPointsAgreeOverSeveralSegments() throws {
        let writer = try IndexWriter(schema: .text, options: IndexWriter.Options(mergeFactor: 0))
        let paragraphs = try Seeds.paragraphs()
        for (i, p) in paragraphs.enumerated() {
            try writer.add(Document(id: "p\(i)", text: p))
            if i % 25 == 24 { _ = writer.snapshot() }   // (a snapshot freezes a segment)
        }
        _ = writer.delete(id: "p3")
        let snapshot = writer.snapshot()
        #expect(snapshot.segments.count > 3, "the test needs several segments")
        for text in ["常熟", "发展", "的", "村 OR 镇", "发展 -的"] {
            let q = try snapshot.queryParser.parse(text)
            let matches: [ScoredDocument] = try snapshot.matches(q)
            let ids: [String] = matches.map { $0.id }
            #expect(try snapshot.count(q) == matches.count, "\(text)")
            #expect(try snapshot.matchingIDs(q) == ids, "\(text)")
            #expect(!ids.contains("p3"))
            let ranked = try snapshot.search(q, options: SearchOptions(limit: 10))
            let order: [Int] = matches.indices.sorted { (a: Int, b: Int) -> Bool in
                let x = matches[a].score, y = matches[b].score
                return x > y || (x == y && a < b)
            }
            let expected: [String] = order.prefix(10).map { ids[$0] }
            #expect(ranked.hits.map { $0.id } == expected, "\(text)")
            #expect(ranked.totalCount == matches.count)
        }
    }
}
