/// Structural checks of a segment's inverted index (docs/FORMAT.md §Validation): what a file can
/// hold that passes its checksums but that no writer produces.
///
/// - ``quickCheck(_:)`` runs the first time a search uses a field (``Segment/verifyField(_:)``):
///   the field lengths, O(documents). The dictionary's block keys are checked around each lookup
///   (``TermDictionary/checkedLocate(_:)``), and all of them by ``checkStructure()``.
/// - ``checkStructure()`` decodes every term's postings (`IndexStore.verify`, like Lucene's
///   CheckIndex), O(index size).
/// - ``checkInvariants(deleted:)`` is everything a writer's segment holds (``checkStructure()``,
///   the stored values, the tables agreeing with each other): what the tests check of every
///   segment a writer builds or merges (``IndexWriter/onInvariantViolation``), O(segment size).
///
/// Everything else is checked as it is read (``PostingsCursor``, ``FieldIndex/isPlausible(_:)``).
extension Segment {
    /// The cheap invariant of field `f`: the field lengths sum to the stored total (which BM25
    /// and the postings' position checks rely on). Nil when it holds.
    func quickCheck(_ f: Int) -> StorageError? {
        guard let field = fields[f] else { return nil }
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: "field \(f): \(why)") }
        let lengths = field.lengths
        guard lengths.count == documentCount else {
            return corrupt("\(lengths.count) field lengths for \(documentCount) documents")
        }
        let sum = lengths.sum
        guard sum == field.totalLength else {
            return corrupt("field lengths sum to \(sum), the field info says \(field.totalLength)")
        }
        return nil
    }

    /// The dictionary block first keys of field `f` ascend (what every lookup relies on; a
    /// lookup checks those around its key). Nil when they do.
    func blockKeysAscend(_ f: Int) -> StorageError? {
        guard let field = fields[f] else { return nil }
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: "field \(f): \(why)") }
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
    /// plus ``quickCheck(_:)`` and ``blockKeysAscend(_:)``.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the file and the first problem.
    /// - Complexity: O(index size).
    func checkStructure() throws(StorageError) {
        for f in fields.indices where fields[f] != nil {
            if let error = quickCheck(f) ?? blockKeysAscend(f) { throw error }
            try checkPostings(f)
        }
    }

    /// Every invariant of a segment as a writer makes it, checked whole: the checksums of its
    /// sections (when it was mapped from a file); the tables agreeing with the document count
    /// (one id per document, none empty, the ids of live documents — those not in `deleted` —
    /// unique; one stored value per document in each stored field); ``checkStructure()`` (one
    /// length per document in each indexed field, summing to the field's total; terms sorted and
    /// unique; documents in range and ascending; frequencies ≥ 1; positions ascending and below
    /// the document's field length; every byte of the dictionary and postings accounted for);
    /// every id and stored value readable (``checkStoredValues()``); and each long text's chunk
    /// table giving first positions that ascend and end at the document's field length.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the segment and the first
    ///   violation, or the checksum error of a damaged section.
    /// - Complexity: O(segment size), about what building the segment costs.
    func checkInvariants(deleted: DocumentSet? = nil) throws(StorageError) {
        try verifyChecksums()
        try checkTables(deleted: deleted)
        try checkStructure()
        try checkStoredValues()
        for c in columns { try c?.checkStructure() }   // value columns in their canonical form
        try checkChunkPositions()
    }

    /// The ids and the per-document tables against the document count (see
    /// ``checkInvariants(deleted:)``).
    private func checkTables(deleted: DocumentSet?) throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: why) }
        guard ids.count == documentCount else { throw corrupt("\(ids.count) ids for \(documentCount) documents") }
        guard stored.count == fields.count else {
            throw corrupt("stored values of \(stored.count) fields, inverted indexes of \(fields.count)")
        }
        for (f, table) in stored.enumerated() {
            if let table, table.count != documentCount {
                throw corrupt("field \(f): \(table.count) stored values for \(documentCount) documents")
            }
        }
        var live = Set<String>()
        live.reserveCapacity(documentCount)
        var cost = StoredReadCost()
        for doc in 0..<documentCount {
            let id: String?
            do { id = try ids.text(doc, cost: &cost) } catch { throw corrupt("ids, document \(doc): \(error.description)") }
            guard let id, !id.isEmpty else { throw corrupt("document \(doc) has no id") }
            if deleted?.contains(UInt32(doc)) != true, !live.insert(id).inserted {
                throw corrupt("id \"\(id)\" is live twice")
            }
        }
    }

    /// The chunk tables of long stored texts: first positions ascend, and for an indexed field
    /// the last entry is the document's field length (``ChunkLayout``).
    private func checkChunkPositions() throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: displayName, reason: why) }
        for (f, table) in stored.enumerated() {
            guard let table else { continue }
            let lengths = f < fields.count ? fields[f]?.lengths : nil
            for doc in 0..<table.count {
                let value: StoredTable.Value
                do { value = try table.value(doc) } catch { throw corrupt("field \(f), document \(doc): \(error.description)") }
                guard case .chunked(let chunks) = value else { continue }
                for k in 0..<chunks.count where chunks.firstPosition(k) > chunks.firstPosition(k + 1) {
                    throw corrupt("field \(f), document \(doc): chunk \(k + 1) starts at position \(chunks.firstPosition(k + 1)), before chunk \(k) (\(chunks.firstPosition(k)))")
                }
                if let lengths, chunks.firstPosition(chunks.count) != Int(lengths[UInt32(doc)]) {
                    throw corrupt("field \(f), document \(doc): the chunk table ends at position \(chunks.firstPosition(chunks.count)), the field length is \(lengths[UInt32(doc)])")
                }
            }
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
