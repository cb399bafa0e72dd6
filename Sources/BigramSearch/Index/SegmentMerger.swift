/// Merges segments into one, dropping deleted documents (size-tiered merging, and
/// ``IndexWriter/forceMerge()``). Documents keep their relative order.
///
/// Postings are merged term by term: a k-way merge of the segments' sorted dictionaries; for
/// each term, the live documents of each segment (renumbered) are re-encoded. Every term read is
/// validated as a search validates it (keys ascending, plausible entries, cursors that report no
/// damage): a merge never turns damaged input into a well-formed segment.
enum SegmentMerger {
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the damaged input segment.
    static func merge(_ parts: [(segment: Segment, deleted: DocumentSet)], schema: Schema) throws(StorageError) -> Segment {
        // New number of each old document, or -1 when deleted.
        var maps: [[Int32]] = []
        var next: Int32 = 0
        for (segment, deleted) in parts {
            var map = [Int32](repeating: -1, count: segment.documentCount)
            for doc in 0..<segment.documentCount where !deleted.contains(UInt32(doc)) {
                map[doc] = next
                next += 1
            }
            maps.append(map)
        }
        // Ids and stored texts are copied as bytes: deflated and chunked values stay so (a chunk
        // table is relative to its value, and positions within a document do not change).
        let ids = StoredTable.concatenating(parts.indices.map { (parts[$0].segment.ids, maps[$0]) })
        let stored = schema.fields.indices.map { f in
            schema.fields[f].storesText
                ? StoredTable.concatenating(parts.indices.compactMap { i in parts[i].segment.stored[f].map { ($0, maps[i]) } })
                : nil
        }
        var fields: [FieldIndex?] = []
        for (f, field) in schema.fields.enumerated() {
            guard field.indexed else { fields.append(nil); continue }
            let sources = parts.map { $0.segment.fields[f] }
            do { fields.append(try mergeField(sources, maps: maps, documentCount: Int(next))) } catch {
                throw .corrupt(path: parts[error.source].segment.displayName, reason: "field \(field.name): \(error.reason)")
            }
        }
        // Value columns: re-packed for the live documents (ColumnMerge validates what it reads).
        var columns: [ValueColumn?] = []
        if schema.hasTypedFields {
            for (f, field) in schema.fields.enumerated() {
                guard field.kind.isTyped else { columns.append(nil); continue }
                let cs = parts.map { f < $0.segment.columns.count ? $0.segment.columns[f] : nil }
                let bytes: [UInt8]
                if field.kind == .keyword {
                    var ps: [(column: KeywordColumn, deleted: DocumentSet)] = []
                    for (i, c) in cs.enumerated() {
                        guard let k = c?.keyword else { throw .corrupt(path: parts[i].segment.displayName, reason: "field \(field.name): no keyword column") }
                        ps.append((k, parts[i].deleted))
                    }
                    bytes = try ColumnMerge.merge(ps)
                } else {
                    var ps: [(column: NumericColumn, deleted: DocumentSet)] = []
                    for (i, c) in cs.enumerated() {
                        guard let n = c?.numeric else { throw .corrupt(path: parts[i].segment.displayName, reason: "field \(field.name): no numeric column") }
                        ps.append((n, parts[i].deleted))
                    }
                    bytes = try ColumnMerge.merge(ps)
                }
                columns.append(try ValueColumn(ByteBuffer(bytes), kind: field.kind, documentCount: Int(next),
                                               path: "merged segment", field: field.name))
            }
        }
        let merged = Segment(documentCount: Int(next), ids: ids, stored: stored, fields: fields, columns: columns)
        merged.reportInvariantViolations(made: "segment merged from \(parts.map(\.segment.displayName))")   // (a test hook)
        return merged
    }

    /// Damage found in input segment `source`.
    private struct Damage: Error {
        var source: Int
        var reason: String
    }

    private static func mergeField(_ sources: [FieldIndex?], maps: [[Int32]], documentCount: Int) throws(Damage) -> FieldIndex {
        var lengths = FieldLengthsBuilder()
        var totalLength: UInt64 = 0
        for (s, source) in sources.enumerated() {
            for (old, new) in maps[s].enumerated() where new >= 0 {
                let l = source?.lengths[UInt32(old)] ?? 0
                lengths.append(l)
                totalLength += UInt64(l)
            }
        }
        // k-way merge of the dictionaries (k is small: a linear scan for the smallest key).
        var iterators: [TermDictionary.Iterator?] = sources.map { $0.map { TermDictionary.Iterator($0.dictionary, block: 0) } }
        var current: [TermDictionary.Entry?] = iterators.indices.map { iterators[$0]?.next() }
        var previousKeys: [[UInt8]?] = iterators.map { _ in nil }
        var postings = ByteWriter()
        var dictionary = TermDictionary.Builder()   // (streamed: no array per key)
        var stream: [UInt32] = []
        var positions: [UInt32] = []
        var scratch = PostingsEncoding.Scratch()
        while true {
            var smallest: [UInt8]?
            for i in iterators.indices where current[i] != nil {
                let key = iterators[i]!.key
                if smallest == nil || key.lexicographicallyPrecedes(smallest!) { smallest = key }
            }
            guard let key = smallest else { break }
            stream.removeAll(keepingCapacity: true)
            var documents = 0
            for i in iterators.indices where current[i] != nil && iterators[i]!.key == key {
                if let previous = previousKeys[i], !previous.lexicographicallyPrecedes(key) {
                    throw Damage(source: i, reason: "dictionary keys out of order")
                }
                previousKeys[i] = key
                guard sources[i]!.isPlausible(current[i]!) else {
                    throw Damage(source: i, reason: "dictionary entry of \(current[i]!.docFrequency) documents at \(current[i]!.postingsOffset)")
                }
                var cursor = sources[i]!.cursor(current[i]!)
                while cursor.doc != PostingsCursor.exhausted {
                    let old = Int(cursor.doc)
                    if old < maps[i].count, maps[i][old] >= 0 {
                        positions.removeAll(keepingCapacity: true)
                        guard cursor.positions(into: &positions) else { throw Damage(source: i, reason: "positions beyond the document's length") }
                        stream.append(UInt32(maps[i][old]))
                        stream.append(UInt32(positions.count))
                        stream.append(contentsOf: positions)
                        documents += 1
                    }
                    cursor.next()
                }
                if cursor.isDamaged { throw Damage(source: i, reason: "postings: \(cursor.damage)") }
                current[i] = iterators[i]!.next()
            }
            if documents > 0 {
                let offset = postings.count
                PostingsEncoding.encode(stream: stream, documentCount: documents, lengths: lengths,
                                        scratch: &scratch, into: &postings)
                dictionary.append(key, .init(docFrequency: documents, postingsOffset: offset))
            }
        }
        return FieldIndex.build(dictionary: dictionary, postings: postings, lengths: lengths, totalLength: totalLength)
    }
}
