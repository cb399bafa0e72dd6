/// A column of optional strings: `count + 1` offsets (u64 little-endian) into a byte array. In an
/// offset, bit 63 marks an absent value, bit 62 a deflated one and bit 61 a chunked one
/// (docs/FORMAT.md §Stored values):
///
/// - plain: the UTF-8 of the text;
/// - deflated: varint of the text's UTF-8 length, then zlib data (see ``Deflate``);
/// - chunked (texts longer than ``chunkSize``): a chunk table, then the chunks — each deflated on
///   its own when bit 62 is also set, else plain UTF-8. A chunk holds at most ``chunkSize`` bytes
///   of text, cut on a character boundary, and the table gives for each chunk where its data
///   starts, where its text starts in the value, and the position of the first term starting in
///   it, so that a snippet of a huge text reads (and inflates) only the chunks around its match.
///
/// Tables built in memory are plain, with long texts chunked (not deflated); segment files
/// deflate their stored fields (``deflated()``).
///
/// Every offset, size and chunk table entry read here is validated: damage (the section checksum
/// normally catches it first, but a file can be crafted to pass it) is a ``StoredValueError``
/// from the throwing readers and an absent value from the others; never a trap, an
/// out-of-bounds read or an allocation larger than the limits allow. (No pointers here: bytes are
/// read, copied and inflated through ``ByteBuffer`` and ``Deflate``, which check the ranges.)
struct StoredTable: Sendable {
    let offsets: ByteBuffer
    let bytes: ByteBuffer
    /// The sections' checksums when mapped from a file (nil in memory): see ``verifyChecksums(of:)``.
    var checks: (offsets: SectionChecksum, bytes: SectionChecksum)?
    /// Made by ``deflated()``: deflating it again gives it back.
    private(set) var isDeflated = false

    static let absent: UInt64 = 1 << 63
    static let deflated: UInt64 = 1 << 62
    static let chunked: UInt64 = 1 << 61
    static let flags = absent | deflated | chunked

    /// Texts longer than this are stored in chunks of at most this many UTF-8 bytes. 64 KiB keeps
    /// the chunk table negligible (12 bytes per chunk) and deflate's ratio within 1% of whole
    /// values, and a snippet's window (a chunk and its two neighbours) at most 192 KiB.
    static let chunkSize = 64 << 10
    /// The largest chunk a reader accepts (a bound on what one chunk can make it allocate).
    static let maxChunkBytes = 1 << 20
    /// A chunk table entry: data offset u32, text start u32, first position u32.
    static let chunkEntryBytes = 12

    var count: Int { max(0, offsets.count / 8 - 1) }

    init(offsets: ByteBuffer, bytes: ByteBuffer, checks: (offsets: SectionChecksum, bytes: SectionChecksum)? = nil) {
        self.offsets = offsets
        self.bytes = bytes
        self.checks = checks
    }

    /// Verifies the checksums of what reading value `i` reads — its two offsets and its bytes —
    /// chunk by chunk (``SectionChecksum/verify(_:)``). Nothing for a table in memory.
    func verifyChecksums(of i: Int) throws(StorageError) {
        guard let checks, i >= 0, i < count else { return }
        try checks.offsets.verify((8 * i)..<(8 * i + 16))
        if let (range, _) = entry(i) { try checks.bytes.verify(range) }
    }

    /// Verifies the checksums of both sections whole.
    func verifyChecksums() throws(StorageError) {
        try checks?.offsets.verify()
        try checks?.bytes.verify()
    }

    /// Plain values (ids; texts of tests).
    init(_ strings: [String?]) {
        self.init(strings.map { $0.map { StoredValue(text: $0, chunks: nil) } })
    }

