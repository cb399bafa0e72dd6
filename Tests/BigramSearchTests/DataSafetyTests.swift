@testable import BigramSearch
import Foundation
import Testing

// What the storage layer promises when things go wrong: one writer per directory, nothing
// created or removed implicitly, I/O failures as typed errors that leave the previous commit
// intact and leave no debris that blocks the next commit. Faults are injected through the
// storage layer's system-call seam (`withSystemCalls`, see Support/FaultInjection.swift).

private func files(_ dir: String) -> [String] { listDirectory(dir) }
private func debris(_ dir: String) -> [String] { files(dir).filter { $0.hasSuffix(".tmp") } }
private func manifestGeneration(_ dir: String) throws -> Int {
    try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: dir).generation
}

private func documents(_ prefix: String, _ n: Int) -> [Document] {
    (0..<n).map { Document(id: "\(prefix)\($0)", text: "\(prefix)word 常熟市参观考察 第\($0)篇 \(String(repeating: "小微企业园", count: 20))") }
}

/// An index with one commit of `count` documents `a0…`.
private func committedIndex(_ tag: String, count: Int = 20) throws -> String {
    let dir = temporaryIndexPath(tag)
    let w = try IndexWriter(directory: dir, mode: .create, options: .init(mergeFactor: 0))
    try w.add(contentsOf: documents("a", count))
    try w.commit()
    w.close()
    return dir
}

private func count(_ dir: String, _ query: String) throws -> Int {
    try IndexStore.open(at: dir).search(query).totalCount
}

@Suite(.checksSegmentInvariants) struct DataSafetyTests {
    // MARK: One writer per directory

