/// Saving an index to a directory and opening it again (docs/FORMAT.md).
///
/// A saved index is a directory of immutable segment files (`seg-<uid>.bgs`) and a `MANIFEST`
/// naming the live ones. Saving writes the segment files that are not there yet, fsyncs them,
/// then atomically replaces the manifest (temporary file, fsync, rename, fsync the directory), and
/// finally removes segment files no manifest names. A crash at any point leaves either the old
/// or the new index, never a mix. Opening reads the manifest and memory-maps the segment files,
/// checking their headers and section tables: O(1) in the index size. Each section's checksum is
/// verified the first time a search uses it; a damaged section makes that search throw
/// ``SearchError/damagedIndex(_:)`` naming the file.
public enum IndexStore {
    /// True when `path` is a directory holding a saved index.
    public static func isIndex(at path: String) -> Bool {
        FileSystem.isDirectory(path) && FileSystem.exists(path + "/" + Manifest.fileName)
    }

    /// Opens the index saved in `directory`.
    ///
    /// - Parameter analyzer: the analyzer the index was built with. May be nil when it was a
    ///   ``BigramAnalyzer`` (rebuilt from the options stored in the index); a custom analyzer
    ///   must be passed again and have the same ``Analyzer/identifier``.
    /// - Throws: ``StorageError`` naming the file: not an index, missing or damaged file, other
    ///   format version, analyzer mismatch.
    /// - Complexity: reads the manifest and each segment's header; independent of the index size.
    public static func open(at directory: String, analyzer: (any Analyzer)? = nil) throws(StorageError) -> IndexSnapshot {
        try openState(at: directory, analyzer: analyzer).snapshot
    }

    /// Opens the index in `directory` and verifies the checksum of every section of every file
    /// now (what `open` defers to first use) — a full check, like Lucene's CheckIndex.
    ///
    /// - Throws: the ``StorageError`` of the first problem, naming the file.
    /// - Complexity: reads the whole index once (CRC-32C at several GB/s).
    @discardableResult
    public static func verify(at directory: String, analyzer: (any Analyzer)? = nil) throws(StorageError) -> IndexSnapshot {
        let snapshot = try open(at: directory, analyzer: analyzer)
        for segment in snapshot.segments { try segment.verifyAll() }
        return snapshot
    }

    struct OpenedState {
        var manifest: Manifest
        var snapshot: IndexSnapshot
    }

