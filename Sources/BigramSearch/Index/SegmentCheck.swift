/// Structural checks of a segment's inverted index (docs/FORMAT.md §Validation): what a file can
/// hold that passes its checksums but that no writer produces.
///
/// - ``quickCheck(_:)`` runs the first time a search uses a field (``Segment/verifyField(_:)``):
///   field lengths and the dictionary's block keys, O(documents + blocks).
/// - ``checkStructure()`` decodes every term's postings (`IndexStore.verify`, like Lucene's
///   CheckIndex), O(index size).
///
/// Everything else is checked as it is read (``PostingsCursor``, ``FieldIndex/isPlausible(_:)``).
extension Segment {
    /// The cheap invariants of field `f`: the field lengths sum to the stored total, the
    /// dictionary's block first keys ascend. Nil when they hold.
    func quickCheck(_ f: Int) -> StorageError? {
        guard let field = fields[f] else { return nil }
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: "field \(f): \(why)") }
        let lengths = field.lengths
        guard lengths.count == documentCount else {
            return corrupt("\(lengths.count) field lengths for \(documentCount) documents")
        }
        var sum: UInt64 = 0
        for d in 0..<lengths.count { sum &+= UInt64(lengths[UInt32(d)]) }   // < 2^32 documents × 2^32: no overflow
        guard sum == field.totalLength else {
            return corrupt("field lengths sum to \(sum), the field info says \(field.totalLength)")
        }
        let dictionary = field.dictionary
        var previous: [UInt8]?
        for b in 0..<dictionary.blockCount {
            let (o, l) = dictionary.firstKey(of: b)
            let key = o < dictionary.entries.count ? dictionary.entries.array(o..<(o + l)) : []
            if let previous, !previous.lexicographicallyPrecedes(key) {
                return corrupt("dictionary block \(b) does not start after block \(b - 1)")
            }
            previous = key
        }
        return nil
    }

    /// Decodes every term of every indexed field and checks: keys unique and ascending, each
    /// block where the block table says, exactly `termCount` entries filling the dictionary;
    /// each term's document frequency in 1…documents and equal to the documents decoded, its
    /// postings right after the previous term's (the last followed by the 8 zero bytes of
    /// padding), its blocks where its skip table says, documents below the segment's count and
    /// ascending, frequencies ≥ 1, positions ascending and below the document's field length;
    /// plus ``quickCheck(_:)``.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the file and the first problem.
    /// - Complexity: O(index size).
    func checkStructure() throws(StorageError) {
        for f in fields.indices where fields[f] != nil {
            if let error = quickCheck(f) { throw error }
            try checkPostings(f)
        }
    }

    private func checkPostings(_ f: Int) throws(StorageError) {
        let field = fields[f]!
        let dictionary = field.dictionary
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: "field \(f): \(why)") }
        func hex(_ key: [UInt8]) -> String { key.prefix(16).map { String($0, radix: 16) }.joined(separator: " ") }
        var it = TermDictionary.Iterator(dictionary, block: 0)
        var previousKey: [UInt8]?
        var expectedOffset = 0
        var positions: [UInt32] = []
        var ordinal = 0
        while true {
            if ordinal % TermDictionary.blockSize == 0 && ordinal < dictionary.termCount {
                let start = dictionary.blockStart(ordinal / TermDictionary.blockSize)
                if it.entryOffset != start && ordinal > 0 {
                    throw corrupt("dictionary block \(ordinal / TermDictionary.blockSize) starts at \(start), its entries at \(it.entryOffset)")
                }
                if ordinal == 0 && start != 0 { throw corrupt("the first dictionary block starts at \(start), not 0") }
            }
            guard let entry = it.next() else { break }
            let key = it.key
            if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
                throw corrupt("dictionary term \(ordinal) [\(hex(key))] does not sort after [\(hex(previousKey))]")
            }
            previousKey = key
            guard field.isPlausible(entry) else {
                throw corrupt("term [\(hex(key))]: document frequency \(entry.docFrequency) or postings offset \(entry.postingsOffset) out of range")
            }
            guard entry.postingsOffset == expectedOffset else {
                throw corrupt("term [\(hex(key))]: postings at \(entry.postingsOffset), expected at \(expectedOffset)")
            }
            var c = field.cursor(entry)
            var documents = 0
            var block = -1
            var end = entry.postingsOffset + c.skipTableBytes
            while c.doc != PostingsCursor.exhausted {
                if c.currentBlock != block {
                    guard c.blockStartByte == end else {
                        throw corrupt("term [\(hex(key))]: block \(c.currentBlock) at \(c.blockStartByte), expected at \(end)")
                    }
                    block = c.currentBlock
                }
                positions.removeAll(keepingCapacity: true)
                guard c.positions(into: &positions) else {
                    throw corrupt("term [\(hex(key))], document \(c.doc): \(PostingsDamage.position.reason)")
                }
                documents += 1
                end = c.recordEndByte
                c.next()
            }
            if c.isDamaged { throw corrupt("term [\(hex(key))]: \(c.damage.reason)") }
            guard documents == entry.docFrequency else {
                throw corrupt("term [\(hex(key))]: document frequency \(entry.docFrequency), postings of \(documents) documents")
            }
            expectedOffset = end
            ordinal += 1
        }
        guard ordinal == dictionary.termCount else {
            throw corrupt("\(ordinal) dictionary entries, the field info says \(dictionary.termCount)")
        }
        guard it.entryOffset == dictionary.entries.count else {
            throw corrupt("the dictionary ends at \(it.entryOffset) of its \(dictionary.entries.count) bytes")
        }
        let postings = field.postings
        guard postings.count == expectedOffset + ByteWriter.tailPadding,
              (expectedOffset..<postings.count).allSatisfy({ postings[$0] == 0 }) else {
            throw corrupt("the postings end at \(expectedOffset) of \(postings.count) bytes (then \(ByteWriter.tailPadding) zero bytes)")
        }
    }
}
