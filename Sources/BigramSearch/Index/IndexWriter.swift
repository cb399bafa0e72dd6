/// Builds and changes an index. One writer per index: it is not shared between threads (hand it
/// to one task or protect it with a lock). Searching happens on snapshots, which any number of
/// threads may use while the writer goes on.
///
/// ```swift
/// let writer = try IndexWriter(directory: "/var/lib/news.idx", mode: .create, schema: .article)
/// try writer.add(Document(id: "1", fields: ["title": "常熟", "body": "常熟市参\n观考察"]))
/// try writer.commit()                       // durable: survives a crash from here on
/// let results = try writer.snapshot().search("参观")
/// ```
///
/// **One writer per directory, across processes.** A writer on a directory holds an exclusive
/// lock (`flock` on `write.lock`) from its creation until ``close()`` or deinit; a second writer
/// gets ``StorageError/locked(path:)`` (after waiting up to ``Options/lockWait``). The kernel
/// releases the lock when a process dies. Readers (``IndexStore/open(at:analyzer:)``) take no
/// lock and never fail because of a writer (see ``IndexStore``).
///
/// Memory: added documents are buffered and frozen into a segment once the buffer holds about
/// ``Options/maxBufferedBytes`` (half of it, twice, with background flushes); with a directory each segment is written out and memory-mapped,
/// and a merge writes its segment to its file as it goes, holding only its dictionaries and a
/// few bytes per document (field lengths, offsets) — see the README's "Memory, measured" for
/// the figures. Segment files that no commit names are removed as soon as a merge replaces them,
/// so the directory holds at most about twice the index during a bulk load.
///
/// **Flushes and merges run in the background** (``Options/backgroundIndexing``, on by default):
/// a buffer at half of ``Options/maxBufferedBytes`` is frozen and written on a thread of its own
/// while the next one fills, and a merge the policy makes due runs on a thread of its own; its
/// result takes the place of its segments at the writer's next call (``add(_:)``, ``commit()``,
/// ``snapshot()``…) once it is done. ``commit()`` waits for the flush, not for a running merge: it
/// commits the segments as they are, and the merge's result goes into a later commit. Documents
/// deleted or replaced while their buffer is flushed or their segment merged stay deleted.
/// ``forceMerge()`` and ``waitForMerges()`` wait; ``close()`` waits for a running merge and drops
/// its result (removing its file) unless it was taken in before. Searches are never blocked:
/// snapshots hold the segments they were taken with.
public final class IndexWriter {
    /// Writer settings.
    public struct Options: Hashable, Sendable {
        /// Buffered analysis data before the buffer is frozen into a segment (default 64 MiB).
        public var maxBufferedBytes: Int
        /// Automatic merging: this many neighbouring segments of about one size are merged into
        /// one (default 10; 0 or 1 turns automatic merging off). Each byte is rewritten at most
        /// log_mergeFactor(index ÷ flushed segment) times (levels by size, as the README's
        /// "Index lifecycle" describes): a larger factor writes less and leaves more segments
        /// for a search to visit. With ``backgroundIndexing`` the lowest level merges twice as
        /// many at once, its flushed segments being half-size.
        public var mergeFactor: Int
        /// Whether a full buffer is frozen (and written out) and automatic merges run on threads
        /// of their own while documents keep being added (the default: one flush and at most
        /// ``IndexWriter/maxBackgroundMerges`` merges at once; a buffer is then flushed at half
        /// of ``maxBufferedBytes``, so the one filling and the one being flushed stay within
        /// it), or in the thread that calls ``add(_:)`` (or ``commit()``) when they are due
        /// (false: the segments after each call are then a function of the calls alone, as
        /// tests and reproducible builds may want).
        public var backgroundIndexing: Bool
        /// How long to wait for another writer to release the directory's lock (nil: fail at
        /// once with ``StorageError/locked(path:)``).
        public var lockWait: Duration?

        /// Settings; `maxBufferedBytes` is raised to at least 64 KiB.
        public init(maxBufferedBytes: Int = 64 << 20, mergeFactor: Int = 10, backgroundIndexing: Bool = true,
                    lockWait: Duration? = nil) {
            self.maxBufferedBytes = max(1 << 16, maxBufferedBytes)
            self.mergeFactor = mergeFactor
            self.backgroundIndexing = backgroundIndexing
            self.lockWait = lockWait
        }
    }

    /// What ``IndexWriter/init(directory:mode:schema:analyzer:options:)`` may find and do.
    /// Nothing is created implicitly: opening needs an index, creating needs room for one.
    public enum OpenMode: Sendable, Hashable {
        /// The directory must hold an index (``StorageError/notAnIndex(path:)`` otherwise).
        case open
        /// Creates a new index: the directory must be missing (its parent must exist) or empty
        /// (``StorageError/directoryNotEmpty(path:)``, ``StorageError/alreadyAnIndex(path:)``).
        /// The index exists on disk from the first ``commit()`` on.
        case create
        /// ``create``, also in a directory holding files that are not an index's (they are
        /// left alone). A directory with index files but no manifest is still refused.
        case createAmongOtherFiles
        /// ``open`` when the directory holds an index, else ``create``.
        case openOrCreate
    }

