import Testing
@testable import BigramSearch

// The in-memory postings pool on its own: streams recorded interleaved, read back against a
// reference of plain arrays (`doc, freq, positions…` per document), through every slice size;
// and the growable buffer under it.

/// The reference of one stream: the values `PostingsPool.read` gives.
private struct ReferenceStream {
    var docs: [(doc: UInt32, positions: [UInt32])] = []

    mutating func record(doc: UInt32, position: UInt32) {
        if let last = docs.last, last.doc == doc {
            if last.positions.last == position { return }   // a repeated position is ignored
            docs[docs.count - 1].positions.append(position)
        } else {
            docs.append((doc, [position]))
        }
    }

    var values: [UInt32] { docs.flatMap { [$0.doc, UInt32($0.positions.count)] + $0.positions } }
}

@Suite(.checksSegmentInvariants) struct PostingsPoolTests {
    @Test func emptyAndSingleStreams() {
        var pool = PostingsPool()
        let s = pool.makeStream()
        #expect(s == 0, "streams are numbered from 0")
        var out: [UInt32] = [7, 7]
        pool.read(s, into: &out)
        #expect(out.isEmpty, "an empty stream reads as nothing (and replaces the output)")
        pool.record(s, doc: 0, position: 0)
        pool.read(s, into: &out)
        #expect(out == [0, 1, 0])
        // Fills the first slice (3 values) exactly, then links to the next.
        pool.record(s, doc: 5, position: 9)
        pool.read(s, into: &out)
        #expect(out == [0, 1, 0, 5, 1, 9])
        pool.record(s, doc: 5, position: 9)       // repeated: ignored
        pool.record(s, doc: 5, position: 10)
        pool.record(s, doc: 6, position: 10)      // the same position in a new document: kept
        pool.read(s, into: &out)
        #expect(out == [0, 1, 0, 5, 2, 9, 10, 6, 1, 10])
    }

    @Test func streamsThroughEverySliceSize() {
        // One stream long enough to pass every slice size and stay at the largest (1,024) for
        // many slices, read back after each kind of step; values up to 2^32 − 1.
        var pool = PostingsPool()
        var reference = ReferenceStream()
        let s = pool.makeStream()
        var out: [UInt32] = []
        var doc: UInt32 = 0
        var checks = 0
        for step in 0..<20_000 {
            if step % 37 == 0 { doc += step % 74 == 0 ? 1 : 1_000_000 }
            // Ascending in a document, each position twice (the second is ignored), up to 3.6 · 10^9.
            let position = UInt32(step % 37 / 2) * 200_000_000 + UInt32(step % 37 / 2)
            pool.record(s, doc: doc, position: position)
            reference.record(doc: doc, position: position)
            if step < 3_000 || step % 997 == 0 {
                pool.read(s, into: &out)
                #expect(out == reference.values, "after step \(step)")
                checks += 1
                if out != reference.values { break }
            }
        }
        pool.record(s, doc: UInt32.max - 1, position: UInt32.max)
        reference.record(doc: UInt32.max - 1, position: UInt32.max)
        pool.read(s, into: &out)
        #expect(out == reference.values)
        #expect(checks > 3_000)
    }

