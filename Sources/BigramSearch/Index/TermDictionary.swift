/// Maps term keys (byte strings, see ``TermKey``) to their document frequency and postings offset.
///
/// Terms are sorted by their bytes and stored in blocks of ``blockSize`` with front coding
/// (docs/FORMAT.md §Dictionary):
/// ```
/// entry:  shared varint, suffixLength varint, suffix bytes, docFrequency varint, postingsDelta varint
/// ```
/// `shared` is the length of the prefix shared with the previous key of the block (0 for a block's
/// first key), `postingsDelta` the postings offset minus the previous entry's (absolute for a
/// block's first entry). A separate table gives each block's byte offset; a lookup binary-searches
/// the blocks' first keys and scans one block.
struct TermDictionary: Sendable {
    static let blockSize = 32

    let entries: ByteBuffer
    /// Byte offset of each block in `entries` (u32 little-endian).
    let blockOffsets: ByteBuffer
    let termCount: Int

    var blockCount: Int { blockOffsets.count / 4 }

    /// One dictionary entry.
    struct Entry: Sendable {
        var key: [UInt8]
        var docFrequency: Int
        var postingsOffset: Int
    }

    /// Builds a dictionary from entries sorted by key.
    static func build(_ sorted: [Entry]) -> (entries: [UInt8], blockOffsets: [UInt8]) {
        var w = ByteWriter()
        var offsets = ByteWriter()
        var previous: [UInt8] = []
        var previousPostings = 0
        for (i, e) in sorted.enumerated() {
            var shared = 0
            if i % blockSize == 0 {
                offsets.uint32(UInt32(w.count))
                previousPostings = 0
            } else {
                let limit = min(previous.count, e.key.count)
                while shared < limit && previous[shared] == e.key[shared] { shared += 1 }
            }
            w.varint(UInt64(shared))
            w.varint(UInt64(e.key.count - shared))
            w.bytes.append(contentsOf: e.key[shared...])
            w.varint(UInt64(e.docFrequency))
            w.varint(UInt64(e.postingsOffset - previousPostings))
            previous = e.key
            previousPostings = e.postingsOffset
        }
        return (w.bytes, offsets.bytes)
    }

    /// Reads entries in order, from the start of a block.
    struct Iterator: IteratorProtocol {
        let dictionary: TermDictionary
        private var block: Int
        private var indexInBlock = 0
        private var reader: ByteReader
        private var key: [UInt8] = []
        private var postings = 0
        private(set) var ordinal: Int

        init(_ dictionary: TermDictionary, block: Int) {
            self.dictionary = dictionary
            self.block = block
            ordinal = block * TermDictionary.blockSize
            reader = ByteReader(dictionary.entries, offset: dictionary.blockStart(block))
        }

        mutating func next() -> Entry? {
            guard ordinal < dictionary.termCount else { return nil }
            if indexInBlock == TermDictionary.blockSize {
                block += 1
                indexInBlock = 0
                reader.offset = dictionary.blockStart(block)
            }
            if indexInBlock == 0 { postings = 0 }
            let shared = Int(clamping: reader.varint())
            let suffix = Int(clamping: reader.varint())
            key.removeLast(max(0, key.count - min(shared, key.count)))
            let end = min(reader.offset + suffix, dictionary.entries.count)
            key.append(contentsOf: dictionary.entries.array(min(reader.offset, end)..<end))
            reader.offset = end
            let df = Int(clamping: reader.varint())
            postings += Int(clamping: reader.varint())
            indexInBlock += 1
            ordinal += 1
            return Entry(key: key, docFrequency: df, postingsOffset: postings)
        }
    }

    private func blockStart(_ b: Int) -> Int {
        b < blockCount ? Int(blockOffsets.uint32(at: 4 * b)) : entries.count
    }

    /// The first key of block `b`.
    private func firstKey(of b: Int) -> (offset: Int, length: Int) {
        var r = ByteReader(entries, offset: blockStart(b))
        _ = r.varint()
        let length = Int(clamping: r.varint())
        return (r.offset, max(0, min(length, entries.count - r.offset)))
    }

    /// The block whose range could hold `key` (the last block whose first key ≤ key), or nil.
    private func block(for key: [UInt8]) -> Int? {
        var lo = 0, hi = blockCount   // find first block with firstKey > key
        while lo < hi {
            let mid = (lo + hi) / 2
            let (o, l) = firstKey(of: mid)
            if entries.compare(at: o, length: l, with: key) <= 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// The entry for `key`, if the dictionary has it.
    ///
    /// - Complexity: O(log(n / 32) + 32) key comparisons.
    func lookup(_ key: [UInt8]) -> Entry? {
        guard let b = block(for: key) else { return nil }
        var it = Iterator(self, block: b)
        for _ in 0..<TermDictionary.blockSize {
            guard let e = it.next() else { return nil }
            if e.key == key { return e }
            if lexicographicallyPrecedes(key, e.key) { return nil }
        }
        return nil
    }

    /// Calls `body` for every entry whose key starts with `prefix`, in key order.
    func forEach(withPrefix prefix: [UInt8], _ body: (Entry) -> Void) {
        var it = Iterator(self, block: block(for: prefix) ?? 0)
        while let e = it.next() {
            if e.key.starts(with: prefix) { body(e); continue }
            if lexicographicallyPrecedes(prefix, e.key) { return }
        }
    }

    private func lexicographicallyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