    /// The fields of the index (for an existing index, the schema it was built with).
    public let schema: Schema
    /// The analysis rules of the index (stored with it; readers and writers cannot mix).
    public let analyzer: any Analyzer
    /// The writer's settings.
    public let options: Options
    /// The directory this writer commits to, or nil for an in-memory index.
    public let directory: String?
    /// The locked directory (nil in memory, or after ``close()``).
    private var store: IndexDirectory?

    private var segments: [Segment] = []
    private var deletions: [DocumentSet] = []
    private var buffer: SegmentBuilder
    /// The memory blocks of frozen buffers' postings, for the next buffer (one buffer's worth at
    /// most; freed at each snapshot, commit and close).
    private let recycler: BlockRecycler
    /// Bytes of free postings blocks the writer keeps for its next buffer (tests).
    var recycledBytes: Int { recycler.keptBytes }
    private var bufferDeleted = DocumentSet(capacity: 0)
    /// Where each live document is: (segment number, or `segments.count` for the buffer — or for
    /// the buffer being flushed, and `segments.count + 1` for the buffer, while a flush runs; doc).
    private var locations = DocumentLocations()
    /// Merges and time spent (the bytes written are the directory's).
    private var mergesDone = 0, mergeSeconds = 0.0, flushSeconds = 0.0
    /// Segment bytes written before ``close()`` released the directory.
    private var closedWork = (bytes: 0, segments: 0)

    /// Automatic merges running at once at most, with ``Options/backgroundIndexing`` (2: on a
    /// long merge of large segments, the small segments flushed meanwhile can still be merged).
    /// When both are busy and the policy wants another, the writer goes on until
    /// 2 × ``Options/mergeFactor`` segments wait behind them, then waits for one to finish: the
    /// number of segments stays bounded however fast documents come.
    public static let maxBackgroundMerges = 2

    /// A merge running in the background: its input segments (by uid, in order) and their
    /// deletions when it started (deletions made since are carried over when its result is
    /// taken in).
    private struct RunningMerge {
        var id: Int
        var inputs: [UInt64]
        var deletedAtStart: [DocumentSet]
    }
    private let background = BackgroundJobs<Result<Segment, StorageError>>()
    private var running: [RunningMerge] = []
    private var nextMergeID = 0
    /// The first failure of a background flush, and of a background merge, not reported yet
    /// (thrown by the next call that flushes or waits for merges; a commit writes a segment a
    /// flush could not, and records unmerged segments as they are, so it reports neither).
    private var flushFailure: StorageError?
    private var mergeFailure: StorageError?

    /// A full buffer handed to a thread of its own to be frozen and written out: its documents'
    /// ids, and which of them were deleted before (`deletedAtStart`) and since.
    private struct RunningFlush {
        var ids: [String]
        var deletedAtStart: DocumentSet
        var deletedSince = DocumentSet(capacity: 0)
    }
    /// What a background flush made: the segment (memory-mapped from its file, or in memory when
    /// writing failed) and the failure.
    private struct FlushOutput: Sendable {
        var segment: Segment
        var failure: StorageError?
    }
    private let flushes = BackgroundJobs<FlushOutput>()
    private var flushing: RunningFlush?
    /// The segment number of the buffer's documents.
    private var bufferSlot: Int { segments.count + (flushing == nil ? 0 : 1) }
    /// The buffer's size at which it is flushed.
    private var flushThreshold: Int { options.backgroundIndexing ? options.maxBufferedBytes / 2 : options.maxBufferedBytes }

    /// A test hook, nil (off) by default: called on a background merge's thread before it merges
    /// and once its segment is made (written, with a directory), before the writer can take it
    /// in, and on a background flush's thread before it freezes — where a test holds the work to
    /// act beside it.
    package var backgroundHook: (@Sendable (BackgroundStage) -> Void)?

    /// What this writer has done so far (for the benchmark).
    package var work: WriterWork {
        WriterWork(segmentBytesWritten: closedWork.bytes + (store?.segmentBytesWritten ?? 0),
                   segmentsWritten: closedWork.segments + (store?.segmentsWritten ?? 0),
                   merges: mergesDone, mergeSeconds: mergeSeconds, flushSeconds: flushSeconds)
    }

