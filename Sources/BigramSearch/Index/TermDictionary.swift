/// Maps term keys (byte strings, see ``TermKey``) to their document frequency and postings offset.
///
/// Terms are sorted by their bytes and stored in blocks of ``blockSize`` with front coding
/// (docs/FORMAT.md §Dictionary):
/// ```
/// entry:  lengths, suffix bytes, docFrequency varint, postingsDelta varint
/// lengths: one byte `shared << 4 | suffixLength` when shared ≤ 14 and suffixLength ≤ 15,
///          else 0xF0 followed by shared varint, suffixLength varint
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
    /// The checksum of `entries` when mapped from a file with chunk checksums (format 4 on): then
    /// the dictionary is verified around each lookup (``checkedLocate(_:)``), not whole on first
    /// use. Nil in memory, and for older files (verified whole, ``Segment/verifyField(_:)``).
    let entriesCheck: SectionChecksum?

    init(entries: ByteBuffer, blockOffsets: ByteBuffer, termCount: Int, entriesCheck: SectionChecksum? = nil) {
        self.entries = entries
        self.blockOffsets = blockOffsets
        self.termCount = termCount
        self.entriesCheck = entriesCheck.flatMap { $0.hasChunks ? $0 : nil }
    }

    var blockCount: Int { blockOffsets.count / 4 }

    /// What the dictionary knows of one term.
    struct Entry: Sendable, Hashable {
        var docFrequency: Int
        var postingsOffset: Int
    }

    /// Builds a dictionary from entries sorted by key.
    static func build(_ sorted: [(key: [UInt8], entry: Entry)]) -> (entries: [UInt8], blockOffsets: [UInt8]) {
        var builder = Builder()
        for (key, e) in sorted { builder.append(key, e) }
        return builder.finish()
    }

    /// Writes a dictionary entry by entry, keys in ascending order, keeping only the previous key
    /// (a merge streams its terms here instead of holding every key as an array of its own).
    struct Builder {
        private var w = ByteWriter()
        private var offsets = ByteWriter()
        private var previous: [UInt8] = []
        private var previousPostings = 0
        /// Entries appended.
        private(set) var count = 0

        /// Appends the entry of `key`, which must follow the previous key.
        mutating func append<Key: Collection<UInt8>>(_ key: Key, _ e: Entry) {
            var shared = 0
            if count % TermDictionary.blockSize == 0 {
                offsets.uint32(UInt32(w.count))
                previousPostings = 0
            } else {
                for (a, b) in zip(previous, key) {
                    guard a == b else { break }
                    shared += 1
                }
            }
            let suffix = key.count - shared
            if shared <= 14 && suffix <= 15 {
                w.byte(UInt8(shared << 4 | suffix))
            } else {
                w.byte(0xF0)
                w.varint(UInt64(shared))
                w.varint(UInt64(suffix))
            }
            w.bytes.append(contentsOf: key.dropFirst(shared))
            w.varint(UInt64(e.docFrequency))
            w.varint(UInt64(e.postingsOffset - previousPostings))
            previous.removeAll(keepingCapacity: true)
            previous.append(contentsOf: key)
            previousPostings = e.postingsOffset
            count += 1
        }

        /// The entries and the block offsets (docs/FORMAT.md §Dictionary).
        func finish() -> (entries: [UInt8], blockOffsets: [UInt8]) { (w.bytes, offsets.bytes) }
    }

    /// Reads entries in order, from the start of a block. ``key`` is the current entry's key.
    struct Iterator {
        let dictionary: TermDictionary
        private var block: Int
        private var indexInBlock = 0
        private var reader: ByteReader
        private(set) var key: [UInt8] = []
        private var postings = 0
        private(set) var ordinal: Int
        /// Where the next entry starts in the entries (for ``Segment/checkStructure()``).
        var entryOffset: Int { reader.offset }
        /// Whether the next entry starts a block.
        var atBlockStart: Bool { indexInBlock == 0 || indexInBlock == TermDictionary.blockSize }

        init(_ dictionary: TermDictionary, block: Int) {
            self.dictionary = dictionary
            self.block = block
            ordinal = block * TermDictionary.blockSize
            reader = ByteReader(dictionary.entries, offset: dictionary.blockStart(block))
        }

        @inline(__always)
        mutating func next() -> Entry? {
            guard ordinal < dictionary.termCount else { return nil }
            if indexInBlock == TermDictionary.blockSize {
                block += 1
                indexInBlock = 0
                reader.offset = dictionary.blockStart(block)
            }
            if indexInBlock == 0 { postings = 0 }
            let (shared, suffix) = TermDictionary.lengths(&reader)
            key.removeLast(max(0, key.count - min(shared, key.count)))
            // Lengths from a damaged file are clamped (``lengths(_:)``) and offsets wrap: never
            // an overflow or a read outside the entries (``FieldIndex/isPlausible(_:)`` rejects
            // the offsets they lead to).
            let end = min(reader.offset + suffix, dictionary.entries.count)
            var k = reader.offset
            while k < end { key.append(dictionary.entries[k]); k += 1 }
            reader.offset = max(reader.offset, end)
            let df = Int(clamping: reader.varint())
            postings &+= Int(clamping: reader.varint())
            indexInBlock += 1
            ordinal += 1
            return Entry(docFrequency: df, postingsOffset: postings)
        }
    }

    static func lengths(_ r: inout ByteReader) -> (shared: Int, suffix: Int) {
        let b = r.byte()
        if b >> 4 != 15 { return (Int(b >> 4), Int(b & 15)) }
        // (At most 2^32: an offset plus a length never overflows.)
        return (Int(min(r.varint(), 1 << 32)), Int(min(r.varint(), 1 << 32)))
    }

    func blockStart(_ b: Int) -> Int {
        b < blockCount ? Int(blockOffsets.uint32(at: 4 * b)) : entries.count
    }

    /// The first key of block `b`.
    func firstKey(of b: Int) -> (offset: Int, length: Int) {
        var r = ByteReader(entries, offset: blockStart(b))
        let length = TermDictionary.lengths(&r).suffix
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
    /// The block is scanned in its front-coded form, keys never rebuilt: with `m` the length of
    /// the prefix `key` shares with the previous entry (which is below `key`), an entry sharing
    /// more than `m` bytes with its predecessor is below `key` too (skipped unread), one sharing
    /// fewer is above it (the scan stops), and only one sharing exactly `m` has its suffix
    /// compared. On a damaged block (keys out of order) the result is some entry or nil, never
    /// a trap: the caller checks an entry's plausibility before using it.
    ///
    /// - Complexity: O(log(n / 32)) first-key comparisons, then one pass over at most one block,
    ///   comparing only suffix bytes.
    func lookup(_ key: [UInt8]) -> Entry? { locate(key)?.entry }

    /// The entry for `key` (see ``lookup(_:)``) and where its postings end: the next term's
    /// postings offset, or nil for the last term (its postings end with the section). Terms'
    /// postings follow one another in key order, so this is the range a search reads (and
    /// verifies the checksums of) for the term.
    func locate(_ key: [UInt8]) -> (entry: Entry, postingsEnd: Int?)? {
        guard let b = block(for: key) else { return nil }
        var reader = ByteReader(entries, offset: blockStart(b))
        let end = entries.count
        var postings = 0
        var previousLength = 0   // of the previous entry's key (as the iterator rebuilds it)
        var m = 0                // bytes `key` shares with the previous entry's key
        let inBlock = max(0, min(TermDictionary.blockSize, termCount - b * TermDictionary.blockSize))
        for i in 0..<inBlock {
            let (sharedField, suffix) = TermDictionary.lengths(&reader)
            let shared = min(sharedField, previousLength)
            let suffixStart = min(reader.offset, end)
            let suffixEnd = min(suffixStart + suffix, end)   // (clamped: a damaged length never reads past the entries)
            reader.offset = max(reader.offset, suffixEnd)
            let df = Int(clamping: reader.varint())
            postings &+= Int(clamping: reader.varint())
            previousLength = shared + (suffixEnd - suffixStart)
            if shared > m { continue }          // equal to the previous key past m: still below key
            if shared < m { return nil }        // above the previous key where it matched key: above key
            var k = suffixStart, j = m
            while k < suffixEnd && j < key.count && entries[k] == key[j] { k += 1; j += 1 }
            if k == suffixEnd {
                if j == key.count {
                    return (Entry(docFrequency: df, postingsOffset: postings),
                            i + 1 < inBlock ? postings &+ nextDelta(&reader) : firstPostings(of: b + 1))
                }
                m = j                           // a proper prefix of key: below it
            } else if j == key.count || entries[k] > key[j] {
                return nil                      // above key
            } else {
                m = j                           // below key, sharing j bytes with it
            }
        }
        return nil
    }

    /// ``locate(_:)`` checked: the checksums of the 64 KiB chunks of the entries it reads (the
    /// block scanned, the first keys of the blocks on either side and the entry after the key's),
    /// and that those first keys ascend around `key` — which, the dictionary being sorted, makes
    /// the block the binary search found the only one that can hold `key` whatever the first keys
    /// it compared on the way (read unverified) were. Damage there is reported, not answered
    /// from: `.checksum` (bytes changed since written) or `.dictionaryOrder` (keys out of order
    /// under valid checksums, as a hostile writer could make them). So a search reads and
    /// verifies kilobytes of a dictionary of megabytes; ``Segment/checkStructure()`` checks the
    /// whole order.
    ///
    /// - Complexity: that of ``locate(_:)``, plus the checksums of the chunks not verified before
    ///   (each once per opened segment).
    func checkedLocate(_ key: [UInt8]) -> (found: (entry: Entry, postingsEnd: Int?)?, damage: PostingsDamage) {
        guard let check = entriesCheck else { return (locate(key), .none) }
        let b = block(for: key)
        if let damage = checkAround(b, key: key, check) { return (nil, damage) }
        return b == nil ? (nil, .none) : (locate(key), .none)
    }

    /// ``forEach(withPrefix:_:)`` checked: the entries verified whole first (a prefix may run
    /// through many blocks), then the first keys around the starting block as in
    /// ``checkedLocate(_:)``. Returns the damage found (then `body` is not called).
    func checkedForEach(withPrefix prefix: [UInt8], _ body: (_ entry: Entry, _ postingsEnd: Int?) -> Void) -> PostingsDamage {
        if let check = entriesCheck {
            do { try check.verify() } catch { return .checksum }
            if let damage = checkAround(block(for: prefix), key: prefix, check) { return damage }
        }
        forEach(withPrefix: prefix, body)
        return .none
    }

    /// Verifies the chunks holding blocks `b − 1` to `b` and the first entry of `b + 1` (`b` nil:
    /// the first entry of block 0), then that their first keys ascend with `key` between `b`'s
    /// and `b + 1`'s (below block 0's when `b` is nil). Nil when all holds. Keys out of order
    /// there may come of damage where the binary search read unverified first keys: the whole
    /// section is verified then, so that such damage is reported as a checksum mismatch.
    private func checkAround(_ b: Int?, key: [UInt8], _ check: SectionChecksum) -> PostingsDamage? {
        guard let damage = checkAroundChunks(b, key: key, check) else { return nil }
        if damage == .dictionaryOrder, (try? check.verify()) == nil { return .checksum }
        return damage
    }

    private func checkAroundChunks(_ b: Int?, key: [UInt8], _ check: SectionChecksum) -> PostingsDamage? {
        guard blockCount > 0 else { return nil }
        let low = max(0, (b ?? 0) - 1), next = (b ?? -1) + 1
        // Up to the next block's first entry: its lengths first (then read), then its key and varints.
        let nextKey: (offset: Int, length: Int)?
        do {
            try check.verify(blockStart(low)..<min(entries.count, blockStart(next) + 21))
            nextKey = next < blockCount ? firstKey(of: next) : nil
            if let (o, l) = nextKey { try check.verify(o..<min(entries.count, o + l + 20)) }
        } catch { return .checksum }
        if let (o, l) = nextKey, entries.compare(at: o, length: l, with: key) <= 0 { return .dictionaryOrder }
        guard let b else { return nil }
        let (o, l) = firstKey(of: b)
        let mine = entries.array(o..<(o + l))
        guard !key.lexicographicallyPrecedes(mine) else { return .dictionaryOrder }
        if b > 0 {
            let (o, l) = firstKey(of: b - 1)
            guard entries.compare(at: o, length: l, with: mine) < 0 else { return .dictionaryOrder }
        }
        return nil
    }

    /// The postings delta of the entry at `reader` (its key skipped).
    private func nextDelta(_ reader: inout ByteReader) -> Int {
        let (_, suffix) = TermDictionary.lengths(&reader)
        reader.offset = min(reader.offset + suffix, entries.count)
        _ = reader.varint()
        return Int(clamping: reader.varint())
    }

    /// The postings offset of block `b`'s first entry; nil past the last block.
    private func firstPostings(of b: Int) -> Int? {
        guard b < blockCount, b * TermDictionary.blockSize < termCount else { return nil }
        var reader = ByteReader(entries, offset: blockStart(b))
        return nextDelta(&reader)   // (a block's first delta is absolute)
    }

    /// Calls `body` for every entry whose key starts with `prefix`, in key order, with where its
    /// postings end (see ``locate(_:)``).
    func forEach(withPrefix prefix: [UInt8], _ body: (_ entry: Entry, _ postingsEnd: Int?) -> Void) {
        var it = Iterator(self, block: block(for: prefix) ?? 0)
        var pending: Entry?
        while let e = it.next() {
            if let p = pending { body(p, e.postingsOffset); pending = nil }
            if it.key.starts(with: prefix) { pending = e; continue }
            if lexicographicallyPrecedes(prefix, it.key) { return }
        }
        if let p = pending { body(p, nil) }
    }

    private func lexicographicallyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
