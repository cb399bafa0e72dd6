/// One optional 64-bit integer per document, stored column-wise for filters, sorting and range
/// pruning (Lucene's doc values, tantivy's fast fields). Integers are stored as they are; dates
/// as milliseconds since 1970-01-01 UTC; doubles through ``sortableBits(_:)``.
///
/// Layout (docs/FORMAT.md §Numeric column), all integers little-endian:
/// ```
/// header    32 bytes: documentCount u32, presentCount u32, minimum i64, maximum i64,
///           width u8 (0…64), 7 zero bytes
/// presence  only when 0 < presentCount < documentCount: ⌈documentCount / 64⌉ u64 words;
///           bit d % 64 of word d / 64 set = document d has a value; bits past the last document 0
/// values    documentCount values of `width` bits, least significant bit first: value − minimum
///           (in wrapping u64 arithmetic; 0 for a document without a value), padded to a byte
/// padding   8 zero bytes
/// ```
/// `minimum` and `maximum` are the smallest and largest present values (both 0 when there are
/// none) and `width` is the bit width of `maximum − minimum` (0 when every value is the same), so
/// a document's value is at bit `d × width` of the values, read in O(1) without decoding the column.
///
/// Validation: ``init(_:documentCount:path:label:)`` checks every declared size against the
/// buffer before use, the header's consistency, the presence count and every stored value (each
/// `value − minimum` ≤ `maximum − minimum`): after it succeeds every value read lies in
/// `minimum…maximum`. ``checkStructure()`` also checks what only a writer's canonical output
/// has (see there). No byte string makes a method trap, read outside the buffer or allocate
/// more than the column's size.
struct NumericColumn: Sendable {
    static let headerSize = 32

    /// The column's bytes (the layout above).
    let bytes: ByteBuffer
    /// Documents in the column (the segment's document count).
    let documentCount: Int
    /// Documents with a value.
    let presentCount: Int
    /// The smallest present value (0 when no document has one).
    let minimum: Int64
    /// The largest present value (0 when no document has one).
    let maximum: Int64
    /// Bits per packed value.
    let width: Int
    /// The file named in errors, and what the column is (e.g. "field price") in their reasons.
    let path: String
    let label: String

    /// Byte offset of the presence bitmap, or nil when every document has a value or none has.
    private let presenceOffset: Int?
    /// Bit offset of the packed values in ``bytes``.
    private let valuesBit: Int

