/// Accumulates added documents until they are frozen into a ``Segment``.
struct SegmentBuilder {
    let schema: Schema
    let analyzer: any Analyzer
    private var fields: [FieldPostingsBuilder?]
    private(set) var ids: [String] = []
    private var stored: [[StoredValue?]] = []
    /// The values of each typed field (nil for a text field).
    private var columns: [ValueColumnBuilder?]
    private(set) var textBytes = 0

    /// An empty builder; with a `recycler`, its postings take their memory blocks from it and
    /// give them back when the builder is released (a writer's buffers share one).
    init(schema: Schema, analyzer: any Analyzer, recycler: BlockRecycler = .keepingNone) {
        self.schema = schema
        self.analyzer = analyzer
        fields = schema.fields.map { $0.indexed ? FieldPostingsBuilder(recycler: recycler) : nil }
        columns = schema.fields.map { $0.kind.isTyped ? ValueColumnBuilder(kind: $0.kind) : nil }
    }

    var documentCount: Int { ids.count }
    var isEmpty: Bool { ids.isEmpty }

    var estimatedBytes: Int {
        fields.reduce(0) { $0 + ($1?.estimatedBytes ?? 0) } + textBytes
    }

    /// Checks a document against the schema and limits without changing anything.
    static func validate(_ document: Document, schema: Schema) throws(IndexError) {
        if document.id.isEmpty { throw .emptyDocumentID }
        for (name, text) in document.fields {
            guard let f = schema.index(of: name) else { throw .unknownField(name, documentID: document.id) }
            let kind = schema.fields[f].kind
            guard kind == .text else { throw .wrongValueType(field: name, documentID: document.id, expected: kind) }
            if text.utf8.count > IndexLimits.maxFieldBytes {
                throw .documentTooLarge(documentID: document.id, bytes: text.utf8.count)
            }
        }
        for (name, value) in document.values {
            guard let f = schema.index(of: name) else { throw .unknownField(name, documentID: document.id) }
            let kind = schema.fields[f].kind
            guard value.kind == kind else { throw .wrongValueType(field: name, documentID: document.id, expected: kind) }
            switch value {
            case .double(let d) where d.isNaN:
                throw .wrongValueType(field: name, documentID: document.id, expected: kind)
            case .keyword(let s) where s.utf8.count > IndexLimits.maxFieldBytes:
                throw .documentTooLarge(documentID: document.id, bytes: s.utf8.count)
            case .keywords(let list):
                let n = list.reduce(0) { $0 + $1.utf8.count }
                if n > IndexLimits.maxFieldBytes { throw .documentTooLarge(documentID: document.id, bytes: n) }
            default:
                break
            }
        }
    }

    /// Analyzes and adds a validated document; returns its number in this builder.
    @discardableResult
    mutating func add(_ document: Document) -> UInt32 {
        let doc = UInt32(ids.count)
        var storedFields: [StoredValue?] = []
        storedFields.reserveCapacity(schema.fields.count)
        for (f, field) in schema.fields.enumerated() {
            if field.kind.isTyped {
                columns[f]!.append(document.values[field.name])
                storedFields.append(nil)
                continue
            }
            var text = document.fields[field.name] ?? ""
            textBytes += text.utf8.count
            // A long stored text is cut into chunks; analysis records the first position of each
            // (so that a snippet can find its match's chunk without reading the rest).
            let starts = field.stored && text.utf8.count > StoredTable.chunkSize ? text.withUTF8(StoredTable.chunkStarts) : nil
            var positions: [UInt32] = []
            if field.indexed {
                if let starts { fields[f]!.markChunks(starts) }
                Self.analyze(text, with: analyzer, into: &fields[f]!)
                fields[f]!.finishDocument()
                positions = fields[f]!.takeChunkPositions()
            }
            if field.stored, let value = document.fields[field.name] {
                var layout: ChunkLayout?
                if let starts {
                    layout = ChunkLayout(starts: starts.map { UInt32($0) },
                                         positions: positions.count == starts.count ? positions : [UInt32](repeating: 0, count: starts.count))
                }
                storedFields.append(StoredValue(text: value, chunks: layout))
            } else {
                storedFields.append(nil)
            }
        }
        ids.append(document.id)
        stored.append(storedFields)
        return doc
    }

    /// `analyzer.analyze(text, into: &sink)`, with a copy compiled for the default analyzer: in
    /// it, the analysis loop is specialized for this sink and inlines its calls (the generic
    /// version calls the sink through the protocol, about a fifth more instructions of
    /// analysis). What is analyzed is the same either way: the analyzer's own method is called.
    @_specialize(where A == BigramAnalyzer)
    private static func analyze<A: Analyzer>(_ text: String, with analyzer: A, into sink: inout FieldPostingsBuilder) {
        analyzer.analyze(text, into: &sink)
    }

    func freeze() -> Segment { freeze(stored: storedTables()) }

    /// ``freeze()`` with the stored fields deflated as a segment file holds them
    /// (``StoredTable/deflated()``), on a second thread while this one freezes the postings: the
    /// two halves of a flush a writer waits for (a commit's), side by side. The file written is
    /// the same byte for byte.
    func freezeDeflated() -> Segment {
        let me = HandedOver(self)
        let halves = ParallelBuild.run(count: 2) { half in
            half == 0 ? HandedOver((stored: me.value.storedTables().map { $0?.deflated() }, fields: [FieldIndex?]()))
                      : HandedOver((stored: [StoredTable?](), fields: me.value.fields.map { $0?.freeze() }))
        }
        return freeze(stored: halves[0].value.stored, fields: halves[1].value.fields)
    }

    private func storedTables() -> [StoredTable?] {
        schema.fields.indices.map { f in schema.fields[f].storesText ? StoredTable(stored.map { $0[f] }) : nil }
    }

    private func freeze(stored: [StoredTable?], fields frozen: [FieldIndex?]? = nil) -> Segment {
        Segment(documentCount: ids.count, ids: StoredTable(ids),
                stored: stored,
                fields: frozen ?? fields.map { $0?.freeze() },
                columns: schema.hasTypedFields ? schema.fields.indices.map { f in
                    columns[f].map { b in
                        // (A column the builder wrote always opens.)
                        try! ValueColumn(ByteBuffer(b.finish()), kind: b.kind, documentCount: ids.count,
                                         path: "in-memory segment", field: schema.fields[f].name)
                    }
                } : [])
    }
}
