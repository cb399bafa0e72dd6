/// Saving an index to a directory and opening it again (docs/FORMAT.md).
public enum IndexStore {
    /// True when `path` is a directory holding a saved index.
    public static func isIndex(at path: String) -> Bool { false }

    /// Opens the index saved in `directory`.
    public static func open(at directory: String) throws(StorageError) -> IndexSnapshot {
        throw .notAnIndex(path: directory)
    }

    /// Saves `snapshot` into `directory` (created if missing), atomically replacing any index there.
    public static func save(_ snapshot: IndexSnapshot, to directory: String) throws(StorageError) {
        throw .io(path: directory, reason: "not implemented yet")
    }
}

/// Errors of saving and opening an index. Each names the file concerned.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path is not a directory holding an index.
    case notAnIndex(path: String)
    /// A file of the index is missing.
    case missingFile(path: String)
    /// A file's checksum does not match its contents (damaged or truncated).
    case checksumMismatch(path: String)
    /// A file does not have the expected structure.
    case corrupt(path: String, reason: String)
    /// The index was written in a format version this library does not read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The index was built with a different analyzer than the one asked for.
    case analyzerMismatch(path: String, stored: String, requested: String)
    /// A file system operation failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAnIndex(let p): return "\(p) is not a BigramSearch index (no manifest)"
        case .missingFile(let p): return "index file \(p) is missing"
        case .checksumMismatch(let p): return "index file \(p) is damaged (checksum mismatch)"
        case .corrupt(let p, let r): return "index file \(p) is damaged: \(r)"
        case .unsupportedVersion(let p, let f, let s): return "index file \(p) has format version \(f); this library reads version \(s)"
        case .analyzerMismatch(let p, let s, let r): return "index \(p) was built with analyzer \(s), not \(r)"
        case .io(let p, let r): return "\(p): \(r)"
        }
    }
}
