/// The order of ``SearchOptions/sort`` prepared for one snapshot: each key's field and direction,
/// and for keyword fields each segment's ordinals mapped to ranks over all segments (so that keys
/// of different segments compare as integers).
struct FieldOrder: Sendable {
    /// At most this many sort fields (a key is a fixed-size value, compared without allocating).
    static let maxKeys = 4

    struct Key: Sendable {
        var field: Int
        var kind: FieldKind
        var descending: Bool
        /// keyword only: rank[segment][ordinal], ascending with the value's bytes.
        var ranks: [[UInt32]] = []
    }

    let keys: [Key]

    /// - Throws: ``SearchError/invalidSort(_:)`` for an unknown field, a text field, or more than
    ///   ``maxKeys`` fields.
    init(_ sort: [SortField], schema: Schema, segments: [Segment]) throws(SearchError) {
        guard sort.count <= Self.maxKeys else { throw .invalidSort("at most \(Self.maxKeys) sort fields, not \(sort.count)") }
        var keys: [Key] = []
        for s in sort {
            guard let f = schema.index(of: s.field) else { throw .invalidSort("unknown field \"\(s.field)\"") }
            let kind = schema.fields[f].kind
            guard kind.isTyped else {
                throw .invalidSort("\"\(s.field)\" is a text field; sort by a keyword, int, double or date field")
            }
            var key = Key(field: f, kind: kind, descending: s.descending)
            if kind == .keyword { key.ranks = Self.ranks(field: f, segments: segments) }
            keys.append(key)
        }
        self.keys = keys
    }

    /// Each segment's keyword ordinals mapped to their rank among the distinct values of all
    /// segments (a k-way merge of the sorted dictionaries).
    ///
    /// - Complexity: O(V × S) comparisons of values for V distinct values over S segments.
    private static func ranks(field f: Int, segments: [Segment]) -> [[UInt32]] {
        let columns = segments.map { f < $0.columns.count ? $0.columns[f]?.keyword : nil }
        var ranks = columns.map { [UInt32](repeating: 0, count: $0?.valueCount ?? 0) }
        var next = [Int](repeating: 0, count: segments.count)
        var heads: [[UInt8]?] = columns.map { c in c.flatMap { $0.valueCount > 0 ? $0.valueBytes(0) : nil } }
        var rank: UInt32 = 0
        while true {
            var smallest: [UInt8]? = nil
            for h in heads { if let h, smallest == nil || h.lexicographicallyPrecedes(smallest!) { smallest = h } }
            guard let value = smallest else { break }
            for s in heads.indices where heads[s] == value {
                ranks[s][next[s]] = rank
                next[s] += 1
                let c = columns[s]!
                heads[s] = next[s] < c.valueCount ? c.valueBytes(next[s]) : nil
            }
            rank += 1
        }
        return ranks
    }

    /// The sort key of document `doc` of segment `segment`.
    @inline(__always) func entry(segment: Int, doc: UInt32, global: Int, score: Double, columns: [ValueColumn?]) -> SortedEntry {
        var e = SortedEntry(segment: segment, doc: doc, global: global, score: score)
        for (i, k) in keys.enumerated() {
            let v: UInt64?
            switch k.field < columns.count ? columns[k.field] : nil {
            case .numeric(let c)?:
                // Signed order as unsigned: flip the sign bit.
                v = c.value(Int(doc)).map { UInt64(bitPattern: $0) ^ (1 << 63) }
            case .keyword(let c)?:
                let o = k.descending ? c.lastOrdinal(Int(doc)) : c.firstOrdinal(Int(doc))
                v = o.map { UInt64(k.ranks[segment][$0]) }
            case nil:
                v = nil
            }
            if let v { e.set(i, k.descending ? ~v : v) } else { e.missing |= 1 << UInt8(i) }
        }
        return e
    }
}

/// A match with its sort key: up to ``FieldOrder/maxKeys`` normalized values (smaller first), a
/// bit per key for a missing value (after every present one), then document order.
struct SortedEntry: Sendable {
    var k0: UInt64 = 0, k1: UInt64 = 0, k2: UInt64 = 0, k3: UInt64 = 0
    var missing: UInt8 = 0
    var segment: Int
    var doc: UInt32
    var global: Int
    var score: Double

    init(segment: Int, doc: UInt32, global: Int, score: Double) {
        self.segment = segment
        self.doc = doc
        self.global = global
        self.score = score
    }

    init(keys: [UInt64], missing: UInt8, global: Int) {
        self.init(segment: 0, doc: 0, global: global, score: 0)
        for (i, k) in keys.prefix(FieldOrder.maxKeys).enumerated() { set(i, k) }
        self.missing = missing
    }

    @inline(__always) mutating func set(_ i: Int, _ v: UInt64) {
        switch i {
        case 0: k0 = v
        case 1: k1 = v
        case 2: k2 = v
        default: k3 = v
        }
    }

    @inline(__always) func key(_ i: Int) -> UInt64 {
        switch i {
        case 0: return k0
        case 1: return k1
        case 2: return k2
        default: return k3
        }
    }

    var keys: [UInt64] { [k0, k1, k2, k3] }

    /// True when `a` comes before `b` over the first `count` keys, then document order.
    @inline(__always) static func precedes(_ a: SortedEntry, _ b: SortedEntry, count: Int) -> Bool {
        for i in 0..<count {
            let am = a.missing & (1 << UInt8(i)) != 0, bm = b.missing & (1 << UInt8(i)) != 0
            if am != bm { return bm }
            if am { continue }
            let x = a.key(i), y = b.key(i)
            if x != y { return x < y }
        }
        return a.global < b.global
    }
}

/// Keeps the first `capacity` matches in a ``FieldOrder`` (a bounded max-heap of the kept ones),
/// optionally only those after a cursor's entry.
struct FieldSortCollector: Collector {
    let order: FieldOrder
    let capacity: Int
    private let segments: [Segment]
    private let after: SortedEntry?
    private var heap: [SortedEntry] = []

    init(order: FieldOrder, capacity: Int, segments: [Segment], after: SortedEntry? = nil) {
        self.order = order
        self.capacity = capacity
        self.segments = segments
        self.after = after
        heap.reserveCapacity(min(capacity, 1 << 16))
    }

    /// Whether `a` is kept before `b`.
    @inline(__always) private func before(_ a: SortedEntry, _ b: SortedEntry) -> Bool {
        SortedEntry.precedes(a, b, count: order.keys.count)
    }

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        guard capacity > 0 else { return }
        let columns = segments[segment].columns
        for (k, d) in docs.enumerated() {
            let e = order.entry(segment: segment, doc: d, global: base + Int(d), score: scores[k], columns: columns)
            if let after, !before(after, e) { continue }
            if heap.count < capacity {
                heap.append(e)
                siftUp(heap.count - 1)
            } else if before(e, heap[0]) {
                heap[0] = e
                siftDown(0)
            }
        }
    }

    // The heap's root is the last kept entry (a max-heap in the order).
    private mutating func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 {
            let p = (i - 1) / 2
            guard before(heap[p], heap[i]) else { break }
            heap.swapAt(p, i)
            i = p
        }
    }

    private mutating func siftDown(_ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && before(heap[m], heap[l]) { m = l }
            if r < heap.count && before(heap[m], heap[r]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }

    /// The kept entries, first first.
    ///
    /// - Complexity: O(n log n) for the n kept.
    func sorted() -> [SortedEntry] { heap.sorted { before($0, $1) } }
}
