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

/// What a ``PostingsCursor`` found wrong in the postings it reads (a file that passed its
/// checksums but holds values no writer produces). The cursor then stops (``PostingsCursor/doc``
/// is ``PostingsCursor/exhausted``) and keeps the reason; whoever drives it reports the damage.
enum PostingsDamage: UInt8, Sendable {
    case none
    /// The dictionary's document frequency is 0 or above the segment's document count.
    case documentFrequency
    /// The postings offset (or a skip-table offset) lies outside the postings section.
    case offset
    /// A document number is not below the segment's document count, or the documents of a term
    /// do not ascend (including a skip table disagreeing with the blocks).
    case documentNumber
    /// A frequency above the document's field length (or ``PostingsEncoding/maxFrequency``).
    case frequency
    /// A position at or beyond the document's field length.
    case position

    var reason: String {
        switch self {
        case .none: return "no damage"
        case .documentFrequency: return "a term's document frequency exceeds the segment's documents"
        case .offset: return "a term's postings lie outside the postings section"
        case .documentNumber: return "postings hold a document number out of range or out of order"
        case .frequency: return "postings hold a frequency above the document's field length"
        case .position: return "postings hold a position beyond the document's field length"
        }
    }
}

/// Walks the postings of one term in document order. Reading is bounds-checked, and every value
/// that drives a loop, an allocation or an index is validated against the segment's counts: on a
/// bad value the cursor stops and records ``damage`` (never traps, never runs away).
struct PostingsCursor {
    static let exhausted = UInt32.max

    // The cursor holds the buffers it reads (a copy of a cursor retains them): it stays valid
    // however long it lives, whatever happens to the snapshot it came from.
    private let buffer: ByteBuffer
    private let lengths: ByteBuffer
    private let termStart: Int
    let docFrequency: Int
    private let blockCount: Int
    /// The segment's document count (every document number is below it).
    private let documentLimit: Int

    private var block = -1
    private var countInBlock = 0
    private var indexInBlock = 0
    private var gapsBit = 0
    private var wd = 0
    private let docWidth: Int
    private var previousBlockLast: UInt32 = 0
    // The current document's record in the block's bit stream.
    private var recordBit = 0
    private var firstPositionBit = 0
    private var positionWidth = 0
    private var recordBits = 0

    /// The current document, or ``exhausted``.
    private(set) var doc: UInt32 = 0
    /// The current document's frequency.
    private(set) var freq = 0
    /// Why the cursor stopped early, or ``PostingsDamage/none``.
    private(set) var damage = PostingsDamage.none

    var isDamaged: Bool { damage != .none }

    /// A cursor over the postings at `offset` of `buffer`, for a segment whose field lengths are
    /// `lengths`.
    init(buffer: ByteBuffer, lengths: FieldLengths, offset: Int, docFrequency: Int) {
        self.buffer = buffer
        self.lengths = lengths.bytes
        documentLimit = lengths.count
        docWidth = PostingsEncoding.documentWidth(lengths.count)
        termStart = offset
        self.docFrequency = docFrequency
        blockCount = docFrequency > 0 && docFrequency <= lengths.count
            ? (docFrequency + PostingsEncoding.blockSize - 1) / PostingsEncoding.blockSize : 0
        if docFrequency <= 0 || docFrequency > lengths.count {
            stop(.documentFrequency)
        } else if offset < 0 || offset >= buffer.count || (blockCount > 1 && 8 * blockCount > buffer.count - offset) {
            stop(.offset)
        } else {
            loadBlock(0)
        }
    }

    /// A cursor over no postings: exhausted, not damaged.
    init() {
        buffer = ByteBuffer()
        lengths = ByteBuffer()
        termStart = 0
        docFrequency = 0
        blockCount = 0
        documentLimit = 0
        docWidth = 0
        doc = Self.exhausted
    }

    @inline(never)
    private mutating func stop(_ why: PostingsDamage) {
        damage = why
        doc = Self.exhausted
        freq = 0
    }

    /// Loads block `b`. False when it is damaged (the cursor has stopped).
    @discardableResult
    private mutating func loadBlock(_ b: Int) -> Bool {
        block = b
        var bit: Int
        if blockCount > 1 {
            let start = termStart + Int(buffer.uint32(at: termStart + 8 * b + 4))
            guard start >= termStart + 8 * blockCount, start < buffer.count else { stop(.offset); return false }
            bit = start << 3
            if b > 0 { previousBlockLast = buffer.uint32(at: termStart + 8 * (b - 1)) }
        } else {
            bit = termStart << 3
        }
        let firstGap = buffer.bits(at: bit, width: docWidth)
        bit += docWidth
        countInBlock = min(PostingsEncoding.blockSize, docFrequency - b * PostingsEncoding.blockSize)
        if countInBlock > 1 {
            wd = Int(buffer.bits(at: bit, width: 6))
            bit += 6
            // Gaps no wider than document numbers: doc + gap + 1 never wraps around (so documents
            // ascend without a check per document; one past the count has length 0, see below).
            guard wd <= docWidth else { stop(.documentNumber); return false }
        } else {
            wd = 0
        }
        gapsBit = bit
        indexInBlock = 0
        let first = b == 0 ? Int(firstGap) : Int(previousBlockLast) + 1 + Int(firstGap)
        guard first < documentLimit else { stop(.documentNumber); return false }
        doc = UInt32(truncatingIfNeeded: first)
        recordBit = gapsBit + (countInBlock - 1) * wd
        return readRecord()
    }

