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

    /// Whether the current document's positions are all below its field length — what
    /// ``positions(into:)`` checks — without collecting them (a merge copies the record as bits).
    /// Usually decided from the record's widths alone: with gaps of at most `gw` bits, the last
    /// position is at most `first + (freq − 1) · 2^gw`.
    func positionsAreValid() -> Bool {
        let length = Int(lengths.uint32(at: Int(doc) &* 4))
        var p = Int(buffer.bits(at: firstPositionBit, width: positionWidth))
        guard freq > 1 else { return p < length }
        var bit = firstPositionBit + positionWidth
        let (gw, used) = PostingsEncoding.readGapWidth(buffer, at: bit)
        if p + (freq - 1) << gw < length { return true }   // (no overflow: freq ≤ 2^30, gw ≤ 32)
        bit += used
        for _ in 1..<freq {
            p += Int(buffer.bits(at: bit, width: gw)) + 1
            bit += gw
        }
        return p < length
    }

    /// Where the current document's record (frequency, positions) lies in the postings: its first
    /// bit and its length in bits. It depends only on the document's field length, so a merge
    /// copies it as it is (``PostingsEncoding/encode(copying:from:documentCount:scratch:into:)``).
    var record: (bit: Int, bits: Int) { (recordBit, recordBits) }

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