    /// Values as a ``SegmentBuilder`` keeps them: a text with a chunk layout is stored chunked
    /// (plain chunks), any other plainly.
    init(_ values: [StoredValue?]) {
        var o = ByteWriter()
        var b = ByteWriter()
        // Room for everything at once: doubling touched (and the kernel cleared) twice the text.
        o.bytes.reserveCapacity(8 * (values.count + 1))
        b.bytes.reserveCapacity(values.reduce(0) { $0 + ($1.map { $0.text.utf8.count + 12 * (($0.chunks?.starts.count ?? 0) + 1) } ?? 0) })
        for v in values {
            guard let v else { o.uint64(UInt64(b.count) | Self.absent); continue }
            if let layout = v.chunks, layout.starts.count >= 2 {
                o.uint64(UInt64(b.count) | Self.chunked)
                let n = layout.starts.count - 1
                b.varint(UInt64(n))
                for k in 0...n {
                    b.uint32(layout.starts[k])   // plain chunks: data offset = text start
                    b.uint32(layout.starts[k])
                    b.uint32(layout.positions[k])
                }
                b.bytes.append(contentsOf: v.text.utf8)
            } else {
                o.uint64(UInt64(b.count))
                b.bytes.append(contentsOf: v.text.utf8)
            }
        }
        o.uint64(UInt64(b.count))
        offsets = ByteBuffer(o.bytes)
        bytes = ByteBuffer(b.bytes)
    }

    // MARK: Chunk layout (writers)

    /// Where a text of `utf8.count` bytes is cut into chunks: `[0, c1, …, utf8.count]`, or nil when
    /// it fits in one chunk. Each chunk holds at most ``chunkSize`` bytes. A cut is preferably
    /// made just before a Han character or just after an ASCII space or line break, found within
    /// the last KiB before the limit: there, analyzing a chunk alone gives the same terms at the
    /// same positions (shifted by the chunk's first position) as analyzing the whole text,
    /// except for a bigram that crosses the cut. Failing that, any character boundary.
    ///
    /// (`utf8` is any bytes indexed from 0: `text.withUTF8(StoredTable.chunkStarts)` passes a
    /// buffer pointer. Every index read is below `utf8.count`: `cut` < n, `c + 1` < n, `c − 1` ≥ 0.)
    static func chunkStarts<Bytes: RandomAccessCollection<UInt8>>(_ utf8: Bytes) -> [Int]? where Bytes.Index == Int {
        precondition(utf8.startIndex == 0, "chunkStarts takes bytes indexed from 0")
        let n = utf8.count
        guard n > chunkSize else { return nil }
        var starts = [0]
        var s = 0
        while n - s > chunkSize {
            var cut = s + chunkSize
            while cut > s + 1 && utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
            var c = cut
            let floor = max(s + 1, cut - 1024)
            while c > floor {
                let b = utf8[c]
                if b & 0xC0 != 0x80 {
                    // Before a Han character of U+4E00–U+9FFF (lead byte E4 B8…E9).
                    if (b >= 0xE5 && b <= 0xE9) || (b == 0xE4 && c + 1 < n && utf8[c + 1] >= 0xB8) { break }
                    let p = utf8[c - 1]
                    if (p == 0x20 || p == 0x0A) && b < 0x80 && b != 0x20 && b != 0x0A { break }
                }
                c -= 1
            }
            if c > floor { cut = c }
            starts.append(cut)
            s = cut
        }
        starts.append(n)
        return starts
    }

    // MARK: Reading

    /// A stored value, located and checked (not yet read).
    enum Value {
        case absent
        /// UTF-8 at these bytes.
        case plain(Range<Int>)
        /// zlib data at these bytes, inflating to `size` bytes of UTF-8.
        case deflated(size: Int, data: Range<Int>)
        case chunked(Chunks)
    }

    /// The chunk table of a chunked value. `count + 1` entries; entry `count` holds the data
    /// length, the text length and the field's position count.
    struct Chunks {
        let table: Int
        let count: Int
        let data: Range<Int>
        let isDeflated: Bool
        /// UTF-8 length of the whole text (validated: at most ``IndexLimits/maxFieldBytes``).
        let textCount: Int
        fileprivate let bytes: ByteBuffer

