/// A condition on a typed field (``FieldKind/keyword``, ``FieldKind/int``, ``FieldKind/double``,
/// ``FieldKind/date``), used as a clause of a ``Query`` (``Query/filter(_:)``). A filter selects
/// documents and never changes scores; alone it matches every document passing it.
///
/// In the query syntax: `source:体育`, `source:"debian reference"` (keyword, exact),
/// `n:[10 TO *]`, `n:{10 TO 20}` (exclusive), `n:[10 TO 20}`, `date:[2024-01-01 TO 2024-12-31]`,
/// `date:>=2024-06-01`, `n:<5`, `n:42` (equal), `date:2024-06` (that month).
public enum FieldFilter: Hashable, Sendable {
    /// A keyword field has exactly `value` (one of its values, for a document with several).
    case keyword(String, field: String)
    /// The field's value lies between the bounds (nil: unbounded). For a date bound, see
    /// ``DateText/Interval``: the query parser turns `2024-06-01` into the bound that includes or
    /// excludes that whole day.
    case range(field: String, lower: RangeBound?, upper: RangeBound?)

    /// The field the filter applies to.
    public var field: String {
        switch self {
        case .keyword(_, let f), .range(let f, _, _): return f
        }
    }
}

/// One end of a range filter.
public struct RangeBound: Hashable, Sendable {
    /// The bound: ``FieldValue/int(_:)`` (also accepted for double fields), ``FieldValue/double(_:)``
    /// or ``FieldValue/date(milliseconds:)``.
    public var value: FieldValue
    /// Whether the bound itself passes.
    public var inclusive: Bool

    /// A bound.
    public init(_ value: FieldValue, inclusive: Bool = true) {
        self.value = value
        self.inclusive = inclusive
    }
}

extension FieldFilter: CustomStringConvertible {
    /// The filter in the query syntax.
    public var description: String {
        switch self {
        case .keyword(let v, let f): return f + ":\"" + v.replacing("\"", with: " ") + "\""
        case .range(let f, let lower, let upper):
            func text(_ b: RangeBound?) -> String { b.map { "\($0.value)" } ?? "*" }
            let open = lower?.inclusive ?? true ? "[" : "{"
            let close = upper?.inclusive ?? true ? "]" : "}"
            return "\(f):\(open)\(text(lower)) TO \(text(upper))\(close)"
        }
    }
}
