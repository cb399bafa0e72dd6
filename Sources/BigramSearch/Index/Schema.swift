/// Which fields documents have, which are searchable, which are returned with hits, and how much
/// each weighs in ranking.
///
/// ```swift
/// let schema = Schema([
///     .init("title", boost: 2),
///     .init("body"),
///     .init("url", indexed: false),
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

        /// A field. Without an explicit `boost`, a field named `title` weighs 2 and any other 1.
        public init(_ name: String, indexed: Bool = true, stored: Bool = true, boost: Double? = nil) {
            self.name = name
            self.indexed = indexed
            self.stored = stored
            self.boost = boost ?? (name == "title" ? 2 : 1)
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

    func validate() throws(IndexError) {
        var seen = Set<String>()
        if fields.isEmpty { throw .invalidSchema("a schema needs at least one field") }
        for f in fields {
            guard !f.name.isEmpty, f.name.utf8.allSatisfy(Self.isFieldNameByte) else {
                throw .invalidSchema("field name \"\(f.name)\" must be letters, digits or _")
            }
            guard seen.insert(f.name).inserted else { throw .invalidSchema("field \"\(f.name)\" appears twice") }
            guard f.boost.isFinite && f.boost >= 0 else { throw .invalidSchema("field \"\(f.name)\" has boost \(f.boost)") }
        }
        if !fields.contains(where: \.indexed) { throw .invalidSchema("no field is indexed") }
    }
}
