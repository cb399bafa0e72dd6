/// One matching document.
///
/// Encoded (`Encodable`) as `{"id", "score", "fields": {name: stored text or value, …},
/// "highlights": […]}`: every stored field the document has (typed values as JSON numbers, or
/// strings for keywords and ISO 8601 dates), and the highlights as ``FieldHighlight`` encodes them.
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

    /// The value of typed field `field` (whether stored or not), or nil when the document has none.
    public func value(_ field: String) -> FieldValue? {
        guard let f = schema.index(of: field), f < segment.columns.count, let c = segment.columns[f] else { return nil }
        return c.value(doc, kind: schema.fields[f].kind)
    }

    /// The values of the document's stored typed fields.
    public var values: [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for (f, field) in schema.fields.enumerated() where field.kind.isTyped && field.stored {
            if f < segment.columns.count, let v = segment.columns[f]?.value(doc, kind: field.kind) { out[field.name] = v }
        }
        return out
    }

    /// All stored text fields of the document.
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
        var all: [String: FieldOrText] = [:]
        for (k, v) in fields { all[k] = .text(v) }
        for (k, v) in values { all[k] = .value(v) }
        try c.encode(all, forKey: .fields)
        try c.encode(highlights, forKey: .highlights)
    }
}

/// A stored text or a typed value, for encoding a hit's fields as one object.
private enum FieldOrText: Encodable {
    case text(String)
    case value(FieldValue)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .text(let t): var c = encoder.singleValueContainer(); try c.encode(t)
        case .value(let v): try v.encode(to: encoder)
        }
    }
}
