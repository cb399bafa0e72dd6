/// Errors of saving and opening an index. Each names the file concerned.
///
/// (The storage layer's error: its cases name what the index layer above finds wrong too, so that
/// one error type reaches the caller for any fault of the files.)
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path is not a directory holding an index.
    case notAnIndex(path: String)
    /// The directory holds index files but no manifest: a damaged index (never read as empty).
    case missingManifest(path: String)
    /// Another writer (another process, or another writer in this one) holds the index.
    case locked(path: String)
    /// An index was to be created in a directory that holds other files.
    case directoryNotEmpty(path: String)
    /// An index was to be created where one exists already.
    case alreadyAnIndex(path: String)
    /// The writer of this index was closed.
    case closed(path: String)
    /// The commit took effect (readers see it) but making it durable failed (the directory's
    /// fsync): a power loss may still undo it.
    case committedButNotDurable(path: String, reason: String)
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

    /// The file or directory concerned.
    public var path: String {
        switch self {
        case .notAnIndex(let p), .missingManifest(let p), .locked(let p), .directoryNotEmpty(let p), .alreadyAnIndex(let p),
             .closed(let p), .missingFile(let p), .checksumMismatch(let p), .corrupt(let p, _), .unsupportedVersion(let p, _, _),
             .analyzerMismatch(let p, _, _), .io(let p, _), .committedButNotDurable(let p, _):
            return p
        }
    }

    /// A message that names the file and says what is wrong.
    public var description: String {
        switch self {
        case .notAnIndex(let p): return "\(p) is not an index"
        case .missingManifest(let p): return "\(p) is a damaged index: it holds index files but no MANIFEST (nothing was changed)"
        case .locked(let p):
            // The lock file of an index directory: name the directory, and the file by its name.
            let slash = p.lastIndex(of: "/")
            let dir = slash.map { String(p[..<$0]) } ?? "."
            let file = slash.map { String(p[p.index(after: $0)...]) } ?? p
            return "the index \(dir) is being written by another process (\(file) is locked)"
        case .directoryNotEmpty(let p): return "\(p) is not empty and not an index"
        case .alreadyAnIndex(let p): return "\(p) is already an index"
        case .closed(let p): return "the writer of \(p) was closed"
        case .committedButNotDurable(let p, let r): return "committed, but the commit may not survive a power loss: \(p): \(r)"
        case .missingFile(let p): return "index file \(p) is missing"
        case .checksumMismatch(let p): return "index file \(p) is damaged (checksum mismatch)"
        case .corrupt(let p, let r): return "index file \(p) is damaged: \(r)"
        case .unsupportedVersion(let p, let f, let s): return "index file \(p) has format version \(f); this library reads version \(s)"
        case .analyzerMismatch(let p, let s, let r): return "index \(p) was built with analyzer \(s), not \(r)"
        case .io(let p, let r): return "\(p): \(r)"
        }
    }
}
