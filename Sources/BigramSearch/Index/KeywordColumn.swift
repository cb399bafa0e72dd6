/// Exact string values per document, any number of them (none included), stored column-wise
/// for filters, facets and sorting (Lucene's sorted-set doc values).
///
/// The distinct values of the column form a dictionary sorted by their UTF-8 bytes; a value's
/// *ordinal* is its rank there, so ordinal order is byte order and a range of values is a range
/// of ordinals. Each document holds a list of ordinals, ascending and without repetition.
///
/// Layout (docs/FORMAT.md §Keyword column), all integers little-endian, packed arrays least
/// significant bit first, each padded to a byte:
/// ```
/// header          16 bytes: documentCount u32, valueCount u32, ordinalCount u32, valueByteCount u32
/// valueOffsets    valueCount + 1 offsets of wb bits, wb = bit width of valueByteCount:
///                 value k is valueBytes[valueOffsets[k] ..< valueOffsets[k + 1]]
/// valueBytes      valueByteCount bytes: the values' UTF-8, in ascending byte order
/// documentStarts  documentCount + 1 offsets of wc bits, wc = bit width of ordinalCount:
///                 document d's ordinals are ordinals[documentStarts[d] ..< documentStarts[d + 1]]
/// ordinals        ordinalCount ordinals of wo bits, wo = bit width of valueCount − 1
///                 (0 when valueCount ≤ 1)
/// padding         8 zero bytes
/// ```
/// Bytes are identity: two strings differing only in Unicode normalization ("é" as one scalar
/// or as "e" + U+0301) are two values; a caller wanting them equal normalizes first.
///
/// Validation: ``init(_:documentCount:path:label:)`` checks the sizes against the buffer, both
/// offset tables (from 0, ascending, ending at their area's size), the dictionary strictly
/// ascending, every value used at least once in count (valueCount ≤ ordinalCount), and every
/// document's ordinals strictly ascending and below valueCount — fully, in one pass over the
/// column (the cost of reading it once, like its checksum). After it succeeds every read is
/// consistent. ``checkStructure()`` adds what only canonical output has (see there). No byte
/// string makes a method trap, read outside the buffer or allocate more than the column's size.
struct KeywordColumn: Sendable {
    static let headerSize = 16

    /// The column's bytes (the layout above).
    let bytes: ByteBuffer
    /// Documents in the column (the segment's document count).
    let documentCount: Int
    /// Distinct values (the dictionary's size; ordinals are below it).
    let valueCount: Int
    /// Ordinals of all documents together.
    let ordinalCount: Int
    /// Bytes of all distinct values together.
    let valueByteCount: Int
    /// The file named in errors, and what the column is (e.g. "field tags") in their reasons.
    let path: String
    let label: String

    private let valueOffsetsBit: Int
    private let valueOffsetWidth: Int
    private let valueBytesOffset: Int
    private let documentStartsBit: Int
    private let documentStartWidth: Int
    private let ordinalsBit: Int
    private let ordinalWidth: Int