    /// Decodes the frequency and widths of the current document's record. False when it is
    /// damaged (the cursor has stopped).
    @inline(__always) @discardableResult
    private mutating func readRecord() -> Bool {
        let word = buffer.bits(at: recordBit, width: 32)
        let z = min(31, word.trailingZeroBitCount)
        let low = buffer.bits(at: recordBit + z + 1, width: z)
        freq = Int((UInt32(1) << UInt32(z)) | low)
        firstPositionBit = recordBit + 2 * z + 1
        let l = lengths.uint32(at: Int(doc) &* 4)
        positionWidth = PostingsEncoding.positionWidth(l)
        recordBits = 2 * z + 1 + positionWidth
        if freq > 1 {
            let (gw, used) = PostingsEncoding.readGapWidth(buffer, at: firstPositionBit + positionWidth)
            recordBits += used + (freq - 1) * gw
        }
        // At most one position per field position, and no field holds more than maxFrequency
        // of one term. A document number past the segment reads a length of 0 (reads outside
        // the lengths give 0), so this also stops those.
        guard UInt32(truncatingIfNeeded: freq) <= min(l, UInt32(PostingsEncoding.maxFrequency)) else {
            stop(Int(doc) >= documentLimit ? .documentNumber : .frequency)
            return false
        }
        return true
    }

    /// Moves to the next document. Returns false when the postings are exhausted (or damaged:
    /// see ``damage``).
    @discardableResult
    mutating func next() -> Bool {
        guard doc != Self.exhausted else { return false }
        if indexInBlock + 1 < countInBlock {
            indexInBlock += 1
            recordBit += recordBits
            doc = doc &+ buffer.bits(at: gapsBit + (indexInBlock - 1) * wd, width: wd) &+ 1   // (see loadBlock)
            return readRecord()
        }
        if block + 1 < blockCount {
            let last = doc
            // The skip table's last document of this block must be the one just read.
            guard buffer.uint32(at: termStart + 8 * block) == last else { stop(.documentNumber); return false }
            return loadBlock(block + 1)
        }
        doc = Self.exhausted
        return false
    }

    /// Moves to the first document ≥ `target`. Returns false when there is none.
    @discardableResult
    mutating func advance(to target: UInt32) -> Bool {
        if doc >= target { return doc != Self.exhausted }
        if blockCount > 1 {
            // Skip whole blocks whose last document is below the target.
            var b = block
            while b + 1 < blockCount && buffer.uint32(at: termStart + 8 * b) < target { b += 1 }
            if b != block {
                let last = doc
                guard loadBlock(b) else { return false }
                if doc <= last { stop(.documentNumber); return false }
                if doc >= target { return true }
            }
        }
        while next() {
            if doc >= target { return true }
        }
        return false
    }

    /// The positions of the current document, appended to `out`. Returns false when they are
    /// damaged (not below the document's field length); `out` then holds garbage.
    @discardableResult
    func positions(into out: inout [UInt32]) -> Bool {
        var p = Int(buffer.bits(at: firstPositionBit, width: positionWidth))
        out.append(UInt32(truncatingIfNeeded: p))
        if freq > 1 {
            var bit = firstPositionBit + positionWidth
            let (gw, used) = PostingsEncoding.readGapWidth(buffer, at: bit)
            bit += used
            for _ in 1..<freq {
                p += Int(buffer.bits(at: bit, width: gw)) + 1
                out.append(UInt32(truncatingIfNeeded: p))
                bit += gw
            }
        }
        // Positions ascend (gaps are ≥ 1), so the last one bounds them all.
        return p < Int(lengths.uint32(at: Int(doc) &* 4))
    }

    // For structural checks (``Segment/checkStructure()``).

    /// The block of the current document.
    var currentBlock: Int { block }
    /// The byte after the current document's record, rounded up (a block's bit stream ends there
    /// when this is its last document).
    var recordEndByte: Int { (recordBit + recordBits + 7) >> 3 }
    /// Where the current block's bit stream starts, in bytes.
    var blockStartByte: Int {
        blockCount > 1 ? termStart + Int(buffer.uint32(at: termStart + 8 * block + 4)) : termStart
    }
    /// Bytes of the skip table.
    var skipTableBytes: Int { blockCount > 1 ? 8 * blockCount : 0 }
}

/// Position counts of the documents being indexed (see ``FieldLengths``).
struct FieldLengthsBuilder {
    private(set) var values: [UInt32] = []
    @inline(__always) subscript(doc: UInt32) -> UInt32 { values[Int(doc)] }
    mutating func append(_ v: UInt32) { values.append(v) }
    var count: Int { values.count }
}

/// Each document's position count in one field (u32 little-endian per document). BM25 uses it as
/// the document length; postings use it to size first positions.
struct FieldLengths: Sendable {
    let bytes: ByteBuffer
    var count: Int { bytes.count / 4 }
    @inline(__always) subscript(doc: UInt32) -> UInt32 { bytes.uint32(at: Int(doc) &* 4) }
}