        func dataOffset(_ k: Int) -> Int { Int(bytes.uint32(at: table + StoredTable.chunkEntryBytes * k)) }
        func textStart(_ k: Int) -> Int { Int(bytes.uint32(at: table + StoredTable.chunkEntryBytes * k + 4)) }
        func firstPosition(_ k: Int) -> Int { Int(bytes.uint32(at: table + StoredTable.chunkEntryBytes * k + 8)) }

        /// The chunk in which the term at `position` starts: the last whose first position is ≤
        /// `position` (binary search; a damaged table gives some chunk, never an error here).
        func chunk(containing position: Int) -> Int {
            var lo = 0, hi = count   // firstPosition(lo) ≤ position < firstPosition(hi), loosely
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if firstPosition(mid) <= position { lo = mid } else { hi = mid }
            }
            return lo
        }

        /// The data and text ranges of chunk `k`, checked against the value and the limits.
        func bounds(_ k: Int) throws(StoredValueError) -> (data: Range<Int>, text: Range<Int>) {
            guard k >= 0 && k < count else { throw StoredValueError("chunk \(k) of \(count)") }
            let d0 = dataOffset(k), d1 = dataOffset(k + 1), t0 = textStart(k), t1 = textStart(k + 1)
            guard d0 <= d1, d1 <= data.count else { throw StoredValueError("chunk \(k): data \(d0)..<\(d1) outside \(data.count) bytes") }
            guard t0 < t1, t1 <= textCount, t1 - t0 <= StoredTable.maxChunkBytes else {
                throw StoredValueError("chunk \(k): text \(t0)..<\(t1) of a \(textCount)-byte value")
            }
            if !isDeflated && d1 - d0 != t1 - t0 { throw StoredValueError("chunk \(k): \(d1 - d0) bytes for \(t1 - t0)") }
            if isDeflated && t1 - t0 > Deflate.maximumInflatedSize(ofCompressed: d1 - d0) {
                throw StoredValueError("chunk \(k): \(t1 - t0) bytes cannot inflate from \(d1 - d0)")
            }
            return (data.lowerBound + d0 ..< data.lowerBound + d1, t0..<t1)
        }

