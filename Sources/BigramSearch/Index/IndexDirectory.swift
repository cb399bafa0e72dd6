import Foundation

/// An index directory held by its one writer: the write lock, the last commit, and committing.
///
/// **One writer.** Taking an `IndexDirectory` takes an exclusive `flock` on `write.lock`; a second
/// writer (another process, or another writer in this one) gets ``StorageError/locked(path:)``.
/// The kernel drops the lock when the process dies, so a crash never leaves a stale lock.
///
/// **Readers never fail because of the writer** (docs/FORMAT.md §Commits). A commit keeps the
/// files of the commit before it (``Manifest/previous``): a reader that read the previous manifest
/// still finds every file it names. Files are removed only when two commits have passed, and
/// ``IndexStore/open(at:analyzer:)`` reads the manifest again if a file vanished between reading
/// the manifest and mapping the file (a reader slower than two commits).
///
/// **Nothing is removed that may hold data.** Only this library's file names are touched
/// (``IndexFiles``), and only while a valid manifest is there: a segment file that neither the
/// manifest nor the previous commit names, and temporary files, are debris of a writer that
/// failed or was killed (no commit can name them any more). Without a manifest the directory is a
/// damaged index and nothing is written or removed.
///
/// **Two threads.** The writer's thread does everything but ``writeMerged(_:schema:)``, which a
/// background merge runs on its own thread (``BackgroundMerges``); what both touch — the names
/// written, the byte counts, and the names of merges not yet in the writer's segments — is kept
/// under `books`. A merge's file is *reserved* from before its temporary file exists until the
/// writer takes the merged segment (``adopt(_:)``) or drops it (``discard(_:)``), so a commit's
/// garbage collection never removes a merge being written or waiting to be taken.
final class IndexDirectory: @unchecked Sendable {   // the mutable state of two threads holds `books`
    let path: String
    private let lock: FileSystem.FileLock
    /// The last commit: read when the directory was taken, then each one this writer made
    /// (the writer's thread only).
    private(set) var manifest: Manifest?
    private var createdDirectory = false

    /// What the writer's thread and merge threads both change.
    private struct Books {
        /// Segment files this writer wrote (names).
        var written: Set<String> = []
        /// Merged segment files being written or not yet taken by the writer (names).
        var reserved: Set<String> = []
        var bytes = 0, files = 0
    }
    private let books = Locked(Books())
    private func withBooks<R>(_ body: (inout Books) -> R) -> R { books.withLock(body) }

    /// Bytes and files of segments written by this writer (``WriterWork``).
    var segmentBytesWritten: Int { withBooks { $0.bytes } }
    var segmentsWritten: Int { withBooks { $0.files } }

    var manifestPath: String { path + "/" + IndexFiles.manifest }

    private init(path: String, lock: FileSystem.FileLock, manifest: Manifest?) {
        self.path = path
        self.lock = lock
        self.manifest = manifest
    }

    /// What `path` holds.
    static func kind(of path: String) -> IndexDirectoryKind {
        guard FileSystem.exists(path) else { return .missing }
        guard FileSystem.isDirectory(path) else { return .other }
        // The common case, every open of an index, without listing the directory.
        if FileSystem.exists(path + "/" + IndexFiles.manifest) { return .index }
        let names = (try? FileSystem.listDirectory(path)) ?? []
        if names.allSatisfy({ $0 == IndexFiles.writeLock }) { return .empty }
        if names.contains(where: { IndexFiles.isIndexFile($0) && $0 != IndexFiles.writeLock }) { return .damagedIndex }
        return .other
    }

