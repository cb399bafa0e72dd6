import Testing
@testable import BigramSearch

@Suite(.checksSegmentInvariants) struct BytePatternTests {
    /// The copies found are those of a naive scan (first match, then after it), on random bytes
    /// over a small alphabet (many near misses) and on the seeds' text with CJK needles.
    @Test func findsWhatANaiveScanFinds() throws {
        func naive(_ needle: [UInt8], _ hay: [UInt8], limit: Int) -> [Int] {
            var out: [Int] = [], i = 0
            while i + needle.count <= hay.count && out.count < limit {
                if Array(hay[i..<(i + needle.count)]) == needle { out.append(i); i += needle.count } else { i += 1 }
            }
            return out
        }
        var rng = SplitMix64(11)
        for _ in 0..<400 {
            let hay = (0..<Int(rng.next() % 300)).map { _ in UInt8(rng.next() % 3) }
            let needle = (0..<Int(rng.next() % 5 + 1)).map { _ in UInt8(rng.next() % 3) }
            let limit = Int(rng.next() % 6) + 1
            let found = hay.withUnsafeBufferPointer { BytePattern(needle).offsets(in: $0, limit: limit) }
            #expect(found == naive(needle, hay, limit: limit), "\(needle) in \(hay)")
        }
        let seeds = Array(try Seeds.texts().joined().utf8)
        for word in ["常熟", "企业", "小微企业", "发展", "不存在的词"] {
            let needle = Array(word.utf8)
            let found = seeds.withUnsafeBufferPointer { BytePattern(needle).offsets(in: $0, limit: 1000) }
            #expect(found == naive(needle, seeds, limit: 1000))
        }
        #expect([UInt8]().withUnsafeBufferPointer { BytePattern([1]).offsets(in: $0, limit: 3) }.isEmpty)
    }
}
