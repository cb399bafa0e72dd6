import Foundation
import Testing
@testable import BigramSearch

// The automatic merge policy on its own, over segment sizes: what it merges, and the bounds its
// documentation states (write amplification, segment count), checked by simulating bulk loads.

/// A bulk load of `flushes` segments of the sizes `size(i)` (bytes), merged as `policy` chooses
/// after each flush, as `IndexWriter` does: the final sizes and the bytes written.
private func simulate(_ policy: MergePolicy, flushes: Int, size: (Int) -> Double) -> (sizes: [Double], written: Double) {
    var sizes: [Double] = []
    var written = 0.0
    for i in 0..<flushes {
        sizes.append(size(i))
        written += sizes.last!
        while let r = policy.nextMerge(sizes) {
            let merged = sizes[r].reduce(0, +)
            written += merged
            sizes.replaceSubrange(r, with: [merged])
        }
    }
    return (sizes, written)
}

@Suite(.checksSegmentInvariants) struct MergePolicyTests {
    private let mb = Double(1 << 20)

    @Test func mergesTheFirstFullGroupOfNeighbours() {
        let p = MergePolicy(factor: 3)
        #expect(p.nextMerge([]) == nil)
        #expect(p.nextMerge([1, 1]) == nil)
        // Below the floor every size is one level.
        #expect(p.nextMerge([10, 1_000, 1]) == 0..<3)
        // A large old segment is never merged with small new ones…
        #expect(p.nextMerge([900 * mb, 16 * mb, 16 * mb]) == nil)
        #expect(p.nextMerge([900 * mb, 16 * mb, 16 * mb, 16 * mb]) == 1..<4)
        // …nor one level with the next (3 × 16 MB is one level up at factor 3).
        #expect(p.nextMerge([48 * mb, 16 * mb, 16 * mb]) == nil)
        #expect(p.nextMerge([48 * mb, 48 * mb, 40 * mb, 16 * mb]) == 0..<3)
        // Sizes within 0.75 of a level share it: 16 and 10 MB at factor 3 (log₃ 1.6 = 0.43).
        #expect(p.nextMerge([16 * mb, 10 * mb, 12 * mb]) == 0..<3)
        // Deleted documents do not count: a segment mostly deleted is a small one.
        #expect(p.nextMerge([48 * mb, 48 * mb, 16 * mb, 16 * mb]) == nil)
        #expect(p.nextMerge([48 * mb, 48 * mb * 0.3, 16 * mb, 16 * mb]) == 1..<4)
        // Factors below 2 never merge.
        #expect(MergePolicy(factor: 1).nextMerge([1, 1, 1]) == nil)
        #expect(MergePolicy(factor: 0).nextMerge([1, 1, 1]) == nil)
    }

    /// The documented bounds: bytes written ÷ index ≤ 1 + ⌊log_factor(flushes)⌋ for flushes of
    /// one size, ≤ 1.05 × (1 + log_factor(flushes)) when they vary by up to 2×, at most (factor − 1) × (1 + log_factor flushes)
    /// segments — with several factors and up to 1,000 flushes.
    @Test(arguments: [2, 3, 8, 10, 16])
    func writeAmplificationAndSegmentCountStayWithinTheStatedBounds(factor: Int) {
        let policy = MergePolicy(factor: factor)
        var rng = SplitMix64(UInt64(factor))
        let jitter = (0..<1_000).map { _ in Double(rng.int(50...100)) / 100 }
        for flushes in [1, 5, 9, 10, 11, 77, 100, 101, 333, 1_000] {
            for varied in [false, true] {
                let (sizes, written) = simulate(policy, flushes: flushes) { i in 16 * mb * (varied ? jitter[i] : 1) }
                let index = sizes.reduce(0, +)
                let levels = log(Double(flushes)) / log(Double(factor))
                // (Flushes of varying sizes cross a level a little earlier or later: within 5%.)
                // Equal flushes: each byte climbs at most ⌊log_factor n⌋ levels.
                let bound = varied ? (1 + levels) * 1.05 : 1 + (levels + 1e-9).rounded(.down)
                #expect(written / index <= bound + 1e-9,
                        "factor \(factor), \(flushes) flushes\(varied ? " of varying sizes" : ""): \(written / index)")
                #expect(Double(sizes.count) <= Double(factor - 1) * (1 + levels.rounded(.down)) + 1e-9,
                        "factor \(factor), \(flushes) flushes: \(sizes.count) segments")
                // Merging only joins neighbours: nothing is lost or counted twice.
                #expect(abs(index - (0..<flushes).reduce(0) { $0 + 16 * mb * (varied ? jitter[$1] : 1) }) < 1)
            }
        }
        // The figure the documentation quotes: 77 flushes (about a 1.08 GB bulk load with the
        // default 64 MiB buffer) at the default factor rewrite each byte once.
        if factor == 10 {
            let (sizes, written) = simulate(policy, flushes: 77) { _ in 16 * mb }
            #expect(abs(written / sizes.reduce(0, +) - 1.909) < 0.01)
        }
    }

    /// Half-size flushes (background flushes) merged twice as many at once at the lowest level
    /// make the segments that whole flushes make at `factor`, and write as much: the 196 half
    /// flushes of ×100 (6.4 MB each) write what 98 whole ones do, where merging them ten at a time
    /// climbs one more level.
    @Test func halfFlushesMergedTwiceAsManyAtTheLowestLevelWriteLikeWholeOnes() {
        let whole = simulate(MergePolicy(factor: 10), flushes: 98) { _ in 12.8 * mb }
        let half = simulate(MergePolicy(factor: 10, lowestFactor: 20), flushes: 196) { _ in 6.4 * mb }
        let tenAtATime = simulate(MergePolicy(factor: 10), flushes: 196) { _ in 6.4 * mb }
        let amplification = { (r: (sizes: [Double], written: Double)) in r.written / r.sizes.reduce(0, +) }
        #expect(abs(amplification(half) - amplification(whole)) < 1e-9)
        let large = { (r: (sizes: [Double], written: Double)) in r.sizes.filter { $0 > 100 * mb }.map { ($0 / mb).rounded() } }
        #expect(large(half) == large(whole) && large(half).count == 9)
        #expect(amplification(whole) < 2 && amplification(tenAtATime) > 2.4)
        // Above the lowest level (segments of 10 × the floor or more) the factor is the factor.
        let p = MergePolicy(factor: 3, lowestFactor: 6)
        #expect(p.nextMerge([1, 1, 1]) == nil)
        #expect(p.nextMerge([1, 1, 1, 1, 1, 1]) == 0..<6)
        #expect(p.nextMerge([60 * mb, 60 * mb, 60 * mb]) == 0..<3)
        // The segment count stays within (factor − 1) per level plus the lowest level's extra.
        for flushes in [19, 20, 199, 200, 1_000] {
            let r = simulate(MergePolicy(factor: 10, lowestFactor: 20), flushes: flushes) { _ in 6.4 * mb }
            let levels = (log(Double(flushes) / 2) / log(10.0)).rounded(.down)
            #expect(Double(r.sizes.count) <= 9 * (1 + levels) + 10, "\(flushes) flushes: \(r.sizes.count) segments")
        }
    }
}