    @Test func interleavedRandomStreams() {
        // Many streams recorded in one pass over documents (as a builder records terms), each
        // with its own pace; every stream read back, twice (reading changes nothing). The pools
        // of one recycler: later rounds run on blocks an earlier round filled.
        var rng = SplitMix64(0x9001)
        let recycler = BlockRecycler(maxBytes: 64 << 20)
        for round in 0..<6 {
            var pool = PostingsPool(recycler: recycler)
            let streamCount = [1, 2, 50, 300, 2_000, 40][round]
            var references = [ReferenceStream](repeating: ReferenceStream(), count: streamCount)
            for k in 0..<streamCount { #expect(pool.makeStream() == k) }
            let weights = (0..<streamCount).map { _ in rng.chance(10) ? 50 : rng.int(1...5) }
            let total = weights.reduce(0, +)
            for doc in 0..<UInt32(rng.int(50...400)) {
                var position: UInt32 = 0
                for _ in 0..<rng.int(1...300) {
                    // A weighted pick of a stream.
                    var r = rng.int(0..<total), s = 0
                    while r >= weights[s] { r -= weights[s]; s += 1 }
                    pool.record(s, doc: doc, position: position)
                    references[s].record(doc: doc, position: position)
                    if rng.chance(90) { position += UInt32(rng.int(1...3)) }   // sometimes the same again
                }
                // Streams made while others are being recorded.
                if rng.chance(5) {
                    references.append(ReferenceStream())
                    #expect(pool.makeStream() == references.count - 1)
                }
            }
            var out: [UInt32] = []
            for pass in 0..<2 {
                for s in references.indices {
                    pool.read(s, into: &out)
                    #expect(out == references[s].values, "round \(round), pass \(pass), stream \(s) of \(references.count)")
                }
            }
            let values = references.reduce(0) { $0 + $1.values.count }
            #expect(pool.byteCount >= values * 4, "byteCount \(pool.byteCount) for \(values) values")
        }
    }

    @Test func growableBuffer() {
        let b = GrowableBuffer()
        #expect(b.count == 0 && b.capacity == 0)
        var reference: [UInt32] = []
        var rng = SplitMix64(0x6B0F)
        for _ in 0..<300 {
            let n = rng.int(1...(rng.chance(30) ? 5_000 : 20))
            let start = b.grow(by: n)
            // A run never crosses a block; the skipped end of a block reads as zeros.
            #expect(Int(start) >= reference.count)
            #expect(Int(start) / GrowableBuffer.blockValues == (Int(start) + n - 1) / GrowableBuffer.blockValues)
            reference.append(contentsOf: repeatElement(0, count: Int(start) + n - reference.count))
            #expect((0..<n).allSatisfy { b[Int(start) + $0] == 0 })   // new values are zero
            for _ in 0..<3 {
                let i = rng.int(0..<reference.count)
                let v = UInt32(truncatingIfNeeded: rng.next())
                b[i] = v
                reference[i] = v
            }
            #expect(b.count == reference.count && b.capacity >= b.count)
        }
        #expect(b.capacity > 2 * GrowableBuffer.blockValues, "the test crosses blocks")
        #expect((0..<reference.count).allSatisfy { b[$0] == reference[$0] }, "values kept across growth")
    }

    /// A recycler hands a released buffer's blocks to the next one, keeps no more than its
    /// limit, and frees what it keeps on request; a reused block still reads as zeros.
    @Test func blockRecycler() {
        let blockBytes = GrowableBuffer.blockBytes
        let recycler = BlockRecycler(maxBytes: 2 * blockBytes)
        #expect(recycler.maxBlocks == 2)
        do {
            let b = GrowableBuffer(recycler: recycler)
            for _ in 0..<3 {   // three blocks, each filled with ones
                let start = b.grow(by: GrowableBuffer.blockValues)
                for k in 0..<GrowableBuffer.blockValues { b[Int(start) + k] = 1 }
            }
        }
        #expect(recycler.keptBytes == 2 * blockBytes, "three blocks given back, two kept")
        do {
            let b = GrowableBuffer(recycler: recycler)
            let start = b.grow(by: 10)
            #expect(recycler.keptBytes == blockBytes, "a block taken")
            #expect((0..<10).allSatisfy { b[Int(start) + $0] == 0 }, "a reused block's values start at zero")
            let next = b.grow(by: GrowableBuffer.blockValues - 5)   // does not fit: skips to a new block
            #expect(Int(next) == GrowableBuffer.blockValues)
            #expect((10..<GrowableBuffer.blockValues).allSatisfy { b[$0] == 0 }, "the skipped end is zeroed")
            #expect(recycler.keptBytes == 0)
        }
        #expect(recycler.keptBytes == 2 * blockBytes)
        recycler.releaseAll()
        #expect(recycler.keptBytes == 0)
        #expect(BlockRecycler(maxBytes: 1 << 16).maxBlocks == 0, "a budget below a block keeps none")
    }
}
