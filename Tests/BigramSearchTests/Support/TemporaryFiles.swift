import Foundation

// Temporary directories and files of the tests.

/// A fresh path under the temporary directory, `<test file>-<tag>-<UUID>` (`StorageTests-text-…`
/// when called from StorageTests.swift). Not created: `IndexStore.save` and `IndexWriter` create it.
func temporaryIndexPath(_ tag: String = "index", fileID: String = #fileID) -> String {
    let file = fileID.split(separator: "/").last.map(String.init) ?? fileID
    let owner = file.hasSuffix(".swift") ? String(file.dropLast(".swift".count)) : file
    return FileManager.default.temporaryDirectory
        .appendingPathComponent("\(owner)-\(tag)-\(UUID().uuidString)").path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// The names in the directory at `path`, sorted (none when it cannot be read).
func listDirectory(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// A fresh temporary directory (created), removed by the caller with `removeDirectory`.
func makeTemporaryDirectory(_ tag: String, fileID: String = #fileID) throws -> String {
    let path = temporaryIndexPath(tag, fileID: fileID)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `path`.
func writeText(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Writes `bytes` to `path`.
func writeFileBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Every path under `root` (relative, sorted) with its size and modification time: compares a
/// directory tree before and after a command that must not write.
func snapshotTree(_ root: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var out: [String] = []
    while let rel = enumerator.nextObject() as? String {
        let attributes = (try? FileManager.default.attributesOfItem(atPath: root + "/" + rel)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        out.append("\(rel) \(size) \(modified)")
    }
    return out.sorted()
}
