/// A document to index: a unique id, the text of its text fields and the values of its typed
/// fields.
///
/// ```swift
/// Document(id: "a1", fields: ["title": "常熟", "body": "…"],
///          values: ["date": .date(milliseconds: 1_717_200_000_000), "section": .keyword("体育")])
/// ```
public struct Document: Hashable, Sendable {
    /// Unique within an index; adding a document with an existing id replaces it.
    public var id: String
    /// Text field name → text. Fields missing here are empty.
    public var fields: [String: String]
    /// Typed field name → value (``FieldKind/keyword``, ``FieldKind/int``, ``FieldKind/double``,
    /// ``FieldKind/date``). Fields missing here have no value (they sort last, match no filter).
    /// A value of another kind than its field's is an error (``IndexError/wrongValueType(field:documentID:expected:)``).
    public var values: [String: FieldValue]

    /// A document with the given id, field texts and typed values.
    public init(id: String, fields: [String: String], values: [String: FieldValue] = [:]) {
        self.id = id
        self.fields = fields
        self.values = values
    }

    /// A document with the single field `text`.
    public init(id: String, text: String) {
        self.init(id: id, fields: ["text": text])
    }

    /// The text of `field`, or nil when the document does not have it.
    public subscript(field: String) -> String? {
        get { fields[field] }
        set { fields[field] = newValue }
    }
}