    /// Opens a column written by ``NumericColumnBuilder`` for a segment of `documentCount`
    /// documents. `path` names the file in errors; `label` starts their reason.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` when the bytes do not have the layout:
    ///   sizes, header fields, presence count, a stored value above `maximum − minimum`.
    /// - Complexity: O(documentCount) (a pass over the packed values and the presence bitmap;
    ///   O(1) when the width makes every stored value valid).
    init(_ bytes: ByteBuffer, documentCount: Int, path: String, label: String = "numeric column") throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: "\(label): \(why)") }
        guard bytes.count >= Self.headerSize else {
            throw corrupt("\(bytes.count) bytes, shorter than the \(Self.headerSize)-byte header")
        }
        let n = Int(bytes.uint32(at: 0))
        let present = Int(bytes.uint32(at: 4))
        let minimum = Int64(bitPattern: bytes.uint64(at: 8))
        let maximum = Int64(bitPattern: bytes.uint64(at: 16))
        let width = Int(bytes[24])
        guard n == documentCount else { throw corrupt("\(n) documents, the segment has \(documentCount)") }
        guard present <= n else { throw corrupt("\(present) values for \(n) documents") }
        for k in 25..<32 where bytes[k] != 0 { throw corrupt("header byte \(k) is \(bytes[k]), not 0") }
        if present == 0 {
            guard minimum == 0, maximum == 0, width == 0 else {
                throw corrupt("no values, but minimum \(minimum), maximum \(maximum), width \(width)")
            }
        } else {
            guard minimum <= maximum else { throw corrupt("minimum \(minimum) above maximum \(maximum)") }
            let expected = ColumnBits.width(UInt64(bitPattern: maximum) &- UInt64(bitPattern: minimum))
            guard width == expected else {
                throw corrupt("width \(width), but values from \(minimum) to \(maximum) take \(expected) bits")
            }
        }
        let hasPresence = present > 0 && present < n
        let presenceBytes = hasPresence ? 8 * ((n + 63) / 64) : 0
        let valueBytes = ColumnBits.byteCount(n, width: width)   // n < 2^32, width ≤ 64: no overflow
        let size = Self.headerSize + presenceBytes + valueBytes + ByteWriter.tailPadding
        guard bytes.count == size else {
            throw corrupt("\(bytes.count) bytes, the header describes \(size)")
        }
        for k in (size - ByteWriter.tailPadding)..<size where bytes[k] != 0 {
            throw corrupt("padding byte \(k) is \(bytes[k]), not 0")
        }
        if hasPresence {
            var count = 0
            for w in 0..<(n + 63) / 64 { count += bytes.uint64(at: Self.headerSize + 8 * w).nonzeroBitCount }
            guard count == present else { throw corrupt("the presence bitmap holds \(count) documents, the header says \(present)") }
            if n % 64 != 0, bytes.uint64(at: Self.headerSize + presenceBytes - 8) >> UInt64(n % 64) != 0 {
                throw corrupt("the presence bitmap marks documents past the last")
            }
        }
        self.bytes = bytes
        self.documentCount = n
        self.presentCount = present
        self.minimum = minimum
        self.maximum = maximum
        self.width = width
        self.path = path
        self.label = label
        presenceOffset = hasPresence ? Self.headerSize : nil
        valuesBit = 8 * (Self.headerSize + presenceBytes)
        if let doc = firstValueOutOfRange() {
            throw corrupt("document \(doc) holds a value beyond the maximum \(maximum)")
        }
    }

    /// The first document whose stored `value − minimum` exceeds `maximum − minimum` (whether
    /// the document has a value or not), or nil.
    private func firstValueOutOfRange() -> Int? {
        let span = UInt64(bitPattern: maximum) &- UInt64(bitPattern: minimum)
        // Every width-bit number is ≤ span when span is all ones.
        if width == 0 || span == ColumnBits.mask(width) { return nil }
        let b = bytes
        var bit = valuesBit
        for d in 0..<documentCount {
            if ColumnBits.read(b, bit: bit, width: width) > span { return d }
            bit += width
        }
        return nil
    }

    // MARK: Reading one document

    /// Whether document `doc` has a value.
    @inline(__always) func hasValue(_ doc: Int) -> Bool {
        precondition(doc >= 0 && doc < documentCount, "document out of range")
        guard let presenceOffset else { return presentCount > 0 }
        return bytes.uint64(at: presenceOffset + 8 * (doc >> 6)) >> UInt64(doc & 63) & 1 != 0
    }

    /// The value of document `doc`, or nil when it has none.
    ///
    /// - Complexity: O(1).
    @inline(__always) func value(_ doc: Int) -> Int64? {   // (inlined: facets and sorts call it per document)
        guard hasValue(doc) else { return nil }
        return storedValue(doc)
    }

    /// The value stored for `doc` (`minimum` for a document without a value).
    @inline(__always) private func storedValue(_ doc: Int) -> Int64 {
        let delta = ColumnBits.read(bytes, bit: valuesBit &+ doc &* width, width: width)
        return Int64(bitPattern: UInt64(bitPattern: minimum) &+ delta)
    }

    /// The presence bits of documents `64 × w ..< 64 × w + 64` (bit j: document 64 × w + j);
    /// none past the last document.
    @inline(__always) private func presenceWord(_ w: Int) -> UInt64 {
        if let presenceOffset { return bytes.uint64(at: presenceOffset + 8 * w) }
        if presentCount == 0 { return 0 }
        let rest = documentCount - 64 * w
        return rest >= 64 ? UInt64.max : ColumnBits.mask(rest)
    }

    // MARK: Range filters

    /// What a range filter has to do: nothing matches, every document with a value matches, or
    /// packed values `v` with `v − low ≤ span` (in wrapping arithmetic) match.
    private enum RangePlan {
        case none
        case allPresent
        case deltas(low: UInt64, span: UInt64)
    }

    private func plan(_ range: ClosedRange<Int64>) -> RangePlan {
        guard presentCount > 0, range.upperBound >= minimum, range.lowerBound <= maximum else { return .none }
        if range.lowerBound <= minimum && range.upperBound >= maximum { return .allPresent }
        let low = Swift.max(range.lowerBound, minimum), high = Swift.min(range.upperBound, maximum)
        return .deltas(low: UInt64(bitPattern: low) &- UInt64(bitPattern: minimum),
                       span: UInt64(bitPattern: high) &- UInt64(bitPattern: low))
    }

    /// Whether document `doc` has a value in `range`.
    ///
    /// - Complexity: O(1).
    @inline(__always) func contains(_ doc: Int, in range: ClosedRange<Int64>) -> Bool {
        guard let v = value(doc) else { return false }
        return range.contains(v)
    }

    /// Calls `body(w, mask)` for each group of 64 documents `64 × w ..< 64 × w + 64` holding at
    /// least one document with a value in `range`; bit j of `mask` is document 64 × w + j.
    ///
    /// - Complexity: O(1) when `range` misses `minimum…maximum`; O(documentCount / 64) when it
    ///   covers it; else O(documents with a value, rounded up to groups of 64), one unaligned
    ///   load per document and no branch on the value.
    func forEachMatchingGroup(_ range: ClosedRange<Int64>, _ body: (_ group: Int, _ mask: UInt64) -> Void) {
        let groups = (documentCount + 63) / 64
        switch plan(range) {
        case .none:
            return
        case .allPresent:
            for w in 0..<groups {
                let m = presenceWord(w)
                if m != 0 { body(w, m) }
            }
        case .deltas(let low, let span):
            let b = bytes
            let width = width
            for w in 0..<groups {
                let present = presenceWord(w)
                if present == 0 { continue }
                let count = Swift.min(64, documentCount - 64 * w)
                var bit = valuesBit + 64 * w * width
                var m: UInt64 = 0
                for j in 0..<count {
                    let v = ColumnBits.read(b, bit: bit, width: width)
                    m |= UInt64(v &- low <= span ? 1 : 0) << UInt64(j)
                    bit += width
                }
                m &= present
                if m != 0 { body(w, m) }
            }
        }
    }

    /// The documents with a value in `range`, ascending.
    ///
    /// - Complexity: see ``forEachMatchingGroup(_:_:)``, plus the documents returned.
    func matching(_ range: ClosedRange<Int64>) -> [UInt32] {
        var out: [UInt32] = []
        if case .allPresent = plan(range) { out.reserveCapacity(presentCount) }
        forEachMatchingGroup(range) { w, mask in
            var m = mask
            while m != 0 {
                out.append(UInt32(truncatingIfNeeded: 64 * w + m.trailingZeroBitCount))
                m &= m &- 1
            }
        }
        return out
    }

    /// Adds the documents with a value in `range` to `set`.
    ///
    /// - Complexity: see ``forEachMatchingGroup(_:_:)``, plus the documents added.
    func matching(_ range: ClosedRange<Int64>, into set: inout DocumentSet) {
        forEachMatchingGroup(range) { w, mask in
            var m = mask
            while m != 0 {
                set.insert(UInt32(truncatingIfNeeded: 64 * w + m.trailingZeroBitCount))
                m &= m &- 1
            }
        }
    }

    /// The documents of `candidates` (each below ``documentCount``) that have a value in
    /// `range`, in the order given (ascending when the candidates ascend).
    ///
    /// - Complexity: O(1) when `range` misses `minimum…maximum`; else O(candidates), one
    ///   presence test and one unaligned load per candidate.
    func matching(_ range: ClosedRange<Int64>, among candidates: [UInt32]) -> [UInt32] {
        switch plan(range) {
        case .none:
            return []
        case .allPresent:
            if presentCount == documentCount {
                for d in candidates { precondition(Int(d) < documentCount, "document out of range") }
                return candidates
            }
            return candidates.filter { hasValue(Int($0)) }
        case .deltas(let low, let span):
            let b = bytes
            var out: [UInt32] = []
            for d in candidates where hasValue(Int(d)) {
                let v = ColumnBits.read(b, bit: valuesBit &+ Int(d) &* width, width: width)
                if v &- low <= span { out.append(d) }
            }
            return out
        }
    }

    // MARK: Doubles

    /// An integer whose signed order is the order of doubles: `a < b` ⇔ `sortableBits(a) <
    /// sortableBits(b)`, with -0.0 and 0.0 the same (0) and -∞ < negative < 0 < positive < +∞
    /// (subnormals included). `d` must not be NaN (the caller rejects it).
    static func sortableBits(_ d: Double) -> Int64 {
        precondition(!d.isNaN, "NaN has no place in the order of doubles")
        let bits = Int64(bitPattern: (d == 0 ? 0.0 : d).bitPattern)
        // Negative doubles order backwards by their bits: flip all but the sign.
        return bits ^ ((bits >> 63) & Int64.max)
    }

    /// The double of ``sortableBits(_:)``: `double(sortableBits: sortableBits(d)) == d` for every
    /// d but NaN (and -0.0, which gives 0.0). Other integers give NaNs (a damaged file).
    static func double(sortableBits x: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: x ^ ((x >> 63) & Int64.max)))
    }

    // MARK: Full check

    /// Checks what ``init(_:documentCount:path:label:)`` does not, so that the bytes are exactly
    /// what ``NumericColumnBuilder`` writes for the values read: a document without a value stores
    /// 0; `minimum` and `maximum` are values of documents; the bits after the last value are 0.
    /// (For `IndexStore.verify`.)
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the first problem.
    /// - Complexity: O(documentCount).
    func checkStructure() throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: "\(label): \(why)") }
        let b = bytes
        var sawMinimum = false, sawMaximum = false
        let span = UInt64(bitPattern: maximum) &- UInt64(bitPattern: minimum)
        var bit = valuesBit
        for d in 0..<documentCount {
            let v = ColumnBits.read(b, bit: bit, width: width)
            bit += width
            if hasValue(d) {
                if v == 0 { sawMinimum = true }
                if v == span { sawMaximum = true }
            } else if v != 0 {
                throw corrupt("document \(d) has no value but stores \(v)")
            }
        }
        if presentCount > 0 && !(sawMinimum && sawMaximum) {
            throw corrupt("no document holds the \(sawMinimum ? "maximum \(maximum)" : "minimum \(minimum)")")
        }
        let end = bit, padded = (end + 7) & ~7
        if padded > end, ColumnBits.read(b, bit: end, width: padded - end) != 0 {
            throw corrupt("the bits after the last value are not 0")
        }
    }
}