        /// Appends the text of chunk `k` to `out`.
        func append(_ k: Int, to out: inout [UInt8], cost: inout StoredReadCost) throws(StoredValueError) {
            let (d, t) = try bounds(k)
            if isDeflated {
                guard Deflate.decompress(bytes, d, size: t.count, appendingTo: &out) else {
                    throw StoredValueError("chunk \(k) does not inflate to \(t.count) bytes")
                }
                cost.inflatedBytes += t.count
            } else {
                bytes.append(d, to: &out)
                cost.copiedBytes += t.count
            }
        }
    }

    /// Locates and checks value `i`. An `i` outside the table reads as absent.
    func value(_ i: Int) throws(StoredValueError) -> Value {
        guard i >= 0 && i < count else { return .absent }
        let raw = offsets.uint64(at: 8 * i), next = offsets.uint64(at: 8 * i + 8)
        if raw & Self.absent != 0 { return .absent }
        let lo = raw & ~Self.flags, hi = next & ~Self.flags
        guard lo <= hi, hi <= UInt64(bytes.count) else {
            throw StoredValueError("value \(i) at \(lo)..<\(hi) of \(bytes.count) bytes")
        }
        let range = Int(lo)..<Int(hi)
        if raw & Self.chunked != 0 {
            var r = ByteReader(bytes, offset: range.lowerBound)
            let n = r.varint()
            let room = UInt64(max(0, range.upperBound - r.offset))
            guard n >= 1, r.offset <= range.upperBound, n < room / UInt64(Self.chunkEntryBytes) else {
                throw StoredValueError("value \(i): a chunk table of \(n) chunks does not fit in \(range.count) bytes")
            }
            let count = Int(n), table = r.offset
            let dataStart = table + Self.chunkEntryBytes * (count + 1)
            let c = Chunks(table: table, count: count, data: dataStart..<range.upperBound,
                           isDeflated: raw & Self.deflated != 0, textCount: 0, bytes: bytes)
            let total = c.textStart(count)
            guard c.dataOffset(0) == 0, c.textStart(0) == 0, c.dataOffset(count) == c.data.count,
                  total >= count, total <= IndexLimits.maxFieldBytes, total / count <= Self.maxChunkBytes else {
                throw StoredValueError("value \(i): inconsistent chunk table (\(count) chunks, \(total) bytes)")
            }
            return .chunked(Chunks(table: table, count: count, data: c.data, isDeflated: c.isDeflated, textCount: total, bytes: bytes))
        }
        if raw & Self.deflated != 0 {
            var r = ByteReader(bytes, offset: range.lowerBound)
            let size = r.varint()
            guard r.offset <= range.upperBound, size <= UInt64(IndexLimits.maxFieldBytes),
                  Int(size) <= Deflate.maximumInflatedSize(ofCompressed: range.upperBound - r.offset) else {
                throw StoredValueError("value \(i): declared size \(size) for \(range.count) deflated bytes")
            }
            return .deflated(size: Int(size), data: r.offset..<range.upperBound)
        }
        return .plain(range)
    }

    /// The UTF-8 length of value `i` (nil when absent).
    func utf8Count(_ i: Int) throws(StoredValueError) -> Int? {
        switch try value(i) {
        case .absent: return nil
        case .plain(let r): return r.count
        case .deflated(let size, _): return size
        case .chunked(let c): return c.textCount
        }
    }

    /// The whole text of value `i`; nil when absent.
    func text(_ i: Int, cost: inout StoredReadCost) throws(StoredValueError) -> String? {
        try text(of: value(i), cost: &cost)
    }

    /// The whole text of a located value; nil when absent.
    func text(of value: Value, cost: inout StoredReadCost) throws(StoredValueError) -> String? {
        switch value {
        case .absent:
            return nil
        case .plain(let r):
            cost.copiedBytes += r.count
            return bytes.string(r)
        case .deflated(let size, let data):
            var out: [UInt8] = []
            guard Deflate.decompress(bytes, data, size: size, appendingTo: &out) else {
                throw StoredValueError("deflated value does not inflate to \(size) bytes")
            }
            cost.inflatedBytes += size
            return String(decoding: out, as: UTF8.self)
        case .chunked(let c):
            return try window(c, chunks: 0..<c.count, cost: &cost)
        }
    }

    /// Appends the first `limit` bytes of value `i`'s UTF-8 to `out` (the whole value when it is
    /// no longer; a chunked value in whole chunks, so possibly more): returns true when all of
    /// the value was read, nil when it is absent. The bytes are not validated: a prefix may end
    /// inside a character.
    ///
    /// - Complexity: O(`limit`) for a deflated value (it inflates only that far), whatever its size.
    func utf8Prefix(_ i: Int, limit: Int, into out: inout [UInt8], cost: inout StoredReadCost) throws(StoredValueError) -> Bool? {
        switch try value(i) {
        case .absent:
            return nil
        case .plain(let r):
            let part = r.lowerBound..<(r.lowerBound + min(r.count, max(0, limit)))
            bytes.append(part, to: &out)
            cost.copiedBytes += part.count
            return part.count == r.count
        case .deflated(let size, let data):
            if size <= limit {
                guard Deflate.decompress(bytes, data, size: size, appendingTo: &out) else {
                    throw StoredValueError("deflated value does not inflate to \(size) bytes")
                }
                cost.inflatedBytes += size
                return true
            }
            guard Deflate.decompressPrefix(bytes, data, count: max(0, limit), appendingTo: &out) else {
                throw StoredValueError("deflated value does not inflate to \(size) bytes")
            }
            cost.inflatedBytes += max(0, limit)
            return false
        case .chunked(let c):
            let start = out.count
            var k = 0
            while k < c.count && out.count - start < limit {
                try c.append(k, to: &out, cost: &cost)
                k += 1
            }
            return k == c.count
        }
    }

    /// The text of chunks `chunks` of a chunked value. The text must be valid UTF-8 (chunks are
    /// cut on character boundaries), or offsets into it would not be offsets into the value.
    func window(_ c: Chunks, chunks: Range<Int>, cost: inout StoredReadCost) throws(StoredValueError) -> String {
        var out: [UInt8] = []
        if let first = chunks.first, let last = chunks.last {
            let t0 = try c.bounds(first).text.lowerBound, t1 = try c.bounds(last).text.upperBound
            let d0 = try c.bounds(first).data.lowerBound, d1 = try c.bounds(last).data.upperBound
            // (No more than the data can plausibly give: a crafted table cannot make it reserve much.)
            out.reserveCapacity(min(max(0, t1 - t0), 4 * max(0, d1 - d0) + Self.chunkSize))
        }
        var expected = -1
        for k in chunks {
            let t = try c.bounds(k).text
            guard expected < 0 || t.lowerBound == expected else { throw StoredValueError("chunk \(k) starts at \(t.lowerBound), not \(expected)") }
            expected = t.upperBound
            try c.append(k, to: &out, cost: &cost)
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw StoredValueError("chunks \(chunks) are not UTF-8") }
        return s
    }

    /// Value `i`'s text; nil when absent or damaged (readers that cannot throw).
    subscript(i: Int) -> String? {
        var cost = StoredReadCost()
        return (try? text(i, cost: &cost)) ?? nil
    }

    // MARK: Writing

    /// Value `i`'s raw bytes and flags, for copying (nil when its offsets are damaged).
    private func entry(_ i: Int) -> (range: Range<Int>, flags: UInt64)? {
        guard i >= 0 && i < count else { return nil }
        let start = offsets.uint64(at: 8 * i), end = offsets.uint64(at: 8 * i + 8) & ~Self.flags
        let lo = start & ~Self.flags
        guard lo <= end, end <= UInt64(bytes.count) else { return nil }
        return (Int(lo)..<Int(end), start & Self.flags)
    }

    /// Writes the values of `parts` whose map entry is not −1, in order, as the two sections of
    /// a table (`offsets`, then `bytes`, of field `field`), copied as bytes: flags kept, so
    /// deflated and chunked values stay so (their chunk tables are relative to the value). A run
    /// of neighbouring values is copied at once. A value whose entry is damaged is written absent.
    ///
    /// - Complexity: O(values) for the offsets, which are held (8 bytes per value); the bytes are
    ///   copied from the parts' buffers to `out` without an intermediate copy.
    static func write(concatenating parts: [(table: StoredTable, map: [Int32])], offsets: SegmentFile.Kind,
                      bytes: SegmentFile.Kind, field: Int, to out: SegmentFileWriter) throws(StorageError) {
        var o = ByteWriter()
        var total: UInt64 = 0
        var runs: [(part: Int, range: Range<Int>)] = []   // what to copy, neighbouring values joined
        for (p, (table, map)) in parts.enumerated() {
            for i in 0..<min(table.count, map.count) where map[i] >= 0 {
                guard let (range, flags) = table.entry(i) else { o.uint64(total | Self.absent); continue }
                o.uint64(total | flags)
                guard flags & Self.absent == 0, !range.isEmpty else { continue }
                total += UInt64(range.count)
                if let last = runs.last, last.part == p, last.range.upperBound == range.lowerBound {
                    runs[runs.count - 1].range = last.range.lowerBound..<range.upperBound
                } else {
                    runs.append((p, range))
                }
            }
        }
        o.uint64(total)
        try out.section(offsets, field: field, o.bytes)
        try out.begin(bytes, field: field)
        for (p, range) in runs { try out.append(parts[p].table.bytes, range) }
        out.end()
    }

    /// The same values with each one deflated when that saves at least 10%; a chunked value is
    /// deflated chunk by chunk (when all its chunks together save 10%). Damaged values become
    /// absent.
    func deflated() -> StoredTable {
        // Deflated already (``SegmentBuilder/freezeDeflated()``): values left plain did not shrink.
        if isDeflated { return self }
        // Nothing to deflate (a merged table of deflated values): the table itself, not a copy.
        var compressible = false
        for i in 0..<count {
            guard let (_, flags) = entry(i) else { compressible = true; break }   // damaged: rewritten as absent below
            if flags & Self.absent != 0 { continue }
            guard let v = try? value(i) else { compressible = true; break }
            switch v {
            case .plain(let r): if r.count >= Deflate.minimumSize { compressible = true }
            case .chunked(let c): if !c.isDeflated { compressible = true }
            default: break
            }
            if compressible { break }
        }
        if !compressible { return self }
        var o = ByteWriter()
        var b = ByteWriter()
        let compressor = Deflate.Compressor()   // one zlib stream for every value (``Deflate/Compressor``)
        for i in 0..<count {
            guard let (range, flags) = entry(i), flags & Self.absent == 0, let v = try? value(i) else {
                o.uint64(UInt64(b.count) | Self.absent); continue
            }
            if case .plain(let r) = v, let packed = compressor.compress(bytes, r) {
                o.uint64(UInt64(b.count) | Self.deflated)
                b.varint(UInt64(r.count))
                b.bytes.append(contentsOf: packed)
            } else if case .chunked(let c) = v, !c.isDeflated, let packed = Self.deflateChunks(c, bytes, compressor) {
                o.uint64(UInt64(b.count) | Self.chunked | Self.deflated)
                b.bytes.append(contentsOf: packed)
            } else {
                o.uint64(UInt64(b.count) | flags)
                b.append(bytes, range)
            }
        }
        o.uint64(UInt64(b.count))
        var table = StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
        table.isDeflated = true
        return table
    }

    /// A chunked value's bytes with every chunk deflated, or nil when that saves less than 10%
    /// (or the table is damaged).
    private static func deflateChunks(_ c: Chunks, _ bytes: ByteBuffer, _ compressor: Deflate.Compressor) -> [UInt8]? {
        var packed: [[UInt8]] = []
        var total = 0
        for k in 0..<c.count {
            guard let (d, _) = try? c.bounds(k), let z = compressor.compress(bytes, d, always: true) else { return nil }
            packed.append(z)
            total += z.count
        }
        guard total * 10 < c.data.count * 9, total <= Int(UInt32.max) else { return nil }
        var w = ByteWriter()
        w.varint(UInt64(c.count))
        var offset = 0
        for k in 0...c.count {
            w.uint32(UInt32(offset))
            w.uint32(UInt32(c.textStart(k)))
            w.uint32(UInt32(c.firstPosition(k)))
            if k < c.count { offset += packed[k].count }
        }
        for z in packed { w.bytes.append(contentsOf: z) }
        return w.bytes
    }

    /// Total UTF-8 bytes of the values, as stored before any deflating; a value that fails its
    /// checks, or a sum past `Int.max`, throws (what `statistics` reports as damage).
    func validatedTextByteCount() throws(StoredValueError) -> Int {
        var total = 0
        for i in 0..<count {
            guard let n = try utf8Count(i) else { continue }
            let (sum, overflow) = total.addingReportingOverflow(n)
            guard !overflow else { throw StoredValueError("value \(i): sizes sum past Int.max") }
            total = sum
        }
        return total
    }
}
