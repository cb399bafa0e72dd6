import Foundation
import Testing
@testable import BigramSearch

// Merges in the background (IndexWriter.Options.backgroundIndexing): a merge is held at a stage
// by the writer's test hook while the test changes the index beside it — commits that do not
// wait, deletions and replacements made during the merge, a commit's garbage collection beside a
// finished merge, a merge that fails, close while a merge runs. (The suite's name ends in
// ConcurrencyTests so that .ci/run runs it under Thread Sanitizer too.)

/// Holds the first background merge that reaches a stage until released (at the latest after a
/// minute, so a writer that wrongly waits for it ends the test with a failure, not a hang); the
/// merges after it pass. (Holding them all would stall the writer: with both merge threads busy
/// and enough segments waiting, it waits for a merge, as it should.)
private final class MergeGate: @unchecked Sendable {   // every access holds `condition`
    private let condition = NSCondition()
    private var held = 0
    private var open = false
    private let stage: BackgroundStage

    init(at stage: BackgroundStage) {
        self.stage = stage
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { [self] in release() }
    }

    var hook: @Sendable (BackgroundStage) -> Void {
        { [self] s in
            guard s == stage else { return }
            condition.withLock {
                held += 1
                guard held == 1 else { return }
                condition.broadcast()
                while !open { condition.wait() }
            }
        }
    }

    /// Merges that reached the stage so far.
    var heldCount: Int { condition.withLock { held } }
    var isOpen: Bool { condition.withLock { open } }

    func release() { condition.withLock { open = true; condition.broadcast() } }
}

/// Documents added to a writer, and what each live id's text holds: a unique marker word.
private struct Model {
    var gen: TextGenerator
    var markers: [String: String] = [:]   // live id → its marker
    var gone: [String] = []               // markers of deleted or replaced versions
    var n = 0

    init() throws { gen = TextGenerator(seed: try seedCharacters(), rng: 0xB6_3E26) }

    mutating func add(_ id: String, to w: IndexWriter) throws {
        let m = marker(n)
        n += 1
        try w.add(Document(id: id, text: "\(m) \(gen.body(parts: 1...3))"))
        if let old = markers.updateValue(m, forKey: id) { gone.append(old) }
    }

    mutating func delete(_ id: String, from w: IndexWriter) {
        #expect(w.delete(id: id), "delete \(id)")
        if let old = markers.removeValue(forKey: id) { gone.append(old) }
    }

    /// Every live id is found by its marker, once; no deleted or replaced version is found.
    func check(_ s: IndexSnapshot, _ what: String) throws {
        #expect(s.documentCount == markers.count, "\(what): documentCount")
        for (id, m) in markers.sorted(by: { $0.key < $1.key }) {
            let found = try s.matchingIDs(try s.queryParser.parse(m))
            if found != [id] { Issue.record("\(what): \(m) finds \(found), not [\(id)]"); return }
        }
        for m in gone {
            let found = try s.matchingIDs(try s.queryParser.parse(m))
            if !found.isEmpty { Issue.record("\(what): the gone version \(m) is found in \(found)"); return }
        }
        try s.checkInvariants()
    }
}

/// A writer of small buffers and merge factor 2 (in `dir`, or in memory when nil) whose first
/// background merge (or flush) is held at `stage`: documents are added until one reached it (it
/// starts on its own thread soon after the call that made it due). The caller releases the gate.
private func writerWithAHeldMerge(in dir: String?, at stage: BackgroundStage, mergeFactor: Int = 2,
                                  bufferBytes: Int = 1 << 16) throws -> (IndexWriter, MergeGate, Model) {
    let options = IndexWriter.Options(maxBufferedBytes: bufferBytes, mergeFactor: mergeFactor)
    let w = try dir.map { try IndexWriter(directory: $0, mode: .create, options: options) } ?? IndexWriter(options: options)
    let gate = MergeGate(at: stage)
    w.backgroundHook = gate.hook
    var model = try Model()
    while gate.heldCount == 0 {
        try model.add("d\(model.n)", to: w)
        if model.n > 50_000 { Issue.record("no merge started after \(model.n) documents"); break }
    }
    return (w, gate, model)
}

/// Polls `w.snapshot()` (which takes in finished merges) until `done` holds; false after a minute.
private func snapshot(of w: IndexWriter, until done: (IndexSnapshot) -> Bool) -> IndexSnapshot? {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        let s = w.snapshot()
        if done(s) { return s }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return nil
}