    @Test func secondWriterIsRefusedUntilTheFirstCloses() throws {
        let dir = try committedIndex("lock")
        defer { removeDirectory(dir) }
        let first = try IndexWriter(directory: dir)
        let lockPath = dir + "/write.lock"
        #expect(throws: IndexError.storage(.locked(path: lockPath))) { try IndexWriter(directory: dir) }
        #expect(throws: StorageError.locked(path: lockPath)) { try IndexStore.save(try IndexStore.open(at: dir), to: dir) }
        // The message says what happened.
        #expect(StorageError.locked(path: lockPath).description == "the index \(dir) is being written by another process (write.lock is locked)")
        // Waiting: the second writer gets in once the first closes.
        let start = ContinuousClock.now
        nonisolated(unsafe) let closing = first
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { closing.close() }
        let second = try IndexWriter(directory: dir, options: .init(lockWait: .seconds(10)))
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        #expect(second.documentCount == 20)
        // A bounded wait that runs out.
        #expect(throws: IndexError.storage(.locked(path: lockPath))) {
            try IndexWriter(directory: dir, options: .init(lockWait: .milliseconds(50)))
        }
        second.close()
        // A closed writer cannot commit.
        #expect(throws: IndexError.storage(.closed(path: dir))) { try second.commit() }
    }

    // MARK: Nothing is created implicitly

    @Test func openingNeedsAnIndexAndCreatingNeedsRoom() throws {
        let base = temporaryIndexPath("modes")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { removeDirectory(base) }
        // Nothing there: open refuses and creates nothing.
        let missing = base + "/missing"
        #expect(throws: IndexError.storage(.notAnIndex(path: missing))) { try IndexWriter(directory: missing) }
        #expect(!FileManager.default.fileExists(atPath: missing))
        // A folder of other files: open refuses, create refuses, nothing written.
        let texts = base + "/texts"
        try FileManager.default.createDirectory(atPath: texts, withIntermediateDirectories: true)
        try Data("常熟".utf8).write(to: URL(fileURLWithPath: texts + "/a.txt"))
        #expect(IndexStore.kind(of: texts) == .other)
        #expect(throws: IndexError.storage(.notAnIndex(path: texts))) { try IndexWriter(directory: texts) }
        #expect(throws: IndexError.storage(.directoryNotEmpty(path: texts))) { try IndexWriter(directory: texts, mode: .create) }
        #expect(throws: IndexError.storage(.directoryNotEmpty(path: texts))) { try IndexWriter(directory: texts, mode: .openOrCreate) }
        #expect(files(texts) == ["a.txt"])
        // Among other files when asked: the other files stay.
        let w = try IndexWriter(directory: texts, mode: .createAmongOtherFiles)
        #expect(!IndexStore.isIndex(at: texts), "nothing is written before the first commit")
        try w.add(Document(id: "x", text: "常熟"))
        try w.commit()
        w.close()
        #expect(IndexStore.isIndex(at: texts))
        #expect(files(texts).contains("a.txt"))
        #expect(try count(texts, "常熟") == 1)
        // An index is not created again.
        #expect(throws: IndexError.storage(.alreadyAnIndex(path: texts))) { try IndexWriter(directory: texts, mode: .create) }
        // A missing parent is not created.
        let deep = base + "/no/such/parent"
        #expect(throws: IndexError.self) { try IndexWriter(directory: deep, mode: .create) }
        #expect(!FileManager.default.fileExists(atPath: base + "/no"))
    }

    @Test func aLostManifestIsADamagedIndexThatNoWriterTouches() throws {
        let dir = try committedIndex("lost-manifest")
        defer { removeDirectory(dir) }
        try FileManager.default.removeItem(atPath: dir + "/MANIFEST")
        let before = files(dir)
        #expect(IndexStore.kind(of: dir) == .damagedIndex)
        for mode: IndexWriter.OpenMode in [.open, .create, .openOrCreate, .createAmongOtherFiles] {
            #expect(throws: IndexError.storage(.missingManifest(path: dir)), "\(mode)") { try IndexWriter(directory: dir, mode: mode) }
        }
        #expect(throws: StorageError.missingManifest(path: dir)) { try IndexStore.open(at: dir) }
        #expect(throws: StorageError.missingManifest(path: dir)) { try IndexStore.save(IndexWriter().snapshot(), to: dir) }
        #expect(files(dir) == before, "segment files were removed or written")
    }

    // MARK: Lenient means syntax only

    @Test func lenientSearchReportsDamageAndTimeLimits() throws {
        let dir = try committedIndex("lenient")
        defer { removeDirectory(dir) }
        // Damage one byte of the postings section (its checksum then fails on first use: the
        // section is one checksum chunk, which any term's lookup verifies).
        let segment = files(dir).first { $0.hasSuffix(".bgs") }!
        let path = dir + "/" + segment
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let postings = try #require(SegmentImage(path: path, bytes: bytes).sections.first { $0.kind == SegmentFile.Kind.postings.rawValue })
        #expect(postings.length < SectionChecksum.chunkSize)
        bytes[postings.offset + postings.length / 2] ^= 0xFF   // inside a section verified on first use, not at open
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let s = try IndexStore.open(at: dir)
        do {
            _ = try s.search(lenient: "\"unclosed 常熟 ((", options: SearchOptions(limit: 5))
            Issue.record("lenient search on a damaged index returned results")
        } catch {
            guard case .damagedIndex(let e) = error else { Issue.record("unexpected \(error)"); return }
            #expect(e.path == path)
        }
        // A time limit that has passed already.
        let big = try IndexWriter()
        try big.add(contentsOf: documents("b", 300))
        #expect(throws: SearchError.timeLimitExceeded) {
            try big.snapshot().search(lenient: "常熟 OR 小微 OR 参观", options: SearchOptions(limit: 10, timeLimit: .zero))
        }
        // Syntax is still forgiven.
        #expect(try big.snapshot().search(lenient: "\"常熟 ((").totalCount == 300)
    }

    // MARK: I/O faults: typed errors, the previous commit intact, no debris, recovery

    /// Adds documents `b0…` to the index in `dir` and commits with `injector` in force; then
    /// checks that the commit failed with an I/O error naming `reason`, that the previous commit
    /// is what readers see, that nothing temporary is left, and that a commit without faults then
    /// succeeds.
    private func expectFailedCommitRecovers(_ tag: String, _ injector: FaultInjector, reason: String) throws {
        let dir = try committedIndex(tag)
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, options: .init(mergeFactor: 0))
        try w.add(contentsOf: documents("b", 10))
        #expect(w.delete(id: "a3"))
        do {
            try withSystemCalls(injector) { try w.commit() }
            Issue.record("\(tag): the commit succeeded despite the fault")
        } catch let error as IndexError {
            guard case .storage(.io(_, let why)) = error else { Issue.record("\(tag): unexpected \(error)"); return }
            #expect(why.contains(reason), "\(tag): \(why)")
        } catch { Issue.record("\(tag): unexpected \(error)") }
        #expect(injector.failureCount > 0, "\(tag): the fault was never hit")
        #expect(try manifestGeneration(dir) == 1, "\(tag)")
        #expect(try count(dir, "aword") == 20, "\(tag): the previous commit is not intact")
        #expect(try count(dir, "bword") == 0, "\(tag)")
        try IndexStore.verify(at: dir)
        #expect(debris(dir).isEmpty, "\(tag): temporary files left: \(debris(dir))")
        // Space freed (no faults): the same writer commits, no manual clean-up needed.
        try w.commit()
        #expect(try count(dir, "aword") == 19, "\(tag)")
        #expect(try count(dir, "bword") == 10, "\(tag)")
        #expect(debris(dir).isEmpty)
        try IndexStore.verify(at: dir)
        // And a new writer after it.
        w.close()
        let again = try IndexWriter(directory: dir)
        try again.add(Document(id: "c", text: "cword"))
        try again.commit()
        #expect(try count(dir, "cword") == 1)
    }

    @Test func fullDiskWhileWritingASegment() throws {
        try expectFailedCommitRecovers("enospc-segment", FaultInjector([.on(.write, suffix: ".bgs.tmp", error: ENOSPC)]), reason: "No space left")
    }

    @Test func fullDiskWhileWritingTheManifest() throws {
        try expectFailedCommitRecovers("enospc-manifest", FaultInjector([.on(.write, suffix: "MANIFEST.tmp", error: ENOSPC)]), reason: "No space left")
    }

    @Test func failedFsyncOfASegment() throws {
        try expectFailedCommitRecovers("eio-fsync", FaultInjector([.on(.fsync, suffix: ".bgs.tmp", error: EIO)]), reason: "fsync")
    }

    @Test func failedRenameOfTheManifest() throws {
        try expectFailedCommitRecovers("rename", FaultInjector([.on(.rename, suffix: "MANIFEST.tmp", error: EIO)]), reason: "rename")
    }

    @Test func failedRenameOfASegment() throws {
        try expectFailedCommitRecovers("rename-seg", FaultInjector([.on(.rename, suffix: ".bgs.tmp", error: ENOSPC)]), reason: "rename")
    }

    @Test func tooManyOpenFiles() throws {
        try expectFailedCommitRecovers("emfile", FaultInjector([.on(.open, suffix: ".bgs.tmp", error: EMFILE)]), reason: "Too many open files")
    }

    @Test func shortWritesAreContinued() throws {
        let dir = try committedIndex("short")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir)
        try w.add(contentsOf: documents("b", 10))
        let injector = FaultInjector(maxWrite: 777)
        try withSystemCalls(injector) { try w.commit() }
        w.close()
        try IndexStore.verify(at: dir)
        #expect(try count(dir, "bword") == 10)
        #expect(try count(dir, "aword") == 20)
    }

    @Test func aWriteThatMakesNoProgressFails() throws {
        let dir = temporaryIndexPath("zero-write")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, mode: .create)
        try w.add(Document(id: "1", text: "常熟"))
        do {
            try withSystemCalls(FaultInjector(maxWrite: 0)) { try w.commit() }
            Issue.record("a commit whose writes make no progress succeeded")
        } catch let error as IndexError {
            guard case .storage(.io(_, let why)) = error else { Issue.record("unexpected \(error)"); return }
            #expect(why.contains("no progress"))
        } catch { Issue.record("unexpected \(error)") }
        #expect(!IndexStore.isIndex(at: dir))
        #expect(debris(dir).isEmpty)
    }

    @Test func failedDirectoryFsyncAfterTheSwitchIsCommittedButNotDurable() throws {
        let dir = try committedIndex("committed-but")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir)
        try w.add(contentsOf: documents("b", 5))
        // The commit fsyncs the directory twice: after the segment files, after the manifest.
        let name = URL(fileURLWithPath: dir).lastPathComponent
        let injector = FaultInjector([.on(.fsync, suffix: name, error: EIO, skip: 1)])
        do {
            try withSystemCalls(injector) { try w.commit() }
            Issue.record("the commit did not report the failed fsync")
        } catch let error as IndexError {
            guard case .storage(.committedButNotDurable(let p, let why)) = error else { Issue.record("unexpected \(error)"); return }
            #expect(p == dir)
            #expect(why.contains("fsync directory"))
            #expect(error.description.hasPrefix("committed, but"))
        } catch { Issue.record("unexpected \(error)") }
        // Readers see the new commit.
        #expect(try manifestGeneration(dir) == 2)
        #expect(try count(dir, "bword") == 5)
        // The writer goes on from the new commit.
        try w.add(Document(id: "c", text: "cword"))
        try w.commit()
        #expect(try manifestGeneration(dir) == 3)
        #expect(try count(dir, "bword") == 5)
    }

    @Test func fullDiskWhileFlushingKeepsTheDocumentsForTheNextCommit() throws {
        let dir = try committedIndex("enospc-flush")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
        let injector = FaultInjector([.on(.write, suffix: ".bgs.tmp", error: ENOSPC)])
        var failed = 0
        withSystemCalls(injector) {
            for d in documents("b", 200) {
                do { try w.add(d) } catch { failed += 1 }
            }
        }
        #expect(failed > 0, "no flush happened")
        #expect(w.documentCount == 220)
        _ = w.snapshot()   // (waits for a flush running in the background, which fails too)
        #expect(debris(dir).isEmpty)
        try w.commit()
        #expect(try count(dir, "bword") == 200)
        try IndexStore.verify(at: dir)
    }

    /// A merge writes its segment straight to a file: when that fails midway (a full disk, a
    /// failed fsync, short writes throughout), the merge is an error that changes nothing — the
    /// segments stay unmerged and searchable, no partial file is left — and a later merge and
    /// commit succeed.
    @Test(arguments: ["enospc", "fsync", "short"])
    func aMergeThatCannotWriteChangesNothing(_ fault: String) throws {
        let dir = try committedIndex("merge-\(fault)")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
        try w.add(contentsOf: documents("b", 300))
        try w.commit()
        let before = Set(files(dir))
        let segmentsBefore = w.snapshot().segments.map(\.uid)
        #expect(segmentsBefore.count > 1)
        // The merge's file fails at its second write (the header, written last) or at its fsync.
        let injector: FaultInjector
        switch fault {
        case "enospc": injector = FaultInjector([.on(.write, suffix: ".bgs.tmp", error: ENOSPC, skip: 1)])
        case "fsync": injector = FaultInjector([.on(.fsync, suffix: ".bgs.tmp", error: EIO)])
        default: injector = FaultInjector(maxWrite: 777)   // every write short: still completes
        }
        let result = withSystemCalls(injector) { Result { () throws(IndexError) in try w.forceMerge() } }
        if fault == "short" {
            #expect(throws: Never.self) { try result.get() }
            #expect(w.snapshot().segments.count == 1)
        } else {
            #expect(injector.failureCount > 0, "the fault was not hit")
            guard case .failure(.storage(.io(let path, let why))) = result else { Issue.record("\(result)"); return }
            #expect(path.hasSuffix(".bgs.tmp") && why.contains(fault == "fsync" ? "fsync" : "write"), "\(path): \(why)")
            #expect(w.snapshot().segments.map(\.uid) == segmentsBefore, "a failed merge changed the segments")
            #expect(Set(files(dir)) == before, "a failed merge left files: \(Set(files(dir)).subtracting(before))")
            #expect(try w.snapshot().search("bword", options: .init(limit: 0)).totalCount == 300)
            try w.forceMerge()
        }
        try w.commit()
        #expect(try count(dir, "bword") == 300 && (try count(dir, "aword")) == 20)
        try IndexStore.verify(at: dir)
    }

    @Test func failedRemovalsAreCollectedByTheNextCommit() throws {
        let dir = try committedIndex("unlink")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(directory: dir)
        try w.add(contentsOf: documents("b", 5))
        try w.forceMerge()
        try w.commit()   // the first commit's file is kept (previous)
        try w.add(Document(id: "c", text: "cword"))
        try withSystemCalls(FaultInjector([.on(.unlink, suffix: ".bgs", error: EIO)])) { try w.commit() }
        let m = try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: dir)
        let onDisk = Set(files(dir).filter { $0.hasSuffix(".bgs") })
        #expect(onDisk.isSuperset(of: m.keptFiles))
        #expect(onDisk.count > m.keptFiles.count, "the unlink fault was not hit")
        try w.commit()
        #expect(Set(files(dir).filter { $0.hasSuffix(".bgs") }) == (try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: dir)).keptFiles)
    }

    @Test func temporariesOfAKilledWriterAreRemovedByTheNextWriter() throws {
        let dir = try committedIndex("tmp")
        defer { removeDirectory(dir) }
        for name in ["MANIFEST.tmp", "seg-00000000000000ab.bgs.tmp"] {
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/notes.tmp"))   // not ours
        let w = try IndexWriter(directory: dir)
        #expect(debris(dir) == ["notes.tmp"])
        w.close()
    }
}

