import Foundation
import Testing
@testable import BigramSearch

// Tests of an index's life under an IndexWriter: replacing and deleting documents (snapshot
// isolation, in memory and across commit + reopen), automatic and forced merging being invisible
// to results, flushing segments to disk as documents stream in, crash safety of commit (the
// process is killed with SIGKILL at random moments in a child process), and reopening a
// directory with another schema or analyzer.

// MARK: - Helpers (shared ones in Support/)

/// Queries over `texts`: CJK substrings of 1–6 characters, Latin words and prefixes, mixed and
/// multi-clause queries (AND, OR, -, groups, phrases, fields).
private func generateQueries(from texts: [String], fields: [String], count: Int, seed: UInt64) -> [String] {
    var queries = ["常熟", "企业", "发展", "linux", "kern*", "常熟 -考察", "常熟 OR 小微企业", "(常熟 OR 企业) 发展", "\"常熟 市\""]
    for f in fields { queries += ["\(f):常熟", "\(f):(发展 OR 企业)"] }
    return randomQueries(after: queries, texts: texts, words: TextGenerator.latinWords, fields: fields, count: count, seed: seed)
}

private func ids(_ s: IndexSnapshot, _ query: String) throws -> [String] {
    try s.matchingIDs(try s.queryParser.parse(query))
}

/// Every live document of `s` that matches `query`, id → stored `field` (duplicates recorded).
private func documents(_ s: IndexSnapshot, _ query: String, field: String) throws -> [String: String] {
    let r = try s.search(query, options: SearchOptions(limit: Int.max))
    var out: [String: String] = [:]
    for h in r.hits {
        if out[h.id] != nil { Issue.record("\(query): id \(h.id) returned twice") }
        out[h.id] = h[field] ?? ""
    }
    #expect(r.totalCount == r.hits.count)
    return out
}

/// Statistics of a snapshot with the byte sizes left out (for checks on counts).
private func counts(_ s: IndexStatistics) -> [String: Int] {
    ["documents": s.documents, "deletedDocuments": s.deletedDocuments, "segments": s.segments, "terms": s.terms]
}

// MARK: Failing storage (child process)

