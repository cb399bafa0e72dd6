import Foundation

/// An immutable part of an index: some documents, their stored fields and the inverted index of
/// each indexed field. Documents are numbered from 0 within the segment. A segment is the same
/// whether built in memory or memory-mapped from a file: every part is a ``ByteBuffer``.
final class Segment: Sendable {
    let documentCount: Int
    let ids: StoredTable
    /// Stored texts of each schema field (nil when the field is not stored).
    let stored: [StoredTable?]
    /// The inverted index of each schema field (nil when the field is not indexed).
    let fields: [FieldIndex?]
    /// The per-document values of each schema field (nil for a text field); empty when the
    /// schema has no typed field.
    let columns: [ValueColumn?]
    /// Checksums of the value columns' sections, verified before a search reads them.
    let columnChecks: [SectionChecksum]

    /// Names the segment's file; random for a new segment, read back from its file.
    let uid: UInt64

    /// The file this segment was mapped from, if any.
    let origin: String?
    /// Checksums of the mapped sections, verified on first use: of the ids and stored fields,
    /// and of each field's dictionary and lengths (empty for a segment built in memory). The
    /// postings' (``FieldIndex/postingsCheck``) and stored values' (``StoredTable/checks``) are
    /// also verified chunk by chunk, as searches read them.
    let storedChecks: [SectionChecksum]
    let fieldChecks: [[SectionChecksum]]

    init(documentCount: Int, ids: StoredTable, stored: [StoredTable?], fields: [FieldIndex?],
         uid: UInt64 = UInt64.random(in: 1...UInt64.max), origin: String? = nil,
         storedChecks: [SectionChecksum] = [], fieldChecks: [[SectionChecksum]] = [],
         columns: [ValueColumn?] = [], columnChecks: [SectionChecksum] = []) {
        self.columns = columns
        self.columnChecks = columnChecks
        self.uid = uid
        self.origin = origin
        self.storedChecks = storedChecks
        self.fieldChecks = fieldChecks
        self.documentCount = documentCount
        self.ids = ids
        self.stored = stored
        self.fields = fields
        fieldValidations = fields.map { _ in OnceCheck() }
    }

    /// Names the segment in errors: its file, or its uid when it was built in memory.
    var displayName: String { origin ?? "in-memory segment \(String(uid, radix: 16))" }

    /// Verifies what a search of field `f` needs before it reads terms — the checksums of its
    /// lengths and dictionary block table (and of its dictionary and postings, when the file has
    /// no chunk checksums: format 3 and before) — then the field's cheap invariants
    /// (``quickCheck(_:)``: the field lengths): once, then nearly free. The dictionary is
    /// verified around each lookup (``TermDictionary/checkedLocate(_:)``), the postings of each
    /// term as they are looked up (``FieldIndex/verifyPostings(_:end:)``).
    func verifyField(_ f: Int) throws(StorageError) {
        if f < fieldChecks.count { try SectionChecksum.verify(fieldChecks[f]) }
        guard f < fields.count, let field = fields[f] else { return }
        if let check = field.postingsCheck, !check.hasChunks { try check.verify() }
        if let error = fieldValidations[f].run({ quickCheck(f) }) { throw error }
    }
    private let fieldValidations: [OnceCheck]

    /// Verifies the checksums of the ids and stored fields, whole.
    func verifyStored() throws(StorageError) { try SectionChecksum.verify(storedChecks) }

    /// Verifies the checksums of the ids, whole (for readers of any id: all matches).
    func verifyIDs() throws(StorageError) { try ids.verifyChecksums() }

    /// Verifies the checksums of what reading document `doc`'s id and stored fields reads, chunk
    /// by chunk (whole sections for a file without chunk checksums: format 3 and before).
    func verifyStoredValues(of doc: Int) throws(StorageError) {
        try ids.verifyChecksums(of: doc)
        for t in stored { try t?.verifyChecksums(of: doc) }
    }

    /// Verifies the checksums of the value columns (once, then nearly free).
    func verifyColumns() throws(StorageError) { try SectionChecksum.verify(columnChecks) }

    /// Verifies every section's checksum and each field's cheap invariants (what a writer
    /// checks when it opens an index: its merges then validate every term they read).
    func verifyChecksums() throws(StorageError) {
        try verifyStored()
        try verifyColumns()
        for f in fieldChecks.indices { try verifyField(f) }
        for field in fields {
            try field?.dictionary.entriesCheck?.verify()
            try field?.postingsCheck?.verify()
        }
    }

    /// Verifies every section's checksum, then the structure of every field's index
    /// (``checkStructure()``): the full check of `IndexStore.verify`.
    func verifyAll() throws(StorageError) {
        try verifyChecksums()
        try checkStructure()
        for c in columns { try c?.checkStructure() }
    }

    /// Reads every id and stored value whole (inflating deflated values and chunks), so that a
    /// value whose bytes pass the checksums but do not decode is found now: what
    /// ``IndexStore/verify(at:analyzer:)`` adds to ``verifyAll()``.
    func checkStoredValues() throws(StorageError) {
        var cost = StoredReadCost()
        for (name, table) in [("ids", ids)] + stored.enumerated().compactMap({ f, t in t.map { ("field \(f)", $0) } }) {
            for i in 0..<table.count {
                do { _ = try table.text(i, cost: &cost) } catch {
                    throw .corrupt(path: displayName, reason: "\(name), document \(i): \(error.description)")
                }
            }
        }
    }

    func id(_ doc: Int) -> String { ids[doc] ?? "" }

    /// Every id, decoded once and kept (whole-match-set queries hand out thousands of ids).
    var allIDs: [String] { idCache.get { (0..<documentCount).map { ids[$0] ?? "" } } }
    private let idCache = LazyValue<[String]>()

    func storedText(_ doc: Int, field: Int) -> String? { stored[field]?[doc] }

    var indexByteCount: Int { fields.reduce(0) { $0 + ($1?.byteCount ?? 0) } }

    /// Bytes of every section: about the segment's file size.
    var byteCount: Int {
        let tables = [ids] + stored.compactMap { $0 }
        let columnBytes = columns.reduce(0) { n, c in
            switch c {
            case .numeric(let x)?: return n + x.bytes.count
            case .keyword(let x)?: return n + x.bytes.count
            case nil: return n
            }
        }
        return indexByteCount + tables.reduce(0) { $0 + $1.offsets.count + $1.bytes.count } + columnBytes
    }

    /// ``byteCount`` scaled by the share of documents not in `deleted` (what a merge would keep).
    func liveBytes(deleted: DocumentSet) -> Double {
        guard documentCount > 0 else { return 0 }
        return Double(byteCount) * Double(documentCount - min(deleted.count, documentCount)) / Double(documentCount)
    }
}