@Suite(.checksSegmentInvariants) struct DiscardTests {
    @Test func discardingAFirstRunLeavesNothing() throws {
        let base = temporaryIndexPath("discard")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { removeDirectory(base) }
        let dir = base + "/new"
        let w = try IndexWriter(directory: dir, mode: .create, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
        for d in documents("a", 200) { try w.add(d) }
        #expect(listDirectory(dir).contains { $0.hasSuffix(".bgs") }, "no segment was flushed")
        w.discardUncommitted()
        #expect(!FileManager.default.fileExists(atPath: dir), "\(listDirectory(dir))")
        #expect(throws: IndexError.storage(.closed(path: dir))) { try w.commit() }
    }

    @Test func discardingKeepsCommitsAndOtherFiles() throws {
        let dir = try committedIndex("discard-existing")
        defer { removeDirectory(dir) }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let before = Set(listDirectory(dir))
        let w = try IndexWriter(directory: dir, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
        for d in documents("b", 200) { try w.add(d) }
        #expect(Set(listDirectory(dir)) != before)
        w.discardUncommitted()
        #expect(Set(listDirectory(dir)) == before)
        #expect(try count(dir, "aword") == 20)
        #expect(try count(dir, "bword") == 0)
    }
}

@Suite(.checksSegmentInvariants) struct MergeValidationTests {
    /// A writer checks checksums when it opens an index (fast); the terms it decodes when merging
    /// are validated as a search validates them, so damage that passes the checksums is an error
    /// naming the file, never a well-formed merged segment of wrong data.
    @Test func mergingDamagedPostingsIsAnError() throws {
        let dir = try committedIndex("merge-damage")
        defer { removeDirectory(dir) }
        let second = try IndexWriter(directory: dir, options: .init(mergeFactor: 0))
        try second.add(contentsOf: documents("b", 5))
        try second.commit()
        second.close()
        let manifest = try Manifest.decode(try readBytes(dir + "/MANIFEST"), path: dir)
        let path = dir + "/" + manifest.segments[0].file
        let damaged = try #require(SegmentImage.withSection(try readBytes(path), kind: SegmentFile.Kind.postings.rawValue, field: 0) { bytes in
            for i in 0..<(bytes.count - 8) { bytes[i] = 0xFF }   // every gamma code runs to the end
        })
        try writeBytes(path, damaged)
        let w = try IndexWriter(directory: dir)
        do {
            try w.forceMerge()
            Issue.record("merged damaged postings")
        } catch {
            guard case .storage(.corrupt(let p, let why)) = error else { Issue.record("unexpected \(error)"); return }
            #expect(p == path)
            #expect(why.hasPrefix("field text: "), "\(why)")
        }
        w.close()
        #expect(try Manifest.decode(try readBytes(dir + "/MANIFEST"), path: dir) == manifest, "the failed merge changed the index")
        #expect(throws: StorageError.self) { try IndexStore.verify(at: dir) }
    }
}