/// Builds a ``NumericColumn``: append each document's value in document order, then
/// ``finish()``. Holds 8 bytes and a bit per document.
struct NumericColumnBuilder {
    private var values: [Int64] = []
    private var presence: [UInt64] = []
    private(set) var presentCount = 0
    private var minimum = Int64.max
    private var maximum = Int64.min

    init(capacity: Int = 0) {
        values.reserveCapacity(capacity)
        presence.reserveCapacity((capacity + 63) / 64)
    }

    /// Documents appended.
    var documentCount: Int { values.count }

    /// Appends the next document's value (nil: none).
    mutating func append(_ value: Int64?) {
        let d = values.count
        if d & 63 == 0 { presence.append(0) }
        if let value {
            values.append(value)
            presence[d >> 6] |= 1 << UInt64(d & 63)
            presentCount += 1
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
        } else {
            values.append(0)
        }
    }

    /// The column's bytes (``NumericColumn``'s layout).
    func finish() -> [UInt8] {
        let n = values.count
        precondition(n <= Int(UInt32.max), "a column holds fewer than 2^32 documents")
        let minimum = presentCount > 0 ? self.minimum : 0
        let maximum = presentCount > 0 ? self.maximum : 0
        let width = ColumnBits.width(UInt64(bitPattern: maximum) &- UInt64(bitPattern: minimum))
        let hasPresence = presentCount > 0 && presentCount < n
        var w = ByteWriter()
        w.bytes.reserveCapacity(NumericColumn.headerSize + (hasPresence ? 8 * presence.count : 0)
                                + ColumnBits.byteCount(n, width: width) + ByteWriter.tailPadding)
        w.uint32(UInt32(n))
        w.uint32(UInt32(presentCount))
        w.uint64(UInt64(bitPattern: minimum))
        w.uint64(UInt64(bitPattern: maximum))
        w.byte(UInt8(width))
        for _ in 0..<7 { w.byte(0) }
        if hasPresence { for word in presence { w.uint64(word) } }
        var bits = BitWriter()
        if width > 0 {
            let base = UInt64(bitPattern: minimum)
            for d in 0..<n {
                let present = presence[d >> 6] >> UInt64(d & 63) & 1 != 0
                ColumnBits.write(present ? UInt64(bitPattern: values[d]) &- base : 0, width: width, &bits, into: &w)
            }
        }
        bits.flush(into: &w)
        w.padTail()
        return w.bytes
    }

