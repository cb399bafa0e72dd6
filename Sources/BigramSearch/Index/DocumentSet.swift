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
