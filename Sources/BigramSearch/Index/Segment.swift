import Foundation

/// An immutable part of an index: some documents, their stored fields and the inverted index of
/// each indexed field. Documents are numbered from 0 within the segment. A segment is the same
/// whether built in memory or memory-mapped from a file: every part is a ``ByteBuffer``.
final class Segment: Sendable {
    let documentCount: Int
    let ids: StoredTable
    /// Stored texts of each schema field (nil when the field is not stored).
    let stored: [StoredTable?]
    /// The inverted index of each schema field (nil when the field is not indexed).
    let fields: [FieldIndex?]

    /// Names the segment's file; random for a new segment, read back from its file.
    let uid: UInt64

    /// The file this segment was mapped from, if any.
    let origin: String?
    /// Checksums of the mapped sections, verified on first use: of the ids and stored fields,
    /// and of each field's index (empty for a segment built in memory).
    let storedChecks: [SectionChecksum]
    let fieldChecks: [[SectionChecksum]]

    init(documentCount: Int, ids: StoredTable, stored: [StoredTable?], fields: [FieldIndex?],
         uid: UInt64 = UInt64.random(in: 1...UInt64.max), origin: String? = nil,
         storedChecks: [SectionChecksum] = [], fieldChecks: [[SectionChecksum]] = []) {
        self.uid = uid
        self.origin = origin
        self.storedChecks = storedChecks
        self.fieldChecks = fieldChecks
        self.documentCount = documentCount
        self.ids = ids
        self.stored = stored
        self.fields = fields
    }

    /// Verifies the checksums of field `f`'s index sections (once; then free).
    func verifyField(_ f: Int) throws(StorageError) {
        if f < fieldChecks.count { try SectionChecksum.verify(fieldChecks[f]) }
    }

    /// Verifies the checksums of the ids and stored fields.
    func verifyStored() throws(StorageError) { try SectionChecksum.verify(storedChecks) }

    /// Verifies every section.
    func verifyAll() throws(StorageError) {
        try verifyStored()
        for f in fieldChecks.indices { try verifyField(f) }
    }

    func id(_ doc: Int) -> String { ids[doc] ?? "" }

    /// Every id, decoded once and kept (whole-match-set queries hand out thousands of ids).
    var allIDs: [String] { idCache.get { (0..<documentCount).map { ids[$0] ?? "" } } }
    private let idCache = LazyValue<[String]>()

    func storedText(_ doc: Int, field: Int) -> String? { stored[field]?[doc] }

    var indexByteCount: Int { fields.reduce(0) { $0 + ($1?.byteCount ?? 0) } }
}

/// A value computed on first use, at most once, by any thread.
final class LazyValue<Value: Sendable>: @unchecked Sendable {   // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value: Value?

    func get(_ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}

/// A column of optional strings: `count + 1` offsets (u64 little-endian) into a byte array. In an
/// offset, bit 63 marks an absent value and bit 62 a deflated one (varint of the text's UTF-8
/// length, then zlib data; see ``Deflate``). Tables built in memory are plain; segment files
/// deflate their stored fields (``deflated()``).
struct StoredTable: Sendable {
    let offsets: ByteBuffer
    let bytes: ByteBuffer

    static let absent: UInt64 = 1 << 63
    static let deflated: UInt64 = 1 << 62
    static let flags = absent | deflated

    var count: Int { max(0, offsets.count / 8 - 1) }

    init(offsets: ByteBuffer, bytes: ByteBuffer) {
        self.offsets = offsets
        self.bytes = bytes
    }

    init(_ strings: [String?]) {
        var o = ByteWriter()
        var b: [UInt8] = []
        for s in strings {
            o.uint64(UInt64(b.count) | (s == nil ? Self.absent : 0))
            if let s { b.append(contentsOf: s.utf8) }
        }
        o.uint64(UInt64(b.count))
        offsets = ByteBuffer(o.bytes)
        bytes = ByteBuffer(b)
    }