    static func openState(at directory: String, analyzer: (any Analyzer)?) throws(StorageError) -> OpenedState {
        guard FileSystem.isDirectory(directory) else { throw .notAnIndex(path: directory) }
        let manifestPath = directory + "/" + Manifest.fileName
        guard FileSystem.exists(manifestPath) else { throw .notAnIndex(path: directory) }
        let manifest = try Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath)
        let resolved = try resolveAnalyzer(manifest.analyzer, given: analyzer, path: directory)
        var segments: [Segment] = []
        var deletions: [DocumentSet] = []
        for info in manifest.segments {
            let path = directory + "/" + info.file
            let segment = try SegmentFile.decode(try FileSystem.map(path), path: path, schema: manifest.schema)
            guard fileName(of: segment) == info.file else {
                throw .corrupt(path: path, reason: "holds segment \(fileName(of: segment)), not the one named")
            }
            guard segment.documentCount == info.documents else {
                throw .corrupt(path: path, reason: "has \(segment.documentCount) documents, the manifest says \(info.documents)")
            }
            var deleted = DocumentSet(capacity: segment.documentCount)
            for d in info.deleted where Int(d) < segment.documentCount { deleted.insert(d) }
            segments.append(segment)
            deletions.append(deleted)
        }
        return OpenedState(manifest: manifest, snapshot: IndexSnapshot(schema: manifest.schema, analyzer: resolved,
                                                                       segments: segments, deletions: deletions))
    }

    private static func resolveAnalyzer(_ info: Manifest.AnalyzerInfo, given: (any Analyzer)?, path: String) throws(StorageError) -> any Analyzer {
        if let given {
            guard given.identifier == info.identifier else {
                throw .analyzerMismatch(path: path, stored: info.identifier, requested: given.identifier)
            }
            return given
        }
        guard let options = info.bigram else {
            throw .analyzerMismatch(path: path, stored: info.identifier, requested: "none (pass the analyzer to open)")
        }
        do { return try BigramAnalyzer(options) } catch {
            throw .io(path: path, reason: error.description)
        }
    }

    /// Saves `snapshot` into `directory` (created if missing), atomically replacing any index there.
    ///
    /// - Throws: ``StorageError/io(path:reason:)`` when the file system fails; the previous index
    ///   in `directory`, if any, is then still intact.
    public static func save(_ snapshot: IndexSnapshot, to directory: String) throws(StorageError) {
        try FileSystem.makeDirectory(directory)
        let manifestPath = directory + "/" + Manifest.fileName
        var generation = 0
        if FileSystem.exists(manifestPath), let old = try? Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath) {
            generation = old.generation
        }
        var infos: [Manifest.SegmentInfo] = []
        for (segment, deleted) in zip(snapshot.segments, snapshot.deletions) {
            let name = fileName(of: segment)
            let path = directory + "/" + name
            try ensureWritten(segment, schema: snapshot.schema, path: path)
            infos.append(.init(file: name, documents: segment.documentCount, deleted: deleted.members))
        }
        try FileSystem.syncDirectory(directory)
        let bigram = snapshot.analyzer as? BigramAnalyzer
        let manifest = Manifest(generation: generation + 1, schema: snapshot.schema,
                                analyzer: .init(identifier: snapshot.analyzer.identifier, bigram: bigram?.options),
                                segments: infos)
        let tmp = manifestPath + ".tmp"
        try FileSystem.writeFile(tmp, try manifest.encoded())
        try FileSystem.replace(tmp, with: manifestPath)
        try FileSystem.syncDirectory(directory)
        // Remove files of segments no longer named (and temporaries of interrupted saves).
        let live = Set(infos.map(\.file))
        for name in (try? FileSystem.listDirectory(directory)) ?? [] where name.hasPrefix("seg-") && !live.contains(name) {
            FileSystem.remove(directory + "/" + name)
        }
    }

    /// Writes `segment` into `directory` (if not there already) and returns it memory-mapped from
    /// the file, so the in-memory copy can be released. Not visible to readers until a manifest
    /// names it.
    static func writeSegment(_ segment: Segment, schema: Schema, to directory: String) throws(StorageError) -> Segment {
        try FileSystem.makeDirectory(directory)
        let path = directory + "/" + fileName(of: segment)
        try ensureWritten(segment, schema: schema, path: path)
        return try SegmentFile.decode(try FileSystem.map(path), path: path, schema: schema)
    }

    /// Writes `segment` to `path` unless that file already holds it intact: a segment mapped from
    /// that very file is trusted (it was verified when mapped); any other file of that name is
    /// checked, and rewritten if damaged.
    private static func ensureWritten(_ segment: Segment, schema: Schema, path: String) throws(StorageError) {
        if FileSystem.exists(path) && (segment.origin == path || isIntact(path, schema: schema)) { return }
        let tmp = path + ".tmp"
        try FileSystem.writeFile(tmp, SegmentFile.encode(segment))
        try FileSystem.replace(tmp, with: path)
    }

    private static func isIntact(_ path: String, schema: Schema) -> Bool {
        guard let buffer = try? FileSystem.map(path) else { return false }
        return (try? SegmentFile.decode(buffer, path: path, schema: schema, verifyNow: true)) != nil
    }

    static func fileName(of segment: Segment) -> String {
        let hex = String(segment.uid, radix: 16)
        return "seg-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".bgs"
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
