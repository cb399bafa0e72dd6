@testable import BigramSearch
import Foundation
import Testing

// Crash safety of commit: a child process commits batch after batch until it is killed with
// SIGKILL at a random moment, then the parent checks that the directory holds exactly the batches
// committed, that it opens and searches, and that a writer cleans up after the interrupted commit.
// (The tests: WriterLifecycleTests.)

/// The matching ids of `query` in document order.
private func ids(_ s: IndexSnapshot, _ query: String) throws -> [String] {
    try s.matchingIDs(try s.queryParser.parse(query))
}

let crashBaseCount = 100
let crashBatchSize = 20

/// A committed index of `crashBaseCount` documents "base-<i>" (word `baseword`) in several
/// segments, the starting point of every crash run (copied for each).
func makeCrashTemplate(bodyParts: ClosedRange<Int>) throws -> String {
    let dir = temporaryIndexPath("crash-template")
    let w = try IndexWriter(directory: dir, mode: .openOrCreate, schema: .text, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 0))
    var gen = TextGenerator(seed: try seedCharacters(), rng: 0xBA5E)
    for i in 0..<crashBaseCount {
        try w.add(Document(id: "base-\(i)", text: "baseword 基础文档 \(gen.body(parts: bodyParts))"))
        if i % 25 == 24 { try w.commit() }
    }
    try w.commit()
    return dir
}

private func copyDirectory(_ from: String, to: String) throws {
    try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
    for name in listDirectory(from) {
        try FileManager.default.copyItem(atPath: from + "/" + name, toPath: to + "/" + name)
    }
}

/// The child: opens the writer, starts a thread that kills the process after `delayMicros`
/// (counted from the start of the loop, or with `afterFirstCommit` from the end of the first
/// commit), then commits batch after batch (batch k: documents "b<k>-0"…"b<k>-19" and the
/// deletion of "base-<k>"), with `merge` a forceMerge and a second commit after each.
private func crashChild(dir: String, delayMicros: Int, afterFirstCommit: Bool, merge: Bool) throws {
    let seed = try seedCharacters()
    let w = try IndexWriter(directory: dir, mode: .openOrCreate, options: .init(maxBufferedBytes: 1 << 16, mergeFactor: 2))
    var gen = TextGenerator(seed: seed, rng: UInt64(delayMicros))
    // Warm up (ICU data, first allocations) so that the delays land in the commit loop.
    let warm = try IndexWriter(schema: .text)
    try warm.add(contentsOf: (0..<crashBatchSize).map { Document(id: "w\($0)", text: "warmword \(gen.body(parts: 1...3))") })
    _ = try warm.snapshot().search("常熟 OR warmword")
    func startKiller() {
        Thread {
            usleep(UInt32(delayMicros))
            kill(getpid(), SIGKILL)
        }.start()
    }
    if !afterFirstCommit { startKiller() }
    var k = 0
    while true {
        var docs: [Document] = []
        for i in 0..<crashBatchSize {
            docs.append(Document(id: "b\(k)-\(i)", text: "batchword 批次记录 \(marker(k, prefix: "kb")) \(gen.body(parts: 1...3))"))
        }
        try w.add(contentsOf: docs)
        if k < crashBaseCount { w.delete(id: "base-\(k)") }
        try w.commit()
        if merge {
            try w.forceMerge()
            try w.commit()
        }
        if k == 0 && afterFirstCommit { startKiller() }
        k += 1
    }
}

