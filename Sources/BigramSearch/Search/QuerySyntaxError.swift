/// A malformed query, with the character offset where the problem is.
public struct QuerySyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the query.
    public enum Kind: Hashable, Sendable {
        /// A `"` is never closed.
        case unclosedQuote
        /// A `(` is never closed, or a `)` was never opened.
        case unbalancedParenthesis
        /// `()` holds nothing to search for.
        case emptyGroup
        /// An operator (`OR`, `-`, `field:`) with nothing to apply to.
        case danglingOperator(String)
        /// `name:` names a field the index does not search.
        case unknownField(String)
        /// The query holds only exclusions (`-a -b`, `-(a OR b)`), which would match almost
        /// everything.
        case onlyNegativeClauses
        /// The query is longer than ``QueryParser/Limits/maxBytes``.
        case tooLong(limit: Int)
        /// The query has more clauses than ``QueryParser/Limits/maxClauses``.
        case tooManyClauses(limit: Int)
        /// Parentheses nest deeper than ``QueryParser/Limits/maxDepth`` (`limit` is that), or more
        /// than 512 minus signs stand in a row (`limit` is 512).
        case tooDeep(limit: Int)
        /// A range or comparison (`title:[a TO b]`, `title:>5`) on a field that is not typed: the
        /// field is text (or not in ``QueryParser/typedFields``); search it with words.
        case filterOnTextField(String)
        /// A range on `field` is not `[lower TO upper]` (with `[`/`{` and `]`/`}`): `expected`
        /// names what is missing where the error points — `"a lower bound"`, `"TO"`,
        /// `"an upper bound"` or `"] or }"` (`n:[10]`, `n:[10 20]`, `n:[10 TO]`, `n:[10 TO 20`).
        case malformedRange(field: String, expected: String)
        /// `value` is not a value of `field`, a field of `kind`: not a whole number for an int
        /// field (`n:2.5`), not a number for a double field, not an ISO 8601 date for a date
        /// field (`date:>=2024-13-01`).
        case invalidValue(String, field: String, kind: FieldKind)
        /// A comparison (`>=`, `>`, `<=`, `<`) on `field` has no value after it (`n:>=`).
        case missingValue(field: String, operator: String)
    }

    /// What is wrong.
    public var kind: Kind
    /// Offset in `Character`s from the start of the query.
    public var position: Int

    /// An error of `kind` at character `position`.
    public init(_ kind: Kind, at position: Int) {
        self.kind = kind
        self.position = position
    }

    /// A message with the position, e.g. `query syntax error at character 3: a quote is never closed`.
    public var description: String {
        let what: String
        switch kind {
        case .unclosedQuote: what = "a quote is never closed"
        case .unbalancedParenthesis: what = "parentheses do not balance"
        case .emptyGroup: what = "empty parentheses"
        case .danglingOperator(let op): what = "\(op) needs a clause \(op == "OR" ? "on both sides" : "after it")"
        case .unknownField(let f): what = "unknown field \"\(f)\""
        case .onlyNegativeClauses: what = "the query only excludes; add a clause that must match"
        case .tooLong(let n): what = "the query is longer than \(n) bytes"
        case .tooManyClauses(let n): what = "the query has more than \(n) clauses"
        case .tooDeep(let n): what = "parentheses nest deeper than \(n)"
        case .filterOnTextField(let f):
            what = "\"\(f)\" is a text field: ranges and comparisons apply to keyword, int, double and date fields; search it with words (\(f):word)"
        case .malformedRange(let f, let expected):
            what = "the range on \"\(f)\" needs \(expected) here; write \(f):[lower TO upper] (* for an open end)"
        case .invalidValue(let v, let f, let kind):
            let wanted: String
            switch kind {
            case .int: wanted = "a whole number"
            case .double: wanted = "a number"
            case .date: wanted = "an ISO 8601 date (2024, 2024-06, 2024-06-01, 2024-06-01T12:30:00Z)"
            case .keyword, .text: wanted = "a \(kind) value"
            }
            what = "\"\(v)\" is not a value of \(kind) field \"\(f)\": expected \(wanted)"
        case .missingValue(let f, let op): what = "\(f):\(op) needs a value after it"
        }
        return "query syntax error at character \(position): \(what)"
    }
}
