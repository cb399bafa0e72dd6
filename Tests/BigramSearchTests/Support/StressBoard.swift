import BigramSearch
import Foundation
import Synchronization

// The stress board of ConcurrencyTests, shared by the writer and the readers: the latest
// published snapshot with its exact live documents, every reader's check of it against the
// reference (ConcurrencyReference.swift), and the failures found.

/// What the writer publishes: a snapshot and the exact live documents it holds, in order.
struct Published: Sendable {
    let version: Int
    let snapshot: IndexSnapshot
    let docs: [LiveDoc]
}

final class StressBoard: Sendable {
    let latest: Locked<Published>
    let deadline: ContinuousClock.Instant
    let queries: [Query]
    private let expected = Locked<[Int: [[String]]]>([:])
    private let failureLog = Locked<[String]>([])
    private let failureCount = Atomic<Int>(0)
    let threadChecks = Locked<[String: Int]>([:])
    /// Set when the writer has published its last version (readers run until then, and at
    /// least until the deadline).
    let writerFinished = Atomic<Bool>(false)
    var readersShouldRun: Bool { ContinuousClock.now < deadline || !writerFinished.load(ordering: .acquiring) }
    let versionsSeen = Locked<Set<Int>>([])

    init(_ first: Published, deadline: ContinuousClock.Instant, queries: [Query]) {
        latest = Locked(first)
        self.deadline = deadline
        self.queries = queries
    }

    func publish(_ p: Published) { latest.withLock { $0 = p } }

    var failures: [String] { failureLog.withLock { $0 } }
    var failureTotal: Int { failureCount.load(ordering: .relaxed) }

    func fail(_ message: String) {
        failureCount.add(1, ordering: .relaxed)
        failureLog.withLock { if $0.count < 40 { $0.append(message) } }
    }

    /// The reference ids of every query for one published version, computed once (lazily, by
    /// whichever reader gets there first) and cached; old versions are dropped.
    func expectedIDs(_ p: Published) -> [[String]] {
        if let e = expected.withLock({ $0[p.version] }) { return e }
        let e = queries.map { ConcRef.expectedIDs($0, p.docs) }
        expected.withLock { cache in
            cache[p.version] = e
            for v in cache.keys where v < p.version - 32 { cache[v] = nil }
        }
        return e
    }

    /// One pass of every query over the latest snapshot; returns the number of checks made.
    func readerPass(_ reader: String, pass: Int) -> Int {
        let p = latest.withLock { $0 }
        versionsSeen.withLock { _ = $0.insert(p.version) }
        let expected = expectedIDs(p)
        let s = p.snapshot
        var checks = 0
        func where_(_ k: Int) -> String { "\(reader) v\(p.version) query \(queries[k].description)" }
        if s.documentCount != p.docs.count {
            fail("\(reader) v\(p.version): documentCount \(s.documentCount), published \(p.docs.count) documents")
        }
        for (k, q) in queries.enumerated() {
            let exp = expected[k]
            do throws(SearchError) {
                let ids = try s.matchingIDs(q)
                checks += 1
                if ids != exp {
                    let missing = Set(exp).subtracting(ids), extra = Set(ids).subtracting(exp)
                    fail("\(where_(k)): matchingIDs \(ids.count), expected \(exp.count); missing \(missing.sorted().prefix(4)) extra \(extra.sorted().prefix(4))"
                         + (missing.isEmpty && extra.isEmpty ? " (order differs)" : ""))
                }
                // Every few passes (varying by query): the parsed form, ranked, all hits.
                if (k + pass) % 5 == 0 {
                    // (BM25 alone: re-ranked hits are sorted by score within the re-ranked window only.)
                    let r = try s.search(q.description, options: SearchOptions(limit: Int.max, reranking: nil))
                    checks += 1
                    if r.totalCount != exp.count || Set(r.hits.map(\.id)) != Set(exp) || r.hits.count != exp.count {
                        fail("\(where_(k)): search of the parsed query: totalCount \(r.totalCount), \(r.hits.count) hits, expected \(exp.count)")
                    }
                    if zip(r.hits, r.hits.dropFirst()).contains(where: { $0.score < $1.score }) {
                        fail("\(where_(k)): hits not ranked by score")
                    }
                }
                // Top hits with highlights (reads stored text concurrently).
                if (k + pass) % 7 == 0 {
                    let r = try s.search(q, options: SearchOptions(limit: 5, highlight: HighlightOptions()))
                    checks += 1
                    if r.totalCount != exp.count || !r.hits.allSatisfy({ exp.contains($0.id) }) {
                        fail("\(where_(k)): top 5 \(r.hits.map(\.id)) / totalCount \(r.totalCount) not in the expected \(exp.count)")
                    }
                    if case .phrase = q, let bad = r.hits.first(where: { $0.highlights.isEmpty }) {
                        fail("\(where_(k)): hit \(bad.id) has no highlight")
                    }
                    for h in r.hits where h["text"] != p.docs.first(where: { $0.id == h.id })?.text {
                        fail("\(where_(k)): stored text of \(h.id) differs from the published document")
                    }
                }
            } catch {
                fail("\(where_(k)): threw \(error)")
            }
        }
        return checks
    }

    /// One query through the async overload (run on a Dispatch queue by the library).
    func asyncCheck(_ reader: String, pass: Int) async -> Int {
        let p = latest.withLock { $0 }
        let k = pass % queries.count
        let exp = expectedIDs(p)[k]
        do {
            let r = try await p.snapshot.search(queries[k], options: SearchOptions(limit: Int.max))
            if r.totalCount != exp.count || r.hits.map(\.id).sorted() != exp.sorted() {
                fail("\(reader) v\(p.version) async query \(queries[k].description): \(r.totalCount) hits, expected \(exp.count)")
            }
        } catch {
            fail("\(reader) v\(p.version) async query \(queries[k].description): threw \(error)")
        }
        return 1
    }
}

/// What the writer task reports at the end.
struct WriterReport: Sendable {
    var versions = 0
    var batches = 0
    var commits = 0
    var committed: [LiveDoc] = []
    var lastDocs: [LiveDoc] = []
}
