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
    /// The filter in the query syntax, which ``QueryParser`` reads back to the same filter (with
    /// the field in ``QueryParser/typedFields``): keyword values bare when they read back so
    /// (`section:体育`), else quoted (`source:"debian reference"`; a value that needs quotes and
    /// holds a `"` cannot be written: the `"` becomes a space, as in phrases), numbers as Swift prints
    /// them, dates in ISO 8601 UTC precise enough that the parsed bound is the same millisecond.
    /// A keyword test of a numeric or date field (`.keyword("42", field: "n")`) prints as
    /// `n:42`, which parses to the equivalent range.
    public var description: String {
        switch self {
        case .keyword(let v, let f): return f + ":" + Self.keyword(v, inRange: false)
        case .range(let f, let lower, let upper):
            let (lo, loInclusive) = lower.map { Self.text($0, lower: true) } ?? ("*", true)
            let (hi, hiInclusive) = upper.map { Self.text($0, lower: false) } ?? ("*", true)
            return "\(f):\(loInclusive ? "[" : "{")\(lo) TO \(hi)\(hiInclusive ? "]" : "}")"
        }
    }

    /// A keyword value or bound as the parser reads it back: bare when it has no space or `)` (in
    /// a range no `]` or `}` either) and does not start like something else (a quote, a range, a
    /// comparison, a group; `*` in a range); else quoted.
    private static func keyword(_ s: String, inRange: Bool) -> String {
        var bare = !s.isEmpty && !s.contains { $0.isWhitespace || $0 == ")" || (inRange && ($0 == "]" || $0 == "}")) }
        if let first = s.first {
            if inRange { bare = bare && first != "\"" && s != "*" }
            else { bare = bare && !"\"[{<>(".contains(first) }
        }
        return bare ? s : "\"" + s.replacing("\"", with: " ") + "\""
    }

    /// A bound as text, and whether it is printed inclusive.
    ///
    /// The parser reads a date as an interval: an inclusive lower or exclusive upper bound takes
    /// the interval's start (`[2024-06-01T00:00:00Z` is that millisecond), an exclusive lower or
    /// inclusive upper one its end (one past its last millisecond). So the first are printed as
    /// ``DateText/format(_:)`` does, the second with explicit milliseconds (an interval of one
    /// millisecond); a date that cannot be written (beyond year 9999) is printed as the same bound
    /// from the other side when that can be (`< 10000-01-01` is `<= 9999-12-31T23:59:59.999Z`;
    /// `> 10000-01-01` has no writing).
    private static func text(_ b: RangeBound, lower: Bool) -> (String, Bool) {
        switch b.value {
        case .keyword(let s): return (keyword(s, inRange: true), b.inclusive)
        case .keywords(let list): return (keyword(list.joined(separator: ", "), inRange: true), b.inclusive)
        case .int, .double: return (b.value.description, b.inclusive)
        case .date(let ms):
            if lower == b.inclusive {
                let t = DateText.format(ms)
                if DateText.parse(t)?.start == ms { return (t, b.inclusive) }
                if ms > Int64.min, let other = millisecondText(ms - 1), DateText.parse(other)?.end == ms {
                    return (other, !b.inclusive)
                }
                return (t, b.inclusive)
            } else {
                let t = millisecondText(ms)
                if let t, ms < Int64.max, DateText.parse(t)?.end == ms + 1 { return (t, b.inclusive) }
                if ms < Int64.max {
                    let other = DateText.format(ms + 1)
                    if DateText.parse(other)?.start == ms + 1 { return (other, !b.inclusive) }
                }
                return (t ?? DateText.format(ms), b.inclusive)
            }
        }
    }

    /// `ms` in ISO 8601 with milliseconds always written (`….000Z`).
    private static func millisecondText(_ ms: Int64) -> String? {
        let t = DateText.format(ms)
        guard t.hasSuffix("Z") else { return nil }
        return t.contains(".") ? t : String(t.dropLast()) + ".000Z"
    }
}
