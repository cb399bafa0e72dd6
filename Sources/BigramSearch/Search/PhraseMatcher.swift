/// Finds the documents of one field where a phrase occurs, and how often (the exactness rule, BigramSearch.docc/TheContract.md).
///
/// Candidates come from a leapfrog intersection of the elements' document lists (rarest first,
/// skipping with ``PostingsCursor/advance(to:)``); positions are read only for candidates, and a
/// candidate matches when every element occurs at `base + offset` for some base position.
struct PhraseMatcher {
    let field: FieldIndex
    let elements: [ResolvedElement]
    /// Polled every few hundred documents; when it says stop, matching ends early (the caller
    /// then throws, so partial results are never returned).
    let interrupt: SearchInterrupt?

    /// Matching documents (ascending) and the phrase's frequency in each. `accept` filters
    /// documents (deletions, the other clauses of an AND) before any position is read. When the
    /// postings are found damaged, `damage` says how (and the documents are incomplete: the
    /// caller must fail).
    func matches(accept: (UInt32) -> Bool) -> (docs: [UInt32], freqs: [UInt32], damage: PostingsDamage) {
        var docs: [UInt32] = [], freqs: [UInt32] = []
        if let damaged = elements.first(where: { $0.damage != .none }) { return ([], [], damaged.damage) }
        if elements.isEmpty || elements.contains(where: { $0.entries.isEmpty }) { return ([], [], .none) }
        if elements.count == 1 {
            let e = elements[0]
            if e.entries.count == 1 {
                var c = field.cursor(e.entries[0])
                var n = 0
                while c.doc != PostingsCursor.exhausted {
                    if accept(c.doc) { docs.append(c.doc); freqs.append(UInt32(c.freq)) }
                    c.next()
                    n &+= 1
                    if n & 1023 == 0, interrupt?.shouldStop() == true { break }
                }
                if c.isDamaged { return (docs, freqs, c.damage) }
            } else {
                for (k, d) in e.unionDocs.enumerated() where accept(d) {
                    docs.append(d); freqs.append(e.unionFreqs[k])
                    if k & 1023 == 1023, interrupt?.shouldStop() == true { break }
                }
            }
            return (docs, freqs, .none)
        }
        return intersection(accept: accept)
    }

    /// ``matches(accept:)`` for two elements or more: a leapfrog intersection, then positions.
    /// (A function of its own so that the one-element loops above stay small enough for `accept`
    /// to be inlined into them.)
    private func intersection(accept: (UInt32) -> Bool) -> (docs: [UInt32], freqs: [UInt32], damage: PostingsDamage) {
        var docs: [UInt32] = [], freqs: [UInt32] = []
        var sources = elements.enumerated().map { Source(element: $0.element, index: $0.offset, field: field) }
        sources.sort { $0.cost < $1.cost }
        var members: [[PostingsCursor]] = elements.map { e in e.entries.count > 1 ? e.entries.map(field.cursor) : [] }
        var positions = [[UInt32]](repeating: [], count: elements.count)
        let offsets = elements.map(\.offset)   // (once, not per candidate)
        var target: UInt32 = 0
        var candidates = 0
        var damage = PostingsDamage.none
        outer: while true {
            candidates &+= 1
            if candidates & 255 == 0, interrupt?.shouldStop() == true { break }
            var k = 0
            while k < sources.count {
                guard let d = sources[k].advance(to: target) else { break outer }
                if d > target { target = d; k = 0; continue }
                k += 1
            }
            let doc = target
            if accept(doc) {
                for s in sources.indices {
                    let e = sources[s].element
                    positions[e].removeAll(keepingCapacity: true)
                    guard sources[s].positions(doc: doc, members: &members[e], into: &positions[e]) else {
                        damage = .position
                        break outer
                    }
                }
                let f = Self.countMatches(positions, offsets: offsets)
                if f > 0 { docs.append(doc); freqs.append(UInt32(f)) }
            }
            if target == UInt32.max - 1 { break }
            target += 1
        }
        if damage == .none {
            // A damaged cursor stops as if exhausted: tell the caller.
            if let c = sources.first(where: { $0.cursor.isDamaged }) { damage = c.cursor.damage }
            if let m = members.joined().first(where: \.isDamaged) { damage = m.damage }
        }
        return (docs, freqs, damage)
    }

    /// The number of base positions `b` such that every element `e` has position `b + offsets[e]`.
    static func countMatches(_ positions: [[UInt32]], offsets: [Int]) -> Int {
        var anchor = 0
        for e in positions.indices where positions[e].count < positions[anchor].count { anchor = e }
        var count = 0
        for p in positions[anchor] {
            let base = Int(p) - offsets[anchor]
            if base < 0 { continue }
            var all = true
            for e in positions.indices where e != anchor {
                if !Self.contains(positions[e], base + offsets[e]) { all = false; break }
            }
            if all { count += 1 }
        }
        return count
    }

    @inline(__always)
    static func contains(_ sorted: [UInt32], _ value: Int) -> Bool {
        guard value >= 0 && value <= Int(UInt32.max) else { return false }
        return index(of: UInt32(value), in: sorted) != nil
    }

    /// The index of `v` in `sorted` (ascending), by binary search.
    @inline(__always)
    static func index(of v: UInt32, in sorted: [UInt32]) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == v ? lo : nil
    }

    /// A document list to intersect: one term's postings or a materialized union.
    private struct Source {
        let element: Int
        let cost: Int
        /// The term's postings (an empty cursor for a union).
        var cursor: PostingsCursor
        let isUnion: Bool
        let union: [UInt32]
        var unionIndex = 0

        init(element e: ResolvedElement, index: Int, field: FieldIndex) {
            element = index
            cost = e.documentFrequency
            if e.entries.count == 1 {
                cursor = field.cursor(e.entries[0])
                isUnion = false
                union = []
            } else {
                cursor = PostingsCursor()
                isUnion = true
                union = e.unionDocs
            }
        }

        /// The first document ≥ target, or nil when exhausted.
        mutating func advance(to target: UInt32) -> UInt32? {
            if !isUnion {
                guard cursor.advance(to: target) else { return nil }
                return cursor.doc
            }
            // Galloping search in the union list.
            var step = 1
            var hi = unionIndex
            while hi < union.count && union[hi] < target { unionIndex = hi; hi += step; step <<= 1 }
            hi = min(hi, union.count)
            var lo = unionIndex
            while lo < hi {
                let mid = (lo + hi) >> 1
                if union[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            unionIndex = lo
            return lo < union.count ? union[lo] : nil
        }

        /// False when the positions are damaged. (Mutating only so that calling it on an element
        /// of an array works in place: a non-mutating call would copy the source, retaining the
        /// buffers its cursor holds.)
        mutating func positions(doc: UInt32, members: inout [PostingsCursor], into out: inout [UInt32]) -> Bool {
            if !isUnion { return cursor.positions(into: &out) }
            for m in members.indices where members[m].advance(to: doc) && members[m].doc == doc {
                guard members[m].positions(into: &out) else { return false }
            }
            out.sort()
            return true
        }
    }
}