/// Checks a directory after a killed child: it opens, holds exactly the batches 0..<m (each
/// complete) with base-0…base-(m-1) deleted, searches work; a writer opens it and its next
/// commit removes leftovers. Returns m and the number of leftover temporary files.
private func verifyAfterCrash(_ dir: String, _ what: String) -> (batches: Int, leftovers: Int)? {
    let snapshot: IndexSnapshot
    do { snapshot = try IndexStore.open(at: dir) } catch {
        Issue.record("\(what): the index does not open after the crash: \(error); files: \(listDirectory(dir))")
        return nil
    }
    do {
        let batchIDs = try ids(snapshot, "batchword")
        #expect(Set(batchIDs).count == batchIDs.count, "\(what): duplicate ids")
        var byBatch: [Int: Set<Int>] = [:]
        for id in batchIDs {
            let parts = id.dropFirst().split(separator: "-")
            guard id.hasPrefix("b"), parts.count == 2, let k = Int(parts[0]), let i = Int(parts[1]) else {
                Issue.record("\(what): unexpected id \(id)"); continue
            }
            byBatch[k, default: []].insert(i)
        }
        let m = byBatch.count
        #expect(Set(byBatch.keys) == Set(0..<m), "\(what): batches present \(byBatch.keys.sorted()) are not 0..<\(m)")
        for (k, members) in byBatch where members != Set(0..<crashBatchSize) {
            Issue.record("\(what): batch \(k) is partial: \(members.count) of \(crashBatchSize) documents")
        }
        let baseIDs = Set(try ids(snapshot, "baseword"))
        let expectedBase = Set((min(m, crashBaseCount)..<crashBaseCount).map { "base-\($0)" })
        #expect(baseIDs == expectedBase,
                "\(what): base documents: missing \(expectedBase.subtracting(baseIDs).sorted().prefix(5)), unexpected \(baseIDs.subtracting(expectedBase).sorted().prefix(5)) (m = \(m))")
        let expectedCount = crashBaseCount - min(m, crashBaseCount) + crashBatchSize * m
        #expect(snapshot.documentCount == expectedCount, "\(what): documentCount \(snapshot.documentCount), expected \(expectedCount)")
        #expect(try snapshot.statistics.documents == expectedCount)
        #expect(try snapshot.search("batchword").totalCount == crashBatchSize * m, "\(what)")
        #expect(try snapshot.search("批次记录").totalCount == crashBatchSize * m, "\(what)")
        if m > 0 {
            let last = marker(m - 1, prefix: "kb")
            #expect(Set(try ids(snapshot, last)) == Set((0..<crashBatchSize).map { "b\(m - 1)-\($0)" }), "\(what): \(last)")
        }

        // Leftovers of the interrupted commit do not get in the way of a writer, and its next
        // commit removes them (and segment files no manifest names).
        let leftovers = temporaryFileNames(dir).count
        // (Merges in this thread: no merge of this writer's is running when the files are compared.)
        let w = try IndexWriter(directory: dir, mode: .openOrCreate, options: .init(backgroundIndexing: false))
        #expect(w.documentCount == expectedCount, "\(what): reopened writer")
        try w.add(Document(id: "after", text: "afterword 恢复之后"))
        try w.commit()
        #expect(temporaryFileNames(dir).isEmpty, "\(what): temporary files remain after the next commit: \(temporaryFileNames(dir))")
        let manifest = try readManifest(dir)
        #expect(Set(segmentFileNames(dir)) == manifest.keptFiles,
                "\(what): segment files \(segmentFileNames(dir)) vs manifest \(manifest.segments.map(\.file))")
        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.documentCount == expectedCount + 1, "\(what)")
        #expect(try ids(reopened, "afterword") == ["after"])
        #expect(try reopened.search("batchword").totalCount == crashBatchSize * m)
        return (m, leftovers)
    } catch {
        Issue.record("\(what): \(error)")
        return nil
    }
}

/// Runs `runs` crash runs (at most `parallel` children at a time), each on a copy of `template`,
/// killed after a delay spread over 1–50 ms with random jitter; in odd runs the delay starts
/// after the first commit (so that at least one batch is committed). Returns (run, delay µs,
/// committed batches m, leftover temporary files) of each checked run, in run order.
func crashRuns(template: String, runs: Int, merge: Bool, parallel: Int) async -> [(run: Int, delay: Int, batches: Int, leftovers: Int)] {
    var system = SystemRandomNumberGenerator()
    let delays = (0..<runs).map { r -> Int in
        let spread = 1_000 + r * 49_000 / max(1, runs - 1)
        return min(50_000, max(1_000, spread + Int.random(in: -1_000...1_000, using: &system)))
    }
    return await withTaskGroup(of: (Int, Int, Int, Int)?.self) { group in
        var results: [(run: Int, delay: Int, batches: Int, leftovers: Int)] = []
        var next = 0
        func launch(_ r: Int) {
            let delay = delays[r]
            group.addTask {
                let dir = temporaryIndexPath("crash")
                defer { removeDirectory(dir) }
                do { try copyDirectory(template, to: dir) } catch {
                    Issue.record("copying the template: \(error)"); return nil
                }
                let afterFirst = r % 2 == 1
                let what = "\(merge ? "merge " : "")run \(r), killed \(delay) µs after \(afterFirst ? "the first commit" : "the start")"
                await #expect(processExitsWith: .signal(SIGKILL), "\(what): the child must be killed, not exit") {
                    [dir = dir as String, delay = delay as Int, afterFirst = afterFirst as Bool, merge = merge as Bool] in
                    try crashChild(dir: dir, delayMicros: delay, afterFirstCommit: afterFirst, merge: merge)
                }
                guard let (m, leftovers) = verifyAfterCrash(dir, what) else { return nil }
                #expect(!afterFirst || m >= 1, "\(what): batch 0 was committed before the timer started, found \(m) batches")
                return (r, delay, m, leftovers)
            }
        }
        while next < min(parallel, runs) { launch(next); next += 1 }
        while let result = await group.next() {
            if let (r, d, m, l) = result { results.append((r, d, m, l)) }
            if next < runs { launch(next); next += 1 }
        }
        return results.sorted { $0.run < $1.run }
    }
}