    /// Creates an empty in-memory index.
    ///
    /// - Parameters:
    ///   - schema: the fields; ``Schema/text`` (one field, `text`) by default.
    ///   - analyzer: the analysis rules; a default ``BigramAnalyzer`` when nil.
    ///   - options: buffer and merge settings.
    public init(schema: Schema = .text, analyzer: (any Analyzer)? = nil, options: Options = Options()) throws(IndexError) {
        try schema.validate()
        self.schema = schema
        self.analyzer = try Self.resolve(analyzer)
        self.options = options
        directory = nil
        recycler = BlockRecycler(maxBytes: options.maxBufferedBytes / 2)
        buffer = SegmentBuilder(schema: schema, analyzer: self.analyzer, recycler: recycler)
    }

    /// Opens the index in `directory` for changes, or creates one there (see ``OpenMode``), and
    /// takes the directory's write lock.
    ///
    /// - Parameters:
    ///   - directory: the index directory.
    ///   - mode: ``OpenMode/open`` (the default) needs an existing index.
    ///   - schema: for a new index, its fields (``Schema/text`` when nil); for an existing one,
    ///     nil or the schema it has.
    ///   - analyzer: nil for the default ``BigramAnalyzer`` (or, for an existing index, the one it
    ///     was built with); a custom analyzer must match the index's.
    ///   - options: buffer, merge and lock-wait settings.
    /// - Throws: ``IndexError/storage(_:)`` with ``StorageError/notAnIndex(path:)``,
    ///   ``StorageError/missingManifest(path:)``, ``StorageError/directoryNotEmpty(path:)``,
    ///   ``StorageError/locked(path:)``, or a damaged index's error;
    ///   ``IndexError/invalidSchema(_:)``.
    /// - Complexity: for an existing index, verifies the checksum of every section (the writer
    ///   reads them all; CRC-32C at several GB/s) and reads every id: O(index size).
    public init(directory: String, mode: OpenMode = .open, schema: Schema? = nil, analyzer: (any Analyzer)? = nil,
                options: Options = Options()) throws(IndexError) {
        self.directory = directory
        self.options = options
        recycler = BlockRecycler(maxBytes: options.maxBufferedBytes / 2)
        let store: IndexDirectory
        do {
            switch mode {
            case .open: store = try IndexDirectory.openExisting(directory, lockWait: options.lockWait)
            case .create: store = try IndexDirectory.create(directory, allowingOtherFiles: false, lockWait: options.lockWait)
            case .createAmongOtherFiles: store = try IndexDirectory.create(directory, allowingOtherFiles: true, lockWait: options.lockWait)
            case .openOrCreate: store = try IndexDirectory.openOrCreate(directory, lockWait: options.lockWait)
            }
        } catch { throw .storage(error) }
        self.store = store
        if let manifest = store.manifest {
            // The commit read under the lock (not the directory read again: no writer can
            // commit in between, and the manifest is not read a third time).
            let opened: IndexStore.OpenedState
            do { opened = try IndexStore.openSegments(manifest, at: directory, analyzer: analyzer) } catch { throw .storage(error) }
            if let schema, schema != opened.manifest.schema {
                throw .invalidSchema("the index in \(directory) has another schema")
            }
            self.schema = opened.manifest.schema
            self.analyzer = opened.snapshot.analyzer
            // The writer reads every section (ids now, postings when merging): verify their
            // checksums now (GB/s); merges check every term they decode (a structural check of
            // the whole index, ~40 MB/s, is IndexStore.verify's).
            do { for segment in opened.snapshot.segments { try segment.verifyChecksums() } } catch { throw .storage(error) }
            segments = opened.snapshot.segments
            deletions = opened.snapshot.deletions
            for (s, segment) in segments.enumerated() {
                for doc in 0..<segment.documentCount where !deletions[s].contains(UInt32(doc)) {
                    let id = segment.id(doc)
                    let located = locations.set(id, .init(segment: s, doc: UInt32(doc))) { [segments] in segments[$0.segment].id(Int($0.doc)) }
                    guard located == nil, !id.isEmpty else {
                        let file = segment.origin ?? directory
                        throw .storage(.corrupt(path: file, reason: id.isEmpty ? "document \(doc) has an empty id" : "id \"\(id)\" is live twice"))
                    }
                }
            }
        } else {
            let schema = schema ?? .text
            try schema.validate()
            self.schema = schema
            self.analyzer = try Self.resolve(analyzer)
        }
        buffer = SegmentBuilder(schema: self.schema, analyzer: self.analyzer, recycler: recycler)
    }

    /// Releases the directory's write lock; the writer cannot commit afterwards (changes not
    /// committed are dropped from disk's point of view). Also done when the writer is released.
    /// A merge running in the background is waited for, and its result dropped (its file removed)
    /// unless it was taken in before.
    public func close() {
        abandonMerges()
        if let store { closedWork = (closedWork.bytes + store.segmentBytesWritten, closedWork.segments + store.segmentsWritten) }
        store?.release()
        store = nil
        recycler.releaseAll()
    }