    /// Opens a column written by ``KeywordColumnBuilder`` for a segment of `documentCount`
    /// documents. `path` names the file in errors; `label` starts their reason.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the first problem found (see the
    ///   type's description for what is checked).
    /// - Complexity: O(documentCount + ordinalCount + valueByteCount): one pass over the column.
    init(_ bytes: ByteBuffer, documentCount: Int, path: String, label: String = "keyword column") throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: "\(label): \(why)") }
        guard bytes.count >= Self.headerSize else {
            throw corrupt("\(bytes.count) bytes, shorter than the \(Self.headerSize)-byte header")
        }
        let n = Int(bytes.uint32(at: 0))
        let values = Int(bytes.uint32(at: 4))
        let ordinals = Int(bytes.uint32(at: 8))
        let valueBytes = Int(bytes.uint32(at: 12))
        guard n == documentCount else { throw corrupt("\(n) documents, the segment has \(documentCount)") }
        guard values <= ordinals else { throw corrupt("\(values) values but \(ordinals) ordinals: some value is unused") }
        // (Values ≤ ordinals < 2^32, so the product fits in 64 bits.)
        guard UInt64(ordinals) <= UInt64(n) * UInt64(values) else {
            throw corrupt("\(ordinals) ordinals, more than \(n) documents can hold of \(values) values")
        }
        let wb = ColumnBits.width(UInt64(valueBytes))
        let wc = ColumnBits.width(UInt64(ordinals))
        let wo = ColumnBits.width(UInt64(Swift.max(values, 1) - 1))
        // Every count < 2^32 and width ≤ 32: no overflow below.
        let valueOffsetsOffset = Self.headerSize
        let valueBytesOffset = valueOffsetsOffset + ColumnBits.byteCount(values + 1, width: wb)
        let documentStartsOffset = valueBytesOffset + valueBytes
        let ordinalsOffset = documentStartsOffset + ColumnBits.byteCount(n + 1, width: wc)
        let size = ordinalsOffset + ColumnBits.byteCount(ordinals, width: wo) + ByteWriter.tailPadding
        guard bytes.count == size else { throw corrupt("\(bytes.count) bytes, the header describes \(size)") }
        for k in (size - ByteWriter.tailPadding)..<size where bytes[k] != 0 {
            throw corrupt("padding byte \(k) is \(bytes[k]), not 0")
        }
        self.bytes = bytes
        self.documentCount = n
        self.valueCount = values
        self.ordinalCount = ordinals
        self.valueByteCount = valueBytes
        self.path = path
        self.label = label
        valueOffsetsBit = 8 * valueOffsetsOffset
        valueOffsetWidth = wb
        self.valueBytesOffset = valueBytesOffset
        documentStartsBit = 8 * documentStartsOffset
        documentStartWidth = wc
        ordinalsBit = 8 * ordinalsOffset
        ordinalWidth = wo
        if let why = firstInconsistency() { throw corrupt(why) }
    }

    /// What ``init(_:documentCount:path:label:)`` checks after the sizes, or nil when it holds.
    private func firstInconsistency() -> String? {
        let b = bytes
        // The dictionary: offsets from 0 to valueByteCount, values strictly ascending.
        var start = valueOffset(0)
        guard start == 0 else { return "the first value starts at \(start), not 0" }
        var previous: Range<Int>?
        for k in 0..<valueCount {
            let end = valueOffset(k + 1)
            guard end >= start && end <= valueByteCount else {
                return "value \(k) ends at \(end), outside \(start)...\(valueByteCount)"
            }
            let range = (valueBytesOffset + start)..<(valueBytesOffset + end)
            if let previous, Self.compare(b, previous, range) >= 0 {
                return "value \(k) does not sort after value \(k - 1)"
            }
            previous = range
            start = end
        }
        guard start == valueByteCount else { return "the values end at \(start), not at \(valueByteCount)" }
        // The documents: starts from 0 to ordinalCount, each list strictly ascending below valueCount.
        var first = documentStart(0)
        guard first == 0 else { return "document 0's ordinals start at \(first), not 0" }
        for d in 0..<documentCount {
            let end = documentStart(d + 1)
            guard end >= first && end <= ordinalCount else {
                return "document \(d)'s ordinals end at \(end), outside \(first)...\(ordinalCount)"
            }
            var last = -1
            var bit = ordinalsBit + first * ordinalWidth
            for _ in first..<end {
                let o = Int(b.bits(at: bit, width: ordinalWidth))
                guard o > last else { return "document \(d)'s ordinals do not ascend" }
                guard o < valueCount else { return "document \(d) holds ordinal \(o) of \(valueCount) values" }
                last = o
                bit += ordinalWidth
            }
            first = end
        }
        guard first == ordinalCount else { return "the documents' ordinals end at \(first), not at \(ordinalCount)" }
        return nil
    }

    /// The order of the bytes `x` and `y` of `b`: negative, 0 or positive.
    private static func compare(_ b: ByteBuffer, _ x: Range<Int>, _ y: Range<Int>) -> Int {
        let n = Swift.min(x.count, y.count)
        var k = 0
        while k < n {
            let p = b[x.lowerBound + k], q = b[y.lowerBound + k]
            if p != q { return p < q ? -1 : 1 }
            k += 1
        }
        return x.count - y.count
    }

    @inline(__always) private func valueOffset(_ k: Int) -> Int {
        Int(bytes.bits(at: valueOffsetsBit + k * valueOffsetWidth, width: valueOffsetWidth))
    }

    @inline(__always) private func documentStart(_ d: Int) -> Int {
        Int(bytes.bits(at: documentStartsBit + d * documentStartWidth, width: documentStartWidth))
    }

    // MARK: The dictionary

    /// Where value `ordinal`'s UTF-8 lies in ``bytes``.
    func valueRange(_ ordinal: Int) -> Range<Int> {
        precondition(ordinal >= 0 && ordinal < valueCount, "ordinal out of range")
        return (valueBytesOffset + valueOffset(ordinal))..<(valueBytesOffset + valueOffset(ordinal + 1))
    }

    /// The UTF-8 bytes of value `ordinal`.
    func valueBytes(_ ordinal: Int) -> [UInt8] { bytes.array(valueRange(ordinal)) }

    /// Value `ordinal`.
    func string(_ ordinal: Int) -> String {
        let r = valueRange(ordinal)
        return String(decoding: bytes.array(r), as: UTF8.self)
    }

    /// The ordinal of `value`, or nil when no document of the column holds it.
    ///
    /// - Complexity: O(log valueCount) comparisons.
    func ordinal(of value: String) -> Int? { ordinal(ofBytes: Array(value.utf8)) }

    /// The ordinal of the value with UTF-8 bytes `key`, or nil.
    ///
    /// - Complexity: O(log valueCount) comparisons.
    func ordinal(ofBytes key: [UInt8]) -> Int? {
        let k = lowerBound(key)
        guard k < valueCount else { return nil }
        let r = valueRange(k)
        return bytes.compare(at: r.lowerBound, length: r.count, with: key) == 0 ? k : nil
    }

    /// The first ordinal whose value is ≥ `key` in byte order (``valueCount`` when none is):
    /// the values `a ≤ v ≤ b` are the ordinals `lowerBound(a) ..< upperBound(b)`.
    ///
    /// - Complexity: O(log valueCount) comparisons.
    func lowerBound(_ key: [UInt8]) -> Int { partition(key, strict: false) }

    /// The first ordinal whose value is > `key` in byte order (``valueCount`` when none is).
    ///
    /// - Complexity: O(log valueCount) comparisons.
    func upperBound(_ key: [UInt8]) -> Int { partition(key, strict: true) }

    /// The first ordinal whose value is > `key` (strict) or ≥ `key`.
    private func partition(_ key: [UInt8], strict: Bool) -> Int {
        var lo = 0, hi = valueCount
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = valueRange(mid)
            let c = bytes.compare(at: r.lowerBound, length: r.count, with: key)
            if c < 0 || (strict && c == 0) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: One document

    /// The positions of document `doc`'s ordinals among all ordinals.
    @inline(__always) private func ordinalPositions(_ doc: Int) -> Range<Int> {
        precondition(doc >= 0 && doc < documentCount, "document out of range")
        let s = documentStart(doc), e = documentStart(doc + 1)
        return s..<Swift.max(s, e)   // (validated: e ≥ s)
    }

    /// The number of values of document `doc`.
    func ordinalCount(_ doc: Int) -> Int { ordinalPositions(doc).count }

    /// Document `doc`'s ordinals, ascending and distinct: a collection reading the packed
    /// ordinals in place (no allocation).
    func ordinals(_ doc: Int) -> Ordinals {
        let p = ordinalPositions(doc)
        return Ordinals(bytes: bytes, bit: ordinalsBit + p.lowerBound * ordinalWidth, width: ordinalWidth, count: p.count)
    }

    /// The ordinals of one document (``KeywordColumn/ordinals(_:)``).
    struct Ordinals: RandomAccessCollection, Sendable {
        fileprivate let bytes: ByteBuffer
        fileprivate let bit: Int
        fileprivate let width: Int
        let count: Int
        var startIndex: Int { 0 }
        var endIndex: Int { count }

        subscript(i: Int) -> Int {
            precondition(i >= 0 && i < count, "index out of range")
            return Int(bytes.bits(at: bit + i * width, width: width))
        }
    }

    /// Calls `body` with each of document `doc`'s ordinals, ascending.
    @inline(__always) func forEachOrdinal(_ doc: Int, _ body: (Int) -> Void) {
        let p = ordinalPositions(doc)
        let b = bytes
        var bit = ordinalsBit + p.lowerBound * ordinalWidth
        for _ in p {
            body(Int(b.bits(at: bit, width: ordinalWidth)))
            bit += ordinalWidth
        }
    }

    /// Document `doc`'s smallest ordinal (for sorting by the first value), or nil when it has none.
    func firstOrdinal(_ doc: Int) -> Int? {
        let p = ordinalPositions(doc)
        return p.isEmpty ? nil : Int(bytes.bits(at: ordinalsBit + p.lowerBound * ordinalWidth, width: ordinalWidth))
    }

    /// Document `doc`'s largest ordinal (for sorting by the last value), or nil when it has none.
    func lastOrdinal(_ doc: Int) -> Int? {
        let p = ordinalPositions(doc)
        return p.isEmpty ? nil : Int(bytes.bits(at: ordinalsBit + (p.upperBound - 1) * ordinalWidth, width: ordinalWidth))
    }

    /// Document `doc`'s values, in byte order.
    func values(_ doc: Int) -> [String] {
        var out: [String] = []
        out.reserveCapacity(ordinalCount(doc))
        forEachOrdinal(doc) { out.append(string($0)) }
        return out
    }

    /// Whether document `doc` holds an ordinal in `ordinals`.
    ///
    /// - Complexity: O(the document's values below `ordinals.upperBound`).
    @inline(__always) func contains(_ doc: Int, ordinalIn ordinals: Range<Int>) -> Bool {
        let p = ordinalPositions(doc)
        let b = bytes
        var bit = ordinalsBit + p.lowerBound * ordinalWidth
        for _ in p {
            let o = Int(b.bits(at: bit, width: ordinalWidth))
            if o >= ordinals.upperBound { return false }   // (ordinals ascend)
            if o >= ordinals.lowerBound { return true }
            bit += ordinalWidth
        }
        return false
    }

    // MARK: Filters

    /// The documents holding an ordinal in `ordinals` (one value: `o ..< o + 1`; a range of
    /// values: ``lowerBound(_:)`` ..< ``upperBound(_:)``), ascending.
    ///
    /// - Complexity: O(1) for an empty range; else O(documentCount + ordinalCount).
    func matching(ordinals: Range<Int>) -> [UInt32] {
        var out: [UInt32] = []
        guard !ordinals.isEmpty, ordinals.lowerBound < valueCount else { return out }
        for d in 0..<documentCount where contains(d, ordinalIn: ordinals) { out.append(UInt32(truncatingIfNeeded: d)) }
        return out
    }

    /// Adds the documents holding an ordinal in `ordinals` to `set`.
    ///
    /// - Complexity: O(1) for an empty range; else O(documentCount + ordinalCount).
    func matching(ordinals: Range<Int>, into set: inout DocumentSet) {
        guard !ordinals.isEmpty, ordinals.lowerBound < valueCount else { return }
        for d in 0..<documentCount where contains(d, ordinalIn: ordinals) { set.insert(UInt32(truncatingIfNeeded: d)) }
    }

    /// The documents of `candidates` (each below ``documentCount``) holding an ordinal in
    /// `ordinals`, in the order given.
    ///
    /// - Complexity: O(1) for an empty range; else O(candidates + their ordinals).
    func matching(ordinals: Range<Int>, among candidates: [UInt32]) -> [UInt32] {
        guard !ordinals.isEmpty, ordinals.lowerBound < valueCount else { return [] }
        return candidates.filter { contains(Int($0), ordinalIn: ordinals) }
    }

    // MARK: Facets

    /// Adds to `counts[o]` (`counts` has ``valueCount`` entries) the number of documents of
    /// `docs` (each below ``documentCount``, in any order) holding ordinal `o`.
    ///
    /// - Complexity: O(docs + their ordinals): two offset reads per document and one read and
    ///   one increment per ordinal, no allocation.
    func countOrdinals(of docs: [UInt32], into counts: inout [Int]) {
        precondition(counts.count == valueCount, "one count per value")
        let b = bytes
        let startsBit = documentStartsBit, wc = documentStartWidth
        let ordinalsBit = ordinalsBit, wo = ordinalWidth, n = documentCount, v = valueCount
        do {
            for d in docs {
                let doc = Int(d)
                precondition(doc < n, "document out of range")
                let s = Int(b.bits(at: startsBit + doc * wc, width: wc))
                let e = Int(b.bits(at: startsBit + (doc + 1) * wc, width: wc))
                var bit = ordinalsBit + s * wo
                var k = s
                while k < e {
                    let o = Int(b.bits(at: bit, width: wo))
                    if o < v { counts[o] += 1 }   // (validated at open; the test keeps damage harmless)
                    bit += wo
                    k += 1
                }
            }
        }
    }

    /// Adds to `counts[o]` (`counts` has ``valueCount`` entries) the number of documents of `set`
    /// holding ordinal `o`; members at or past ``documentCount`` are ignored.
    ///
    /// - Complexity: O(set's words + members + their ordinals).
    func countOrdinals(of set: DocumentSet, into counts: inout [Int]) {
        precondition(counts.count == valueCount, "one count per value")
        var docs: [UInt32] = []
        docs.reserveCapacity(Swift.min(64, set.count))
        for (i, word) in set.words.enumerated() where word != 0 && 64 * i < documentCount {
            var m = word
            if documentCount - 64 * i < 64 { m &= ColumnBits.mask(documentCount - 64 * i) }
            while m != 0 {
                docs.append(UInt32(truncatingIfNeeded: 64 * i + m.trailingZeroBitCount))
                m &= m &- 1
            }
            if docs.count >= 4096 { countOrdinals(of: docs, into: &counts); docs.removeAll(keepingCapacity: true) }
        }
        countOrdinals(of: docs, into: &counts)
    }

    /// Adds to `counts[o]` (`counts` has ``valueCount`` entries) the number of documents of the
    /// column holding ordinal `o`.
    ///
    /// - Complexity: O(ordinalCount), without reading the document offsets.
    func countAllOrdinals(into counts: inout [Int]) {
        precondition(counts.count == valueCount, "one count per value")
        let b = bytes
        let wo = ordinalWidth, v = valueCount
        var bit = ordinalsBit
        do {
            for _ in 0..<ordinalCount {
                let o = Int(b.bits(at: bit, width: wo))
                if o < v { counts[o] += 1 }
                bit += wo
            }
        }
    }

    // MARK: Full check

    /// Checks what ``init(_:documentCount:path:label:)`` does not, so that the bytes are exactly
    /// what ``KeywordColumnBuilder`` writes for the values read: every value is valid UTF-8 and
    /// held by some document; the bits after each packed array's last entry are 0. (For
    /// `IndexStore.verify`.)
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the first problem.
    /// - Complexity: O(valueByteCount + ordinalCount).
    func checkStructure() throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: "\(label): \(why)") }
        let b = bytes
        for k in 0..<valueCount {
            let r = valueRange(k)
            guard String(validating: bytes.array(r), as: UTF8.self) != nil else { throw corrupt("value \(k) is not valid UTF-8") }
        }
        var used = [Bool](repeating: false, count: valueCount)   // valueCount ≤ valueByteCount + 1 (distinct)
        var bit = ordinalsBit
        for _ in 0..<ordinalCount {
            used[Int(b.bits(at: bit, width: ordinalWidth))] = true   // (validated: below valueCount)
            bit += ordinalWidth
        }
        if let k = used.firstIndex(of: false) { throw corrupt("no document holds value \(k)") }
        let arrays = [(valueOffsetsBit, (valueCount + 1) * valueOffsetWidth, "value offsets"),
                      (documentStartsBit, (documentCount + 1) * documentStartWidth, "document starts"),
                      (ordinalsBit, ordinalCount * ordinalWidth, "ordinals")]
        for (start, length, name) in arrays {
            let end = start + length, padded = (end + 7) & ~7
            if padded > end, b.bits(at: end, width: padded - end) != 0 {
                throw corrupt("the bits after the \(name) are not 0")
            }
        }
    }
}

