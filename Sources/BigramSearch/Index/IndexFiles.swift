/// The names of the files of an index directory (docs/FORMAT.md §Directory), and how to tell
/// them from other files (which ``IndexDirectoryKind`` a directory is depends on them). Only
/// files with these names are ever written, replaced or removed.
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
