/// Saving an index to a directory and opening it again (docs/FORMAT.md).
///
/// A saved index is a directory of immutable segment files (`seg-<uid>.bgs`), a `MANIFEST`
/// naming the live ones, and the `write.lock` of its writer. Committing writes the segment files
/// that are not there yet, fsyncs them, then atomically replaces the manifest (temporary file,
/// fsync, rename, fsync the directory). A crash at any point leaves either the old or the new
/// index, never a mix. Opening reads the manifest and memory-maps the segment files, checking
/// their headers and section tables: O(1) in the index size. Each section's checksum is verified
/// the first time a search uses it; a damaged section makes that search throw
/// ``SearchError/damagedIndex(_:)`` naming the file.
///
/// Readers take no lock and never fail because a writer in another process commits: a commit
/// keeps the files of the commit before it, and `open` reads the manifest again when a file it
/// names was removed meanwhile (see ``IndexWriter`` for the one-writer rule).
public enum IndexStore {
    /// True when `path` is a directory holding a saved index (a manifest).
    public static func isIndex(at path: String) -> Bool { kind(of: path) == .index }

    /// What `path` holds: nothing, an empty directory, an index, a damaged index (index files
    /// without a manifest), or something else.
    public static func kind(of path: String) -> IndexDirectoryKind { IndexDirectory.kind(of: path) }

    /// Opens the index saved in `directory`.
    ///
    /// - Parameters:
    ///   - directory: the index directory.
    ///   - analyzer: the analyzer the index was built with. May be nil when it was a
    ///     ``BigramAnalyzer`` (rebuilt from the options stored in the index); a custom analyzer
    ///     must be passed again and have the same ``Analyzer/identifier``.
    /// - Throws: ``StorageError`` naming the file: not an index, missing manifest, missing or
    ///   damaged file, other format version, analyzer mismatch.
    /// - Complexity: reads the manifest and each segment's header; independent of the index size.
    public static func open(at directory: String, analyzer: (any Analyzer)? = nil) throws(StorageError) -> IndexSnapshot {
        try openState(at: directory, analyzer: analyzer).snapshot
    }

    /// Opens the index in `directory` and checks all of it now — a full check, like Lucene's
    /// CheckIndex: the checksum of every section of every file (what `open` defers to first
    /// use), the structure of every term's postings (sorted keys, document numbers, frequencies
    /// and positions in range), and every stored value decoded (docs/FORMAT.md §Validation).
    ///
    /// - Parameters:
    ///   - directory: the index directory.
    ///   - analyzer: as for ``open(at:analyzer:)``.
    /// - Throws: the ``StorageError`` of the first problem, naming the file.
    /// - Complexity: reads and decodes the whole index once (~40 MB/s of postings).
    @discardableResult
    public static func verify(at directory: String, analyzer: (any Analyzer)? = nil) throws(StorageError) -> IndexSnapshot {
        let snapshot = try open(at: directory, analyzer: analyzer)
        for segment in snapshot.segments {
            try segment.verifyAll()
            try segment.checkStoredValues()
        }
        return snapshot
    }

    struct OpenedState {
        var manifest: Manifest
        var snapshot: IndexSnapshot
    }

    /// How often `open` reads the manifest again when a file it names vanished meanwhile (each
    /// time, a writer has committed twice since the manifest was read).
    static let openAttempts = 8

    /// Test hook: runs between reading the manifest and mapping its files (where a slow reader
    /// meets a committing writer).
    @TaskLocal package static var pauseAfterReadingManifest: (@Sendable () -> Void)?

    static func openState(at directory: String, analyzer: (any Analyzer)?) throws(StorageError) -> OpenedState {
        var attempt = 0
        while true {
            attempt += 1
            switch IndexDirectory.kind(of: directory) {
            case .index: break
            case .damagedIndex: throw .missingManifest(path: directory)
            case .missing, .empty, .other: throw .notAnIndex(path: directory)
            }
            let manifestPath = directory + "/" + Manifest.fileName
            let manifest: Manifest
            do { manifest = try Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath) } catch {
                // Renamed over between the directory listing and the read: read the new one.
                if case .missingFile = error, attempt < openAttempts { continue }
                throw error
            }
            if let pause = Self.pauseAfterReadingManifest { pause() }
            do {
                return try openSegments(manifest, at: directory, analyzer: analyzer)
            } catch {
                guard case .missingFile = error, attempt < openAttempts else { throw error }
                // A writer committed twice since the manifest was read (its files were removed):
                // read the manifest again, unless it is still the same commit.
                if let again = try? Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath),
                   again.generation == manifest.generation { throw error }
            }
        }
    }

    /// The snapshot of the commit `manifest` (read from `directory`): maps its segment files.
    static func openSegments(_ manifest: Manifest, at directory: String, analyzer: (any Analyzer)?) throws(StorageError) -> OpenedState {
        let resolved = try resolveAnalyzer(manifest.analyzer, given: analyzer, path: directory)
        var segments: [Segment] = []
        var deletions: [DocumentSet] = []
        for info in manifest.segments {
            let path = directory + "/" + info.file
            let segment = try SegmentFile.decode(try FileSystem.map(path), path: path, schema: manifest.schema)
            guard IndexFiles.segmentFileName(uid: segment.uid) == info.file else {
                throw .corrupt(path: path, reason: "holds segment \(IndexFiles.segmentFileName(uid: segment.uid)), not the one named")
            }
            guard segment.documentCount == info.documents else {
                throw .corrupt(path: path, reason: "has \(segment.documentCount) documents, the manifest says \(info.documents)")
            }
            var deleted = DocumentSet(capacity: segment.documentCount)
            for d in info.deleted { deleted.insert(d) }
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

    /// Saves `snapshot` into `directory`, atomically replacing the index there; a missing or
    /// empty directory gets a new index. Takes the index's write lock for the duration, like a
    /// writer.
    ///
    /// - Throws: ``StorageError/directoryNotEmpty(path:)`` when `directory` holds other files,
    ///   ``StorageError/locked(path:)`` when a writer holds the index,
    ///   ``StorageError/io(path:reason:)`` when the file system fails (the previous index, if
    ///   any, is then still intact), ``StorageError/committedButNotDurable(path:reason:)``.
    /// - Complexity: writes every segment file not already in `directory`: O(index size).
    public static func save(_ snapshot: IndexSnapshot, to directory: String, lockWait: Duration? = nil) throws(StorageError) {
        let target = try IndexDirectory.openOrCreate(directory, lockWait: lockWait)
        defer { target.release() }
        try target.commit(snapshot.segments, deletions: snapshot.deletions, schema: snapshot.schema, analyzer: snapshot.analyzer)
    }
}
