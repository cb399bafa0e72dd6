/// Applies ``Reranking`` to the best candidates of a search.
///
/// Occurrences are found where the index found them: in each candidate's stored text read back
/// and normalized as the analysis reads it (``NormalizedCJKText``: any whitespace between
/// characters, compatibility and width forms, Traditional folding when the index folds), and
/// mapped back to the original bytes. Costs, per search: the stored text of the candidates read
/// only as far as needed (``prefixSteps``: further only when the occurrences sought are not all
/// in what was read), one table load per character read, and one ICU dictionary call over the
/// windows of every candidate's occurrences together (a call costs ~2 µs however short its text,
/// so one call per occurrence cost more than the rest of the search).
struct WordBoundaryRanker {
    let options: Reranking
    /// Multi-character Han/Kana pieces of the query's phrases, normalized as the index reads
    /// them, with the fields they search and the phrase (clause) they belong to.
    let pieces: [(characters: [UInt32], fields: [Int], clause: Int)]
    let folding: TraditionalFolding?
    /// The fields any piece searches, in order.
    private let fields: [Int]

    /// Characters of context on each side of an occurrence given to the dictionary.
    static let context = 4
    /// Bytes of a candidate's field read in turn, until every occurrence sought is found: the
    /// first 1 KiB, then 8 KiB, then 60 KiB (less than a chunk of a long value, which is read
    /// in whole 64 KiB chunks: its first read covers every step). Occurrences beyond are not
    /// examined (the factor is decided from those before), so a long field costs what a short
    /// one does.
    static let prefixSteps = [1 << 10, 8 << 10, 60 << 10]

    private static let dictionary: WordBreakerPool? = try? WordBreakerPool(.dictionary)

    init(options: Reranking, leaves: [PhrasePattern], analyzer: any Analyzer) {
        self.options = options
        let folding = analyzer.bigramOptions?.foldTraditional == true ? TraditionalFolding.shared : nil
        self.folding = folding
        var pieces: [(characters: [UInt32], fields: [Int], clause: Int)] = []
        for (clause, leaf) in leaves.enumerated() {
            for p in NormalizedCJKText.cjkPieces(of: leaf.text, folding: folding) { pieces.append((p, leaf.fields, clause)) }
        }
        self.pieces = pieces
        fields = Array(Set(pieces.flatMap(\.fields))).sorted()
    }

    var isUseful: Bool { !pieces.isEmpty && Self.dictionary != nil }

    /// One examined occurrence: of which candidate and clause, where its window is in the
    /// dictionary call's text, and where it is in the field (UTF-8 offsets, for proximity).
    private struct Occurrence {
        var candidate: Int, clause: Int, field: Int
        var windowStart: Int, windowEnd: Int
        var utf8Start: Int, utf8End: Int
    }

    /// The score factor of each of `count` candidates. `read(candidate, field, limit, &bytes)`
    /// appends at least the first `limit` bytes of the candidate's stored field (all when shorter)
    /// and returns whether it read the whole field, or nil when the field has no stored text.
    func factors<E: Error>(count: Int, read: (Int, Int, Int, inout [UInt8]) throws(E) -> Bool?) throws(E) -> [Double] {
        guard let pool = Self.dictionary, count > 0 else { return [Double](repeating: 1, count: count) }
        var text = NormalizedCJKText()
        var bytes: [UInt8] = []
        var window: [UInt16] = []
        var occurrences: [Occurrence] = []
        for candidate in 0..<count {
            for f in fields {
                bytes.removeAll(keepingCapacity: true)
                guard var complete = try read(candidate, f, Self.prefixSteps[0], &bytes) else { continue }
                var found: [(clause: Int, ranges: [ClosedRange<Int>])] = []
                var step = 0
                while true {
                    bytes.withUnsafeBufferPointer { text.load($0, folding: folding) }
                    found = pieces.filter { $0.fields.contains(f) }.map {
                        ($0.clause, text.occurrences(of: $0.characters, limit: options.occurrences))
                    }
                    // A prefix is enough when it holds every occurrence sought, each with its context.
                    let enough = found.allSatisfy { $0.ranges.count == options.occurrences }
                        && found.allSatisfy { ($0.ranges.last?.upperBound ?? 0) + Self.context < text.characters.count }
                    // The next step that reads more than this read (a chunked value is read in
                    // whole 64 KiB chunks, so its first read may already cover them all).
                    while step < Self.prefixSteps.count && Self.prefixSteps[step] <= bytes.count { step += 1 }
                    if complete || enough || step == Self.prefixSteps.count { break }
                    bytes.removeAll(keepingCapacity: true)
                    complete = try read(candidate, f, Self.prefixSteps[step], &bytes) ?? true
                }
                for (clause, ranges) in found {
                    for r in ranges {
                        let (s, e) = text.appendWindow(around: r, context: Self.context, to: &window)
                        window.append(0x0A)   // a line break: the dictionary breaks around it
                        let b = text.byteRange(r)
                        occurrences.append(Occurrence(candidate: candidate, clause: clause, field: f, windowStart: s, windowEnd: e,
                                                      utf8Start: b.lowerBound, utf8End: b.upperBound))
                    }
                }
            }
        }
        var isBoundary = [Bool](repeating: false, count: window.count + 1)
        if options.penalty > 0 && !window.isEmpty {
            for b in pool.withBreaker({ $0.boundaries(in: window) }) where b >= 0 && Int(b) < isBoundary.count {
                isBoundary[Int(b)] = true
            }
        }
        var factors = [Double](repeating: 1, count: count)
        var k = 0
        while k < occurrences.count {
            let candidate = occurrences[k].candidate
            var end = k
            while end < occurrences.count && occurrences[end].candidate == candidate { end += 1 }
            let mine = occurrences[k..<end]
            let straddling = options.penalty > 0 ? mine.filter { !(isBoundary[$0.windowStart] && isBoundary[$0.windowEnd]) }.count : 0
            var factor = 1 - options.penalty * Double(straddling) / Double(mine.count)
            if options.proximityWeight > 0 {
                // The smallest gap between occurrences of two different clauses in one field, in
                // UTF-8 bytes ÷ 3 ≈ CJK characters.
                var best = Int.max
                for a in mine {
                    for b in mine where b.field == a.field && b.clause != a.clause && b.utf8Start >= a.utf8End {
                        best = min(best, (b.utf8Start - a.utf8End) / 3)
                    }
                }
                if best != Int.max { factor *= 1 + options.proximityWeight / (1 + Double(best) / 16) }
            }
            factors[candidate] = factor
            k = end
        }
        return factors
    }
}