/// Builds a ``KeywordColumn``: append each document's values in document order, then
/// ``finish()``. Holds each distinct value once, and 4 bytes per document and per value.
struct KeywordColumnBuilder {
    /// Provisional number (order of first appearance) of each distinct value.
    private var numbers: [[UInt8]: UInt32] = [:]
    private var distinct: [[UInt8]] = []
    /// Provisional numbers of each document's values, one document after the other.
    private var ordinals: [UInt32] = []
    private var starts: [UInt32] = [0]

    init() {}

    /// Documents appended.
    var documentCount: Int { starts.count - 1 }

    /// Appends the next document's values (in any order, repetitions allowed).
    mutating func append(_ values: [String]) {
        for v in values { add(Array(v.utf8)) }
        endDocument()
    }

    /// Appends the next document's values as UTF-8 bytes.
    mutating func append(bytes values: [[UInt8]]) {
        for v in values { add(v) }
        endDocument()
    }

    private mutating func add(_ value: [UInt8]) {
        if let k = numbers[value] {
            ordinals.append(k)
        } else {
            let k = UInt32(distinct.count)
            numbers[value] = k
            distinct.append(value)
            ordinals.append(k)
        }
    }

    private mutating func endDocument() {
        precondition(ordinals.count < Int(UInt32.max), "a column holds fewer than 2^32 values")
        starts.append(UInt32(ordinals.count))
    }

