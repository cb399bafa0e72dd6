/// Collects the postings of one field while documents are added, then freezes them into the
/// compact, immutable ``FieldIndex``.
///
/// Term ids are assigned on first sight (a CJK term by its 64-bit key, so no `String` is built per
/// term). Each term keeps one growing stream of `doc, freq, positions…`.
struct FieldPostingsBuilder: TokenSink {
    private var cjkIDs = CJKTermIDs()
    private var wordIDs = WordTermIDs()
    private var keys: [TermKey] = []
    /// Per term: `doc, freq, positions…` for each document containing it.
    private var pool: PostingsPool
    /// Position count of each document's field: BM25's length, and the bound of its positions.
    private(set) var lengths = FieldLengthsBuilder()
    private var totalLength: UInt64 = 0
    private var currentLength: UInt32 = 0

    // Chunk marks of the current document (only for stored texts longer than a chunk): the UTF-8
    // starts of its chunks after the first, and the first position of each chunk passed so far.
    private var chunkStarts: [Int] = []
    private var nextChunkStart = Int.max
    private var chunkPositions: [UInt32] = []

    /// An empty builder; the postings' memory blocks come from `recycler` (a writer's, or none kept).
    init(recycler: BlockRecycler = .keepingNone) { pool = PostingsPool(recycler: recycler) }

    var documentCount: Int { lengths.count }
    private var currentDoc: UInt32 { UInt32(lengths.count) }

    /// Approximate bytes held, for flushing by a memory budget.
    var estimatedBytes: Int { pool.byteCount + keys.count * 64 }

    mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
        if utf8Start >= nextChunkStart { passChunks(utf8Start, position) }
        let (id, inserted) = cjkIDs.id(for: key, newID: Int32(keys.count))
        if inserted { newTerm(.cjk(key)) }
        record(id, position)
    }

    mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {
        cjkTerm(TermKey.runEnd(character), position: position, utf8Start: utf8Start, utf8End: utf8End)
    }

    mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
        if utf8Start >= nextChunkStart { passChunks(utf8Start, position) }
        let (id, inserted) = wordIDs.id(for: utf8, newID: Int32(keys.count))
        if inserted { newTerm(.word(copy utf8)) }
        record(id, position)
    }

    /// Asks for the first position of each chunk of the next document's text, cut at `starts`
    /// (``StoredTable/chunkStarts(_:)``; call before analyzing it, then ``takeChunkPositions()``).
    mutating func markChunks(_ starts: [Int]) {
        chunkStarts = Array(starts.dropFirst().dropLast())
        chunkPositions = [0]
        nextChunkStart = chunkStarts.first ?? Int.max
    }

    /// A term starting at `utf8Start` at `position` passed the start of one or more chunks.
    private mutating func passChunks(_ utf8Start: Int, _ position: Int) {
        let p = UInt32(truncatingIfNeeded: position)
        while chunkPositions.count - 1 < chunkStarts.count && chunkStarts[chunkPositions.count - 1] <= utf8Start {
            chunkPositions.append(p)
        }
        nextChunkStart = chunkPositions.count - 1 < chunkStarts.count ? chunkStarts[chunkPositions.count - 1] : Int.max
    }

    /// The first position of each chunk of the document just finished, and its position count
    /// last (empty when ``markChunks(_:)`` was not called for it).
    mutating func takeChunkPositions() -> [UInt32] {
        defer { chunkPositions = []; chunkStarts = []; nextChunkStart = Int.max }
        return chunkPositions
    }

    private mutating func newTerm(_ key: TermKey) {
        keys.append(key)
        _ = pool.makeStream()
    }

    /// Appends a position of term `id` in the current document. Positions arrive in order.
    @inline(__always)
    private mutating func record(_ id: Int32, _ position: Int) {
        let p = UInt32(truncatingIfNeeded: position)
        pool.record(Int(id), doc: currentDoc, position: p)
        currentLength = max(currentLength, p &+ 1)
    }

    /// Adds the terms of a term list from any ``Analyzer`` (sorted by position first).
    mutating func add(tokens: [Token]) {
        for t in tokens.sorted(by: { $0.position < $1.position }) where t.position >= 0 {
            switch TermKey(term: t.term) {
            case .cjk(let k): cjkTerm(k, position: t.position, utf8Start: t.utf8Range.lowerBound, utf8End: t.utf8Range.upperBound)
            case .word(let w): wordTerm(w, position: t.position, utf8Start: t.utf8Range.lowerBound, utf8End: t.utf8Range.upperBound)
            }
        }
    }

    /// Ends the current document.
    mutating func finishDocument() {
        if !chunkPositions.isEmpty {
            // Chunks in which no term starts take the position the next term would have.
            while chunkPositions.count - 1 < chunkStarts.count { chunkPositions.append(currentLength) }
            chunkPositions.append(currentLength)
            nextChunkStart = Int.max
        }
        lengths.append(currentLength)
        totalLength += UInt64(currentLength)
        currentLength = 0
    }

    /// Encodes every document added so far into an immutable field index: terms sorted by their
    /// bytes, each term's postings in document order. (Deleted documents stay in: a writer's
    /// deletions drop them when segments are merged.)
    func freeze() -> FieldIndex {
        // CJK keys sort as integers (their byte order equals their numeric order); words as bytes;
        // then the two sorted lists are merged by bytes.
        var cjk: [(key: UInt64, id: Int)] = [], words: [(bytes: [UInt8], id: Int)] = []
        for (id, k) in keys.enumerated() {
            switch k {
            case .cjk(let key): cjk.append((key, id))
            case .word(let w): words.append((w, id))
            }
        }
        cjk.sort { $0.key < $1.key }
        words.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var order: [(bytes: [UInt8], id: Int)] = []
        order.reserveCapacity(keys.count)
        var ci = 0, wi = 0
        while ci < cjk.count || wi < words.count {
            if wi < words.count {
                if ci < cjk.count {
                    let c = TermKey.bytes(ofCJK: cjk[ci].key)
                    if c.lexicographicallyPrecedes(words[wi].bytes) { order.append((c, cjk[ci].id)); ci += 1 } else { order.append(words[wi]); wi += 1 }
                } else {
                    order.append(words[wi]); wi += 1
                }
            } else {
                order.append((TermKey.bytes(ofCJK: cjk[ci].key), cjk[ci].id)); ci += 1
            }
        }
        // Each term's postings are encoded in id order, the order in which the pool's slices were
        // handed out, so the pool is read nearly front to back (in key order every term's slices
        // were a cache miss or more: two thirds of the freeze), then copied in key order (one
        // contiguous run per term). The encoding holds no absolute offset, so it moves as bytes.
        var encoded = ByteWriter()
        var ends = [Int](repeating: 0, count: keys.count)
        var documentCounts = [Int32](repeating: 0, count: keys.count)
        var stream: [UInt32] = []
        var scratch = PostingsEncoding.Scratch()
        for id in 0..<keys.count {
            pool.read(id, into: &stream)
            var documents = 0, i = 0
            while i < stream.count { documents += 1; i += 2 + Int(stream[i + 1]) }
            PostingsEncoding.encode(stream: stream, documentCount: documents, lengths: lengths,
                                    scratch: &scratch, into: &encoded)
            ends[id] = encoded.count
            documentCounts[id] = Int32(documents)
        }
        var postings = ByteWriter()
        postings.bytes.reserveCapacity(encoded.count + ByteWriter.tailPadding)
        var dictionary = TermDictionary.Builder()
        encoded.bytes.withUnsafeBufferPointer { all in
            for (bytes, id) in order {
                let offset = postings.count
                postings.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[(id == 0 ? 0 : ends[id - 1])..<ends[id]]))
                dictionary.append(bytes, .init(docFrequency: Int(documentCounts[id]), postingsOffset: offset))
            }
        }
        return FieldIndex.build(dictionary: dictionary, postings: postings, lengths: lengths, totalLength: totalLength)
    }
}