@Suite(.serialized, .checksSegmentInvariants) struct BackgroundMergeConcurrencyTests {
    /// A merge held before it reads anything: the writer goes on (deletions and replacements in
    /// the segments being merged, new documents), commits without waiting, and a reader of that
    /// commit sees every change; once the merge is taken in, its segment carries the deletions
    /// made meanwhile, and every document is still found once, by its last version only.
    @Test(arguments: [true, false])
    func changesDuringAMergeSurviveItAndCommitDoesNotWait(onDisk: Bool) throws {
        let dir = temporaryIndexPath("bg-changes")
        defer { removeDirectory(dir) }
        var (w, gate, model) = try writerWithAHeldMerge(in: onDisk ? dir : nil, at: .mergeStarting)
        defer { gate.release() }
        let inputs = w.snapshot().segments.prefix(2)   // the held merge's: the first two
        let merging = inputs.map(\.uid)

        // Deletions and replacements of documents in the segments being merged.
        let ids = inputs.flatMap { segment in (0..<segment.documentCount).map { segment.id($0) } }
        #expect(ids.count >= 6, "documents being merged: \(ids)")
        for (i, id) in ids.enumerated() where i % 3 == 0 { model.delete(id, from: w) }
        for (i, id) in ids.enumerated() where i % 3 == 1 { try model.add(id, to: w) }
        for _ in 0..<30 { try model.add("d\(model.n)", to: w) }
        if onDisk {
            try w.commit()
            #expect(!gate.isOpen, "commit returned only once the held merge was let go")
            try model.check(try IndexStore.open(at: dir), "the commit made during the merge, reopened")
        }
        try model.check(w.snapshot(), "during the merge")
        #expect(w.snapshot().segments.prefix(2).map(\.uid) == merging, "the held merge was taken in")

        gate.release()
        let taken = snapshot(of: w) { $0.segments.first?.uid != merging[0] }
        #expect(taken != nil, "the merge was not taken in within a minute")
        if let taken {
            // The deletions and replacements that hit the merge's inputs while it ran.
            #expect(try taken.statistics.deletedDocuments >= (ids.count + 1) / 3 + ids.count / 3, "deletions made during the merge: \(String(describing: try? taken.statistics))")
            try model.check(taken, "once the merge is taken in")
        }
        try w.waitForMerges()
        try model.check(w.snapshot(), "after waitForMerges")
        if onDisk {
            try w.commit()
            try model.check(try IndexStore.open(at: dir), "committed after the merges, reopened")
            #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
            #expect(temporaryFileNames(dir).isEmpty)
        }
    }

    /// A buffer held while it is being flushed: documents in it are deleted and replaced, new
    /// ones added to the next buffer, the live count is right throughout; once the flush is in,
    /// every document is found once by its last version, in memory and after a commit.
    @Test(arguments: [true, false])
    func changesDuringAFlushSurviveIt(onDisk: Bool) throws {
        let dir = temporaryIndexPath("bg-flush")
        defer { removeDirectory(dir) }
        var (w, gate, model) = try writerWithAHeldMerge(in: onDisk ? dir : nil, at: .flushStarting, mergeFactor: 0,
                                                        bufferBytes: 1 << 20)
        defer { gate.release() }
        let ids = (0..<model.n).map { "d\($0)" }   // in the buffer being flushed, or (the last few) in the next
        for (i, id) in ids.enumerated() where i % 3 == 0 { model.delete(id, from: w) }
        // (A few only: a full next buffer would wait for the held flush.)
        for (i, id) in ids.enumerated() where i % 3 == 1 && i < 30 { try model.add(id, to: w) }
        for _ in 0..<5 { try model.add("d\(model.n)", to: w) }
        #expect(w.documentCount == model.markers.count)
        #expect(!w.delete(id: ids[0]), "a deleted document is deleted once")
        #expect(gate.heldCount == 1 && !gate.isOpen, "the flush was not held throughout")
        gate.release()
        try model.check(w.snapshot(), "once the flush is in")
        if onDisk {
            try w.commit()
            try model.check(try IndexStore.open(at: dir), "committed, reopened")
        }
    }