/// The IndexError `body` throws, or nil.
private func indexError(_ body: () throws -> Void) -> IndexError? {
    do { try body(); return nil } catch let e as IndexError { return e } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A directory writer whose directory becomes unusable (moved away, a plain file in its place)
/// while documents are buffered; `viaAdd` makes the failing flush happen in `add` (a 64 KiB
/// buffer over its budget), otherwise in `commit` (a buffer that never fills). Per the
/// documentation the writer keeps every document ("the document is then added, in memory"; "the
/// previous commit stays intact"), and once the directory is back the next commit holds them all.
private func failingFlushScenario(dir: String, viaAdd: Bool) throws {
    let options = viaAdd ? IndexWriter.Options(maxBufferedBytes: 1 << 16, mergeFactor: 0) : IndexWriter.Options(mergeFactor: 0)
    let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text, options: options)
    for i in 0..<3 { try w.add(Document(id: "c\(i)", text: "committedword 已提交文档 \(i)")) }
    try w.commit()
    let moved = dir + ".moved"
    func breakDirectory() throws {
        try FileManager.default.moveItem(atPath: dir, toPath: moved)
        #expect(FileManager.default.createFile(atPath: dir, contents: Data("not a directory".utf8)))
    }
    func restoreDirectory() throws {
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.moveItem(atPath: moved, toPath: dir)
    }
    try breakDirectory()

    var pending: [String] = []
    var failure: IndexError? = nil
    if viaAdd {
        // Documents of distinct text until the buffer is flushed, which fails.
        var gen = TextGenerator(seed: try seedCharacters(), rng: 0xFA11)
        for i in 0..<200 where failure == nil {
            pending.append("x\(i)")
            failure = indexError { try w.add(Document(id: "x\(i)", text: "pendingword \(gen.body(parts: 6...10))")) }
        }
    } else {
        for i in 0..<2 { pending.append("x\(i)"); try w.add(Document(id: "x\(i)", text: "pendingword 待提交的文档 \(i)")) }
        failure = indexError { try w.commit() }
    }
    if failure == nil { Issue.record("\(viaAdd ? "add" : "commit") into a directory replaced by a file did not fail") }
    if let failure, case .storage = failure {} else { Issue.record("expected .storage, got \(String(describing: failure))") }
    #expect(try IndexStore.open(at: moved).documentCount == 3, "the previous commit is intact")

    // The writer still has every document it accepted.
    let what = viaAdd ? "after add failed to flush (\(pending.count) documents added since the commit)" : "after a failed commit"
    #expect(w.documentCount == 3 + pending.count, "\(what)")
    let s = w.snapshot()
    let found = Set(try ids(s, "pendingword"))
    #expect(s.documentCount == w.documentCount,
            "\(what): snapshot has \(s.documentCount) documents, the writer counts \(w.documentCount)")
    #expect(found == Set(pending), "\(what): \(Set(pending).subtracting(found).count) of \(pending.count) buffered documents are gone: \(Set(pending).subtracting(found).sorted().prefix(5))")

    // Later changes apply to the documents they name. (With a small buffer, the directory must
    // be back first: any add may flush.)
    if viaAdd { try restoreDirectory() }
    try w.add(Document(id: "later", text: "laterword 之后加入"))
    #expect(w.delete(id: pending[0]))
    let t = w.snapshot()
    #expect(try ids(t, "laterword") == ["later"], "\(what): delete(id: \"\(pending[0])\") deleted another document")
    #expect(!(try ids(t, "pendingword")).contains(pending[0]), "\(what): \(pending[0]) is still found after its deletion")
    #expect(t.documentCount == w.documentCount, "\(what): snapshot \(t.documentCount) vs writer \(w.documentCount) documents")

    // The directory is back: the next commit holds everything.
    if !viaAdd { try restoreDirectory() }
    try w.commit()
    let r = try IndexStore.open(at: dir)
    let expected = Set(["c0", "c1", "c2", "later"] + pending.dropFirst())
    let committed = Set(try ids(r, "committedword OR pendingword OR laterword"))
    #expect(committed == expected, "\(what), committed once the directory is back: missing \(expected.subtracting(committed).sorted().prefix(5)), unexpected \(committed.subtracting(expected).sorted().prefix(5))")
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct WriterLifecycleTests {
    // MARK: 1. Updates and snapshot isolation

    /// Adds d0…d29, snapshots, then replaces and deletes in the frozen segment and in the buffer.
    /// Every document has `allword`; even ones `evenword`, odd ones `oddword`; replacements have
    /// `replacedword` instead. Returns the snapshots before and after.
    private func applyUpdates(_ w: IndexWriter, _ what: String) throws -> (before: IndexSnapshot, after: IndexSnapshot) {
        for i in 0..<30 {
            try w.add(Document(id: "d\(i)", fields: ["title": "标题\(i) \(marker(i))",
                                                       "body": "allword \(i % 2 == 0 ? "evenword" : "oddword") 常熟市参观考察 第\(i)篇"]))
        }
        let before = w.snapshot()
        #expect(before.documentCount == 30, "\(what)")
        #expect(w.documentCount == 30, "\(what)")

        // Replace d3 and delete d4 (both in the frozen segment).
        try w.add(Document(id: "d3", fields: ["title": "新标题", "body": "allword replacedword 替换后的正文"]))
        #expect(w.delete(id: "d4"), "\(what)")
        #expect(!w.delete(id: "d4"), "\(what): deleting twice")
        #expect(!w.delete(id: "nonexistent"), "\(what)")
        // New documents in the buffer; replace and delete some before any snapshot sees them.
        for i in 30..<40 {
            try w.add(Document(id: "d\(i)", fields: ["title": "标题\(i) \(marker(i))",
                                                       "body": "allword \(i % 2 == 0 ? "evenword" : "oddword") 小微企业园 第\(i)篇"]))
        }
        try w.add(Document(id: "d31", fields: ["body": "allword replacedword 缓冲区替换"]))
        #expect(w.delete(id: "d32"), "\(what)")
        #expect(w.documentCount == 38, "\(what)")
        let after = w.snapshot()
        return (before, after)
    }

    /// The checks of the state after `applyUpdates`, on any snapshot holding it.
    private func expectUpdatedState(_ s: IndexSnapshot, _ what: String) throws {
        let all = try documents(s, "allword", field: "body")
        let expected = Set((0..<40).map { "d\($0)" }).subtracting(["d4", "d32"])
        #expect(Set(all.keys) == expected, "\(what): live ids")
        #expect(s.documentCount == 38, "\(what)")
        #expect(try s.statistics.documents == 38, "\(what)")
        #expect(try s.statistics.deletedDocuments >= 4, "\(what): the old d3, d4, the old d31, d32 are deleted: \(String(describing: try? s.statistics))")
        #expect(all["d3"] == "allword replacedword 替换后的正文", "\(what)")
        #expect(all["d31"] == "allword replacedword 缓冲区替换", "\(what)")
        #expect(Set(try ids(s, "replacedword")) == ["d3", "d31"], "\(what)")
        #expect(Set(try ids(s, "evenword")) == Set(stride(from: 0, to: 40, by: 2).map { "d\($0)" }).subtracting(["d4", "d32"]), "\(what)")
        #expect(Set(try ids(s, "oddword")) == Set(stride(from: 1, to: 40, by: 2).map { "d\($0)" }).subtracting(["d3", "d31"]), "\(what)")
        // The old text of replaced documents is found no more, and counts agree.
        #expect(try ids(s, "第3篇").isEmpty, "\(what): old d3 still found")
        #expect(try ids(s, "第31篇").isEmpty, "\(what): old d31 still found")
        #expect(try ids(s, "第4篇").isEmpty, "\(what): deleted d4 still found")
        #expect(try s.search("常熟市").totalCount == 30 - 2, "\(what)")
        #expect(try s.count(s.queryParser.parse("allword")) == 38, "\(what)")
        #expect(try s.matches(s.queryParser.parse("allword")).count == 38, "\(what)")
        #expect(try s.search(marker(4)).totalCount == 0, "\(what): title of deleted d4")
        #expect(try s.search(marker(3)).totalCount == 0, "\(what): title of the old d3")
        #expect(try s.search(marker(5)).hits.map(\.id) == ["d5"], "\(what)")
        #expect(try s.search("title:新标题").hits.map(\.id) == ["d3"], "\(what)")
        let stats = try s.statistics
        #expect(stats.documents + stats.deletedDocuments == s.segments.reduce(0) { $0 + $1.documentCount }, "\(what)")
    }

    /// The checks of the state before `applyUpdates` changed anything.
    private func expectOriginalState(_ s: IndexSnapshot, _ what: String) throws {
        let all = try documents(s, "allword", field: "body")
        #expect(Set(all.keys) == Set((0..<30).map { "d\($0)" }), "\(what): the earlier snapshot changed")
        #expect(s.documentCount == 30, "\(what)")
        #expect(try s.statistics.deletedDocuments == 0, "\(what)")
        #expect(try ids(s, "replacedword").isEmpty, "\(what)")
        #expect(try ids(s, "第3篇") == ["d3"], "\(what)")
        #expect(try ids(s, "第4篇") == ["d4"], "\(what)")
        #expect(try ids(s, "小微企业园").isEmpty, "\(what)")
        #expect(try s.search("常熟市").totalCount == 30, "\(what)")
    }

    @Test func replaceAndDeleteInMemoryWithSnapshotIsolation() throws {
        let w = try IndexWriter(schema: .article)
        let (before, after) = try applyUpdates(w, "in memory")
        try expectOriginalState(before, "in memory, first snapshot")
        try expectUpdatedState(after, "in memory, second snapshot")

        // A third version of d3, and a deleted id added again: the second snapshot is unchanged.
        try w.add(Document(id: "d3", fields: ["body": "allword thirdversion 第三版"]))
        try w.add(Document(id: "d4", fields: ["body": "allword backagain 恢复"]))
        #expect(w.documentCount == 39)
        let third = w.snapshot()
        try expectUpdatedState(after, "in memory, second snapshot after more changes")
        try expectOriginalState(before, "in memory, first snapshot after more changes")
        #expect(try ids(third, "replacedword") == ["d31"])
        #expect(try ids(third, "thirdversion") == ["d3"])
        #expect(try ids(third, "backagain") == ["d4"])
        #expect(third.documentCount == 39)
        #expect(try ids(third, "allword").count == 39)

        // forceMerge changes nothing visible; earlier snapshots stay as they were.
        try w.forceMerge()
        let merged = w.snapshot()
        #expect(try merged.statistics.segments == 1)
        #expect(try merged.statistics.deletedDocuments == 0)
        #expect(merged.documentCount == 39)
        #expect(Set(try ids(merged, "allword")) == Set(try ids(third, "allword")))
        #expect(try ids(merged, "thirdversion") == ["d3"])
        try expectUpdatedState(after, "in memory, second snapshot after forceMerge")
        #expect(third.documentCount == 39)
        #expect(w.delete(id: "d3"))
        #expect(w.snapshot().documentCount == 38)
        #expect(merged.documentCount == 39, "a snapshot saw a deletion made after it")
    }

    @Test func replaceAndDeleteSurviveCommitAndReopen() throws {
        let dir = temporaryIndexPath("updates")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .article)
        #expect(w.directory == dir)
        let (before, after) = try applyUpdates(w, "directory")
        try expectOriginalState(before, "directory, first snapshot")
        try expectUpdatedState(after, "directory, second snapshot")
        #expect(!IndexStore.isIndex(at: dir), "nothing is committed yet")
        try w.commit()
        #expect(IndexStore.isIndex(at: dir))
        let committed = w.snapshot()
        try expectUpdatedState(committed, "directory, after commit")

        // Reopened as a snapshot and as a writer.
        let opened = try IndexStore.open(at: dir)
        try expectUpdatedState(opened, "directory, reopened")
        #expect(try opened.statistics == committed.statistics, "reopened statistics \(String(describing: try? opened.statistics)) vs \(String(describing: try? committed.statistics))")
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
        // One writer per directory: a second one is refused until the first is closed.
        #expect(throws: IndexError.storage(.locked(path: dir + "/write.lock"))) { try IndexWriter(directory: dir) }
        w.close()
        let w2 = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(w2.documentCount == 38)
        #expect(w2.schema == .article)
        let s2 = w2.snapshot()
        #expect(try s2.statistics == committed.statistics)
        try expectUpdatedState(s2, "directory, snapshot of the reopened writer")

        // Changes through the reopened writer: replace a document of a committed segment, delete
        // one, delete a committed deletion again, re-add a deleted id; then commit.
        try w2.add(Document(id: "d5", fields: ["body": "allword reopenedreplace 重开后替换"]))
        #expect(w2.delete(id: "d6"))
        #expect(!w2.delete(id: "d4"))
        #expect(!w2.delete(id: "d32"))
        try w2.add(Document(id: "d32", fields: ["body": "allword backagain 回来了"]))
        #expect(w2.documentCount == 38)
        // Uncommitted: a new open still sees the previous commit.
        try expectUpdatedState(try IndexStore.open(at: dir), "directory, reopened before the second commit")
        try w2.commit()
        let s3 = try IndexStore.open(at: dir)
        #expect(s3.documentCount == 38)
        #expect(try s3.statistics == w2.snapshot().statistics)
        #expect(try ids(s3, "reopenedreplace") == ["d5"])
        #expect(try ids(s3, "第5篇").isEmpty)
        #expect(try ids(s3, "第6篇").isEmpty)
        #expect(try ids(s3, "backagain") == ["d32"])
        #expect(Set(try ids(s3, "allword")) == Set((0..<40).map { "d\($0)" }).subtracting(["d4", "d6"]))
        #expect(try ids(s3, "replacedword").sorted() == ["d3", "d31"])

        // The snapshots opened earlier still see their state, also once forceMerge + commit has
        // removed their (memory-mapped) segment files.
        try w2.forceMerge()
        try w2.commit()
        #expect(try readManifest(dir).segments.count == 1)
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles, "files after forceMerge + commit: \(listDirectory(dir))")
        #expect(temporaryFileNames(dir).isEmpty)
        try expectUpdatedState(opened, "directory, first reopened snapshot after forceMerge + commit")
        try expectUpdatedState(s2, "directory, writer snapshot after forceMerge + commit")
        try expectOriginalState(before, "directory, first snapshot at the end")
        let final = try IndexStore.open(at: dir)
        #expect(try final.statistics.segments == 1)
        #expect(try final.statistics.deletedDocuments == 0)
        #expect(final.documentCount == 38)
        #expect(Set(try ids(final, "allword")) == Set(try ids(s3, "allword")))
        w2.close()
        #expect(try IndexWriter(directory: dir).documentCount == 38)
    }

    // MARK: 2. Merging is invisible to results

    @Test(arguments: [(2, false, true), (3, true, true), (3, true, false), (8, false, true)])
    func mergingIsInvisibleToResults(mergeFactor: Int, onDisk: Bool, background: Bool) throws {
        let what = "mergeFactor \(mergeFactor)\(onDisk ? ", on disk" : "")\(background ? ", in the background" : "")"
        let dir = temporaryIndexPath("merge-\(mergeFactor)-\(background)")
        defer { removeDirectory(dir) }
        let options = IndexWriter.Options(maxBufferedBytes: 1 << 16, mergeFactor: mergeFactor, backgroundIndexing: background)
        let w = onDisk ? try IndexWriter(directory: dir, mode: .openOrCreate, schema: .article, options: options)
                       : try IndexWriter(schema: .article, options: options)
        var gen = TextGenerator(seed: try seedCharacters(), rng: 0x3E26_0000 + UInt64(mergeFactor))
        var rng = SplitMix64(0x0DD5_0000 + UInt64(mergeFactor))

        // The model: each live id → its document and the time it was last added.
        var model: [String: (seq: Int, doc: Document)] = [:]
        var seq = 0
        var nextID = 0
        var removals = 0        // deletions and replacements of live documents
        var maxSegments = 0
        var textBytes = 0
        func newDocument(_ id: String) -> Document {
            var fields = ["body": gen.body()]
            if rng.chance(85) { fields["title"] = gen.title() }
            textBytes += fields.values.reduce(0) { $0 + $1.utf8.count }
            return Document(id: id, fields: fields)
        }
        func randomID() -> String { "doc-\(rng.int(0..<max(1, nextID)))" }
        func record(_ d: Document) {
            if model[d.id] != nil { removals += 1 }
            model[d.id] = (seq, d); seq += 1
        }

        while textBytes < 300_000 {
            switch rng.int(0..<100) {
            case 0..<70:
                let d = newDocument("doc-\(nextID)"); nextID += 1
                try w.add(d); record(d)
            case 70..<80:   // replace (or re-add a deleted id)
                let d = newDocument(randomID())
                try w.add(d); record(d)
            case 80..<90:
                let id = randomID()
                let existed = model.removeValue(forKey: id) != nil
                if existed { removals += 1 }
                #expect(w.delete(id: id) == existed, "\(what): delete(\(id))")
            case 90..<93:
                maxSegments = try max(maxSegments, w.snapshot().statistics.segments)
            case 93..<96:   // a parallel batch with new ids, existing ids and a duplicate
                var batch: [Document] = []
                for _ in 0..<rng.int(20...60) {
                    if rng.chance(80) { batch.append(newDocument("doc-\(nextID)")); nextID += 1 } else { batch.append(newDocument(randomID())) }
                }
                batch.append(newDocument(batch[rng.int(0..<batch.count)].id))
                try w.add(contentsOf: batch, threads: 2)
                for d in batch { record(d) }
            case 96..<99:   // sequential; the new ids repeat within the batch (replaced in the buffer)
                let batch = (0..<rng.int(2...10)).map { _ in newDocument(rng.chance(50) ? randomID() : "doc-\(nextID)") }
                nextID += 1
                try w.add(contentsOf: batch)
                for d in batch { record(d) }
            default:
                if onDisk { try w.commit() } else { maxSegments = try max(maxSegments, w.snapshot().statistics.segments) }
            }
        }
        #expect(w.documentCount == model.count, "\(what): documentCount")
        let live = model.values.sorted { $0.seq < $1.seq }.map(\.doc)

        // The reference: a fresh single-segment index of the live documents, in the order they
        // were last added.
        let reference = try IndexWriter(schema: .article)
        try reference.add(contentsOf: live)
        let ref = reference.snapshot()
        #expect(try ref.statistics.segments == 1)
        #expect(ref.documentCount == live.count)

        let s = w.snapshot()
        maxSegments = try max(maxSegments, s.statistics.segments)
        let stats = try s.statistics
        #expect(stats.segments >= 2, "\(what): expected several segments, got \(stats) (at most \(maxSegments) seen)")
        #expect(stats.documents == model.count, "\(what)")
        #expect(s.documentCount == model.count, "\(what)")
        #expect(stats.documents + stats.deletedDocuments == s.segments.reduce(0) { $0 + $1.documentCount }, "\(what)")
        #expect(stats.deletedDocuments < removals, "\(what): merges should have dropped some of the \(removals) deleted documents: \(stats)")

        let texts = live.flatMap { [$0["title"] ?? "", $0["body"] ?? ""] }
        let queries = generateQueries(from: texts, fields: ["title", "body"], count: 200, seed: 0x9E3_0000 + UInt64(mergeFactor))
        let before = setDifferences(s, ref, queries)
        #expect(before.isEmpty, "\(what), before forceMerge (\(stats.segments) segments): \(before.count) queries differ: \(before.prefix(6))")

        var reopenedBefore: IndexSnapshot?
        if onDisk {
            try w.commit()
            try w.waitForMerges()   // (no merge file beside the commit's below)
            try w.commit()
            let reopened = try IndexStore.open(at: dir)
            reopenedBefore = reopened
            #expect(try reopened.statistics == w.snapshot().statistics, "\(what): reopened statistics")
            #expect(reopened.documentCount == model.count, "\(what): reopened")
            #expect(throws: IndexError.self, "\(what): a second writer while the first is open") { try IndexWriter(directory: dir) }
            let d = setDifferences(reopened, ref, Array(queries.prefix(40)))
            #expect(d.isEmpty, "\(what), reopened before forceMerge: \(d.prefix(6))")
            #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles, "\(what): files after commit")
        }

        try w.forceMerge()
        let merged = w.snapshot()
        #expect(try merged.statistics.segments == 1, "\(what): \(String(describing: try? merged.statistics))")
        #expect(try merged.statistics.deletedDocuments == 0, "\(what)")
        #expect(try merged.statistics.documents == live.count, "\(what)")
        #expect(try counts(merged.statistics) == counts(ref.statistics), "\(what): merged vs fresh")
        #expect(try merged.statistics == ref.statistics, "\(what): merged \(String(describing: try? merged.statistics)) vs fresh \(String(describing: try? ref.statistics))")
        let (after, withHits) = rankDifferences(merged, ref, queries)
        #expect(after.isEmpty, "\(what), after forceMerge: \(after.count) queries differ: \(after.prefix(6))")
        #expect(withHits > queries.count / 2, "\(what): only \(withHits) queries have hits")
        // Snapshots taken before the merge are unaffected.
        #expect(try s.statistics == stats, "\(what)")
        #expect(setDifferences(s, ref, Array(queries.prefix(40))).isEmpty, "\(what): the pre-merge snapshot changed")

        if onDisk {
            try w.commit()
            #expect(try readManifest(dir).segments.count == 1, "\(what)")
            #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles, "\(what): \(listDirectory(dir))")
            #expect(temporaryFileNames(dir).isEmpty)
            let reopened = try IndexStore.open(at: dir)
            #expect(try reopened.statistics == ref.statistics, "\(what)")
            let (d, _) = rankDifferences(reopened, ref, Array(queries.prefix(60)))
            #expect(d.isEmpty, "\(what), reopened after forceMerge: \(d.prefix(6))")
            if let old = reopenedBefore {
                #expect(setDifferences(old, ref, Array(queries.prefix(40))).isEmpty, "\(what): snapshot opened before forceMerge")
            }
        }
    }

    // MARK: 3. Bounded memory: segments are flushed to disk as documents come

    @Test(arguments: [false, true])
    func smallBufferFlushesSegmentsToDiskBeforeCommit(background: Bool) throws {
        let dir = temporaryIndexPath("stream-\(background)")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text,
                                options: .init(maxBufferedBytes: 1 << 16, backgroundIndexing: background))
        var gen = TextGenerator(seed: try seedCharacters(), rng: 0x57_12EA)
        var bytes = 0
        var n = 0
        var fileCounts: [Int] = []
        var everSeen = Set<String>()
        var nextCheckpoint = 400_000
        while bytes < 2_000_000 {
            let text = "streamword \(marker(n)) \(gen.body(parts: 4...8))"
            try w.add(Document(id: "g\(n)", text: text))
            bytes += text.utf8.count
            n += 1
            if n % 20 == 0 { everSeen.formUnion(segmentFileNames(dir)) }
            if bytes >= nextCheckpoint {
                try w.waitForMerges()   // (a running merge's file is not the writer's segment yet)
                let files = Set(segmentFileNames(dir))
                fileCounts.append(files.count)
                // On disk: exactly the writer's flushed segments. Those merged away before any
                // commit named them are gone (no reader can open them), so the disk holds the
                // live segments, not every segment flushed so far.
                let live = Set(w.snapshot().segments.compactMap { $0.origin.map { String($0.split(separator: "/").last!) } })
                #expect(files == live, "at \(bytes) bytes: \(files.subtracting(live).count) files of merged-away segments, \(live.subtracting(files).count) missing")
                nextCheckpoint += 400_000
            }
        }
        #expect(!IndexStore.isIndex(at: dir), "no manifest before the first commit")
        #expect(fileCounts.first ?? 0 >= 2, "segment files after the first 400 KB: \(fileCounts)")
        #expect(everSeen.count >= 8, "segment files written before commit: \(everSeen.count)")
        #expect(everSeen.count > fileCounts.last ?? 0, "merges removed no file: \(fileCounts)")
        #expect(w.documentCount == n)

        // Every segment but the buffer frozen by snapshot() is memory-mapped from its file.
        let s = w.snapshot()
        #expect(s.documentCount == n)
        let inMemory = s.segments.dropLast().filter { $0.origin == nil }.count
        #expect(inMemory == 0, "\(inMemory) of \(s.segments.count) flushed segments are not file-backed")

        try w.commit()
        try w.waitForMerges()   // (the commit's flush may start a merge; its file is not the commit's)
        try w.commit()
        let manifest = try readManifest(dir)
        #expect(Set(segmentFileNames(dir)) == manifest.keptFiles, "merged-away segment files remain after commit")
        #expect(temporaryFileNames(dir).isEmpty)

        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.documentCount == n)
        #expect(try reopened.statistics == w.snapshot().statistics)
        #expect(Set(try ids(reopened, "streamword")) == Set((0..<n).map { "g\($0)" }))
        var rng = SplitMix64(0x5A3F)
        for _ in 0..<60 {
            let i = rng.int(0..<n)
            #expect(try ids(reopened, marker(i)) == ["g\(i)"], "marker of g\(i)")
        }
        let queries = generateQueries(from: [String(try seedCharacters())], fields: [], count: 40, seed: 0x57_12EB)
        let (d, withHits) = rankDifferences(reopened, s, queries)
        #expect(d.isEmpty, "reopened vs the writer's snapshot: \(d.prefix(5))")
        #expect(withHits > 20)
        w.close()
        let w2 = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(w2.documentCount == n)
    }

    /// Files a commit names are not removed when their segments are merged away: readers of that
    /// commit (and of the one before it) still open them. They go two commits later.
    @Test func committedSegmentsMergedAwayStayUntilTwoCommitsPass() throws {
        let dir = temporaryIndexPath("kept")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .create, schema: .text, options: .init(mergeFactor: 0))
        for i in 0..<3 {
            try w.add(Document(id: "c\(i)", text: "keptword \(i)"))
            try w.commit()
        }
        let committed = Set(segmentFileNames(dir))
        #expect(committed.count == 3)
        try w.add(Document(id: "x", text: "keptword x"))
        try w.forceMerge()
        #expect(committed.isSubset(of: Set(segmentFileNames(dir))), "a reader of the last commit would miss files")
        try w.commit()
        #expect(committed.isSubset(of: Set(segmentFileNames(dir))), "a reader of the commit before would miss files")
        try w.commit()
        #expect(committed.isDisjoint(with: Set(segmentFileNames(dir))), "two commits later the merged-away files remain")
        #expect(segmentFileNames(dir).count == 1)
        #expect(Set(try ids(try IndexStore.open(at: dir), "keptword")) == ["c0", "c1", "c2", "x"])
    }

    /// The writer's work counters (what `bigram-bench --on-disk` reports): every segment file
    /// written is counted once with its size, merges are counted, and nothing is counted in memory.
    @Test func workCountersMatchTheFilesWritten() throws {
        let dir = temporaryIndexPath("work")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .create, schema: .text, options: .init(mergeFactor: 0))
        var sizes: [String: Int] = [:]
        func recordFiles() {
            for name in segmentFileNames(dir) where sizes[name] == nil {
                sizes[name] = (try? FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int) ?? -1
            }
        }
        for i in 0..<3 {
            try w.add(Document(id: "d\(i)", text: "workword \(i) " + String(repeating: "常熟市参观考察", count: 20 * (i + 1))))
            try w.commit()
            recordFiles()
        }
        #expect(w.work.segmentsWritten == 3 && w.work.merges == 0)
        #expect(w.work.segmentBytesWritten == sizes.values.reduce(0, +))
        try w.forceMerge()
        recordFiles()
        #expect(w.work.merges == 1 && w.work.segmentsWritten == 4)
        #expect(w.work.segmentBytesWritten == sizes.values.reduce(0, +), "\(w.work) vs \(sizes)")
        #expect(w.work.mergeSeconds > 0)
        try w.commit()   // nothing new to write
        #expect(w.work.segmentsWritten == 4)
        w.close()
        #expect(w.work.segmentsWritten == 4, "counts survive close()")
        let memory = try IndexWriter(schema: .text)
        try memory.add(Document(id: "m", text: "workword"))
        _ = memory.snapshot()
        #expect(memory.work == WriterWork())
    }

    // MARK: 4. Crash safety: SIGKILL at random moments

    @Test func killedWhileCommittingLeavesACompleteCommit() async throws {
        let template = try makeCrashTemplate(bodyParts: 1...3)
        defer { removeDirectory(template) }
        let results = await crashRuns(template: template, runs: 24, merge: false, parallel: 3)
        #expect(results.count == 24, "only \(results.count) runs could be checked")
        print("WriterLifecycleTests crash runs (run: delay µs → committed batches / leftover .tmp files): \(results.map { "\($0.run): \($0.delay)→\($0.batches)/\($0.leftovers)" })")
    }

    @Test func killedWhileMergingLeavesACompleteCommit() async throws {
        let template = try makeCrashTemplate(bodyParts: 4...8)
        defer { removeDirectory(template) }
        let results = await crashRuns(template: template, runs: 12, merge: true, parallel: 3)
        #expect(results.count == 12, "only \(results.count) runs could be checked")
        print("WriterLifecycleTests merge crash runs (run: delay µs → committed batches / leftover .tmp files): \(results.map { "\($0.run): \($0.delay)→\($0.batches)/\($0.leftovers)" })")
    }

    @Test func leftoverTemporaryFilesDoNotBreakOpeningAndAreCleanedUp() throws {
        let dir = temporaryIndexPath("leftovers")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text)
        try w.add(Document(id: "a", text: "常熟市参观考察 linux"))
        try w.commit()
        let files = segmentFileNames(dir)
        // What an interrupted commit leaves: a half-written segment, a written but unnamed one,
        // and a half-written manifest.
        #expect(FileManager.default.createFile(atPath: dir + "/seg-00000000000000ab.bgs.tmp", contents: Data([1, 2, 3])))
        try FileManager.default.copyItem(atPath: dir + "/" + files[0], toPath: dir + "/" + files[0] + ".tmp")
        #expect(FileManager.default.createFile(atPath: dir + "/MANIFEST.tmp", contents: Data("BMAN".utf8)))
        let s = try IndexStore.open(at: dir)
        #expect(try ids(s, "常熟") == ["a"])
        w.close()
        let w2 = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(w2.documentCount == 1)
        try w2.add(Document(id: "b", text: "小微企业园"))
        try w2.commit()
        #expect(temporaryFileNames(dir).isEmpty, "temporary files remain: \(listDirectory(dir))")
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
        #expect(try IndexStore.open(at: dir).documentCount == 2)
    }

    // MARK: 5. Reopening with another schema or analyzer

    @Test func reopeningWithAnotherSchemaOrAnalyzerThrows() throws {
        let dir = temporaryIndexPath("mismatch")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .article)
        try w.add(Document(id: "1", fields: ["title": "常熟", "body": "常熟市参观考察"]))
        try w.commit()
        w.close()
        let filesBefore = listDirectory(dir)
        let manifestBefore = try readManifest(dir)

        do {
            _ = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text)
            Issue.record("opened an .article index with schema .text")
        } catch {
            guard case .invalidSchema = error else { Issue.record("expected .invalidSchema, got \(error)"); return }
        }
        do {
            _ = try IndexWriter(directory: dir, mode: .openOrCreate, schema: Schema([.init("title", boost: 3), .init("body")]))
            Issue.record("opened with a schema that differs in a boost")
        } catch {
            guard case .invalidSchema = error else { Issue.record("expected .invalidSchema, got \(error)"); return }
        }

        let unigrams = try BigramAnalyzer(.init(emitUnigrams: true))
        do {
            _ = try IndexWriter(directory: dir, mode: .openOrCreate, analyzer: unigrams)
            Issue.record("opened a bigram/1 index with \(unigrams.identifier)")
        } catch {
            guard case .storage(.analyzerMismatch(let path, let stored, let requested)) = error else {
                Issue.record("expected .storage(.analyzerMismatch), got \(error)"); return
            }
            #expect(path == dir)
            #expect(stored == (try BigramAnalyzer()).identifier)
            #expect(requested == unigrams.identifier)
        }
        // Both wrong: either error, but an error.
        #expect(throws: IndexError.self) { try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text, analyzer: unigrams) }

        // The failed opens changed nothing.
        #expect(listDirectory(dir) == filesBefore)
        #expect(try readManifest(dir) == manifestBefore)

        // The same schema and analyzer, or none, open it.
        #expect(try IndexWriter(directory: dir, mode: .openOrCreate, schema: .article).documentCount == 1)
        #expect(try IndexWriter(directory: dir, mode: .openOrCreate, analyzer: try BigramAnalyzer()).documentCount == 1)
        let reopened = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(reopened.schema == .article)
        #expect(reopened.analyzer.identifier == (try BigramAnalyzer()).identifier)

        // An index built with a non-default analyzer: reopened without one, it keeps its own.
        let foldDir = temporaryIndexPath("mismatch-fold")
        defer { removeDirectory(foldDir) }
        let folding = try BigramAnalyzer(.init(foldTraditional: true))
        let fw = try IndexWriter(directory: foldDir, mode: .openOrCreate, analyzer: folding)
        try fw.add(Document(id: "t", text: "體育館"))
        try fw.commit()
        fw.close()
        let fw2 = try IndexWriter(directory: foldDir, mode: .openOrCreate)
        #expect(fw2.analyzer.identifier == folding.identifier)
        try fw2.add(Document(id: "s", text: "体育馆"))
        #expect(try ids(fw2.snapshot(), "體育").sorted() == ["s", "t"])
        fw2.close()
        let plain = try BigramAnalyzer()
        do {
            _ = try IndexWriter(directory: foldDir, mode: .openOrCreate, analyzer: plain)
            Issue.record("opened a folding index with the default analyzer")
        } catch {
            guard case .storage(.analyzerMismatch(let path, let stored, let requested)) = error else {
                Issue.record("expected .storage(.analyzerMismatch), got \(error)"); return
            }
            #expect(path == foldDir)
            #expect(stored == folding.identifier)
            #expect(requested == (try BigramAnalyzer()).identifier)
        }
    }

    // MARK: 6. More lifecycle contracts

    /// Size-tiered merging should keep the number of segments logarithmic in the number of
    /// documents (as Lucene's LogMergePolicy does). A writer that commits after every small batch,
    /// of alternately 2 and 1 documents with mergeFactor 2 (or 3 and 1 with mergeFactor 3),
    /// produces neighbouring segments whose tiers alternate; only runs of neighbours of one tier
    /// are merged, so nothing is ever merged.
    @Test(arguments: [(2, [2, 1]), (3, [3, 1])])
    func automaticMergingKeepsTheSegmentCountLogarithmic(mergeFactor: Int, batchSizes: [Int]) throws {
        let dir = temporaryIndexPath("tiers-\(mergeFactor)")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text, options: .init(mergeFactor: mergeFactor))
        var n = 0
        var history: [Int] = []
        for commit in 0..<90 {
            for _ in 0..<batchSizes[commit % batchSizes.count] {
                try w.add(Document(id: "t\(n)", text: "tierword 第\(n)号 常熟市参观考察"))
                n += 1
            }
            try w.commit()
            if commit % 10 == 9 { try history.append(w.snapshot().statistics.segments) }
        }
        try w.waitForMerges()
        try w.commit()
        let s = w.snapshot()
        #expect(s.documentCount == n)
        #expect(try ids(s, "tierword").count == n)
        var tiers = 1, m = n
        while m >= mergeFactor { m /= mergeFactor; tiers += 1 }
        // Generous: an ideal policy keeps at most (mergeFactor - 1) segments per tier.
        let bound = 2 * mergeFactor * (tiers + 1)
        #expect(try s.statistics.segments <= bound,
                "mergeFactor \(mergeFactor), commits of \(batchSizes) documents: \(String(describing: try? s.statistics.segments)) segments for \(n) documents (bound \(bound)); segments every 10 commits: \(history); segment sizes: \(s.segments.prefix(12).map(\.documentCount))…")
        #expect(try readManifest(dir).segments.count == s.statistics.segments)
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
    }

    /// The buffer budget counts buffered analysis data: a few short documents stay far below the
    /// smallest budget (64 KiB) and share one segment.
    @Test func smallDocumentsShareASegmentUnderTheSmallestBudget() throws {
        let w = try IndexWriter(options: .init(maxBufferedBytes: 1 << 16))
        for i in 0..<10 { try w.add(Document(id: "s\(i)", text: "常熟市参观考察 第\(i)篇")) }
        let s = w.snapshot()
        #expect(s.documentCount == 10)
        #expect(try s.statistics.segments == 1,
                "10 documents of 30 bytes with a 64 KiB buffer: \(String(describing: try? s.statistics.segments)) segments (sizes \(s.segments.map(\.documentCount))); an empty SegmentBuilder estimates \(SegmentBuilder(schema: .text, analyzer: w.analyzer).estimatedBytes) bytes")
        let dir = temporaryIndexPath("budget")
        defer { removeDirectory(dir) }
        let d = try IndexWriter(directory: dir, mode: .openOrCreate, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
        for i in 0..<10 { try d.add(Document(id: "s\(i)", text: "常熟市参观考察 第\(i)篇")) }
        #expect(segmentFileNames(dir).isEmpty, "segment files written for 10 tiny documents before any commit: \(segmentFileNames(dir).count)")
        try d.commit()
        #expect(try IndexStore.open(at: dir).statistics.segments == 1)
    }

    /// A buffer's postings blocks go to the next buffer: the writer keeps at most half its
    /// budget of them between buffers (blocks of 256 KiB), none after a snapshot, commit or
    /// close; and buffers built on reused blocks index exactly what fresh ones do.
    @Test(arguments: [false, true]) func postingsBlocksPassFromBufferToBuffer(onDisk: Bool) throws {
        let dir = temporaryIndexPath("blocks")
        defer { removeDirectory(dir) }
        let options = IndexWriter.Options(maxBufferedBytes: 1 << 20, mergeFactor: 0, backgroundIndexing: false)
        let w = onDisk ? try IndexWriter(directory: dir, mode: .create, options: options) : try IndexWriter(options: options)
        let paragraphs = try Seeds.paragraphsByPage().flatMap(\.paragraphs)
        var kept: [Int] = []
        let rounds = 120   // ~13 KB of text each: several 1 MiB buffers
        for round in 0..<rounds {
            for (k, p) in paragraphs.enumerated() { try w.add(Document(id: "r\(round)-\(k)", text: p)) }
            kept.append(w.recycledBytes)
        }
        let blockBytes = GrowableBuffer.blockBytes
        #expect(kept.allSatisfy { $0 <= (1 << 19) / blockBytes * blockBytes }, "kept between buffers: \(kept)")
        #expect(kept.contains { $0 > 0 }, "some buffer gave blocks back: \(kept)")
        let s = w.snapshot()
        #expect(w.recycledBytes == 0, "a snapshot frees the kept blocks")
        #expect(try s.statistics.segments > 2, "several buffers: \(String(describing: try? s.statistics.segments))")
        // Same postings as one writer with a budget that never flushes (fresh blocks only).
        let one = try IndexWriter(options: .init(maxBufferedBytes: 1 << 30, backgroundIndexing: false))
        for round in 0..<rounds { for (k, p) in paragraphs.enumerated() { try one.add(Document(id: "r\(round)-\(k)", text: p)) } }
        let reference = one.snapshot()
        for q in ["常熟", "考察 OR 经济", "\"人民\"", "发展 -常熟", "市"] {
            let found = try ids(s, q).sorted(), expected = try ids(reference, q).sorted()
            #expect(!found.isEmpty && found == expected, "\(q)")
        }
        if onDisk {
            try w.commit()
            #expect(w.recycledBytes == 0)
        }
        w.close()
        #expect(w.recycledBytes == 0)
    }

    @Test func failedCommitKeepsBufferedDocuments() async {
        let dir = temporaryIndexPath("failing-commit")
        defer { removeDirectory(dir); removeDirectory(dir + ".moved") }
        await #expect(processExitsWith: .success, "a failed commit must not crash") { [dir = dir as String] in
            try failingFlushScenario(dir: dir, viaAdd: false)
        }
    }

    @Test func failedFlushInAddKeepsBufferedDocuments() async {
        let dir = temporaryIndexPath("failing-add")
        defer { removeDirectory(dir); removeDirectory(dir + ".moved") }
        await #expect(processExitsWith: .success, "a failed flush must not crash") { [dir = dir as String] in
            try failingFlushScenario(dir: dir, viaAdd: true)
        }
    }

    @Test func deletingEverythingThenForceMerge() throws {
        let dir = temporaryIndexPath("empty")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 3))
        for i in 0..<40 { try w.add(Document(id: "e\(i)", text: "emptyword 第\(i)篇 常熟市参观考察")) }
        try w.commit()
        _ = w.snapshot()
        for i in 0..<40 { #expect(w.delete(id: "e\(i)")) }
        #expect(w.documentCount == 0)
        try w.forceMerge()
        let s = w.snapshot()
        #expect(s.documentCount == 0)
        #expect(try s.statistics.deletedDocuments == 0)
        #expect(try s.statistics.segments <= 1)
        #expect(try s.search("emptyword").totalCount == 0)
        try w.commit()
        let r = try IndexStore.open(at: dir)
        #expect(r.documentCount == 0)
        #expect(try r.search("常熟").totalCount == 0)
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)

        // The emptied index takes new documents, in this writer and in a reopened one.
        try w.add(Document(id: "e1", text: "emptyword 重新加入"))
        try w.commit()
        w.close()
        let w2 = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(w2.documentCount == 1)
        try w2.add(Document(id: "f", text: "fullword 又一篇"))
        try w2.forceMerge()
        try w2.commit()
        let r2 = try IndexStore.open(at: dir)
        #expect(r2.documentCount == 2)
        #expect(try r2.statistics.segments == 1)
        #expect(try ids(r2, "emptyword OR fullword").sorted() == ["e1", "f"])
        #expect(try r2.search("重新加入").hits.map(\.id) == ["e1"])
    }
}
