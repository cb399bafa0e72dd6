/// The per-document values of one typed field in a segment: a ``NumericColumn`` for int, double
/// and date fields (doubles through ``NumericColumn/sortableBits(_:)``, dates in milliseconds), a
/// ``KeywordColumn`` for keyword fields.
enum ValueColumn: Sendable {
    case numeric(NumericColumn)
    case keyword(KeywordColumn)

    /// The bytes of the column (its section in a segment file).
    var bytes: ByteBuffer {
        switch self {
        case .numeric(let c): return c.bytes
        case .keyword(let c): return c.bytes
        }
    }

    var numeric: NumericColumn? {
        if case .numeric(let c) = self { return c }
        return nil
    }

    var keyword: KeywordColumn? {
        if case .keyword(let c) = self { return c }
        return nil
    }

    /// Opens the column of a field of `kind` from `bytes`.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` when the bytes are not such a column.
    init(_ bytes: ByteBuffer, kind: FieldKind, documentCount: Int, path: String, field: String) throws(StorageError) {
        switch kind {
        case .keyword: self = .keyword(try KeywordColumn(bytes, documentCount: documentCount, path: path, label: "field \(field)"))
        default: self = .numeric(try NumericColumn(bytes, documentCount: documentCount, path: path, label: "field \(field)"))
        }
    }

    /// Document `doc`'s value as a field of `kind` holds it (nil when it has none).
    func value(_ doc: Int, kind: FieldKind) -> FieldValue? {
        switch self {
        case .keyword(let c):
            let values = c.values(doc)
            switch values.count {
            case 0: return nil
            case 1: return .keyword(values[0])
            default: return .keywords(values)
            }
        case .numeric(let c):
            guard let v = c.value(doc) else { return nil }
            switch kind {
            case .double: return .double(NumericColumn.double(sortableBits: v))
            case .date: return .date(milliseconds: v)
            default: return .int(v)
            }
        }
    }

    /// `value` as the numeric column of a field of `kind` stores it: an int or a date as it is, a
    /// double (or an int given for a double field) as ``NumericColumn/sortableBits(_:)``. Nil for a
    /// value of another kind, or NaN.
    static func stored(_ value: FieldValue, kind: FieldKind) -> Int64? {
        switch (kind, value) {
        case (.int, .int(let n)), (.date, .date(let n)): return n
        case (.double, .double(let d)): return d.isNaN ? nil : NumericColumn.sortableBits(d)
        case (.double, .int(let n)): return NumericColumn.sortableBits(Double(n))
        default: return nil
        }
    }

    /// The full structural check (``IndexStore/verify(at:)``).
    func checkStructure() throws(StorageError) {
        switch self {
        case .numeric(let c): try c.checkStructure()
        case .keyword(let c): try c.checkStructure()
        }
    }
}

/// Collects the values of one typed field while a segment is built, one entry per document.
struct ValueColumnBuilder {
    // (Two optionals, not an enum with payloads: appending in place, without copying a builder.)
    private var numeric: NumericColumnBuilder?
    private var keyword: KeywordColumnBuilder?
    let kind: FieldKind

    init(kind: FieldKind) {
        self.kind = kind
        if kind == .keyword { keyword = KeywordColumnBuilder() } else { numeric = NumericColumnBuilder() }
    }

    /// Appends the next document's value (nil: none). The value's kind was checked against the
    /// field's by the writer.
    mutating func append(_ value: FieldValue?) {
        if keyword != nil {
            switch value {
            case .keyword(let s): keyword!.append([s])
            case .keywords(let list): keyword!.append(list)
            default: keyword!.append([])
            }
        } else {
            numeric!.append(value.flatMap { ValueColumn.stored($0, kind: kind) })
        }
    }

    /// The column's bytes.
    func finish() -> [UInt8] { keyword?.finish() ?? numeric!.finish() }
}
