import BigramSearch

extension IndexSnapshot {
    /// Searches with a query in the query syntax, strictly, each of its phrases widened to its
    /// regional variants (``RegionalVariants/expand(_:)``): `search("軟體", variants: v)` finds
    /// `软件` too. Otherwise as `search(_:options:)` with a string.
    ///
    /// - Throws: `SearchError.syntax(_:)` for malformed syntax,
    ///   `SearchError.unknownField(_:)`, and the errors of the search itself.
    /// - Complexity: the query's ``RegionalVariants/expand(_:)`` (microseconds per phrase), then
    ///   the search of a query with an `OR` of the variants in place of each phrase.
    public func search(_ query: String, variants: RegionalVariants, options: SearchOptions = SearchOptions()) throws(SearchError) -> SearchResults {
        let q: Query
        do { q = try queryParser.parse(query) } catch { throw .syntax(error) }
        return try search(variants.expand(q), options: options)
    }

    /// Searches with end-user input read leniently (never a syntax error, see
    /// `search(lenient:options:)`), each of its phrases widened to its regional variants
    /// (``RegionalVariants/expand(_:)``).
    ///
    /// - Throws: the errors of the search itself (a damaged index, an exceeded time limit), never
    ///   `SearchError.syntax(_:)`.
    public func search(lenient query: String, variants: RegionalVariants, options: SearchOptions = SearchOptions()) throws(SearchError) -> SearchResults {
        try search(variants.expand(queryParser.parseLenient(query)), options: options)
    }
}