    /// Takes the existing index in `path` for writing.
    ///
    /// - Throws: ``StorageError/notAnIndex(path:)`` (nothing there, or other files),
    ///   ``StorageError/missingManifest(path:)`` (index files without a manifest),
    ///   ``StorageError/locked(path:)``, or the manifest's errors.
    static func openExisting(_ path: String, lockWait: Duration?) throws(StorageError) -> IndexDirectory {
        switch kind(of: path) {
        case .index: break
        case .damagedIndex: throw .missingManifest(path: path)
        case .missing, .empty, .other: throw .notAnIndex(path: path)
        }
        // A manifest this library cannot read (damaged, another version) is refused before the
        // lock file is created: a failed open leaves the directory as it was.
        let manifestPath = path + "/" + IndexFiles.manifest
        _ = try Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath)   // (no lock file yet)
        let lock = try FileSystem.lock(path + "/" + IndexFiles.writeLock, wait: lockWait)
        // Read again under the lock: the commit of a writer that held it just before is seen.
        guard FileSystem.exists(manifestPath) else { throw .missingManifest(path: path) }
        let manifest = try Manifest.decode(try FileSystem.readFile(manifestPath), path: manifestPath)
        let directory = IndexDirectory(path: path, lock: lock, manifest: manifest)
        directory.removeTemporaries()
        return directory
    }

    /// Takes `path` to create an index there: the directory is created if missing (its parent
    /// must exist). With `allowingOtherFiles` false, a directory that holds anything but a lock
    /// file is refused; true allows files that are not this library's (an index file without a
    /// manifest is still refused: it may be a damaged index). Nothing is written until the first
    /// commit.
    static func create(_ path: String, allowingOtherFiles: Bool, lockWait: Duration?) throws(StorageError) -> IndexDirectory {
        var created = false
        switch kind(of: path) {
        case .missing:
            try FileSystem.makeDirectory(path)
            created = true
        case .empty:
            break
        case .index:
            throw .alreadyAnIndex(path: path)
        case .damagedIndex:
            throw .missingManifest(path: path)
        case .other:
            guard FileSystem.isDirectory(path) else { throw .io(path: path, reason: "not a directory") }
            if !allowingOtherFiles { throw .directoryNotEmpty(path: path) }
        }
        let lock = try FileSystem.lock(path + "/" + IndexFiles.writeLock, wait: lockWait)
        // Another process may have created an index here between the check and the lock.
        if FileSystem.exists(path + "/" + IndexFiles.manifest) { throw .alreadyAnIndex(path: path) }
        let directory = IndexDirectory(path: path, lock: lock, manifest: nil)
        directory.createdDirectory = created
        return directory
    }

    /// Takes `path` to save a snapshot there: an existing index is replaced by the next commit,
    /// an empty or missing directory gets a new one.
    static func openOrCreate(_ path: String, lockWait: Duration?) throws(StorageError) -> IndexDirectory {
        if kind(of: path) == .index { return try openExisting(path, lockWait: lockWait) }
        return try create(path, allowingOtherFiles: false, lockWait: lockWait)
    }

    /// Releases the write lock (also done on deinit).
    func release() { lock.release() }

    /// Removes the segment files this writer wrote that no commit keeps, and temporaries; when
    /// this writer created the directory and nothing was ever committed there, also the lock file
    /// and the directory (if nothing else is in it). Then releases the lock.
    func discardUncommitted() {
        let kept = manifest?.keptFiles ?? []
        for name in withBooks({ $0.written }) where !kept.contains(name) { FileSystem.remove(path + "/" + name) }
        removeTemporaries()
        let removeDirectory = manifest == nil && createdDirectory
            && ((try? FileSystem.listDirectory(path)) ?? []) == [IndexFiles.writeLock]
        if removeDirectory { FileSystem.remove(path + "/" + IndexFiles.writeLock) }
        release()
        if removeDirectory { FileSystem.removeDirectory(path) }
    }

    /// Removes the files of `segments` that no commit names: written by this writer since its
    /// last commit, then merged away. No reader can need them — readers open only the files a
    /// manifest names — so during a bulk load the directory holds the live segments and the merge
    /// being written, not every segment flushed since the last commit. (A snapshot of this writer
    /// that still holds such a segment keeps reading it: a mapping outlives the file's name.)
    /// A file a commit names, the last or the one before, is left to ``collectGarbage()``.
    func removeUncommitted(_ segments: [Segment]) {
        let kept = manifest?.keptFiles ?? []
        for segment in segments {
            let name = IndexFiles.segmentFileName(uid: segment.uid), file = path + "/" + name
            guard withBooks({ $0.written.contains(name) }), !kept.contains(name), segment.origin == file else { continue }
            FileSystem.remove(file)
            withBooks { _ = $0.written.remove(name) }
        }
    }

    /// The writer has taken `merged` (a result of ``writeMerged(_:schema:)``) into its segments:
    /// its file is no longer reserved — the next commit names it.
    func adopt(_ merged: Segment) {
        let name = IndexFiles.segmentFileName(uid: merged.uid)
        withBooks { _ = $0.reserved.remove(name) }
    }

    /// The writer drops `merged` (a result of ``writeMerged(_:schema:)`` it will not use, as when
    /// it closes with a merge unfinished): its file is removed. (A mapping outlives the name.)
    func discard(_ merged: Segment) {
        let name = IndexFiles.segmentFileName(uid: merged.uid)
        FileSystem.remove(path + "/" + name)
        withBooks { books in
            books.reserved.remove(name)
            books.written.remove(name)
        }
    }

    /// Writes `segment` (if not there already) and returns it memory-mapped from its file, so the
    /// in-memory copy can be released. Not visible to readers until a commit names it.
    func write(_ segment: Segment, schema: Schema) throws(StorageError) -> Segment {
        let file = try ensureWritten(segment, schema: schema)
        return try SegmentFile.decode(try FileSystem.map(file), path: file, schema: schema)
    }

    /// Merges `parts` into a new segment file, written as the merge goes (never held whole in
    /// memory: see ``SegmentMerger``), and returns the merged segment memory-mapped from it. Not
    /// visible to readers until a commit names it, and reserved (no commit's garbage collection
    /// removes it) until the writer ``adopt(_:)``s or ``discard(_:)``s it. When writing fails no
    /// file is left behind; a written file that then fails to map is one no commit names, removed
    /// by the next commit. Safe to call on a thread of its own beside the writer's.
    ///
    /// - Throws: the merge's ``StorageError/corrupt(path:reason:)`` for damaged input, or
    ///   ``StorageError/io(path:reason:)`` when writing fails (a full disk, a failed fsync).
    func writeMerged(_ parts: [(segment: Segment, deleted: DocumentSet)], schema: Schema) throws(StorageError) -> Segment {
        let uid = UInt64.random(in: 1...UInt64.max)
        let name = IndexFiles.segmentFileName(uid: uid)
        withBooks { _ = $0.reserved.insert(name) }   // before the temporary file exists
        do {
            let file = try writeSegmentFile(uid: uid) { out throws(StorageError) in
                _ = try SegmentMerger.write(parts, schema: schema, uid: uid, to: out, deflatingInMemory: true)
            }
            return try SegmentFile.decode(try FileSystem.map(file), path: file, schema: schema)
        } catch {
            withBooks { _ = $0.reserved.remove(name) }
            throw error
        }
    }

    /// Writes the segment file of `uid` through `body` — to a temporary name, fsynced, then
    /// renamed — as this writer's (``discardUncommitted()`` removes it). On failure the
    /// temporary file is removed.
    private func writeSegmentFile(uid: UInt64, _ body: (FileSystem.OutputFile) throws(StorageError) -> Void) throws(StorageError) -> String {
        let name = IndexFiles.segmentFileName(uid: uid), file = path + "/" + name
        let temporary = file + ".tmp"
        withBooks { _ = $0.written.insert(name) }
        let out = try FileSystem.OutputFile(creating: temporary)
        do { try body(out) } catch {
            out.abandon()
            throw error
        }
        withBooks { books in
            books.bytes += out.count
            books.files += 1
        }
        do { try FileSystem.replace(temporary, with: file) } catch {
            FileSystem.remove(temporary)
            throw error
        }
        return file
    }

    /// Makes `segments` (with their deletions) the index: writes the segment files not there yet,
    /// fsyncs, atomically replaces the manifest, fsyncs the directory, then removes files no
    /// reader can need any more.
    ///
    /// - Throws: ``StorageError/io(path:reason:)`` when anything before the manifest switch
    ///   fails (the previous commit is intact and still the index);
    ///   ``StorageError/committedButNotDurable(path:reason:)`` when the switch happened but the
    ///   directory's fsync failed (readers see the new commit; a power loss may undo it).
    func commit(_ segments: [Segment], deletions: [DocumentSet], schema: Schema, analyzer: any Analyzer) throws(StorageError) {
        var infos: [Manifest.SegmentInfo] = []
        for (segment, deleted) in zip(segments, deletions) {
            try ensureWritten(segment, schema: schema)
            infos.append(.init(file: IndexFiles.segmentFileName(uid: segment.uid), documents: segment.documentCount,
                               deleted: deleted.members))
        }
        try FileSystem.syncDirectory(path)
        let live = Set(infos.map(\.file))
        let previous = (manifest?.segments.map(\.file) ?? []).filter { !live.contains($0) }
        let next = Manifest(generation: (manifest?.generation ?? 0) + 1, schema: schema,
                            analyzer: .init(identifier: analyzer.identifier, bigram: analyzer.storedBigramOptions),
                            segments: infos, previous: previous)
        let temporary = path + "/" + IndexFiles.manifestTemporary
        try FileSystem.writeFile(temporary, try next.encoded())
        do { try FileSystem.replace(temporary, with: manifestPath) } catch {
            FileSystem.remove(temporary)
            throw error
        }
        manifest = next   // from here on, the new commit is what readers open
        do { try FileSystem.syncDirectory(path) } catch {
            throw .committedButNotDurable(path: path, reason: error.description)
        }
        collectGarbage()
    }

    /// Removes this library's files that the last commit no longer keeps: segment files named by
    /// neither it nor the commit before it, and temporaries — but not the files of merges still
    /// running or not yet taken by the writer (reserved: see ``writeMerged(_:schema:)``).
    /// Failures are left for the next commit.
    func collectGarbage() {
        guard let manifest else { return }
        let kept = manifest.keptFiles
        // Listed before the reservations are read: a merge reserves its name before it creates
        // a file, so any merge file listed here is reserved by the time it is checked.
        for name in (try? FileSystem.listDirectory(path)) ?? [] {
            guard (IndexFiles.isSegmentFile(name) && !kept.contains(name)) || IndexFiles.isSegmentTemporary(name)
                || name == IndexFiles.manifestTemporary else { continue }
            let segmentName = IndexFiles.isSegmentTemporary(name) ? String(name.dropLast(".tmp".count)) : name
            if withBooks({ $0.reserved.contains(segmentName) }) { continue }
            FileSystem.remove(path + "/" + name)
        }
    }

    /// Removes the temporary files of a writer that failed or was killed (never part of a commit).
    func removeTemporaries() {
        for name in (try? FileSystem.listDirectory(path)) ?? []
        where IndexFiles.isSegmentTemporary(name) || name == IndexFiles.manifestTemporary {
            FileSystem.remove(path + "/" + name)
        }
    }

    /// Writes `segment` to its file in this directory unless that file already holds it intact:
    /// a segment mapped from that very file is trusted (it was checked when mapped); any other
    /// file of that name is verified, and rewritten if damaged. Returns the file's path.
    @discardableResult
    private func ensureWritten(_ segment: Segment, schema: Schema) throws(StorageError) -> String {
        let name = IndexFiles.segmentFileName(uid: segment.uid), file = path + "/" + name
        if FileSystem.exists(file) && (segment.origin == file || Self.isIntact(file, schema: schema)) { return file }
        return try writeSegmentFile(uid: segment.uid) { out throws(StorageError) in _ = try SegmentFile.write(segment, to: out) }
    }

    private static func isIntact(_ path: String, schema: Schema) -> Bool {
        guard let buffer = try? FileSystem.map(path) else { return false }
        return (try? SegmentFile.decode(buffer, path: path, schema: schema, verifyNow: true)) != nil
    }
}

extension Analyzer {
    /// The options the manifest records to rebuild this analyzer on open: its
    /// ``Analyzer/bigramOptions``, when the ``BigramAnalyzer`` they make has this analyzer's
    /// identifier (an index opened without an analyzer must get the one it was built with).
    var storedBigramOptions: BigramAnalyzer.Options? {
        guard let options = bigramOptions, BigramAnalyzer.identifier(options) == identifier else { return nil }
        return options
    }
}