    /// Gives up the changes since the last commit on disk too: removes the segment files this
    /// writer wrote that no commit keeps (flushed buffers, merges) and temporaries, then closes.
    /// When this writer created the directory (``OpenMode/create`` of a missing path) and never
    /// committed, the directory goes as well, so a failed first indexing run leaves nothing — not
    /// even something that looks like a damaged index. Files this writer did not write are never
    /// touched.
    public func discardUncommitted() {
        abandonMerges()
        store?.discardUncommitted()
        store = nil
    }

    deinit { abandonMerges() }

    private static func resolve(_ analyzer: (any Analyzer)?) throws(IndexError) -> any Analyzer {
        if let analyzer { return analyzer }
        do { return try BigramAnalyzer() } catch { throw .analysis(error) }
    }

    /// Number of live documents.
    public var documentCount: Int { locations.count }

    /// Adds a document, replacing any document with the same id.
    ///
    /// - Throws: ``IndexError`` if the document has an empty id, a field the schema lacks, or a
    ///   field over ``IndexLimits/maxFieldBytes``; nothing changes then. With a directory, also
    ///   when writing a full buffer out fails (the document is then added, in memory; a commit
    ///   writes it), or the merge that follows it (the segments stay unmerged) — with
    ///   ``Options/backgroundIndexing``, the failure of a background flush or merge since the
    ///   last report, thrown by the next call that flushes.
    /// - Complexity: O(n) in the document's length.
    public func add(_ document: Document) throws(IndexError) {
        try SegmentBuilder.validate(document, schema: schema)
        delete(id: document.id)
        let doc = buffer.add(document)
        locations.set(document.id, .init(segment: bufferSlot, doc: doc), idAt: id(at:))
        if buffer.estimatedBytes > flushThreshold { try flushBuffer() }
    }

    /// Adds many documents (see ``add(_:)``). Stops at the first invalid document and throws;
    /// the documents before it stay added.
    public func add<S: Sequence>(contentsOf documents: S) throws(IndexError) where S.Element == Document {
        for d in documents { try add(d) }
    }

    /// Adds many documents using `threads` threads: analysis and postings building run in
    /// parallel, each thread producing its own segments, in batches bounded by
    /// ``Options/maxBufferedBytes``. With `threads == 1` this is ``add(_:)`` for each document.
    ///
    /// - Throws: ``IndexError`` for the first invalid document; then nothing is added. With a
    ///   directory, also when writing a segment out fails (its documents are then added, in
    ///   memory).
    public func add(contentsOf documents: [Document], threads: Int) throws(IndexError) {
        if max(1, min(threads, documents.count / 16 + 1)) == 1 { try add(contentsOf: documents); return }
        for d in documents { try SegmentBuilder.validate(d, schema: schema) }
        try freezeBuffer()
        // Batches of about a quarter of the buffer budget of text (the builder needs a few
        // times the text), so memory stays bounded however many documents come.
        var start = 0
        while start < documents.count {
            var end = start, bytes = 0
            while end < documents.count && (bytes < options.maxBufferedBytes / 4 || end == start) {
                bytes += documents[end].fields.values.reduce(0) { $0 + $1.utf8.count }
                end += 1
            }
            try addBatch(documents[start..<end], threads: threads)
            start = end
        }
    }

