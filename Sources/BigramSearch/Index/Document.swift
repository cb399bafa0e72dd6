/// A document to index: a unique id and the text of its fields.
public struct Document: Hashable, Sendable {
    /// Unique within an index; adding a document with an existing id replaces it.
    public var id: String
    /// Field name → text. Fields missing here are empty.
    public var fields: [String: String]

    /// A document with the given id and field texts.
    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
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
