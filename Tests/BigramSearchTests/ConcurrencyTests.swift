import Foundation
import Synchronization
import Testing
import BigramSearch

// Concurrency tests: readers on several tasks and threads searching snapshots while one writer
// adds, deletes, replaces, publishes and commits (every result checked against a brute-force
// reference for the snapshot the reader holds); sharded search against one index holding the
// same documents; time limits; cancellation of async searches; parallel indexing against
// sequential indexing.

// MARK: - Helpers (shared ones in Support/)

/// The seed paragraphs as documents `s000`, `s001`, …
private func concSeedDocs() throws -> [LiveDoc] {
    try Seeds.paragraphs().enumerated().map { LiveDoc(id: "s" + pad3($0.offset), text: $0.element) }
}

private func pad3(_ n: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

/// `count` documents of four seed paragraphs each (a larger index for heavy queries).
private func bigDocuments(_ count: Int, _ paragraphs: [String]) -> [Document] {
    (0..<count).map { i in
        let n = paragraphs.count
        let text = (0..<4).map { paragraphs[(i * 7 + $0 * 13) % n] }.joined(separator: "\n")
        return Document(id: "b\(i)", text: text)
    }
}

/// The outcome of a synchronous search, typed errors kept.
private func syncSearch(_ s: IndexSnapshot, _ q: Query, _ options: SearchOptions = SearchOptions()) -> Result<SearchResults, SearchError> {
    Result { () throws(SearchError) -> SearchResults in try s.search(q, options: options) }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// A fixed set of about 30 queries: substrings of the seed text (one over a line wrap), single
/// characters, Latin words and numbers, mixed phrases, phrases with punctuation, multi-clause.
private let stressQueries: [Query] = [
    .phrase("常熟"), .phrase("小微企业园"), .phrase("发展"), .phrase("经济"), .phrase("书记金政"),
    .phrase("社会治理"), .phrase("基层党建"), .phrase("转型升级"), .phrase("高质量发展"), .phrase("农行视角"),
    .phrase("市"), .phrase("园"), .phrase("镇街区"), .phrase("对标学方法"), .phrase("乡镇企业"),
    .phrase("linux"), .phrase("Kernel"), .phrase("SWIFT"), .phrase("2000"), .phrase("27"),
    .phrase("kernel release"), .phrase("Linux系统"), .phrase("基层党建+社会治理"), .phrase("常熟，常来常熟"),
    .all([.phrase("常熟"), .phrase("发展")]),
    .any([.phrase("常熟"), .phrase("小微企业")]),
    .all([.phrase("发展"), .not(.phrase("常熟"))]),
    .all([.phrase("linux"), .phrase("企业")]),
    .all([.any([.phrase("经济"), .phrase("产业")]), .not(.phrase("企业"))]),
    .any([.phrase("kernel"), .phrase("婺剧")]),
    .all([.phrase("search"), .not(.phrase("index"))]),
]

/// Latin fragments the stress writer puts into new documents.
private let latinFragments = [
    "Linux kernel release", "linux系统", "Swift search index", "SEARCH engine", "kernel", "index build",
    "LINUX", "swift 2000", "Release notes",
]

/// A seed paragraph, two of them, or one with a Latin fragment inserted where it touches no
/// Latin letter or digit.
private func makeText(_ rng: inout SplitMix64, _ paragraphs: [String]) -> String {
    let base = rng.pick(paragraphs)
    switch rng.int(0..<4) {
    case 0: return base
    case 1: return base + "\n" + rng.pick(paragraphs)
    default:
        let a = Array(base.unicodeScalars)
        let spots = (0...a.count).filter { i in
            (i == 0 || !ConcRef.isWordChar(a[i - 1])) && (i == a.count || !ConcRef.isWordChar(a[i]))
        }
        let at = rng.pick(spots)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: a[..<at])
        let fragment = (rng.chance(50) ? " " : "") + rng.pick(latinFragments) + (rng.chance(50) ? " " : "")
        out.append(contentsOf: fragment.unicodeScalars)
        out.append(contentsOf: a[at...])
        return String(out)
    }
}

// MARK: - Shard helpers

private enum ShardOp {
    case add(LiveDoc)
    case delete(String)
    case snapshot
}

/// Applies `ops` to `writer`, keeping `live` in step.
private func apply(_ ops: [ShardOp], to writer: IndexWriter, _ live: inout LiveList) throws {
    for op in ops {
        switch op {
        case .add(let d):
            try writer.add(d.document)
            live.put(d)
        case .delete(let id):
            let existed = live.remove(id)
            #expect(writer.delete(id: id) == existed, "delete(\(id))")
        case .snapshot:
            _ = writer.snapshot()
        }
    }
}

/// Up to `limit` differences between two snapshots over `queries` (ranked hits with scores
/// within 1e-9, totalCount, matchingIDs, count, matches).
private func compareSnapshots(_ a: IndexSnapshot, _ b: IndexSnapshot, _ queries: [Query], limit: Int = 10) -> [String] {
    var out: [String] = []
    for (i, q) in queries.enumerated() {
        let options = SearchOptions(limit: i % 5 == 4 ? Int.max : 20, reranking: nil)   // checked against BM25 order
        switch (syncSearch(a, q, options), syncSearch(b, q, options)) {
        case (.success(let x), .success(let y)):
            var what: [String] = []
            if x.totalCount != y.totalCount { what.append("totalCount \(x.totalCount) vs \(y.totalCount)") }
            if x.hits.map(\.id) != y.hits.map(\.id) { what.append("hit ids \(x.hits.map(\.id).prefix(6)) vs \(y.hits.map(\.id).prefix(6))") }
            if zip(x.hits, y.hits).contains(where: { abs($0.score - $1.score) > 1e-9 }) {
                what.append("scores \(x.hits.map(\.score).prefix(4)) vs \(y.hits.map(\.score).prefix(4))")
            }
            if (try? a.matchingIDs(q)) != (try? b.matchingIDs(q)) { what.append("matchingIDs differ") }
            if (try? a.count(q)) != (try? b.count(q)) { what.append("count differs") }
            let ma = (try? a.matches(q)) ?? [], mb = (try? b.matches(q)) ?? []
            if ma.map(\.id) != mb.map(\.id) || zip(ma, mb).contains(where: { abs($0.score - $1.score) > 1e-9 }) {
                what.append("matches differ")
            }
            if !what.isEmpty { out.append("\(q.description): " + what.joined(separator: "; ")) }
        case (let x, let y):
            out.append("\(q.description): \(x) vs \(y)")
        }
        if out.count >= limit { break }
    }
    return out
}

/// About 200 generated queries over the seed paragraphs: Han substrings of 1–6 characters
/// (some over line wraps), and AND / OR / AND-NOT of two of them, plus a few fixed ones.
private func generatedQueries(_ paragraphs: [String], count: Int, seed: UInt64) -> [Query] {
    var rng = SplitMix64(seed)
    func phrase() -> Query {
        while true {
            let runs = ConcRef.units(rng.pick(paragraphs)).filter { !$0.latin }
            guard !runs.isEmpty else { continue }
            let run = Array(rng.pick(runs).text)
            let length = min(run.count, rng.pick([1, 2, 2, 3, 4, 4, 5, 6]))
            let start = rng.int(0...(run.count - length))
            return .phrase(String(run[start..<(start + length)]))
        }
    }
    var out: [Query] = [.phrase("2000"), .phrase("3.3"), .phrase("27"), .phrase("常熟，常来常熟"), .phrase("基层党建+社会治理")]
    while out.count < count {
        switch rng.int(0..<10) {
        case 0...5: out.append(phrase())
        case 6: out.append(.all([phrase(), phrase()]))
        case 7: out.append(.any([phrase(), phrase()]))
        case 8: out.append(.all([phrase(), .not(phrase())]))
        default: out.append(.all([.any([phrase(), phrase()]), phrase()]))
        }
    }
    return out
}

private func incompatibleReason(_ shards: [IndexSnapshot]) -> String? {
    do {
        let s = try IndexSnapshot(shards: shards)
        Issue.record("IndexSnapshot(shards:) accepted incompatible shards (\(s.documentCount) documents)")
        return nil
    } catch {
        guard case .incompatibleShards(let why) = error else {
            Issue.record("expected .incompatibleShards, got \(error)")
            return nil
        }
        return why
    }
}

// MARK: - Tests

@Suite(.serialized, .checksSegmentInvariants) struct ConcurrencyTests {
    // 1. Readers on 4 tasks and 2 threads against one writer, each result checked against the
    //    reference for the snapshot the reader holds.
    @Test func readersSeeExactlyTheirSnapshotWhileTheWriterChangesTheIndex() async throws {
        let paragraphs = try Seeds.paragraphs()
        let seed = try concSeedDocs()
        let queries = stressQueries
        let dir = temporaryIndexPath("stress")
        defer { removeDirectory(dir) }

        let writer = try IndexWriter(directory: dir, mode: .openOrCreate)
        var live = LiveList()
        for d in seed { live.put(d) }
        try writer.add(contentsOf: seed.map(\.document), threads: 2)
        try writer.commit()
        let board = StressBoard(Published(version: 0, snapshot: writer.snapshot(), docs: live.docs),
                                deadline: ContinuousClock.now + .milliseconds(2600), queries: queries)

        // Two plain threads.
        let threadsDone = DispatchGroup()
        for t in 0..<2 {
            threadsDone.enter()
            let thread = Thread {
                var checks = 0, pass = 0
                while board.readersShouldRun {
                    checks += board.readerPass("thread\(t)", pass: pass)
                    pass += 1
                }
                board.threadChecks.withLock { $0["thread\(t)"] = checks }
                threadsDone.leave()
            }
            thread.start()
        }

        // The writer: one task owning the IndexWriter.
        let writerTask = Task { [live] () async throws -> WriterReport in
            var live = live
            var rng = SplitMix64(0x5EED)
            var report = WriterReport()
            var nextID = 0
            defer { board.writerFinished.store(true, ordering: .releasing) }
            // At least 6 versions, however slow the machine (sanitizers).
            while ContinuousClock.now < board.deadline - .milliseconds(300) || report.versions < 6 {
                report.batches += 1
                let big = report.batches % 3 == 0
                var batch: [LiveDoc] = []
                for _ in 0..<(big ? 40 : 12) {
                    batch.append(LiveDoc(id: "n\(nextID)", text: makeText(&rng, paragraphs)))
                    nextID += 1
                }
                // Replacements (an existing id with new text) and, in big batches, an id
                // twice in one batch (the later one wins).
                for _ in 0..<3 where !live.docs.isEmpty {
                    batch.insert(LiveDoc(id: rng.pick(live.docs).id, text: makeText(&rng, paragraphs)), at: rng.int(0...batch.count))
                }
                if big { batch.append(LiveDoc(id: batch[0].id, text: makeText(&rng, paragraphs))) }
                if big {
                    try writer.add(contentsOf: batch.map(\.document), threads: 2)
                } else {
                    for d in batch { try writer.add(d.document) }
                }
                for d in batch { live.put(d) }
                // Deletions, more when the index grows past 600 documents.
                let deletions = live.docs.count > 600 ? batch.count + 4 : batch.count / 2
                for _ in 0..<deletions where !live.docs.isEmpty {
                    let id = rng.pick(live.docs).id
                    live.remove(id)
                    if !writer.delete(id: id) { board.fail("writer: delete(\(id)) returned false") }
                }
                if writer.delete(id: "never-added") { board.fail("writer: deleting an unknown id returned true") }
                if report.batches % 12 == 0 { try writer.forceMerge() }
                if report.batches % 4 == 0 {
                    try writer.commit()
                    report.commits += 1
                    report.committed = live.docs
                }
                report.versions += 1
                board.publish(Published(version: report.versions, snapshot: writer.snapshot(), docs: live.docs))
                if writer.documentCount != live.docs.count {
                    board.fail("writer: documentCount \(writer.documentCount), expected \(live.docs.count)")
                }
                try await Task.sleep(for: .milliseconds(4))
            }
            try writer.commit()
            report.commits += 1
            report.committed = live.docs
            report.lastDocs = live.docs
            writer.close()   // one writer per directory: the one below opens after it
            return report
        }

        var readerChecks: [String: Int] = [:]
        await withTaskGroup(of: (String, Int).self) { group in
            for r in 0..<4 {
                group.addTask {
                    var checks = 0, pass = 0
                    while board.readersShouldRun {
                        checks += board.readerPass("task\(r)", pass: pass)
                        if pass % 3 == r % 3 { checks += await board.asyncCheck("task\(r)", pass: pass) }
                        pass += 1
                        await Task.yield()
                    }
                    return ("task\(r)", checks)
                }
            }
            for await (name, checks) in group { readerChecks[name] = checks }
        }
        let report = try await writerTask.value
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            threadsDone.notify(queue: .global()) { c.resume() }
        }
        readerChecks.merge(board.threadChecks.withLock { $0 }) { a, _ in a }

        let versions = board.versionsSeen.withLock { $0.count }
        print("ConcurrencyTests stress: writer \(report.batches) batches, \(report.versions) versions, \(report.commits) commits, \(report.lastDocs.count) live documents; readers saw \(versions) versions; checks \(readerChecks.sorted { $0.key < $1.key })")
        #expect(board.failureTotal == 0, "\(board.failureTotal) failed checks, first ones:\n\(board.failures.joined(separator: "\n"))")
        #expect(readerChecks.count == 6)
        for (name, checks) in readerChecks { #expect(checks > 0, "reader \(name) made no check") }
        #expect(report.versions >= 5, "the writer published only \(report.versions) versions")
        #expect(versions >= 2, "readers saw only \(versions) versions")
        // The queries are not trivial: nearly all of them match something in the final version.
        let empty = queries.filter { ConcRef.expectedIDs($0, report.lastDocs).isEmpty }
        #expect(empty.count <= 3, "queries without matches: \(empty.map(\.description))")

        // The last commit is what a reader opening the directory sees, and what a new writer opens.
        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.documentCount == report.committed.count)
        for q in queries {
            let exp = ConcRef.expectedIDs(q, report.committed)
            #expect(try reopened.matchingIDs(q) == exp, "reopened index, query \(q.description)")
        }
        let writer2 = try IndexWriter(directory: dir, mode: .openOrCreate)
        #expect(writer2.documentCount == report.committed.count)
    }

    // 2. Sharded search equals one index holding the shards' documents in shard order.
    @Test func shardedSearchEqualsOneIndex() throws {
        let paragraphs = try Seeds.paragraphs()
        let seed = try concSeedDocs()
        var rng = SplitMix64(0x5A4D)
        // Three shards by position modulo 3; shard 1 is built in two segments; shard 2 gets
        // deletions and replacements (a replaced document moves to the end of its shard).
        var ops: [[ShardOp]] = [[], [], []]
        for (i, d) in seed.enumerated() { ops[i % 3].append(.add(d)) }
        ops[1].insert(.snapshot, at: ops[1].count / 2)
        ops[2].append(.snapshot)
        let shard2IDs = seed.enumerated().filter { $0.offset % 3 == 2 }.map(\.element.id)
        for _ in 0..<12 { ops[2].append(.delete(rng.pick(shard2IDs))) }
        for _ in 0..<5 { ops[2].append(.add(LiveDoc(id: rng.pick(shard2IDs), text: makeText(&rng, paragraphs)))) }
        ops[2].append(.delete("no-such-id"))

        var shards: [IndexSnapshot] = []
        var liveAll: [LiveDoc] = []
        var shardWriters: [IndexWriter] = []
        for k in 0..<3 {
            let w = try IndexWriter()
            var live = LiveList()
            try apply(ops[k], to: w, &live)
            shards.append(w.snapshot())
            shardWriters.append(w)
            liveAll += live.docs
        }
        // The reference: one writer doing every shard's operations, shard after shard (so
        // deleted documents count in the statistics the same way).
        let one = try IndexWriter()
        var oneLive = LiveList()
        for k in 0..<3 { try apply(ops[k], to: one, &oneLive) }
        let reference = one.snapshot()
        #expect(oneLive.docs.map(\.id) == liveAll.map(\.id))

        let queries = generatedQueries(paragraphs, count: 200, seed: 0xC0FFEE)
        let sharded = try IndexSnapshot(shards: shards)
        #expect(sharded.documentCount == reference.documentCount)
        let diffs = compareSnapshots(sharded, reference, queries)
        #expect(diffs.isEmpty, "in-memory shards:\n\(diffs.joined(separator: "\n"))")

        // Both also agree with the brute-force reference on which documents match.
        var wrong: [String] = []
        var withHits = 0
        for q in queries {
            let exp = ConcRef.expectedIDs(q, liveAll)
            if !exp.isEmpty { withHits += 1 }
            if (try? sharded.matchingIDs(q)) != exp { wrong.append(q.description) }
        }
        #expect(wrong.isEmpty, "sharded matchingIDs differ from the reference: \(wrong.prefix(10))")
        #expect(withHits > 150, "only \(withHits) of \(queries.count) queries match something")

        // A shard saved and reopened from disk (mapped segments), and the shard with deletions
        // saved and reopened too.
        let dir1 = temporaryIndexPath("shard1"), dir2 = temporaryIndexPath("shard2")
        defer { removeDirectory(dir1); removeDirectory(dir2) }
        try IndexStore.save(shards[1], to: dir1)
        try IndexStore.save(shards[2], to: dir2)
        let fromDisk1 = try IndexSnapshot(shards: [shards[0], try IndexStore.open(at: dir1), shards[2]])
        let d1 = compareSnapshots(fromDisk1, reference, queries)
        #expect(d1.isEmpty, "shard 1 reopened from disk:\n\(d1.joined(separator: "\n"))")
        let fromDisk2 = try IndexSnapshot(shards: [shards[0], shards[1], try IndexStore.open(at: dir2)])
        let d2 = compareSnapshots(fromDisk2, reference, queries)
        #expect(d2.isEmpty, "shard 2 (with deletions) reopened from disk:\n\(d2.joined(separator: "\n"))")

        // Shards of shards, and one shard alone.
        let nested = try IndexSnapshot(shards: [try IndexSnapshot(shards: [shards[0], shards[1]]), shards[2]])
        let d3 = compareSnapshots(nested, reference, queries)
        #expect(d3.isEmpty, "nested shards:\n\(d3.joined(separator: "\n"))")
        let alone = try IndexSnapshot(shards: [shards[0]])
        let d4 = compareSnapshots(alone, shards[0], queries)
        #expect(d4.isEmpty, "a single shard:\n\(d4.joined(separator: "\n"))")

        // Incompatible shards.
        #expect(incompatibleReason([]) != nil)
        let article = try IndexWriter(schema: .article)
        try article.add(Document(id: "a", fields: ["title": "常熟", "body": "发展"]))
        #expect(incompatibleReason([shards[0], article.snapshot()]) != nil)
        let folding = try IndexWriter(analyzer: try BigramAnalyzer(.init(foldTraditional: true)))
        try folding.add(Document(id: "t", text: "常熟發展"))
        #expect(incompatibleReason([shards[0], shards[1], folding.snapshot()]) != nil)
        #expect(incompatibleReason([folding.snapshot(), shards[0]]) != nil)
        let unigrams = try IndexWriter(analyzer: try BigramAnalyzer(.init(emitUnigrams: true)))
        #expect(incompatibleReason([shards[0], unigrams.snapshot()]) != nil)
        // Same schema and analyzer, built separately: compatible, even when empty.
        let empty = try IndexWriter()
        #expect(try IndexSnapshot(shards: [empty.snapshot(), shards[0]]).documentCount == shards[0].documentCount)
        _ = shardWriters
    }

    // 2b. Several tasks searching one sharded snapshot at once (each search itself runs the
    //     shards in parallel) get the sequential results.
    @Test func concurrentSearchesOfAShardedSnapshot() async throws {
        let seed = try concSeedDocs()
        var shards: [IndexSnapshot] = []
        for k in 0..<3 {
            let w = try IndexWriter()
            for (i, d) in seed.enumerated() where i % 3 == k { try w.add(d.document) }
            shards.append(w.snapshot())
        }
        let sharded = try IndexSnapshot(shards: shards)
        let queries = stressQueries
        let expected = queries.map { syncSearch(sharded, $0, SearchOptions(limit: 15)) }
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var bad = 0
                    for round in 0..<4 {
                        for (k, q) in queries.enumerated() where (k + round + t) % 2 == 0 {
                            let r = syncSearch(sharded, q, SearchOptions(limit: 15))
                            switch (r, expected[k]) {
                            case (.success(let x), .success(let y)):
                                if x.hits.map(\.id) != y.hits.map(\.id) || x.hits.map(\.score) != y.hits.map(\.score) || x.totalCount != y.totalCount { bad += 1 }
                            default: bad += 1
                            }
                        }
                        await Task.yield()
                    }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    // 3. Time limits.
    @Test func timeLimit() async throws {
        let paragraphs = try Seeds.paragraphs()
        let w = try IndexWriter()
        try w.add(contentsOf: bigDocuments(3000, paragraphs), threads: 2)
        let s = w.snapshot()
        // A single very common character (it expands to every bigram it starts), a phrase of
        // common characters, and an OR of common characters.
        let heavy: [Query] = [.phrase("的"), .phrase("小微企业园"), .any([.phrase("的"), .phrase("市"), .phrase("业")])]
        for q in heavy {
            let t0 = ContinuousClock.now
            let unlimited = syncSearch(s, q, SearchOptions(limit: 50))
            let took = ContinuousClock.now - t0
            guard case .success(let full) = unlimited else { Issue.record("\(q.description): \(unlimited)"); continue }
            #expect(full.totalCount > 500, "\(q.description) is not heavy: \(full.totalCount) matches")

            switch syncSearch(s, q, SearchOptions(limit: 50, timeLimit: .nanoseconds(1))) {
            case .failure(.timeLimitExceeded): break
            case .failure(let e): Issue.record("\(q.description) with a 1 ns limit threw \(e)")
            case .success(let r):
                Issue.record("\(q.description) with a 1 ns limit returned \(r.totalCount) matches instead of throwing .timeLimitExceeded (the unlimited search takes \(took))")
            }
            // The async overload honours the limit the same way.
            do {
                let r = try await s.search(q, options: SearchOptions(limit: 50, timeLimit: .nanoseconds(1)))
                Issue.record("async \(q.description) with a 1 ns limit returned \(r.totalCount) matches instead of throwing")
            } catch {
                #expect(error == .timeLimitExceeded, "async \(q.description): \(error)")
            }

            switch syncSearch(s, q, SearchOptions(limit: 50, timeLimit: .seconds(10))) {
            case .success(let r):
                #expect(r.totalCount == full.totalCount)
                #expect(r.hits.map(\.id) == full.hits.map(\.id))
                #expect(r.hits.map(\.score) == full.hits.map(\.score))
            case .failure(let e): Issue.record("\(q.description) with a 10 s limit threw \(e)")
            }
            let r = try await s.search(q, options: SearchOptions(limit: 50, timeLimit: .seconds(10)))
            #expect(r.hits.map(\.id) == full.hits.map(\.id), "async \(q.description) with a 10 s limit")
        }
    }

    // 4. Cancelling the task of an async search stops it with .cancelled; many concurrent async
    //    searches all complete correctly.
    @Test func cancellingTheTaskStopsTheSearch() async throws {
        let paragraphs = try Seeds.paragraphs()
        let w = try IndexWriter()
        try w.add(contentsOf: bigDocuments(20_000, paragraphs), threads: 2)
        let s = w.snapshot()
        let heavy = Query.phrase("小微企业园")
        let t0 = ContinuousClock.now
        let full = try syncSearch(s, heavy, SearchOptions(limit: 20)).get()
        let fullTime = ContinuousClock.now - t0

        // Cancel after a delay from 0 to ~8 ms, until cancellation was seen a few times (at
        // most 4 s): a search that finished first must be complete and exact.
        var cancelled = 0, completed = 0, fastest = Duration.seconds(1000)
        var stopLatencies: [Duration] = []
        let start = ContinuousClock.now
        var round = 0
        while ContinuousClock.now - start < .seconds(4) && cancelled < 5 {
            let began = ContinuousClock.now
            let task = Task { try await s.search(heavy, options: SearchOptions(limit: 20)) }
            let delay = (round * 1700) % 8000
            if delay > 0 { try await Task.sleep(for: .microseconds(delay)) }
            let cancelAt = ContinuousClock.now
            task.cancel()
            let result = await task.result
            let end = ContinuousClock.now
            switch result {
            case .success(let r):
                completed += 1
                fastest = min(fastest, end - began)
                #expect(r.hits.map(\.id) == full.hits.map(\.id) && r.totalCount == full.totalCount,
                        "a search that finished before its cancellation returned other results")
            case .failure(let e):
                #expect(e as? SearchError == .cancelled, "\(e)")
                cancelled += 1
                stopLatencies.append(end - cancelAt)
            }
            round += 1
        }
        print("ConcurrencyTests cancellation: full search \(fullTime), \(round) rounds, \(cancelled) cancelled, \(completed) completed; stop latencies \(stopLatencies.map { String(format: "%.2f ms", seconds($0) * 1000) })")
        if cancelled == 0 {
            #expect(fastest < .milliseconds(1), "cancellation never observed although searches took at least \(fastest)")
        }

        // A task cancelled before it searches: the search stops at its first check.
        for q in [heavy, .phrase("的")] {
            let gate = Task { () async throws -> SearchResults in
                try? await Task.sleep(for: .seconds(60))   // ends early when cancelled
                return try await s.search(q, options: SearchOptions(limit: 20))
            }
            gate.cancel()
            do {
                let r = try await gate.value
                Issue.record("\(q.description) in an already cancelled task returned \(r.totalCount) matches instead of throwing .cancelled")
            } catch {
                #expect(error as? SearchError == .cancelled, "\(q.description): \(error)")
            }
        }

        // 200 concurrent async searches (with highlights and a generous time limit on some).
        let seedWriter = try IndexWriter()
        try seedWriter.add(contentsOf: try concSeedDocs().map(\.document))
        let small = seedWriter.snapshot()
        let queries = stressQueries
        let expected = queries.map { q in
            (syncSearch(small, q, SearchOptions(limit: 10)), syncSearch(s, q, SearchOptions(limit: 10)))
        }
        let failures = await withTaskGroup(of: String?.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let k = i % queries.count
                    let onBig = i % 10 == 0
                    let options = SearchOptions(limit: 10, highlight: i % 3 == 0 ? HighlightOptions() : nil,
                                                timeLimit: i % 4 == 0 ? .seconds(30) : nil)
                    let target = onBig ? s : small
                    let want = onBig ? expected[k].1 : expected[k].0
                    do {
                        let r = i % 2 == 0 ? try await target.search(queries[k], options: options)
                                           : try await target.search(queries[k].description, options: options)
                        guard case .success(let e) = want else { return "search \(i): expected \(want)" }
                        if r.hits.map(\.id) != e.hits.map(\.id) || r.hits.map(\.score) != e.hits.map(\.score) || r.totalCount != e.totalCount {
                            return "search \(i) \(queries[k].description): \(r.totalCount) / \(r.hits.map(\.id).prefix(3)) vs \(e.totalCount) / \(e.hits.map(\.id).prefix(3))"
                        }
                        return nil
                    } catch {
                        return "search \(i) \(queries[k].description) threw \(error)"
                    }
                }
            }
            var out: [String] = []
            for await f in group { if let f { out.append(f) } }
            return out
        }
        #expect(failures.isEmpty, "\(failures.count) of 200 concurrent async searches failed: \(failures.prefix(5))")
    }

    // 5. Parallel indexing gives the same index as sequential indexing.
    @Test(arguments: [2, 3])
    func parallelIndexingEqualsSequential(threads: Int) throws {
        let paragraphs = try Seeds.paragraphs()
        let seed = try concSeedDocs()
        var rng = SplitMix64(0xAB + UInt64(threads))
        // The seed documents, a few generated ones, ids repeated within the batch (the later
        // one wins) and ids already in the index before the batch (replaced).
        var batch = seed.map(\.document)
        for i in 0..<60 { batch.append(Document(id: "g\(i)", text: makeText(&rng, paragraphs))) }
        for _ in 0..<15 { batch.insert(Document(id: rng.pick(seed).id, text: makeText(&rng, paragraphs)), at: rng.int(0...batch.count)) }
        let before = (0..<20).map { Document(id: "s" + pad3($0 * 7), text: "旧文本\($0) 常熟 linux") }
            + [Document(id: "keep", text: "保留的文档 小微企业园")]

        // Small buffers and merge factor: several batches, segments and merges on both sides.
        let options = IndexWriter.Options(maxBufferedBytes: 1 << 16, mergeFactor: 3)
        let sequential = try IndexWriter(options: options)
        try sequential.add(contentsOf: before)
        try sequential.add(contentsOf: batch + batch.prefix(50), threads: 1)
        let parallel = try IndexWriter(options: options)
        try parallel.add(contentsOf: before)
        try parallel.add(contentsOf: batch + batch.prefix(50), threads: threads)
        #expect(parallel.documentCount == sequential.documentCount)

        var live = LiveList()
        for d in before + batch + batch.prefix(50) { live.put(LiveDoc(id: d.id, text: d["text"] ?? "")) }
        let queries = stressQueries + generatedQueries(paragraphs, count: 60, seed: 0xFEED)
        let (a, b) = (sequential.snapshot(), parallel.snapshot())
        #expect(a.documentCount == live.docs.count && b.documentCount == live.docs.count)
        for q in queries {
            let exp = ConcRef.expectedIDs(q, live.docs)
            let x = try a.matchingIDs(q), y = try b.matchingIDs(q)
            #expect(y == x, "matchingIDs of \(q.description): parallel \(y.count), sequential \(x.count)")
            #expect(x == exp, "sequential matchingIDs of \(q.description) vs the reference")
        }
        try sequential.forceMerge()
        try parallel.forceMerge()
        let merged = compareSnapshots(parallel.snapshot(), sequential.snapshot(), queries, limit: 10)
        #expect(merged.isEmpty, "after forceMerge:\n\(merged.joined(separator: "\n"))")
        let m = try sequential.snapshot().matchingIDs(.phrase("常熟"))
        #expect(!m.isEmpty)
    }
}