    private func addBatch(_ documents: ArraySlice<Document>, threads: Int) throws(IndexError) {
        let n = max(1, min(threads, documents.count / 16 + 1))
        // Later documents with the same id replace earlier ones, as with add(_:).
        var lastIndex: [String: Int] = [:]
        for i in documents.indices { lastIndex[documents[i].id] = i }
        let last = lastIndex
        for d in documents { delete(id: d.id) }
        // Split by text size, not document count, so the threads finish together.
        var bounds = [documents.startIndex]
        let total = documents.reduce(0) { $0 + $1.fields.values.reduce(0) { $0 + $1.utf8.count } }
        var running = 0
        for i in documents.indices {
            running += documents[i].fields.values.reduce(0) { $0 + $1.utf8.count }
            if bounds.count < n && running * n >= total * bounds.count { bounds.append(i + 1) }
        }
        while bounds.count <= n { bounds.append(documents.endIndex) }
        let ranges = (0..<n).map { bounds[$0]..<max(bounds[$0], bounds[$0 + 1]) }
        let built = ParallelBuild.run(count: n) { [schema, analyzer, recycler] t -> (Segment, DocumentSet) in
            var builder = SegmentBuilder(schema: schema, analyzer: analyzer, recycler: recycler)
            var dropped = DocumentSet(capacity: 0)
            for i in ranges[t] {
                let doc = builder.add(documents[i])
                if last[documents[i].id] != i { dropped.insert(doc) }
            }
            return (builder.freeze(), dropped)
        }
        Heap.releaseFreeMemory()   // what the builders freed, from their threads' arenas (see Heap)
        var failure: IndexError?
        for (segment, dropped) in built where segment.documentCount > 0 {
            do { try append(segment, deleted: dropped) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        try mergeIfNeeded()
    }

    /// Appends a frozen segment (written out and memory-mapped when there is a directory) and
    /// records where its live documents are. If writing fails, the segment is kept in memory —
    /// nothing added is lost, a later commit writes it — and the error is thrown.
    private func append(_ built: Segment, deleted: DocumentSet) throws(IndexError) {
        let (segment, failure) = Self.writtenOut(built, deleted: deleted, store: store, directory: directory, schema: schema)
        place(segment, deleted: deleted)
        if let failure { throw .storage(failure) }
    }

    /// `built` written out and memory-mapped with a directory (or as it is, with the failure,
    /// when writing fails). Safe on a thread of its own.
    private static func writtenOut(_ built: Segment, deleted: DocumentSet, store: IndexDirectory?, directory: String?,
                                   schema: Schema) -> (Segment, StorageError?) {
        var segment = built
        var failure: StorageError?
        if let store {
            do { segment = try store.write(built, schema: schema) } catch { failure = error }
        } else if let directory {
            failure = .closed(path: directory)
        }
        segment.reportInvariantViolations(made: "built segment", deleted: deleted)   // (a test hook)
        return (segment, failure)
    }

    /// Appends `segment` and records where its live documents are (unless they are located
    /// there already: a background flush's, at the number the segment gets).
    private func place(_ segment: Segment, deleted: DocumentSet, locate: Bool = true) {
        segments.append(segment)
        deletions.append(deleted)
        guard locate else { return }
        for doc in 0..<segment.documentCount where !deleted.contains(UInt32(doc)) {
            locations.set(segment.id(doc), .init(segment: segments.count - 1, doc: UInt32(doc)), idAt: id(at:))
        }
    }

    /// The id of the document at `location` (a segment, the buffer being flushed, or the buffer;
    /// "" for a location that is none of these, which the map's bookkeeping never stores).
    private func id(at location: DocumentLocations.Location) -> String {
        let s = location.segment, doc = Int(location.doc)
        if s < segments.count { return segments[s].id(doc) }
        let ids = s == segments.count ? flushing?.ids ?? buffer.ids : buffer.ids
        return ids.indices.contains(doc) ? ids[doc] : ""
    }

    /// Freezes the buffer into a segment kept in memory (snapshots) while the flush running in
    /// the background, if any, finishes beside it, and appends it after that flush's segment.
    private func freezeBuffer() throws(IndexError) {
        guard !buffer.isEmpty else {
            finishFlush()
            return
        }
        let frozen = buffer.freeze()
        // (The buffer stays until its segment is appended: ids are found at its number meanwhile.)
        finishFlush()
        let deleted = bufferDeleted
        buffer = SegmentBuilder(schema: schema, analyzer: analyzer, recycler: recycler)
        bufferDeleted = DocumentSet(capacity: 0)
        frozen.reportInvariantViolations(made: "built segment", deleted: deleted)   // (a test hook)
        segments.append(frozen)
        deletions.append(deleted)
        // Buffered documents were located at segment number `segments.count` before the append,
        // which is the number of the segment just appended: locations stay valid.
    }

    /// Freezes the buffer and, with a directory, writes it out (bounding memory): on a thread of
    /// its own with ``Options/backgroundIndexing`` (after the flush before it is done), else
    /// here (its stored text deflated on a second thread).
    private func flushBuffer() throws(IndexError) {
        finishFlush()
        try reportBackgroundFailure()
        guard !buffer.isEmpty else { return }
        if options.backgroundIndexing {
            startFlush()
            try mergeIfNeeded()
            return
        }
        let started = ContinuousClock.now
        let frozen = store != nil ? buffer.freezeDeflated() : buffer.freeze(), deleted = bufferDeleted
        buffer = SegmentBuilder(schema: schema, analyzer: analyzer, recycler: recycler)
        bufferDeleted = DocumentSet(capacity: 0)
        do { try append(frozen, deleted: deleted) } catch {
            flushSeconds += Self.seconds(since: started)
            throw error
        }
        flushSeconds += Self.seconds(since: started)
        try mergeIfNeeded()
    }

    /// Freezes the buffer (its stored text deflated on a second thread,
    /// ``SegmentBuilder/freezeDeflated()``) and writes it out while the flush running in the
    /// background, if any, finishes beside it; then appends it after that flush's segment, at the
    /// number its documents are located at by then. Returns the failure to write it (the segment
    /// then stays in memory: a commit writes it). What a commit, or ``waitForMerges()`` while a
    /// flush runs, does with the buffer: neither waits for the running flush with a core idle.
    private func writeOutBufferBesideFlush() -> StorageError? {
        guard !buffer.isEmpty else {
            finishFlush()
            return nil
        }
        let started = ContinuousClock.now
        let (segment, failure) = Self.writtenOut(buffer.freezeDeflated(), deleted: bufferDeleted, store: store,
                                                 directory: directory, schema: schema)
        // (The buffer stays until its segment is placed: ids are found at its number meanwhile.)
        finishFlush()
        let deleted = bufferDeleted
        buffer = SegmentBuilder(schema: schema, analyzer: analyzer, recycler: recycler)
        bufferDeleted = DocumentSet(capacity: 0)
        place(segment, deleted: deleted)
        flushSeconds += Self.seconds(since: started)
        return failure
    }

    /// Hands the buffer to a thread of its own to be frozen and written out; a new buffer takes
    /// the documents that come next. Its documents keep their locations (the next segment
    /// number); the new buffer's are one further.
    private func startFlush() {
        // The writer gives the buffer up (a new one replaces it): only the flush's thread uses it.
        let handed = HandedOver(buffer), deleted = bufferDeleted
        buffer = SegmentBuilder(schema: schema, analyzer: analyzer, recycler: recycler)
        bufferDeleted = DocumentSet(capacity: 0)
        flushing = RunningFlush(ids: handed.value.ids, deletedAtStart: deleted)
        flushes.start(0, name: "BigramSearch flush") { [store, directory, schema, backgroundHook] in
            backgroundHook?(.flushStarting)
            let (segment, failure) = Self.writtenOut(handed.value.freeze(), deleted: deleted, store: store, directory: directory, schema: schema)
            return FlushOutput(segment: segment, failure: failure)
        }
    }

    /// Waits for the flush running in the background, if any, and appends its segment with the
    /// deletions made meanwhile (a failure to write it is kept to be reported: the segment stays
    /// in memory, and a commit writes it).
    private func finishFlush() {
        guard let flush = flushing else { return }
        let outcome = flushes.waitForAll()[0]
        flushing = nil
        flushSeconds += outcome.seconds
        var deleted = flush.deletedAtStart
        for doc in flush.deletedSince.members { deleted.insert(doc) }
        // Its documents were at `segments.count`, the number it gets; the buffer's, one further,
        // are at the buffer's number again once it is appended.
        place(outcome.output.segment, deleted: deleted, locate: false)
        if let failure = outcome.output.failure { flushFailure = flushFailure ?? failure }
    }

    /// Throws the failure of a background flush or merge not reported yet (once).
    private func reportBackgroundFailure() throws(IndexError) {
        guard let failure = flushFailure ?? mergeFailure else { return }
        if flushFailure != nil { flushFailure = nil } else { mergeFailure = nil }
        throw .storage(failure)
    }

    /// Deletes the document with `id`. Returns false when there is none.
    @discardableResult
    public func delete(id: String) -> Bool {
        guard let location = locations.remove(id, idAt: id(at:)) else { return false }
        let segment = location.segment, doc = location.doc
        if flushing != nil && segment == segments.count {
            flushing!.deletedSince.insert(doc)
        } else if segment == bufferSlot {
            bufferDeleted.insert(doc)
        } else {
            deletions[segment].insert(doc)
        }
        return true
    }

    /// An immutable view of everything added so far. Later changes do not affect it; any number
    /// of threads may search it.
    ///
    /// - Complexity: freezes the documents added since the last snapshot into a new segment,
    ///   beside a flush running in the background (``Options/backgroundIndexing``), which it
    ///   then waits for.
    public func snapshot() -> IndexSnapshot {
        takeInFinishedMerges(background.takeFinished())
        try? freezeBuffer()   // freezing in memory cannot fail
        recycler.releaseAll()
        return IndexSnapshot(schema: schema, analyzer: analyzer, segments: segments, deletions: deletions)
    }

    /// Makes every change so far durable in the writer's directory: writes new segments, fsyncs,
    /// then atomically replaces the manifest. Readers that open the directory see all of this
    /// commit or none of it, even if the process dies midway.
    ///
    /// - Throws: ``IndexError/storage(_:)``: a failure before the switch leaves the previous
    ///   commit intact (and this writer's changes pending: commit again). A commit does not
    ///   report the failures of background work: it writes a segment a background flush could
    ///   not (or fails itself), and commits segments a failed merge left unmerged as they are
    ///   (``waitForMerges()`` reports that failure);
    ///   ``StorageError/committedButNotDurable(path:reason:)`` means the switch happened;
    ///   ``StorageError/closed(path:)`` after ``close()``. Without a directory, commit does nothing.
    /// - Complexity: writes the segments made since the last commit: O(their size), plus
    ///   O(deleted documents) for the manifest.
    public func commit() throws(IndexError) {
        guard let directory else { return }
        guard let store else { throw .storage(.closed(path: directory)) }
        // The buffer is written beside the flush running in the background, if any; a segment
        // that flush could not write is written below (or this commit fails with the reason),
        // so its failure is moot.
        let failure = writeOutBufferBesideFlush()
        flushFailure = nil
        if let failure { throw .storage(failure) }
        try mergeIfNeeded(reporting: false)   // merges due: here, or started in the background
        let view = snapshot()
        do { try store.commit(view.segments, deletions: view.deletions, schema: schema, analyzer: analyzer) } catch {
            throw .storage(error)
        }
    }

    /// Merges all segments into one and drops deleted documents (then commit to make it durable).
    ///
    /// - Throws: ``IndexError/storage(_:)``: a damaged input segment
    ///   (``StorageError/corrupt(path:reason:)``), or writing the merged segment failed
    ///   (``StorageError/io(path:reason:)``); nothing changes then.
    /// - Complexity: O(index size): reads every live posting (copying its frequency and
    ///   positions as bits) and copies every stored value as bytes, writing the merged segment
    ///   to its file as it goes with a directory.
    public func forceMerge() throws(IndexError) {
        // A failure of a background merge is superseded by this merge of everything (one of a
        // flush too: its segment is in memory, merged with the others).
        takeInFinishedMerges(background.waitForAll())
        try freezeBuffer()
        flushFailure = nil
        mergeFailure = nil
        guard segments.count > 1 || deletions.contains(where: { $0.count > 0 }) else { return }
        try merge(0..<segments.count)
    }

    /// Waits for the flush and the merges running in the background, and for the merges their
    /// results make due, and takes their results in, so that the next ``commit()`` names them
    /// (as after a bulk load, before the last commit). While a flush is still running, the
    /// buffer is written out beside it (not committed: the next ``commit()`` names it, having
    /// nothing left to write). Nothing to do with ``Options/backgroundIndexing`` off.
    ///
    /// - Throws: ``IndexError/storage(_:)`` with the error of a merge that failed (a damaged
    ///   input segment, a full disk): its segments then stay as they were; or of a flush that
    ///   could not write its segment (which stays in memory: the commit writes it).
    public func waitForMerges() throws(IndexError) {
        guard options.backgroundIndexing else { return }
        if flushing != nil && store != nil {
            // While the flush finishes, the buffer is written out beside it (as a commit would).
            if let failure = writeOutBufferBesideFlush() { flushFailure = flushFailure ?? failure }
        } else {
            finishFlush()
        }
        repeat {
            takeInFinishedMerges(background.waitForAll())
            try mergeIfNeeded()   // reports a failure; starts what the results made due
        } while !running.isEmpty
    }

    /// Merges neighbouring segments as ``MergePolicy`` chooses, until it chooses none: here, or
    /// started in the background (``Options/backgroundIndexing``) over the segments after those
    /// already being merged, taking in the merges that have finished first.
    private func mergeIfNeeded(reporting: Bool = true) throws(IndexError) {
        // Background flushes are of half buffers: twice as many make the lowest level's merge.
        let policy = MergePolicy(factor: options.mergeFactor,
                                 lowestFactor: options.backgroundIndexing ? 2 * options.mergeFactor : nil)
        guard options.backgroundIndexing else {
            while let range = policy.nextMerge(liveSizes(from: 0)) { try merge(range) }
            return
        }
        takeInFinishedMerges(background.takeFinished())
        while true {
            if reporting { try reportBackgroundFailure() }
            let free = firstSegmentNotMerging
            guard let chosen = policy.nextMerge(liveSizes(from: free)) else { return }
            if running.count < Self.maxBackgroundMerges {
                startMerge((free + chosen.lowerBound)..<(free + chosen.upperBound))
            } else if segments.count - free >= 2 * options.mergeFactor {
                takeInFinishedMerges(background.waitForAny())   // too many segments wait: stall
            } else {
                return
            }
        }
    }

    /// The live share of the sizes of the segments from `start` on.
    private func liveSizes(from start: Int) -> [Double] {
        (start..<segments.count).map { segments[$0].liveBytes(deleted: deletions[$0]) }
    }

    /// The number of the first segment after every segment a background merge is merging.
    private var firstSegmentNotMerging: Int {
        guard !running.isEmpty else { return 0 }
        let last = Set(running.map { $0.inputs.last! })
        return (segments.lastIndex { last.contains($0.uid) } ?? -1) + 1
    }

    /// Starts merging `range` on a thread of its own (see `BackgroundJobs`).
    private func startMerge(_ range: Range<Int>) {
        let parts = range.map { (segment: segments[$0], deleted: deletions[$0]) }
        let id = nextMergeID
        nextMergeID += 1
        running.append(RunningMerge(id: id, inputs: parts.map(\.segment.uid), deletedAtStart: parts.map(\.deleted)))
        background.start(id, name: "BigramSearch merge \(id)") { [schema, store, backgroundHook] in
            Result { () throws(StorageError) -> Segment in
                backgroundHook?(.mergeStarting)
                let merged = try Self.mergedSegment(parts, schema: schema, store: store)
                backgroundHook?(.mergeMade)
                return merged
            }
        }
    }

    /// Puts the results of finished background merges in place of their segments: documents
    /// deleted since a merge started are deleted in its result too. A failed merge changes
    /// nothing; its error is kept for the next call that merges or commits.
    private func takeInFinishedMerges(_ outcomes: [BackgroundJobs<Result<Segment, StorageError>>.Outcome]) {
        for outcome in outcomes {
            guard let r = running.firstIndex(where: { $0.id == outcome.id }) else { continue }
            let merge = running.remove(at: r)
            mergesDone += 1
            mergeSeconds += outcome.seconds
            let merged: Segment
            switch outcome.output {
            case .failure(let error):
                mergeFailure = mergeFailure ?? error
                continue
            case .success(let segment): merged = segment
            }
            // Its inputs are still in place, in order: only this writer's thread changes the
            // segments, merges replace disjoint runs, and new segments are appended.
            guard let start = segments.firstIndex(where: { $0.uid == merge.inputs[0] }),
                  start + merge.inputs.count <= segments.count,
                  segments[start..<start + merge.inputs.count].map(\.uid) == merge.inputs else {
                preconditionFailure("the segments of background merge \(merge.id) are no longer in place")
            }
            let range = start..<start + merge.inputs.count
            var deleted = DocumentSet(capacity: merged.documentCount)
            var next: UInt32 = 0   // the merged number of each document live when the merge started
            for (k, s) in range.enumerated() {
                for doc in 0..<UInt32(segments[s].documentCount) where !merge.deletedAtStart[k].contains(doc) {
                    if deletions[s].contains(doc) { deleted.insert(next) }
                    next += 1
                }
            }
            replace(range, with: merged, deleted: deleted)
        }
    }

    /// Waits for the background flush (its segment is kept) and merges (their results are
    /// dropped), closing.
    private func abandonMerges() {
        finishFlush()
        for outcome in background.waitForAll() where running.contains(where: { $0.id == outcome.id }) {
            if case .success(let merged) = outcome.output { store?.discard(merged) }
        }
        running = []
    }

    /// The segment merged from `parts`: written to its file with a directory, else in memory.
    /// On failure (damaged input, a full disk) nothing is left behind.
    private static func mergedSegment(_ parts: [(segment: Segment, deleted: DocumentSet)], schema: Schema,
                                      store: IndexDirectory?) throws(StorageError) -> Segment {
        guard let store else { return try SegmentMerger.merge(parts, schema: schema) }
        let segment = try store.writeMerged(parts, schema: schema)
        segment.reportInvariantViolations(made: "segment merged from \(parts.map(\.segment.displayName))")   // (a test hook)
        return segment
    }

    private func merge(_ range: Range<Int>) throws(IndexError) {
        let started = ContinuousClock.now
        defer { mergesDone += 1; mergeSeconds += Self.seconds(since: started) }
        let parts = range.map { (segment: segments[$0], deleted: deletions[$0]) }
        // With a directory the merged segment goes straight to its file; on failure (damaged
        // input, a full disk) nothing changes: the segments stay as they are.
        let segment: Segment
        do { segment = try Self.mergedSegment(parts, schema: schema, store: store) } catch { throw .storage(error) }
        replace(range, with: segment, deleted: DocumentSet(capacity: segment.documentCount))
    }

    /// Puts `merged` (with `deleted`) in place of the segments of `range`, whose files that no
    /// commit names are garbage now (see `IndexDirectory.removeUncommitted`).
    private func replace(_ range: Range<Int>, with merged: Segment, deleted: DocumentSet) {
        store?.removeUncommitted(Array(segments[range]))
        store?.adopt(merged)
        segments.replaceSubrange(range, with: [merged])
        deletions.replaceSubrange(range, with: [deleted])
        // Renumber: segments after the merged range moved down; rebuild the map (merges are rare).
        locations.removeAll()
        for (s, seg) in segments.enumerated() {
            for doc in 0..<seg.documentCount where !deletions[s].contains(UInt32(doc)) {
                locations.set(seg.id(doc), .init(segment: s, doc: UInt32(doc)), idAt: id(at:))
            }
        }
        if let flush = flushing {
            for (doc, id) in flush.ids.enumerated()
            where !flush.deletedAtStart.contains(UInt32(doc)) && !flush.deletedSince.contains(UInt32(doc)) {
                locations.set(id, .init(segment: segments.count, doc: UInt32(doc)), idAt: self.id(at:))
            }
        }
        for doc in 0..<buffer.documentCount where !bufferDeleted.contains(UInt32(doc)) {
            locations.set(buffer.ids[doc], .init(segment: bufferSlot, doc: UInt32(doc)), idAt: id(at:))
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