    /// A flush held while the writer is asked to wait for its background work (or to commit):
    /// the buffer after it is written out beside it, not after it, and appended after its
    /// segment — both mapped from their files, every document found once by its last version, in
    /// memory and reopened.
    @Test(arguments: [false, true])
    func theBufferIsWrittenBesideAFlushStillRunning(committing: Bool) throws {
        let dir = temporaryIndexPath("bg-beside")
        defer { removeDirectory(dir) }
        var (w, gate, model) = try writerWithAHeldMerge(in: dir, at: .flushStarting, mergeFactor: 0, bufferBytes: 1 << 20)
        defer { gate.release() }
        let flushed = model.n   // d0 … in the held flush (the last few perhaps in the next buffer)
        for _ in 0..<20 { try model.add("d\(model.n)", to: w) }
        model.delete("d1", from: w)
        try model.add("d2", to: w)
        let files = Locked<[String]>([])
        let held = gate
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            files.withLock { $0 = segmentFileNames(dir) }
            held.release()
        }
        if committing { try w.commit() } else { try w.waitForMerges() }
        #expect(gate.isOpen, "returned before the held flush was let go")
        // While the flush was held, the buffer's file was written already.
        #expect(files.withLock { $0 }.count == 1, "segment files while the flush was held: \(files.withLock { $0 })")
        let s = w.snapshot()
        #expect(s.segments.count == 2 && s.segments.allSatisfy { $0.origin != nil }, "\(s.segments.map { ($0.documentCount, $0.origin) })")
        #expect(s.segments.count == 2 && s.segments[0].documentCount > flushed / 2 && s.segments[1].id(s.segments[1].documentCount - 1) == "d2")
        try model.check(s, "after the wait")
        try w.commit()
        try model.check(try IndexStore.open(at: dir), "committed, reopened")
    }

    /// A merge whose file is written but not taken in yet is no commit's, yet it is no debris:
    /// commits beside it (which remove the files no commit keeps) leave it, and the commit after
    /// it is taken in names it.
    @Test func commitsBesideAFinishedMergeKeepItsFile() throws {
        let dir = temporaryIndexPath("bg-gc")
        defer { removeDirectory(dir) }
        let (w, gate, model) = try writerWithAHeldMerge(in: dir, at: .mergeMade)
        defer { gate.release() }
        // The files of merges made but not taken in (the held one, perhaps one more).
        let live = Set(w.snapshot().segments.compactMap { $0.origin.map { String($0.split(separator: "/").last!) } })
        let made = Set(segmentFileNames(dir)).subtracting(live)
        #expect(!made.isEmpty, "the held merge's file is not there")
        for round in 0..<2 {   // twice: the second commit also drops the first one's leftovers
            try w.commit()
            let kept = try readManifest(dir).keptFiles
            #expect(!made.subtracting(kept).isEmpty, "the held merge's file is in the commit")
            #expect(made.isSubset(of: Set(segmentFileNames(dir))), "commit \(round) removed a merge's file: \(made.subtracting(segmentFileNames(dir)))")
        }
        gate.release()
        try w.waitForMerges()
        try w.commit()
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
        try model.check(try IndexStore.open(at: dir), "reopened")
    }

    /// A background merge that fails (a full disk) changes nothing and leaves no file; the next
    /// call that merges reports it, once; the merge is tried again later and the index is whole.
    @Test func aFailedMergeChangesNothingAndIsReported() throws {
        let dir = temporaryIndexPath("bg-fail")
        defer { removeDirectory(dir) }
        let diskFull = FullDisk()
        let injector = FaultInjector([.init(operation: .write, path: { $0.hasSuffix(".tmp") && diskFull.isFull }, error: ENOSPC)])
        try withSystemCalls(injector) { try failAMerge(in: dir, diskFull, injector) }
    }

    /// close() while a merge runs waits for it and removes its file; the lock is then free and
    /// the last commit is what a new writer finds.
    @Test func closeWaitsForARunningMergeAndLeavesNoFile() throws {
        let dir = temporaryIndexPath("bg-close")
        defer { removeDirectory(dir) }
        let (w, gate, model) = try writerWithAHeldMerge(in: dir, at: .mergeMade)
        defer { gate.release() }
        try w.commit()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { gate.release() }
        w.close()
        #expect(gate.isOpen, "close returned before the merge it waits for was let go")
        #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles, "files after close")
        #expect(temporaryFileNames(dir).isEmpty)
        let again = try IndexWriter(directory: dir)
        #expect(again.documentCount == model.markers.count)
        try model.check(again.snapshot(), "a new writer after close")
    }
}

/// Whether writes of temporary files fail (a full disk), switched by the test.
private final class FullDisk: @unchecked Sendable {   // every access holds `lock`
    private let lock = NSLock()
    private var full = false
    var isFull: Bool {
        get { lock.withLock { full } }
        set { lock.withLock { full = newValue } }
    }
}

/// The body of `aFailedMergeChangesNothingAndIsReported`, under the fault injector.
private func failAMerge(in dir: String, _ diskFull: FullDisk, _ injector: FaultInjector) throws {
    let (w, gate, model) = try writerWithAHeldMerge(in: dir, at: .mergeStarting)
    defer { gate.release() }
    try w.commit()
    let segmentsBefore = w.snapshot().segments.map(\.uid)
    diskFull.isFull = true
    gate.release()
    do {
        try w.waitForMerges()
        Issue.record("waitForMerges did not report the failed merge")
    } catch {
        guard case .storage(.io) = error else { Issue.record("expected an I/O error, got \(error)"); return }
    }
    // The held merge is the first: of the first two segments (another merge may have run).
    #expect(Set(w.snapshot().segments.map(\.uid)).isSuperset(of: segmentsBefore.prefix(2)), "a failed merge changed the segments")
    #expect(temporaryFileNames(dir).isEmpty, "a failed merge left \(temporaryFileNames(dir))")
    try model.check(w.snapshot(), "after the failed merge")
    diskFull.isFull = false
    try w.waitForMerges()   // reported once; the merge runs again
    try w.commit()
    try model.check(try IndexStore.open(at: dir), "reopened after the merge ran again")
    #expect(try Set(segmentFileNames(dir)) == readManifest(dir).keptFiles)
    #expect(injector.failureCount > 0)
}
