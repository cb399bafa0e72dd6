/// An immutable part of an index: some documents, their stored fields and the inverted index of
/// each indexed field. Documents are numbered from 0 within the segment.
final class Segment: Sendable {
    let documentCount: Int
    let ids: [String]
    /// Stored field texts, `stored[doc][field]` (nil when not stored or absent).
    let stored: [[String?]]
    /// The inverted index of each schema field (nil when the field is not indexed).
    let fields: [FieldIndex?]

    init(documentCount: Int, ids: [String], stored: [[String?]], fields: [FieldIndex?]) {
        self.documentCount = documentCount
        self.ids = ids
        self.stored = stored
        self.fields = fields
    }

    var indexByteCount: Int { fields.reduce(0) { $0 + ($1?.byteCount ?? 0) } }
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
