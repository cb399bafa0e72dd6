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
        }
        return "query syntax error at character \(position): \(what)"
    }
}
