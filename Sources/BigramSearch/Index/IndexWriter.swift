/// Builds and changes an index. One writer per index; it is not shared between threads (hand it to
/// one task or protect it with a lock). Searching happens on snapshots.
///
/// ```swift
/// let writer = try IndexWriter(schema: .article)
/// try writer.add(Document(id: "1", fields: ["title": "常熟", "body": "常熟市参\n观考察"]))
/// let snapshot = writer.snapshot()
/// let results = try snapshot.search("参观")
/// ```
public final class IndexWriter {
    public let schema: Schema
    public let analyzer: any Analyzer

    private var segments: [Segment] = []
    private var deletions: [DocumentSet] = []
    private var buffer: SegmentBuilder
    private var bufferDeleted: DocumentSet
    /// Where each live document is: (segment number or `segments.count` for the buffer, doc).
    private var locations: [String: (segment: Int, doc: UInt32)] = [:]

    /// Creates an empty in-memory index.
    ///
    /// - Parameters:
    ///   - schema: the fields; ``Schema/text`` (one field, `text`) by default.
    ///   - analyzer: the analysis rules; a default ``BigramAnalyzer`` when nil.
    public init(schema: Schema = .text, analyzer: (any Analyzer)? = nil) throws(IndexError) {
        try schema.validate()
        self.schema = schema
        do {
            self.analyzer = try analyzer ?? BigramAnalyzer()
        } catch let e as AnalysisError {
            throw .analysis(e)
        } catch {
            throw .analysis(.icuUnavailable("\(error)"))
        }
        buffer = SegmentBuilder(schema: schema, analyzer: self.analyzer)
        bufferDeleted = DocumentSet(capacity: 0)
    }

    /// Number of live documents.
    public var documentCount: Int { locations.count }

    /// Adds a document, replacing any document with the same id.
    ///
    /// - Throws: ``IndexError`` if the document has an empty id, a field the schema lacks, or a
    ///   field over ``IndexLimits/maxFieldBytes``. Nothing changes when it throws.
    /// - Complexity: O(n) in the document's length.
    public func add(_ document: Document) throws(IndexError) {
        try SegmentBuilder.validate(document, schema: schema)
        delete(id: document.id)
        let doc = buffer.add(document)
        locations[document.id] = (segments.count, doc)
    }

    /// Adds many documents (see ``add(_:)``). Stops at the first invalid document and throws;
    /// the documents before it stay added.
    public func add<S: Sequence>(contentsOf documents: S) throws(IndexError) where S.Element == Document {
        for d in documents { try add(d) }
    }

    /// Adds many documents using `threads` threads (analysis and postings building run in
    /// parallel, each thread producing its own segment). With `threads == 1` this is ``add(_:)``
    /// for each document.
    ///
    /// - Throws: ``IndexError`` for the first invalid document; then nothing is added.
    public func add(contentsOf documents: [Document], threads: Int) throws(IndexError) {
        let n = max(1, min(threads, documents.count / 16 + 1))
        if n == 1 { try add(contentsOf: documents); return }
        for d in documents { try SegmentBuilder.validate(d, schema: schema) }
        // Later documents with the same id replace earlier ones, as with add(_:).
        var lastIndex: [String: Int] = [:]
        for (i, d) in documents.enumerated() { lastIndex[d.id] = i }
        let last = lastIndex
        for d in documents where locations[d.id] != nil { delete(id: d.id) }
        snapshotBuffer()
        let chunk = (documents.count + n - 1) / n
        let built = ParallelBuild.run(count: n) { [schema, analyzer] t -> (Segment, DocumentSet) in
            var builder = SegmentBuilder(schema: schema, analyzer: analyzer)
            var dropped = DocumentSet(capacity: 0)
            for i in (t * chunk)..<min(documents.count, (t + 1) * chunk) {
                let doc = builder.add(documents[i])
                if last[documents[i].id] != i { dropped.insert(doc) }
            }
            return (builder.freeze(), dropped)
        }
        for (segment, dropped) in built where segment.documentCount > 0 {
            for doc in 0..<segment.documentCount where !dropped.contains(UInt32(doc)) {
                locations[segment.id(doc)] = (segments.count, UInt32(doc))
            }
            segments.append(segment)
            deletions.append(dropped)
        }
    }

    /// Freezes the buffer into a segment (so new segments can be appended after it).
    private func snapshotBuffer() {
        if !buffer.isEmpty {
            segments.append(buffer.freeze())
            deletions.append(bufferDeleted)
            // Buffered documents were located at segment number `segments.count`, which is now
            // the number of the segment just appended: locations stay valid.
            buffer = SegmentBuilder(schema: schema, analyzer: analyzer)
            bufferDeleted = DocumentSet(capacity: 0)
        }
    }

    /// Deletes the document with `id`. Returns false when there is none.
    @discardableResult
    public func delete(id: String) -> Bool {
        guard let (segment, doc) = locations.removeValue(forKey: id) else { return false }
        if segment == segments.count {
            bufferDeleted.insert(doc)
        } else {
            deletions[segment].insert(doc)
        }
        return true
    }

    /// An immutable view of everything added so far. Later changes do not affect it; any number
    /// of threads may search it.
    ///
    /// - Complexity: freezes the documents added since the last snapshot into a new segment.
    public func snapshot() -> IndexSnapshot {
        snapshotBuffer()
        return IndexSnapshot(schema: schema, analyzer: analyzer, segments: segments, deletions: deletions)
    }
}
