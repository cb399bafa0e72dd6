/// One key of a result order other than by score (``SearchOptions/sort``): a typed field,
/// ascending or descending.
///
/// Documents without a value sort after every document with one, in either direction. A keyword
/// field with several values sorts by its smallest value ascending, by its largest descending.
/// Ties (on every key) are broken by document order. Re-ranking does not apply to a field order.
public struct SortField: Hashable, Sendable {
    /// The field: keyword, int, double or date.
    public var field: String
    /// Largest first.
    public var descending: Bool

    /// A sort key.
    public init(_ field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// Reads `date:desc`, `n:asc` or `n` (ascending), as the command-line tool's `--sort` does.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { return nil }
        field = String(name)
        switch parts.count == 2 ? parts[1].lowercased() : "asc" {
        case "asc": descending = false
        case "desc": descending = true
        default: return nil
        }
    }
}