    /// Value `i`'s raw bytes and flags.
    private func entry(_ i: Int) -> (range: Range<Int>, flags: UInt64)? {
        guard i >= 0 && i < count else { return nil }
        let start = offsets.uint64(at: 8 * i), end = offsets.uint64(at: 8 * i + 8) & ~Self.flags
        let lo = Int(min(start & ~Self.flags, UInt64(bytes.count))), hi = Int(min(end, UInt64(bytes.count)))
        guard lo <= hi else { return nil }
        return (lo..<hi, start & Self.flags)
    }

    subscript(i: Int) -> String? {
        guard let (range, flags) = entry(i), flags & Self.absent == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            let value = UnsafeRawBufferPointer(rebasing: raw[range])
            guard flags & Self.deflated != 0 else { return String(decoding: value, as: UTF8.self) }
            var r = ByteReader(bytes, offset: range.lowerBound)
            let size = Int(clamping: r.varint())
            let data = UnsafeRawBufferPointer(rebasing: raw[min(r.offset, range.upperBound)..<range.upperBound])
            // Damaged data (the section checksum normally catches it first) reads as absent.
            return Deflate.decompress(data, size: size).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The values of `parts` whose map entry is not −1, in order, copied as bytes (flags kept).
    static func concatenating(_ parts: [(table: StoredTable, map: [Int32])]) -> StoredTable {
        var o = ByteWriter()
        var b = ByteWriter()
        for (table, map) in parts {
            table.bytes.withUnsafeBytes { raw in
                for i in 0..<min(table.count, map.count) where map[i] >= 0 {
                    guard let (range, flags) = table.entry(i) else { o.uint64(UInt64(b.count) | Self.absent); continue }
                    o.uint64(UInt64(b.count) | flags)
                    b.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[range]))
                }
            }
        }
        o.uint64(UInt64(b.count))
        return StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
    }

    /// The same values with each one deflated when that saves at least 10%.
    func deflated() -> StoredTable {
        var o = ByteWriter()
        var b = ByteWriter()
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                guard let (range, flags) = entry(i) else { o.uint64(UInt64(b.count) | Self.absent); continue }
                let value = UnsafeRawBufferPointer(rebasing: raw[range])
                if flags == 0, let packed = Deflate.compress(value) {
                    o.uint64(UInt64(b.count) | Self.deflated)
                    b.varint(UInt64(value.count))
                    b.bytes.append(contentsOf: packed)
                } else {
                    o.uint64(UInt64(b.count) | flags)
                    b.bytes.append(contentsOf: value)
                }
            }
        }
        o.uint64(UInt64(b.count))
        return StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
    }

    /// Total UTF-8 bytes of the text (as stored before any deflating).
    var textByteCount: Int {
        var total = 0
        for i in 0..<count {
            guard let (range, flags) = entry(i), flags & Self.absent == 0 else { continue }
            if flags & Self.deflated != 0 {
                var r = ByteReader(bytes, offset: range.lowerBound)
                total += Int(clamping: r.varint())
            } else {
                total += range.count
            }
        }
        return total
    }
}

/// A set of document numbers as a bitmap (deleted documents, query filters).
struct DocumentSet: Sendable, Hashable {
    private(set) var words: [UInt64]
    private(set) var count = 0

    init(capacity: Int) { words = [UInt64](repeating: 0, count: (capacity + 63) / 64) }

    @inline(__always) func contains(_ doc: UInt32) -> Bool {
        let w = Int(doc >> 6)
        return w < words.count && words[w] & (1 << UInt64(doc & 63)) != 0
    }

    @inline(__always) mutating func insert(_ doc: UInt32) {
        let w = Int(doc >> 6)
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w + 1 - words.count)) }
        let bit: UInt64 = 1 << UInt64(doc & 63)
        if words[w] & bit == 0 { words[w] |= bit; count += 1 }
    }

    /// Members in ascending order.
    var members: [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count)
        for (i, var w) in words.enumerated() where w != 0 {
            while w != 0 {
                out.append(UInt32(i * 64 + w.trailingZeroBitCount))
                w &= w - 1
            }
        }
        return out
    }
}