    /// The column's bytes (``KeywordColumn``'s layout).
    func finish() -> [UInt8] {
        let order = distinct.indices.sorted { distinct[$0].lexicographicallyPrecedes(distinct[$1]) }
        var rank = [UInt32](repeating: 0, count: distinct.count)
        for (r, k) in order.enumerated() { rank[k] = UInt32(r) }
        var values = KeywordColumnWriter.Dictionary()
        for k in order { values.append(distinct[k]) }
        var sorted: [UInt32] = []
        var documents = KeywordColumnWriter.Documents()
        for d in 0..<documentCount {
            sorted.removeAll(keepingCapacity: true)
            for p in Int(starts[d])..<Int(starts[d + 1]) { sorted.append(rank[Int(ordinals[p])]) }
            sorted.sort()
            var last: UInt32?
            for o in sorted where o != last { documents.ordinals.append(o); last = o }
            documents.endDocument()
        }
        return KeywordColumnWriter.write(values, documents)
    }

    /// The bytes of a column of `values` (each document's values, in any order).
    static func encode(_ values: [[String]]) -> [UInt8] {
        var b = KeywordColumnBuilder()
        for v in values { b.append(v) }
        return b.finish()
    }

    /// The bytes of a column of `documentCount` documents without values (for a segment written
    /// before the field existed).
    static func empty(documentCount: Int) -> [UInt8] {
        var documents = KeywordColumnWriter.Documents()
        for _ in 0..<documentCount { documents.endDocument() }
        return KeywordColumnWriter.write(.init(), documents)
    }
}

