/// What a path holds, as far as indexes are concerned (see ``IndexStore/kind(of:)``).
public enum IndexDirectoryKind: Sendable, Hashable, CustomStringConvertible {
    /// Nothing there.
    case missing
    /// An empty directory (or one holding only a lock file): an index can be created there.
    case empty
    /// A directory with a manifest: an index (whether its files are intact is checked on open).
    case index
    /// A directory with index files but no manifest: an index whose manifest was lost, or whose
    /// creation never committed. Never read as an empty index, never written to.
    case damagedIndex
    /// A file, or a directory holding other files.
    case other

    /// The kind in words, for messages.
    public var description: String {
        switch self {
        case .missing: return "missing"
        case .empty: return "an empty directory"
        case .index: return "an index"
        case .damagedIndex: return "a damaged index (index files but no MANIFEST)"
        case .other: return "not an index"
        }
    }
}
