/// One matching document.
///
/// Encoded (`Encodable`) as `{"id", "score", "fields": {name: stored text, …}, "highlights": […]}`:
/// every stored field the document has, and the highlights as ``FieldHighlight`` encodes them.
public struct Hit: Sendable, Encodable {
    /// BM25 score (higher is better).
    public var score: Double
    /// Per field: where the query matched, when highlighting was asked for.
    public var highlights: [FieldHighlight]
    let segment: Segment
    let doc: Int
    let schema: Schema

    /// The document's id.
    public var id: String { segment.id(doc) }

    /// The stored text of `field`, if the field is stored and the document has it.
    public subscript(field: String) -> String? {
        schema.index(of: field).flatMap { segment.storedText(doc, field: $0) }
    }

    /// All stored fields of the document.
    public var fields: [String: String] {
        var out: [String: String] = [:]
        for (f, field) in schema.fields.enumerated() { if let t = segment.storedText(doc, field: f) { out[field.name] = t } }
        return out
    }

    private enum CodingKeys: String, CodingKey { case id, score, fields, highlights }

    /// Encodes `id`, `score`, `fields` (every stored field) and `highlights`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(score, forKey: .score)
        try c.encode(fields, forKey: .fields)
        try c.encode(highlights, forKey: .highlights)
    }
}
