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

    /// The sum of the lengths (below 2^32 documents × 2^32: no overflow).
    ///
    /// - Complexity: O(documents), one pass over the bytes.
    var sum: UInt64 { bytes.sumOfUInt32s(count: count) }
}
