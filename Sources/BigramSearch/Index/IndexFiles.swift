/// The names of the files of an index directory (docs/FORMAT.md §Directory), and what a
/// directory holds. Only files with these names are ever written, replaced or removed.
enum IndexFiles {
    /// The current commit.
    static let manifest = Manifest.fileName
    /// The manifest being written (renamed over ``manifest`` to commit).
    static let manifestTemporary = Manifest.temporaryFileName
    /// Held with `flock` by the one writer of the index (never removed: removing a lock file
    /// another process is about to lock would let two writers in).
    static let writeLock = "write.lock"

    /// `seg-` + 16 lowercase hex digits + `.bgs`.
    static func isSegmentFile(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard u.count == 24, name.hasPrefix("seg-"), name.hasSuffix(".bgs") else { return false }
        return u[4..<20].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A segment file being written (renamed to its final name when complete).
    static func isSegmentTemporary(_ name: String) -> Bool {
        name.hasSuffix(".tmp") && isSegmentFile(String(name.dropLast(4)))
    }

    /// Files that a writer of this library creates in an index directory.
    static func isIndexFile(_ name: String) -> Bool {
        name == manifest || name == manifestTemporary || name == writeLock || isSegmentFile(name) || isSegmentTemporary(name)
    }

    static func segmentFileName(uid: UInt64) -> String {
        let hex = String(uid, radix: 16)
        return "seg-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".bgs"
    }
}

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