/// Writes a ``KeywordColumn`` from its sorted dictionary and final ordinals (for
/// ``KeywordColumnBuilder`` and merges).
enum KeywordColumnWriter {
    /// Distinct values in ascending byte order.
    struct Dictionary {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        var count: Int { offsets.count - 1 }

        mutating func append(_ value: [UInt8]) {
            bytes.append(contentsOf: value)
            precondition(bytes.count <= Int(UInt32.max), "a column's values take fewer than 2^32 bytes")
            offsets.append(UInt32(bytes.count))
        }
    }

    /// Each document's ordinals (ascending, distinct), one document after the other.
    struct Documents {
        var ordinals: [UInt32] = []
        var starts: [UInt32] = [0]
        var count: Int { starts.count - 1 }

        mutating func endDocument() {
            precondition(ordinals.count < Int(UInt32.max), "a column holds fewer than 2^32 values")
            starts.append(UInt32(ordinals.count))
        }
    }

    static func write(_ values: Dictionary, _ documents: Documents) -> [UInt8] {
        let n = documents.count
        precondition(n <= Int(UInt32.max), "a column holds fewer than 2^32 documents")
        let wb = ColumnBits.width(UInt64(values.bytes.count))
        let wc = ColumnBits.width(UInt64(documents.ordinals.count))
        let wo = ColumnBits.width(UInt64(Swift.max(values.count, 1) - 1))
        var w = ByteWriter()
        w.bytes.reserveCapacity(KeywordColumn.headerSize + ColumnBits.byteCount(values.count + 1, width: wb)
                                + values.bytes.count + ColumnBits.byteCount(n + 1, width: wc)
                                + ColumnBits.byteCount(documents.ordinals.count, width: wo) + ByteWriter.tailPadding)
        w.uint32(UInt32(n))
        w.uint32(UInt32(values.count))
        w.uint32(UInt32(documents.ordinals.count))
        w.uint32(UInt32(values.bytes.count))
        var bits = BitWriter()
        for o in values.offsets { bits.write(o, width: wb, into: &w) }
        bits.flush(into: &w)
        w.bytes.append(contentsOf: values.bytes)
        for s in documents.starts { bits.write(s, width: wc, into: &w) }
        bits.flush(into: &w)
        for o in documents.ordinals { bits.write(o, width: wo, into: &w) }
        bits.flush(into: &w)
        w.padTail()
        return w.bytes
    }
}
