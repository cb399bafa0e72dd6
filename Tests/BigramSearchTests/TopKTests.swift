import Testing
@testable import BigramSearch

// TopK on its own: whatever the capacity, the kept hits in order are the first `capacity` of a
// brute-force sort (score descending, then global document number ascending). Hits are offered
// in document order, as the searcher offers them (segment by segment, documents ascending).

private struct Hit: Equatable, CustomStringConvertible {
    var score: Double
    var segment: Int
    var doc: UInt32
    var global: Int
    var description: String { "\(global):\(score)" }
}

/// Hits over segments of the given sizes, one per document with the chance given, scores from
/// `score`.
private func hits(segments: [Int], percent: Int = 100, _ rng: inout SplitMix64,
                  score: (inout SplitMix64) -> Double) -> [Hit] {
    var out: [Hit] = []
    var base = 0
    for (s, n) in segments.enumerated() {
        for d in 0..<n where rng.chance(percent) {
            out.append(Hit(score: score(&rng), segment: s, doc: UInt32(d), global: base + d))
        }
        base += n
    }
    return out
}

private func bruteForce(_ hits: [Hit], capacity: Int) -> [Hit] {
    Array(hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.global < $1.global) }.prefix(max(0, capacity)))
}

private func topK(_ hits: [Hit], capacity: Int) -> [Hit] {
    var heap = TopK(capacity: capacity)
    for h in hits { heap.insert(score: h.score, segment: h.segment, doc: h.doc, global: h.global) }
    return heap.sorted().map { Hit(score: $0.score, segment: $0.segment, doc: $0.doc, global: $0.global) }
}

private func expectSameAsBruteForce(_ hits: [Hit], capacity: Int, _ what: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
    let got = topK(hits, capacity: capacity)
    let expected = bruteForce(hits, capacity: capacity)
    #expect(got == expected, "\(what), capacity \(capacity) of \(hits.count): got \(got.prefix(12)), expected \(expected.prefix(12))",
            sourceLocation: sourceLocation)
}

@Suite(.checksSegmentInvariants) struct TopKTests {
    @Test func tiesAreBrokenByDocumentOrder() {
        var rng = SplitMix64(0x7E5)
        // Every score equal: document order, on both paths (the heap: capacity below the count).
        let equal = hits(segments: [10, 0, 7], &rng) { _ in 1.5 }
        for capacity in [1, 2, 5, 16, 17, 18, 100] {
            expectSameAsBruteForce(equal, capacity: capacity, "equal scores")
            #expect(topK(equal, capacity: capacity).map(\.global) == Array(0..<min(capacity, 17)))
        }
        // A few distinct scores, many ties each.
        let few = hits(segments: [50, 30, 40], &rng) { r in Double(r.int(0..<3)) }
        for capacity in [0, 1, 3, 10, 59, 60, 119, 120, 121, 500] {
            expectSameAsBruteForce(few, capacity: capacity, "three scores")
        }
    }

    @Test func capacities() {
        var rng = SplitMix64(0xCA9)
        let input = hits(segments: [40, 25], percent: 60, &rng) { r in Double(r.int(0..<1_000)) / 7 }
        let n = input.count
        for capacity in [0, 1, 2, n - 1, n, n + 1, 10 * n, 1 << 20] {
            expectSameAsBruteForce(input, capacity: capacity, "random scores")
        }
        #expect(topK(input, capacity: 0).isEmpty)
        #expect(topK([], capacity: 0).isEmpty && topK([], capacity: 5).isEmpty)
        let one = topK(input, capacity: 1)
        #expect(one.count == 1 && one[0].score == input.map(\.score).max())
        // A single hit.
        let single = [Hit(score: -3, segment: 2, doc: 9, global: 99)]
        #expect(topK(single, capacity: 1) == single && topK(single, capacity: 3) == single && topK(single, capacity: 0).isEmpty)
    }

    @Test func negativeEqualAndExtremeScores() {
        var rng = SplitMix64(0x9E6)
        let values: [Double] = [-1, -0.0, 0, 1e-300, -1e-300, .infinity, -.infinity, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, 2.5, 2.5, -2.5]
        let input = hits(segments: [30, 30], &rng) { r in r.pick(values) }
        for capacity in [1, 5, 12, 30, 59, 60, 61] {
            expectSameAsBruteForce(input, capacity: capacity, "negative, signed-zero and infinite scores")
        }
        // All negative.
        let negative = hits(segments: [20], &rng) { r in -Double(r.int(1...5)) }
        for capacity in [1, 7, 20, 21] { expectSameAsBruteForce(negative, capacity: capacity, "negative scores") }
    }

    @Test func heapAndNoHeapPathsAgree() {
        // The same input kept whole (no heap: one stable sort at the end) and cut by every
        // smaller capacity (the heap, built at the first overflow): each result is a prefix of
        // the whole ranking.
        var rng = SplitMix64(0x4EA9)
        for round in 0..<200 {
            let segments = (0..<rng.int(1...4)).map { _ in rng.int(0...(round % 10 == 0 ? 3_000 : 60)) }
            let distinct = rng.int(1...(rng.chance(50) ? 4 : 1_000))
            let input = hits(segments: segments, percent: rng.int(10...100), &rng) { r in
                Double(r.int(0..<distinct)) * (r.chance(20) ? -1 : 1) / 3
            }
            let whole = topK(input, capacity: input.count + rng.int(0...3))
            #expect(whole == bruteForce(input, capacity: input.count), "round \(round): the whole ranking")
            let capacities = [1, 2, rng.int(1...max(1, input.count)), max(1, input.count - 1), input.count / 2]
            for capacity in capacities where capacity > 0 {
                #expect(topK(input, capacity: capacity) == Array(whole.prefix(capacity)),
                        "round \(round): capacity \(capacity) of \(input.count)")
            }
        }
    }
}
