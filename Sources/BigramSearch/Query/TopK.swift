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
    /// - Complexity: O(n) when every entry was kept (entries then are still in document order,
    ///   and a stable radix sort on the score keeps ties in that order); O(k log k) otherwise.
    func sorted() -> [Entry] {
        if heapified { return heap.sorted { Self.worse($1, $0) } }
        return Self.stableSortByScoreDescending(heap)
    }

    /// An unsigned key whose ascending order is descending score order.
    @inline(__always) static func descendingKey(_ score: Double) -> UInt64 {
        let bits = score.bitPattern
        let ascending = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        return ~ascending
    }

    static func stableSortByScoreDescending(_ entries: [Entry]) -> [Entry] {
        if entries.count < 48 {
            var out = entries
            for i in 1..<max(1, out.count) {   // insertion sort: stable
                let e = out[i]
                var j = i
                while j > 0 && out[j - 1].score < e.score { out[j] = out[j - 1]; j -= 1 }
                out[j] = e
            }
            return out
        }
        var keys = entries.map { descendingKey($0.score) }
        var order = Array(0..<entries.count)
        var nextKeys = keys, nextOrder = order
        var counts = [Int](repeating: 0, count: 257)
        for pass in 0..<8 {
            let shift = UInt64(pass * 8)
            // Skip a pass whose byte is the same for every key (common: scores share high bytes).
            let first = (keys[0] >> shift) & 0xFF
            if keys.allSatisfy({ ($0 >> shift) & 0xFF == first }) { continue }
            for k in counts.indices { counts[k] = 0 }
            for key in keys { counts[Int((key >> shift) & 0xFF) + 1] += 1 }
            for k in 1..<257 { counts[k] += counts[k - 1] }
            for (i, key) in keys.enumerated() {
                let b = Int((key >> shift) & 0xFF)
                nextKeys[counts[b]] = key
                nextOrder[counts[b]] = order[i]
                counts[b] += 1
            }
            swap(&keys, &nextKeys)
            swap(&order, &nextOrder)
        }
        return order.map { entries[$0] }
    }
}

