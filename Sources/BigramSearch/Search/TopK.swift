/// The best `capacity` hits: a min-heap on (score, then reverse document order).
struct TopK {
    struct Entry { var score: Double; var segment: Int; var doc: UInt32; var global: Int }
    let capacity: Int
    private var heap: [Entry] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(min(capacity, 1 << 16))
    }

    /// True when `a` ranks below `b`.
    @inline(__always) private static func worse(_ a: Entry, _ b: Entry) -> Bool {
        a.score < b.score || (a.score == b.score && a.global > b.global)
    }

    /// While the heap is not full its entries are kept in insertion order (no sifting): a caller
    /// that asks for every match pays one sort at the end instead of n heap insertions.
    private var heapified = false

    /// Offers one hit.
    ///
    /// - Complexity: O(1) while fewer than `capacity` hits were offered; then O(log capacity)
    ///   (one O(capacity log capacity) sort when the heap is first needed).
    mutating func insert(score: Double, segment: Int, doc: UInt32, global: Int) {
        guard capacity > 0 else { return }
        let e = Entry(score: score, segment: segment, doc: doc, global: global)
        if heap.count < capacity {
            heap.append(e)
            return
        }
        if !heapified {
            heapified = true
            heap.sort { Self.worse($0, $1) }   // ascending by rank: a valid min-heap
        }
        if Self.worse(heap[0], e) {
            heap[0] = e
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Self.worse(heap[l], heap[m]) { m = l }
                if r < heap.count && Self.worse(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m); i = m
            }
        }
    }

    /// Best first.
    ///
    /// - Complexity: O(n log n) for the n entries kept: a comparison sort — of the entries'
    ///   indexes when every entry was kept (they are then still in document order, and ties keep
    ///   it), of the heap otherwise (n = capacity).
    func sorted() -> [Entry] {
        if heapified { return heap.sorted { Self.worse($1, $0) } }
        return Self.stableSortByScoreDescending(heap)
    }

    /// Entries in insertion (document) order, sorted by descending score; ties keep that order.
    static func stableSortByScoreDescending(_ entries: [Entry]) -> [Entry] {
        var order = Array(entries.indices)
        order.sort { a, b in
            let x = entries[a].score, y = entries[b].score
            return x > y || (x == y && a < b)
        }
        return order.map { entries[$0] }
    }
}

