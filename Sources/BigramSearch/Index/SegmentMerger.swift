/// Merges segments into one, dropping deleted documents (size-tiered merging, and
/// ``IndexWriter/forceMerge()``). Documents keep their relative order.
///
/// The merged segment is written section by section through a ``SegmentFileWriter`` — straight to
/// its file when the index has a directory (``write(_:schema:uid:to:deflatingInMemory:)``), so that a merge holds
/// only its dictionaries, field lengths and offsets tables (bytes per document and per term, not
/// the postings or the stored text), or to memory (``merge(_:schema:)``).
///
/// Nothing is decoded and encoded again that need not be:
/// - stored values and ids are copied as bytes (deflated and chunked values stay so);
/// - postings are merged term by term (a k-way merge of the sorted dictionaries); each live
///   document's record — frequency and positions — is copied bit for bit, since it depends only
///   on the document's field length, and only the blocks' document numbers are encoded anew
///   (``PostingsEncoding/encode(copying:from:documentCount:scratch:into:)``).
///
/// Every term read is still validated as a search validates it (keys ascending, plausible
/// entries, cursors that report no damage, positions below the document's length,
/// ``PostingsCursor/positionsAreValid()``): a merge never turns damaged input into a well-formed
/// segment.
enum SegmentMerger {
    /// Merges `parts` into a segment held in memory.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the damaged input segment.
    static func merge(_ parts: [(segment: Segment, deleted: DocumentSet)], schema: Schema) throws(StorageError) -> Segment {
        let image = try write(parts, schema: schema, uid: UInt64.random(in: 1...UInt64.max), to: nil) ?? []
        let merged = try SegmentFile.decode(ByteBuffer(image), path: "merged segment", schema: schema, mapped: false)
        merged.reportInvariantViolations(made: "segment merged from \(parts.map(\.segment.displayName))")   // (a test hook)
        return merged
    }

    /// Merges `parts` into the segment file `file` (fsynced and closed on return), or into memory
    /// when `file` is nil (the file's bytes are returned then), with `uid`. With
    /// `deflatingInMemory`, stored tables of segments held in memory (not mapped from a file) are
    /// deflated on the way, as a written segment's are.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the damaged input segment, or
    ///   ``StorageError/io(path:reason:)`` when writing fails (the caller removes the file).
    static func write(_ parts: [(segment: Segment, deleted: DocumentSet)], schema: Schema, uid: UInt64,
                      to file: FileSystem.OutputFile?, deflatingInMemory: Bool = false) throws(StorageError) -> [UInt8]? {
        let plan = Plan(parts)
        let out = try SegmentFileWriter(sectionCount: SegmentFile.sectionCount(schema), documentCount: plan.documentCount,
                                        uid: uid, file: file)
        try emit(parts, plan: plan, schema: schema, to: out, deflateInMemory: deflatingInMemory)
        return try out.finish()
    }

    /// The new number of each old document (−1 when deleted), and the merged document count.
    private struct Plan {
        var maps: [[Int32]] = []
        var documentCount = 0

        init(_ parts: [(segment: Segment, deleted: DocumentSet)]) {
            var next: Int32 = 0
            for (segment, deleted) in parts {
                var map = [Int32](repeating: -1, count: segment.documentCount)
                for doc in 0..<segment.documentCount where !deleted.contains(UInt32(doc)) {
                    map[doc] = next
                    next += 1
                }
                maps.append(map)
            }
            documentCount = Int(next)
        }
    }

    private static func emit(_ parts: [(segment: Segment, deleted: DocumentSet)], plan: Plan, schema: Schema,
                             to out: SegmentFileWriter, deflateInMemory: Bool = false) throws(StorageError) {
        let maps = plan.maps
        try StoredTable.write(concatenating: parts.indices.map { (parts[$0].segment.ids, maps[$0]) },
                              offsets: .idOffsets, bytes: .idBytes, field: 0, to: out)
        for (f, field) in schema.fields.enumerated() where field.storesText {
            let tables = parts.indices.compactMap { i -> (StoredTable, [Int32])? in
                guard let t = parts[i].segment.stored[f] else { return nil }
                // A segment mapped from its file has deflated values already.
                return (deflateInMemory && parts[i].segment.origin == nil ? t.deflated() : t, maps[i])
            }
            try StoredTable.write(concatenating: tables, offsets: .storedOffsets, bytes: .storedBytes, field: f, to: out)
        }
        if schema.hasTypedFields {
            for (f, field) in schema.fields.enumerated() where field.kind.isTyped {
                try mergeColumn(f, field, parts, to: out)
            }
        }
        for (f, field) in schema.fields.enumerated() where field.indexed {
            let sources = parts.map { $0.segment.fields[f] }
            do { try mergeField(f, sources, maps: maps, documentCount: plan.documentCount, to: out) } catch {
                switch error {
                case .damage(let source, let reason):
                    throw .corrupt(path: parts[source].segment.displayName, reason: "field \(field.name): \(reason)")
                case .storage(let e):
                    throw e
                }
            }
        }
    }

