/// Which fields documents have, which are searchable, which are returned with hits, and how much
/// each weighs in ranking.
///
/// ```swift
/// let schema = Schema([
///     .init("title", boost: 2),
///     .init("body"),
///     .init("url", indexed: false),
///     .init("date", kind: .date),          // typed fields: filter, sort, facets
///     .init("section", kind: .keyword),
/// ])
/// ```
public struct Schema: Hashable, Sendable, Codable {
    /// One field of the schema.
    public struct Field: Hashable, Sendable, Codable {
        /// The field's name: ASCII letters, digits and `_`, unique in the schema (`name:` in queries).
        public var name: String
        /// Searchable (analyzed into the inverted index).
        public var indexed: Bool
        /// Kept and returned with hits (needed for snippets).
        public var stored: Bool
        /// Multiplies this field's BM25 score.
        public var boost: Double
        /// What the field holds: text (the default), or a typed value kept in a per-document
        /// column (keyword, int, double, date) for filters, sorting and facets. A typed field is
        /// never `indexed` (it has no inverted index); `stored` says whether hits return it.
        public var kind: FieldKind

        /// A text field. Without an explicit `boost`, a field named `title` weighs 2 and any other 1.
        public init(_ name: String, indexed: Bool = true, stored: Bool = true, boost: Double? = nil) {
            self.name = name
            self.indexed = indexed
            self.stored = stored
            self.boost = boost ?? (name == "title" ? 2 : 1)
            kind = .text
        }

        /// A field of `kind`: for ``FieldKind/text`` the same as ``init(_:indexed:stored:boost:)``;
        /// a typed field has a per-document column and no inverted index.
        public init(_ name: String, kind: FieldKind, stored: Bool = true) {
            self.init(name, indexed: kind == .text, stored: stored)
            self.kind = kind
            if kind.isTyped { boost = 0 }
        }

        /// Whether the field's text is kept in a stored table (a stored text field; a typed
        /// field's values are read from its column).
        var storesText: Bool { stored && kind == .text }

        private enum CodingKeys: String, CodingKey { case name, indexed, stored, boost, kind }

        /// Decodes a field; without `kind` (schemas written before typed fields) it is text.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            indexed = try c.decode(Bool.self, forKey: .indexed)
            stored = try c.decode(Bool.self, forKey: .stored)
            boost = try c.decode(Double.self, forKey: .boost)
            kind = try c.decodeIfPresent(FieldKind.self, forKey: .kind) ?? .text
        }

        /// Encodes a field; `kind` only when it is not text (so a text-only schema is written as
        /// before typed fields).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(indexed, forKey: .indexed)
            try c.encode(stored, forKey: .stored)
            try c.encode(boost, forKey: .boost)
            if kind != .text { try c.encode(kind, forKey: .kind) }
        }
    }

    /// The fields in order; a field's number is its index here.
    public var fields: [Field]

    /// A schema of the given fields. Names must be unique, non-empty, and made of letters, digits
    /// and `_` (so that `name:` works in queries), and at least one field indexed: a writer
    /// checks this when it is created (``IndexError/invalidSchema(_:)``).
    public init(_ fields: [Field]) {
        self.fields = fields
    }

    /// A schema with one indexed and stored field, `text`.
    public static let text = Schema([Field("text")])

    /// `title` (boost 2) and `body`, both indexed and stored.
    public static let article = Schema([Field("title"), Field("body")])

    /// Field names are ASCII letters, digits and `_`, so that `name:` can be recognized in queries
    /// (``QueryParser`` uses the same rule).
    @inline(__always) static func isFieldNameByte(_ a: UInt8) -> Bool {
        (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || a == 0x5F
    }

    func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }

    var indexedFieldNumbers: [Int] { fields.indices.filter { fields[$0].indexed } }

    /// Whether any field is typed (its segments then have value columns).
    var hasTypedFields: Bool { fields.contains { $0.kind.isTyped } }

    func validate() throws(IndexError) {
        var seen = Set<String>()
        if fields.isEmpty { throw .invalidSchema("a schema needs at least one field") }
        for f in fields {
            guard !f.name.isEmpty, f.name.utf8.allSatisfy(Self.isFieldNameByte) else {
                throw .invalidSchema("field name \"\(f.name)\" must be letters, digits or _")
            }
            guard seen.insert(f.name).inserted else { throw .invalidSchema("field \"\(f.name)\" appears twice") }
            guard f.boost.isFinite && f.boost >= 0 else { throw .invalidSchema("field \"\(f.name)\" has boost \(f.boost)") }
            guard !(f.kind.isTyped && f.indexed) else {
                throw .invalidSchema("field \"\(f.name)\" is a \(f.kind) field: only text fields are indexed (typed fields are filtered, sorted and faceted)")
            }
        }
        if !fields.contains(where: \.indexed) { throw .invalidSchema("no field is indexed") }
    }
}
