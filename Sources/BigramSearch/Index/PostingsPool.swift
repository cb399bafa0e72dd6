/// Growing per-term streams of `UInt32` kept in one flat buffer, as chains of slices (the way
/// Lucene's in-memory postings work): no array per term, so recording a term occurrence is a few
/// loads and stores, and memory is ~4 bytes per value plus one link per slice.
///
/// A term's first slice holds 3 values; each further slice is about twice the previous one (up to
/// 1,023 values). The last slot of every slice links to the next. Each stream holds, per
/// document, `doc, freq, positions…`.
///
/// The values live in a ``GrowableBuffer`` (a class, in Storage/ByteBuffer.swift with the library's
/// other manually managed memory): a pool is owned by one builder and never copied while in use.
struct PostingsPool {
    private struct Stream {
        var head: UInt32
        var write: UInt32
        var limit: UInt32
        var level: UInt32
        var lastDoc: UInt32
        var freqSlot: UInt32
        var lastPosition: UInt32
    }

    private let values: GrowableBuffer
    private var streams: [Stream] = []

    /// An empty pool; its values' blocks come from `recycler` (a writer's, or none kept).
    init(recycler: BlockRecycler = .keepingNone) { values = GrowableBuffer(recycler: recycler) }

    private static let sizes: [UInt32] = [4, 8, 16, 32, 64, 128, 256, 512, 1024]

    var byteCount: Int { values.count * 4 + streams.count * MemoryLayout<Stream>.stride }

    /// Starts a new empty stream; returns its number.
    mutating func makeStream() -> Int {
        let start = values.grow(by: Int(Self.sizes[0]))
        streams.append(Stream(head: start, write: start, limit: start + Self.sizes[0] - 1, level: 0,
                              lastDoc: UInt32.max, freqSlot: 0, lastPosition: 0))
        return streams.count - 1
    }

    /// Records that stream `s` occurs in document `doc` (≥ any earlier doc) at `position`
    /// (≥ any earlier position in that document; a repeated position is ignored).
    @inline(__always)
    mutating func record(_ s: Int, doc: UInt32, position: UInt32) {
        var st = streams[s]
        if st.lastDoc != doc {
            st.lastDoc = doc
            append(doc, &st)
            st.freqSlot = append(1, &st)
        } else {
            if st.lastPosition == position { return }
            values[Int(st.freqSlot)] &+= 1
        }
        append(position, &st)
        st.lastPosition = position
        streams[s] = st
    }

    @inline(__always) @discardableResult
    private func append(_ value: UInt32, _ st: inout Stream) -> UInt32 {
        var w = st.write
        if w == st.limit {
            let next = min(Int(st.level) + 1, Self.sizes.count - 1)
            let start = values.grow(by: Int(Self.sizes[next]))
            values[Int(w)] = start
            w = start
            st.limit = start + Self.sizes[next] - 1
            st.level = UInt32(next)
        }
        values[Int(w)] = value
        st.write = w + 1
        return w
    }

    /// The values of stream `s` in order, into `out` (replacing its contents).
    func read(_ s: Int, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        let st = streams[s]
        var i = Int(st.head)
        var lvl = 0
        var end = i + Int(Self.sizes[0]) - 1
        let stop = Int(st.write)
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
