/// Collects the postings of one field while documents are added, then freezes them into the
/// compact, immutable ``FieldIndex``.
///
/// Term ids are assigned on first sight (a CJK term by its 64-bit key, so no `String` is built per
/// term). Each term keeps one growing stream of `doc, freq, positions…`.
struct FieldPostingsBuilder: TokenSink {
    private var cjkIDs: [UInt64: Int32] = [:]
    private var wordIDs: [[UInt8]: Int32] = [:]
    private var keys: [TermKey] = []
    private var streams: [[UInt32]] = []
    /// Position count of each document's field: BM25's length, and the bound of its positions.
    private(set) var lengths: [UInt32] = []
    private var totalLength: UInt64 = 0

    // The document being analyzed: (term id << 32 | position) per term.
    private var current: [UInt64] = []
    private var currentLength: UInt32 = 0

    var documentCount: Int { lengths.count }

    /// Approximate bytes held, for flushing by a memory budget.
    var estimatedBytes: Int {
        streams.count * 48 + streams.reduce(0) { $0 + $1.capacity * 4 } + keys.count * 40
    }

    mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
        record(cjk: key, position: position)
    }

    mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {
        record(cjk: TermKey.runEnd(character), position: position)
    }

    @inline(__always)
    private mutating func record(cjk key: UInt64, position: Int) {
        let id: Int32
        if let existing = cjkIDs[key] {
            id = existing
        } else {
            id = Int32(keys.count)
            cjkIDs[key] = id
            keys.append(.cjk(key))
            streams.append([])
        }
        current.append(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(UInt32(truncatingIfNeeded: position)))
        currentLength = max(currentLength, UInt32(truncatingIfNeeded: position) &+ 1)
    }

    mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
        let id: Int32
        let word = copy utf8   // a retain, not a copy of the bytes
        if let existing = wordIDs[word] {
            id = existing
        } else {
            id = Int32(keys.count)
            wordIDs[word] = id
            keys.append(.word(word))
            streams.append([])
        }
        current.append(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(UInt32(truncatingIfNeeded: position)))
        currentLength = max(currentLength, UInt32(truncatingIfNeeded: position) &+ 1)
    }

    /// Adds the terms of a term list from any ``Analyzer``.
    mutating func add(tokens: [Token]) {
        for t in tokens {
            switch TermKey(term: t.term) {
            case .cjk(let k): cjkTerm(k, position: t.position, utf8Start: 0, utf8End: 0)
            case .word(let w): wordTerm(w, position: t.position, utf8Start: 0, utf8End: 0)
            }
        }
    }

    /// Ends the current document (number `doc`, counted from 0 in this builder).
    mutating func finishDocument(_ doc: UInt32) {
        current.sort()
        var i = 0
        while i < current.count {
            let id = Int(current[i] >> 32)
            var j = i
            while j < current.count && current[j] >> 32 == current[i] >> 32 { j += 1 }
            streams[id].append(doc)
            // Two terms can share a position only with a user analyzer; keep distinct positions.
            var positions: [UInt32] = []
            positions.reserveCapacity(j - i)
            for k in i..<j {
                let p = UInt32(truncatingIfNeeded: current[k])
                if positions.last != p { positions.append(p) }
            }
            streams[id].append(UInt32(positions.count))
            streams[id].append(contentsOf: positions)
            i = j
        }
        current.removeAll(keepingCapacity: true)
        lengths.append(currentLength)
        totalLength += UInt64(currentLength)
        currentLength = 0
    }

    /// Encodes everything into an immutable field index. Documents listed in `dropped` (by number
    /// in this builder) are left out and the rest renumbered by `newNumber`.
    func freeze() -> FieldIndex {
        var order = keys.indices.map { (bytes: keys[$0].bytes, id: $0) }
        order.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var postings = ByteWriter()
        var entries: [(key: [UInt8], entry: TermDictionary.Entry)] = []
        entries.reserveCapacity(order.count)
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = []
        for (bytes, id) in order {
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            let s = streams[id]
            var i = 0
            while i < s.count {
                let f = Int(s[i + 1])
                docs.append(s[i]); freqs.append(UInt32(f))
                positions.append(contentsOf: s[(i + 2)..<(i + 2 + f)])
                i += 2 + f
            }
            let offset = postings.count
            PostingsEncoding.encode(docs: docs, freqs: freqs, positions: positions,
                                    lengths: { lengths[Int($0)] }, into: &postings)
            entries.append((bytes, .init(docFrequency: docs.count, postingsOffset: offset)))
        }
        postings.padTail()
        let dict = TermDictionary.build(entries)
        return FieldIndex(
            dictionary: TermDictionary(entries: ByteBuffer(dict.entries), blockOffsets: ByteBuffer(dict.blockOffsets),
                                       termCount: entries.count),
            postings: ByteBuffer(postings.bytes),
            lengths: FieldLengths(bytes: ByteBuffer(lengths.flatMap { v in withUnsafeBytes(of: v.littleEndian, Array.init) })),
            totalLength: totalLength)
    }
}
