/// The postings of one term: which documents contain it, how often, and at which positions.
///
/// Layout (docs/FORMAT.md §Postings), documents in blocks of ``blockSize``:
/// ```
/// [skip table, only when there are 2+ blocks: per block (lastDoc u32, blockOffset u32)]
/// per block of n documents, one bit stream (padded to a byte at the end):
///   firstDoc   ⌈log2 D⌉ bits (D = documents in the segment); block 0: the document number;
///              later blocks: doc − previous block's last − 1
///   wd         6 bits, only when n > 1: bit width of the document gaps
///   docGaps    n−1 values of wd bits: doc[k] − doc[k−1] − 1
///   records    per document, in order:
///                         freq        Elias-gamma code (1 bit for 1, 3 bits for 2–3, …)
///                         firstPos    ⌈log2 L⌉ bits, L = the document's position count
///                         [freq > 1]  gapWidth (4 bits; 15 = 15 + the next 5 bits), then freq−1
///                                     gaps − 1 of gapWidth bits
/// ```
/// Bits are stored least significant first. Why this shape
/// (measured on the open corpus, postings bytes): most terms occur once in a document, so the
/// first position dominates. Coding it with the width of *its own* document's length instead of
/// the widest in the block, and the frequency with a gamma code instead of a per-block width,
/// took the postings from 5.79 MB to 4.64 MB; one bit stream per block (no byte-aligned header or
/// arrays) and 4-bit gap widths to 4.53 MB (index ÷ text: 0.63 → 0.499 with the dictionary).
enum PostingsEncoding {
    static let blockSize = 128
    /// The most positions of one term in one document a reader accepts: a field has at most
    /// ``IndexLimits/maxFieldBytes`` bytes, so no analyzer gives one term more positions. Bounds
    /// the work and memory of ``PostingsCursor/positions(into:)`` on a damaged file.
    static let maxFrequency = IndexLimits.maxFieldBytes

    /// Reusable buffers of ``encode(stream:documentCount:lengths:into:)``.
    struct Scratch {
        var entries: [Int] = []
        var gaps: [UInt32] = []
    }

    /// Appends the postings of one term, read from `stream`: for each document in ascending
    /// order `doc, freq, positions…` (freq ≥ 1 positions, ascending). `lengths(doc)` is the
    /// document's position count (every position is below it).
    static func encode(stream: [UInt32], documentCount n: Int, lengths: FieldLengthsBuilder,
                       scratch: inout Scratch, into w: inout ByteWriter) {
        let blocks = (n + blockSize - 1) / blockSize
        let termStart = w.count
        let docWidth = documentWidth(lengths.count)
        if blocks > 1 {
            for _ in 0..<blocks { w.uint64(0) }   // skip table, filled in below
        }
        var at = 0
        var previousLast: UInt32 = 0
        for b in 0..<blocks {
            let count = min(blockSize, n - b * blockSize)
            scratch.entries.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                scratch.entries.append(at)
                at += 2 + Int(stream[at + 1])
            }
            let first = stream[scratch.entries[0]], last = stream[scratch.entries[count - 1]]
            if blocks > 1 {
                w.overwrite(uint32: last, at: termStart + 8 * b)
                w.overwrite(uint32: UInt32(w.count - termStart), at: termStart + 8 * b + 4)
            }
            var bits = BitWriter()
            bits.write(b == 0 ? first : first - previousLast - 1, width: docWidth, into: &w)
            if count > 1 {
                scratch.gaps.removeAll(keepingCapacity: true)
                var maxGap: UInt32 = 0
                for k in 1..<count {
                    let g = stream[scratch.entries[k]] - stream[scratch.entries[k - 1]] - 1
                    scratch.gaps.append(g)
                    maxGap |= g
                }
                let wd = ByteWriter.bitWidth(maxGap)
                bits.write(UInt32(wd), width: 6, into: &w)
                for g in scratch.gaps { bits.write(g, width: wd, into: &w) }
            }
            for e in scratch.entries {
                let doc = stream[e], f = Int(stream[e + 1]), p = e + 2
                bits.gamma(UInt32(f), into: &w)
                bits.write(stream[p], width: positionWidth(lengths[doc]), into: &w)
                if f > 1 {
                    var maxGap: UInt32 = 0
                    for j in 1..<f { maxGap |= stream[p + j] - stream[p + j - 1] - 1 }
                    let gw = ByteWriter.bitWidth(maxGap)
                    writeGapWidth(gw, &bits, into: &w)
                    for j in 1..<f { bits.write(stream[p + j] - stream[p + j - 1] - 1, width: gw, into: &w) }
                }
            }
            bits.flush(into: &w)
            previousLast = last
        }
    }

    /// A record's position-gap width: 4 bits when below 15, else 15 then 5 more bits (width − 15).
    /// Widths are mostly small (a term recurs within a few hundred positions).
    @inline(__always) static func writeGapWidth(_ gw: Int, _ bits: inout BitWriter, into w: inout ByteWriter) {
        if gw < 15 {
            bits.write(UInt32(gw), width: 4, into: &w)
        } else {
            bits.write(15, width: 4, into: &w)
            bits.write(UInt32(gw - 15), width: 5, into: &w)
        }
    }

    /// Reads what ``writeGapWidth(_:_:into:)`` wrote at `bit`: the width and the bits it took.
    @inline(__always) static func readGapWidth(_ buffer: ByteBuffer, at bit: Int) -> (width: Int, bits: Int) {
        let code = Int(buffer.bits(at: bit, width: 4))
        if code < 15 { return (code, 4) }
        return (min(32, 15 + Int(buffer.bits(at: bit + 4, width: 5))), 9)
    }

    /// Bits of a block's first document (or gap from the previous block) in a segment of
    /// `documents` documents.
    @inline(__always) static func documentWidth(_ documents: Int) -> Int {
        ByteWriter.bitWidth(UInt32(truncatingIfNeeded: max(1, documents - 1)))
    }

    /// Bits of a first position in a document of `length` positions.
    @inline(__always) static func positionWidth(_ length: UInt32) -> Int {
        length <= 1 ? 0 : ByteWriter.bitWidth(length - 1)
    }
}
