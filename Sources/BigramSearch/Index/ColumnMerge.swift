/// Merging of value columns (``NumericColumn``, ``KeywordColumn``) for ``SegmentMerger``: the
/// merged column holds the live documents of the parts in order (part 0's live documents, then
/// part 1's, …), and is byte for byte the column the builders write for those documents' values.
///
/// Like the merge of postings, a merge validates what it decodes beyond what opening the
/// columns checked: it never turns damaged input into a well-formed column.
enum ColumnMerge {
    /// The numeric column of the documents of `parts` that their `deleted` sets do not hold.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the part whose column is damaged
    ///   (a document's value outside the column's minimum…maximum: opening checks it, so only a
    ///   column not opened by ``NumericColumn/init(_:documentCount:path:label:)`` could).
    /// - Complexity: O(documents of the parts); 8 bytes and a bit per live document.
    static func merge(_ parts: [(column: NumericColumn, deleted: DocumentSet)]) throws(StorageError) -> [UInt8] {
        let live = parts.reduce(0) { $0 + $1.column.documentCount - liveDeleted($1.deleted, below: $1.column.documentCount) }
        var builder = NumericColumnBuilder(capacity: live)
        for (column, deleted) in parts {
            for d in 0..<column.documentCount where !deleted.contains(UInt32(truncatingIfNeeded: d)) {
                guard let v = column.value(d) else { builder.append(nil); continue }
                guard v >= column.minimum && v <= column.maximum else {
                    throw .corrupt(path: column.path, reason: "\(column.label): document \(d) holds \(v), outside \(column.minimum)...\(column.maximum)")
                }
                builder.append(v)
            }
        }
        return builder.finish()
    }

    /// The keyword column of the documents of `parts` that their `deleted` sets do not hold.
    /// Its dictionary is the union of the values the live documents hold (a k-way merge of the
    /// parts' sorted dictionaries, values held only by deleted documents dropped); each part's
    /// ordinals are mapped to the merged ones, which keeps each document's list ascending.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the part whose column is damaged
    ///   (ordinals out of range or not ascending; opening checks both).
    /// - Complexity: O(documents + ordinals + value bytes of the parts, × parts for the
    ///   dictionary merge).
    static func merge(_ parts: [(column: KeywordColumn, deleted: DocumentSet)]) throws(StorageError) -> [UInt8] {
        // Which values the live documents hold.
        var used: [[Bool]] = []
        for (column, deleted) in parts {
            var u = [Bool](repeating: false, count: column.valueCount)
            for d in 0..<column.documentCount where !deleted.contains(UInt32(truncatingIfNeeded: d)) {
                var previous = -1
                var damaged = false
                column.forEachOrdinal(d) { o in
                    if o <= previous || o >= column.valueCount { damaged = true; return }
                    u[o] = true
                    previous = o
                }
                if damaged {
                    throw .corrupt(path: column.path, reason: "\(column.label): document \(d)'s ordinals are out of range or out of order")
                }
            }
            used.append(u)
        }
        // k-way merge of the used values (k is small: a linear scan for the smallest).
        var maps = parts.map { [UInt32](repeating: UInt32.max, count: $0.column.valueCount) }
        var next = [Int](repeating: 0, count: parts.count)   // each part's next ordinal to merge
        var heads: [[UInt8]?] = []
        func advance(_ i: Int) {
            var k = next[i]
            while k < used[i].count && !used[i][k] { k += 1 }
            next[i] = k
            heads[i] = k < used[i].count ? parts[i].column.valueBytes(k) : nil
        }
        heads = Array(repeating: nil, count: parts.count)
        for i in parts.indices { advance(i) }
        var dictionary = KeywordColumnWriter.Dictionary()
        var previous: [UInt8]?
        while true {
            var smallest: Int?
            for i in parts.indices {
                guard let h = heads[i] else { continue }
                if let s = smallest, !h.lexicographicallyPrecedes(heads[s]!) { continue }
                smallest = i
            }
            guard let s = smallest else { break }
            let value = heads[s]!
            if let previous, !previous.lexicographicallyPrecedes(value) {
                // Only a part's dictionary out of order leads here (opening checks it).
                throw .corrupt(path: parts[s].column.path, reason: "\(parts[s].column.label): values out of order")
            }
            let ordinal = UInt32(dictionary.count)
            dictionary.append(value)
            for i in parts.indices where heads[i] == value {
                maps[i][next[i]] = ordinal
                next[i] += 1
                advance(i)
            }
            previous = value
        }
        // The live documents' ordinals, mapped.
        var documents = KeywordColumnWriter.Documents()
        for (i, (column, deleted)) in parts.enumerated() {
            let map = maps[i]
            for d in 0..<column.documentCount where !deleted.contains(UInt32(truncatingIfNeeded: d)) {
                column.forEachOrdinal(d) { documents.ordinals.append(map[$0]) }   // (checked above)
                documents.endDocument()
            }
        }
        return KeywordColumnWriter.write(dictionary, documents)
    }

    /// Members of `deleted` below `count`.
    private static func liveDeleted(_ deleted: DocumentSet, below count: Int) -> Int {
        var n = 0
        for (i, word) in deleted.words.enumerated() where 64 * i < count {
            let rest = count - 64 * i
            n += (rest >= 64 ? word : word & ColumnBits.mask(rest)).nonzeroBitCount
        }
        return n
    }
}
