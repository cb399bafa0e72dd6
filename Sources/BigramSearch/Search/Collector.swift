/// Receives the matches of an evaluated query, one segment at a time in segment order, each
/// segment's documents ascending: what a search does with its matches (rank the best, count,
/// list) is a collector, so that a new use of the match set — sorting by a field, counting
/// facets — is a new collector, not a change to the evaluator or the index.
///
/// A collector sees every match (the evaluator does not skip documents a collector could not
/// use), with the segment and the document's global number (its position in document order
/// across the snapshot's segments).
protocol Collector {
    /// The matches of segment `segment`, whose first document has global number `base`:
    /// `docs` ascending, `scores[k]` the score of `docs[k]`.
    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double])
}

extension IndexSnapshot {
    /// Feeds every segment's matches to `collector`, in segment order.
    func collect(_ matches: [QueryEvaluator.Matches], into collector: inout some Collector) {
        for (s, m) in matches.enumerated() where !m.docs.isEmpty {
            collector.collect(segment: s, base: documentBases[s], docs: m.docs, scores: m.scores)
        }
    }
}

/// Counts matches.
struct CountCollector: Collector {
    private(set) var count = 0

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        count += docs.count
    }
}

/// Keeps the best `capacity` matches by score, ties in document order (see ``TopK``);
/// with `after`, only the matches that rank below that score and document.
struct TopScoreCollector: Collector {
    private var heap: TopK
    private let after: (score: Double, global: Int)?

    init(capacity: Int, after: (score: Double, global: Int)? = nil) {
        heap = TopK(capacity: capacity)
        self.after = after
    }

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        if let after {
            for (k, d) in docs.enumerated() {
                let score = scores[k], global = base + Int(d)
                guard score < after.score || (score == after.score && global > after.global) else { continue }
                heap.insert(score: score, segment: segment, doc: d, global: global)
            }
            return
        }
        for (k, d) in docs.enumerated() {
            heap.insert(score: scores[k], segment: segment, doc: d, global: base + Int(d))
        }
    }

    /// The kept matches, best first.
    ///
    /// - Complexity: O(n log n) for the n kept (see ``TopK/sorted()``).
    func ranked() -> [TopK.Entry] { heap.sorted() }
}

/// Keeps every match, in document order.
struct AllMatchesCollector: Collector {
    private let segments: [Segment]
    private(set) var matches: [ScoredDocument] = []

    init(segments: [Segment], expected: Int = 0) {
        self.segments = segments
        matches.reserveCapacity(expected)
    }

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        let seg = segments[segment]
        for (k, d) in docs.enumerated() { matches.append(ScoredDocument(segment: seg, doc: Int(d), score: scores[k])) }
    }
}

/// Keeps the id of every match, in document order (ids read from each segment's id table).
struct MatchingIDsCollector: Collector {
    private let segments: [Segment]
    private(set) var ids: [String] = []

    init(segments: [Segment], expected: Int = 0) {
        self.segments = segments
        ids.reserveCapacity(expected)
    }

    mutating func collect(segment: Int, base: Int, docs: [UInt32], scores: [Double]) {
        let all = segments[segment].allIDs
        for d in docs { ids.append(all[Int(d)]) }
    }
}