    /// Value columns: re-packed for the live documents (ColumnMerge validates what it reads).
    private static func mergeColumn(_ f: Int, _ field: Schema.Field, _ parts: [(segment: Segment, deleted: DocumentSet)],
                                    to out: SegmentFileWriter) throws(StorageError) {
        let cs = parts.map { f < $0.segment.columns.count ? $0.segment.columns[f] : nil }
        if field.kind == .keyword {
            var ps: [(column: KeywordColumn, deleted: DocumentSet)] = []
            for (i, c) in cs.enumerated() {
                guard let k = c?.keyword else { throw .corrupt(path: parts[i].segment.displayName, reason: "field \(field.name): no keyword column") }
                ps.append((k, parts[i].deleted))
            }
            try out.section(.keywordColumn, field: f, try ColumnMerge.merge(ps))
        } else {
            var ps: [(column: NumericColumn, deleted: DocumentSet)] = []
            for (i, c) in cs.enumerated() {
                guard let n = c?.numeric else { throw .corrupt(path: parts[i].segment.displayName, reason: "field \(field.name): no numeric column") }
                ps.append((n, parts[i].deleted))
            }
            try out.section(.numericColumn, field: f, try ColumnMerge.merge(ps))
        }
    }

    /// Why merging a field failed: damage found in input segment `source`, or writing failed.
    private enum Failure: Error {
        case damage(source: Int, reason: String)
        case storage(StorageError)
    }

    /// Postings are written as they are made, in pieces of about this many bytes.
    private static let postingsPiece = 1 << 18

    /// Writes field `f`'s sections: postings (streamed), lengths, field info, then the
    /// dictionary (known only once the postings are written).
    private static func mergeField(_ f: Int, _ sources: [FieldIndex?], maps: [[Int32]], documentCount: Int,
                                   to out: SegmentFileWriter) throws(Failure) {
        func io<T>(_ body: () throws(StorageError) -> T) throws(Failure) -> T {
            do { return try body() } catch { throw .storage(error) }
        }
        // k-way merge of the dictionaries (k is small: a linear scan for the smallest key).
        var iterators: [TermDictionary.Iterator?] = sources.map { $0.map { TermDictionary.Iterator($0.dictionary, block: 0) } }
        var current: [TermDictionary.Entry?] = iterators.indices.map { iterators[$0]?.next() }
        var previousKeys: [[UInt8]?] = iterators.map { _ in nil }
        let buffers = sources.map { $0?.postings ?? ByteBuffer() }
        var piece = ByteWriter()   // postings not yet handed to `out`
        var written = 0            // postings bytes handed to `out`
        var dictionary = TermDictionary.Builder()   // (streamed: no array per key)
        var records: [PostingsEncoding.CopiedRecord] = []
        var scratch = PostingsEncoding.Scratch()
        try io { () throws(StorageError) in try out.begin(.postings, field: f) }
        while true {
            var smallest: [UInt8]?
            for i in iterators.indices where current[i] != nil {
                let key = iterators[i]!.key
                if smallest == nil || key.lexicographicallyPrecedes(smallest!) { smallest = key }
            }
            guard let key = smallest else { break }
            records.removeAll(keepingCapacity: true)
            for i in iterators.indices where current[i] != nil && iterators[i]!.key == key {
                if let previous = previousKeys[i], !previous.lexicographicallyPrecedes(key) {
                    throw .damage(source: i, reason: "dictionary keys out of order")
                }
                previousKeys[i] = key
                guard sources[i]!.isPlausible(current[i]!) else {
                    throw .damage(source: i, reason: "dictionary entry of \(current[i]!.docFrequency) documents at \(current[i]!.postingsOffset)")
                }
                let map = maps[i]
                var cursor = sources[i]!.cursor(current[i]!)
                while cursor.doc != PostingsCursor.exhausted {
                    let old = Int(cursor.doc)
                    if old < map.count, map[old] >= 0 {
                        guard cursor.positionsAreValid() else { throw .damage(source: i, reason: "positions beyond the document's length") }
                        let r = cursor.record
                        records.append(.init(doc: UInt32(map[old]), source: i, bit: r.bit, bits: r.bits))
                    }
                    cursor.next()
                }
                if cursor.isDamaged { throw .damage(source: i, reason: "postings: \(cursor.damage)") }
                current[i] = iterators[i]!.next()
            }
            guard !records.isEmpty else { continue }
            dictionary.append(key, .init(docFrequency: records.count, postingsOffset: written + piece.count))
            PostingsEncoding.encode(copying: records, from: buffers, documentCount: documentCount, scratch: &scratch, into: &piece)
            if piece.count >= postingsPiece {
                try io { () throws(StorageError) in try out.append(piece.bytes) }
                written += piece.count
                piece.bytes.removeAll(keepingCapacity: true)
            }
        }
        piece.padTail()
        try io { () throws(StorageError) in try out.append(piece.bytes) }
        out.end()
        // Field lengths follow their documents.
        var lengths = ByteWriter()
        lengths.bytes.reserveCapacity(4 * documentCount)
        var totalLength: UInt64 = 0
        for (s, source) in sources.enumerated() {
            for (old, new) in maps[s].enumerated() where new >= 0 {
                let l = source?.lengths[UInt32(old)] ?? 0
                lengths.uint32(l)
                totalLength += UInt64(l)
            }
        }
        var info = ByteWriter()
        info.uint64(UInt64(dictionary.count))
        info.uint64(totalLength)
        let dict = dictionary.finish()
        try io { () throws(StorageError) in
            try out.section(.lengths, field: f, lengths.bytes)
            try out.section(.fieldInfo, field: f, info.bytes)
            try out.section(.dictionaryEntries, field: f, dict.entries)
            try out.section(.dictionaryBlocks, field: f, dict.blockOffsets)
        }
    }
}