    /// The bytes of a column of `values` (one per document; nil: none).
    static func encode(_ values: [Int64?]) -> [UInt8] {
        var b = NumericColumnBuilder(capacity: values.count)
        for v in values { b.append(v) }
        return b.finish()
    }

    /// The bytes of a column of `documentCount` documents without values (for a segment written
    /// before the field existed). 40 bytes, whatever the count.
    static func empty(documentCount: Int) -> [UInt8] {
        precondition(documentCount >= 0 && documentCount <= Int(UInt32.max))
        var w = ByteWriter()
        w.uint32(UInt32(documentCount))
        for _ in 0..<28 { w.byte(0) }
        w.padTail()
        return w.bytes
    }
}

/// Packed integers of up to 64 bits in the column layouts: least significant bit first, read
/// with unaligned 64-bit loads (the layouts end with ``ByteWriter/tailPadding`` zero bytes).
enum ColumnBits {
    /// The bit width of `v` (0 for 0).
    @inline(__always) static func width(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }

    /// The low `width` bits set (0 ≤ width ≤ 64).
    @inline(__always) static func mask(_ width: Int) -> UInt64 {
        width == 0 ? 0 : UInt64.max >> UInt64(64 - width)
    }

    /// Bytes of `count` values of `width` bits, padded to a byte.
    @inline(__always) static func byteCount(_ count: Int, width: Int) -> Int { (count * width + 7) >> 3 }

    /// The `width`-bit (≤ 64) value at bit `bit` of `b`; bits outside the buffer read as 0.
    @inline(__always) static func read(_ b: ByteBuffer, bit: Int, width: Int) -> UInt64 {
        if width <= 57 {   // one load holds the value whatever the bit's position in its byte
            return b.uint64(at: bit >> 3) >> UInt64(bit & 7) & mask(width)
        }
        let low = b.uint64(at: bit >> 3) >> UInt64(bit & 7) & 0xFFFF_FFFF
        let high = b.uint64(at: (bit + 32) >> 3) >> UInt64((bit + 32) & 7) & mask(width - 32)
        return low | high << 32
    }

    /// Appends the low `width` (≤ 64) bits of `value` (which has no higher bits).
    @inline(__always) static func write(_ value: UInt64, width: Int, _ bits: inout BitWriter, into w: inout ByteWriter) {
        if width <= 32 {
            bits.write(UInt32(truncatingIfNeeded: value), width: width, into: &w)
        } else {
            bits.write(UInt32(truncatingIfNeeded: value), width: 32, into: &w)
            bits.write(UInt32(truncatingIfNeeded: value >> 32), width: width - 32, into: &w)
        }
    }
}
