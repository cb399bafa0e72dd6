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

    /// Reusable buffers of the encoders.
    struct Scratch {
        var entries: [Int] = []
        var gaps: [UInt32] = []
    }

    /// Appends the postings of one term, read from `stream`: for each document in ascending
    /// order `doc, freq, positions…` (freq ≥ 1 positions, ascending). `lengths(doc)` is the
    /// document's position count (every position is below it).
    static func encode(stream: [UInt32], documentCount n: Int, lengths: FieldLengthsBuilder,
                       scratch: inout Scratch, into w: inout ByteWriter) {
        scratch.entries.removeAll(keepingCapacity: true)
        var at = 0
        for _ in 0..<n {
            scratch.entries.append(at)
            at += 2 + Int(stream[at + 1])
        }
        let entries = scratch.entries
        encodeBlocks(n, documentWidth: documentWidth(lengths.count), gaps: &scratch.gaps, into: &w,
                     doc: { stream[entries[$0]] }) { k, bits, w in
            let e = entries[k], doc = stream[e], f = Int(stream[e + 1]), p = e + 2
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
    }

    /// A document's record copied from existing postings (a merge): its new number, and where
    /// its record — frequency and positions, ``PostingsCursor/record`` — lies in `source`'s bits.
    struct CopiedRecord {
        var doc: UInt32
        var source: Int
        var bit: Int
        var bits: Int
    }

    /// Appends the postings of one term whose records are copied bit for bit from the postings
    /// `sources` (a record does not depend on document numbers: only on the document's length,
    /// which a merge keeps), with new document numbers ascending, in a segment of
    /// `documentCount` documents. Only the blocks' document numbers are encoded anew.
    static func encode(copying records: [CopiedRecord], from sources: [ByteBuffer], documentCount: Int,
                       scratch: inout Scratch, into w: inout ByteWriter) {
        encodeBlocks(records.count, documentWidth: documentWidth(documentCount), gaps: &scratch.gaps, into: &w,
                     doc: { records[$0].doc }) { k, bits, w in
            let r = records[k]
            bits.copy(sources[r.source], bit: r.bit, count: r.bits, into: &w)
        }
    }

    /// The block structure shared by the encoders: the skip table, then per block the first
    /// document, the gap width and gaps, then each document's record (`record(k, …)` writes the
    /// record of document `k`; `doc(k)` is its number, ascending).
    @inline(__always)
    private static func encodeBlocks(_ n: Int, documentWidth docWidth: Int, gaps: inout [UInt32], into w: inout ByteWriter,
                                     doc: (Int) -> UInt32, record: (Int, inout BitWriter, inout ByteWriter) -> Void) {
        let blocks = (n + blockSize - 1) / blockSize
        let termStart = w.count
        if blocks > 1 {
            for _ in 0..<blocks { w.uint64(0) }   // skip table, filled in below
        }
        var previousLast: UInt32 = 0
        for b in 0..<blocks {
            let start = b * blockSize, end = min(n, start + blockSize)
            let first = doc(start), last = doc(end - 1)
            if blocks > 1 {
                w.overwrite(uint32: last, at: termStart + 8 * b)
                w.overwrite(uint32: UInt32(w.count - termStart), at: termStart + 8 * b + 4)
            }
            var bits = BitWriter()
            bits.write(b == 0 ? first : first - previousLast - 1, width: docWidth, into: &w)
            if end - start > 1 {
                gaps.removeAll(keepingCapacity: true)
                var maxGap: UInt32 = 0
                var previous = first
                for k in (start + 1)..<end {
                    let d = doc(k)
                    let g = d - previous - 1
                    gaps.append(g)
                    maxGap |= g
                    previous = d
                }
                let wd = ByteWriter.bitWidth(maxGap)
                bits.write(UInt32(wd), width: 6, into: &w)
                for g in gaps { bits.write(g, width: wd, into: &w) }
            }
            for k in start..<end { record(k, &bits, &w) }
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
