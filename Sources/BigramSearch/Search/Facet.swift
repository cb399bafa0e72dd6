/// A count of the whole match set by the values of a typed field (not only the returned page):
/// ask for it with ``SearchOptions/facets``; read it from ``SearchResults/facets``.
public struct FacetRequest: Hashable, Sendable {
    /// How documents are grouped.
    public enum Grouping: Hashable, Sendable {
        /// Per keyword value: the `top` values by count, then by value (byte order).
        case values(top: Int)
        /// Per UTC calendar year of a date field, labelled `2024`.
        case years
        /// Per UTC calendar month of a date field, labelled `2024-06`.
        case months
        /// Per explicit range of an int, double or date field, in the order given; a document
        /// counts in every range that holds its value.
        case ranges([FacetRange])
    }

    /// The field counted.
    public var field: String
    /// How its values are grouped.
    public var grouping: Grouping

    /// A facet of `field`.
    public init(_ field: String, _ grouping: Grouping) {
        self.field = field
        self.grouping = grouping
    }

    /// The top `top` values of a keyword field.
    public static func values(_ field: String, top: Int = 10) -> FacetRequest { FacetRequest(field, .values(top: top)) }

    /// The name of this facet in ``SearchResults/facets`` and the command-line tool's JSON:
    /// the field's name, with `:year`, `:month` or `:ranges` for those groupings.
    public var name: String {
        switch grouping {
        case .values: return field
        case .years: return field + ":year"
        case .months: return field + ":month"
        case .ranges: return field + ":ranges"
        }
    }
}

/// A bucket of a range facet: `lower ..< upper` (nil: unbounded), with a label.
public struct FacetRange: Hashable, Sendable {
    /// The label of the bucket in the results (by default `lower..upper`, `*` for unbounded).
    public var label: String
    /// The smallest value counted (inclusive).
    public var lower: FieldValue?
    /// The first value not counted (exclusive).
    public var upper: FieldValue?

    /// A bucket `lower ..< upper`.
    public init(_ lower: FieldValue?, _ upper: FieldValue?, label: String? = nil) {
        self.lower = lower
        self.upper = upper
        self.label = label ?? "\(lower.map { "\($0)" } ?? "*")..\(upper.map { "\($0)" } ?? "*")"
    }
}

/// The counts of one facet: buckets in order (by count then value for keyword values; in
/// calendar order for years and months, only those with documents; in the order asked for ranges,
/// empty ones included).
public struct FacetResult: Hashable, Sendable, Encodable {
    /// One bucket.
    public struct Bucket: Hashable, Sendable {
        /// The value or the range's label.
        public var label: String
        /// Matching documents in the bucket.
        public var count: Int
    }

    /// The buckets, in the facet's order.
    public var buckets: [Bucket]
    /// Distinct values in the match set (for keyword values, before the `top` cut).
    public var distinctValues: Int

    /// Encoded as a JSON object `{label: count, …}` in bucket order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: LabelKey.self)
        for b in buckets { try c.encode(b.count, forKey: LabelKey(b.label)) }
    }

    private struct LabelKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
