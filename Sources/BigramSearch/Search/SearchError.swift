/// Why a search could not run.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The query text is malformed (strict parsing), at the error's position.
    case syntax(QuerySyntaxError)
    /// The query names a field that is not an indexed field of the schema.
    case unknownField(String)
    /// The search ran longer than ``SearchOptions/timeLimit``.
    case timeLimitExceeded
    /// The search's task was cancelled.
    case cancelled
    /// Shards to search together differ in schema or analyzer, or there are none.
    case incompatibleShards(String)
    /// A filter is malformed for its field: a filter on a text field, a bound of the wrong kind
    /// (a date for an int field, a number for a keyword range), a NaN bound, or text that is not
    /// a value of the field (`n:abc`).
    case invalidFilter(String)
    /// A sort field is unknown, a text field, or there are too many.
    case invalidSort(String)
    /// A facet's field is unknown or its grouping does not suit the field's kind.
    case invalidFacet(String)
    /// ``SearchOptions/after`` is not a cursor of this snapshot and query (cursors are valid for
    /// the snapshot that returned them, with the same query, order and page settings).
    case invalidCursor(String)
    /// A file of the index is damaged: a checksum (verified on first use) does not match, or
    /// the data fails the checks made as it is read.
    case damagedIndex(StorageError)

    /// One line saying what went wrong.
    public var description: String {
        switch self {
        case .timeLimitExceeded: return "the search ran longer than its time limit"
        case .cancelled: return "the search was cancelled"
        case .incompatibleShards(let why): return "shards cannot be searched together: \(why)"
        case .damagedIndex(let e): return e.description
        case .syntax(let e): return e.description
        case .unknownField(let f): return "unknown or unindexed field \"\(f)\""
        case .invalidFilter(let why): return "invalid filter: \(why)"
        case .invalidSort(let why): return "invalid sort: \(why)"
        case .invalidFacet(let why): return "invalid facet: \(why)"
        case .invalidCursor(let why): return "invalid cursor: \(why)"
        }
    }
}
