/// Growing per-term streams of `UInt32` kept in one flat array, as chains of slices (the way
/// Lucene's in-memory postings work): no array per term, so appending is a few loads and stores
/// and memory is ~4 bytes per value plus one link per slice.
///
/// A term's first slice holds 3 values; each further slice is about twice the previous one (up to
/// 1,023 values). The last slot of every slice links to the next.
struct PostingsPool {
    private(set) var values: [UInt32] = []
    private var head: [UInt32] = []
    private var write: [UInt32] = []
    private var limit: [UInt32] = []
    private var level: [UInt8] = []

    private static let sizes: [UInt32] = [4, 8, 16, 32, 64, 128, 256, 512, 1024]

    var streamCount: Int { head.count }
    var byteCount: Int { values.capacity * 4 + head.count * 13 }

    /// Starts a new empty stream; returns its number.
    mutating func makeStream() -> Int {
        let start = UInt32(values.count)
        values.append(contentsOf: repeatElement(0, count: Int(Self.sizes[0])))
        head.append(start)
        write.append(start)
        limit.append(start + Self.sizes[0] - 1)
        level.append(0)
        return head.count - 1
    }

    /// Appends `value` to stream `s`; returns the index of the slot it went to.
    @inline(__always) @discardableResult
    mutating func append(_ value: UInt32, to s: Int) -> Int {
        var w = write[s]
        if w == limit[s] {
            let next = min(Int(level[s]) + 1, Self.sizes.count - 1)
            let start = UInt32(values.count)
            values.append(contentsOf: repeatElement(0, count: Int(Self.sizes[next])))
            values[Int(w)] = start
            w = start
            limit[s] = start + Self.sizes[next] - 1
            level[s] = UInt8(next)
        }
        values[Int(w)] = value
        write[s] = w + 1
        return Int(w)
    }

    @inline(__always) mutating func add(_ delta: UInt32, at slot: Int) { values[slot] &+= delta }
    @inline(__always) func value(at slot: Int) -> UInt32 { values[slot] }

    /// The values of stream `s` in order, into `out` (replacing its contents).
    func read(_ s: Int, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var i = Int(head[s])
        var lvl = 0
        var end = i + Int(Self.sizes[0]) - 1
        let stop = Int(write[s])
        while i != stop {
            if i == end {
                i = Int(values[i])
                lvl = min(lvl + 1, Self.sizes.count - 1)
                end = i + Int(Self.sizes[lvl]) - 1
                continue
            }
            out.append(values[i])
            i += 1
        }
    }
}
