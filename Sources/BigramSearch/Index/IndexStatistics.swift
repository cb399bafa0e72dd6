/// Sizes and counts of a snapshot (see ``IndexSnapshot/statistics``).
public struct IndexStatistics: Hashable, Sendable, Codable {
    /// Live (not deleted) documents.
    public var documents = 0
    /// Deleted documents still in segments (until a merge drops them).
    public var deletedDocuments = 0
    /// Segments.
    public var segments = 0
    /// Dictionary terms, summed over segments and fields.
    public var terms = 0
    /// Bytes of the term dictionaries.
    public var dictionaryBytes = 0
    /// Bytes of the postings.
    public var postingsBytes = 0
    /// Bytes of the per-document field lengths.
    public var fieldLengthBytes = 0
    /// UTF-8 bytes of stored text, before deflating.
    public var storedTextBytes = 0

    /// Postings + dictionary + field lengths: the index without stored text.
    public var indexBytes: Int { dictionaryBytes + postingsBytes + fieldLengthBytes }
}

extension IndexSnapshot {
    /// Counts and sizes, summed over segments and fields.
    ///
    /// Reads what it sums through the checks of a search: the checksums of every section it reads
    /// and each field's cheap invariants (the same checks as a search of that field).
    ///
    /// - Throws: ``StorageError`` naming the damaged file (the error a search reports as
    ///   ``SearchError/damagedIndex(_:)``).
    public var statistics: IndexStatistics {
        get throws(StorageError) {
            var s = IndexStatistics()
            s.segments = segments.count
            for (seg, del) in zip(segments, deletions) {
                try seg.verifyStored()
                for f in seg.fields.indices { try seg.verifyField(f) }
                s.documents += seg.documentCount - del.count
                s.deletedDocuments += del.count
                for f in seg.fields.compactMap({ $0 }) {
                    // Section sizes (bounded by the file) and term counts (bounded by the
                    // block table when the file was opened): no overflow.
                    s.terms += f.dictionary.termCount
                    s.dictionaryBytes += f.dictionary.entries.count + f.dictionary.blockOffsets.count
                    s.postingsBytes += f.postings.count
                    s.fieldLengthBytes += f.lengths.bytes.count
                }
                for (f, t) in seg.stored.enumerated() {
                    guard let t else { continue }
                    let n: Int
                    do { n = try t.validatedTextByteCount() } catch {
                        throw StorageError.corrupt(path: seg.displayName, reason: "field \(f): \(error.description)")
                    }
                    let (sum, overflow) = s.storedTextBytes.addingReportingOverflow(n)
                    guard !overflow else {
                        throw StorageError.corrupt(path: seg.displayName, reason: "stored text sizes overflow")
                    }
                    s.storedTextBytes = sum
                }
            }
            return s
        }
    }
}
