/// Errors of building, opening and changing an index.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The schema breaks a rule (names, duplicates, boosts, no indexed field), or differs from the index's.
    case invalidSchema(String)
    /// A document names a field the schema does not have.
    case unknownField(String, documentID: String)
    /// A document gives a field a value of another kind: text for a typed field, a typed value
    /// for a text field or of the wrong type (an int for a date field), or NaN for a double.
    case wrongValueType(field: String, documentID: String, expected: FieldKind)
    /// A document field is larger than the index supports (positions and offsets are 32-bit).
    case documentTooLarge(documentID: String, bytes: Int)
    /// A document has an empty id.
    case emptyDocumentID
    /// The analyzer could not be set up (ICU).
    case analysis(AnalysisError)
    /// Reading or writing the index's directory failed.
    case storage(StorageError)

    /// A message that says what is wrong.
    public var description: String {
        switch self {
        case .invalidSchema(let m): return "invalid schema: \(m)"
        case .unknownField(let f, let id): return "document \"\(id)\" has field \"\(f)\", which is not in the schema"
        case .wrongValueType(let f, let id, let kind):
            return "document \"\(id)\": field \"\(f)\" holds \(kind == .text ? "text" : "\(kind) values"), not what was given"
        case .documentTooLarge(let id, let n): return "document \"\(id)\" has a field of \(n) bytes; the limit is \(IndexLimits.maxFieldBytes)"
        case .emptyDocumentID: return "a document id must not be empty"
        case .analysis(let e): return e.description
        case .storage(let e): return e.description
        }
    }
}
