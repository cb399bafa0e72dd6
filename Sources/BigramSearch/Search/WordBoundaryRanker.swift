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
    /// them, with the fields they search, the phrase (clause) they belong to, and whether they
    /// are that whole phrase (then the evaluator's match count of the phrase in a field bounds
    /// their occurrences there).
    let pieces: [(characters: [UInt32], utf8: BytePattern, fields: [Int], clause: Int, whole: Bool)]
    let folding: TraditionalFolding?
    /// The fields any piece searches, in order.
    private let fields: [Int]
    /// The clauses with a piece.
    private let clauseCount: Int

    /// Characters of context on each side of an occurrence given to the dictionary.
    static let context = 4
    /// Bytes of a candidate's field read in turn, until every occurrence sought is found: the
    /// first 1 KiB, then 8 KiB, then 60 KiB (less than a chunk of a long value, which is read
    /// in whole 64 KiB chunks: its first read covers every step). Occurrences beyond are not
    /// examined (the factor is decided from those before), so a long field costs what a short
    /// one does.
    static let prefixSteps = [1 << 10, 8 << 10, 60 << 10]
    /// Bytes of what was read normalized first; then twice as many each time, until the
    /// occurrences sought are found.
    static let firstScan = 256

    private static let dictionary: WordBreakerPool? = try? WordBreakerPool(.dictionary)

    init(options: Reranking, leaves: [PhrasePattern], analyzer: any Analyzer) {
        self.options = options
        let folding = analyzer.bigramOptions?.foldTraditional == true ? TraditionalFolding.shared : nil
        self.folding = folding
        var pieces: [(characters: [UInt32], utf8: BytePattern, fields: [Int], clause: Int, whole: Bool)] = []
        for (clause, leaf) in leaves.enumerated() {
            let (found, cjkOnly) = NormalizedCJKText.cjkPiecesAndWhole(of: leaf.text, folding: folding)
            let whole = found.count == 1 && cjkOnly
            for p in found {
                let utf8 = p.flatMap { Unicode.Scalar($0).map { Array(String($0).utf8) } ?? [] }
                pieces.append((p, BytePattern(utf8), leaf.fields, clause, whole))
            }
        }
        self.pieces = pieces
        fields = Array(Set(pieces.flatMap(\.fields))).sorted()
        clauseCount = Set(pieces.map(\.clause)).count
    }

    var isUseful: Bool { !pieces.isEmpty && Self.dictionary != nil }

    /// Whether ICU's word rules always break between a Han/Kana character and `c`, the nearest
    /// character beside it that is not whitespace (nil: the field's start or end): ASCII other
    /// than `_` (which joins Katakana, WB13a) and common CJK punctuation, all Word_Break=Other
    /// for UAX #29, so the dictionary never joins them to a word. An occurrence with such
    /// characters on both sides needs no dictionary call.
    static func breaksBeside(_ c: UInt32?) -> Bool {
        guard let c else { return true }
        if c < 0x80 { return c != 0x5F }
        switch c {
        case 0x3001, 0x3002, 0x3008...0x3011, 0x3014...0x301B, 0x2014, 0x2026, 0x201C, 0x201D: return true
        default: return false
        }
    }

    /// One examined occurrence: of which candidate and clause, where its window is in the
    /// dictionary call's text (-1 when the dictionary was not needed: ``breaksBeside(_:)`` on
    /// both sides), and where it is in the field (UTF-8 offsets, for proximity).
    private struct Occurrence {
        var candidate: Int, clause: Int, field: Int
        var windowStart: Int, windowEnd: Int
        var utf8Start: Int, utf8End: Int
    }

    /// A piece looked for in one field of one candidate: its first `limit` occurrences, of
    /// `known` when the index's count says how many there are.
    private struct Sought {
        var characters: [UInt32], utf8: BytePattern, clause: Int, limit: Int, known: Int?
    }

    /// The first `limit` occurrences of each piece when the raw `bytes` hold exactly `known`
    /// copies of its UTF-8 (so no occurrence is reached only through normalization: the index
    /// counted `known`), each in the text normalized around it, with that text's offset in
    /// `bytes`; nil when the copies are not all there, or one of them is not an occurrence.
    private func locate(_ sought: [Sought], in bytes: UnsafeBufferPointer<UInt8>, complete: Bool)
        -> [(clause: Int, local: [(text: NormalizedCJKText, range: ClosedRange<Int>, base: Int)])]? {
        var out: [(clause: Int, local: [(text: NormalizedCJKText, range: ClosedRange<Int>, base: Int)])] = []
        for p in sought {
            guard let known = p.known else { return nil }
            let hits = p.utf8.offsets(in: bytes, limit: known + 1)
            guard hits.count == known else { return nil }
            var local: [(text: NormalizedCJKText, range: ClosedRange<Int>, base: Int)] = []
            for h in hits.prefix(p.limit) {
                guard let l = NormalizedCJKText.around(h, length: p.utf8.bytes.count, of: p.characters, in: bytes, complete: complete,
                                                       context: Self.context, folding: folding) else { return nil }
                local.append(l)
            }
            out.append((p.clause, local))
        }
        return out
    }

    /// The score factor of each of `count` candidates. `read(candidate, field, limit, &bytes)`
    /// appends at least the first `limit` bytes of the candidate's stored field (all when shorter)
    /// and returns whether it read the whole field, or nil when the field has no stored text.
    /// `matchCount(candidate, clause, field)`: how often the clause's phrase matched the
    /// candidate in that field as the index counted (at most 7, meaning seven or more), or nil
    /// when not known: a whole-phrase piece is not looked for beyond that many occurrences, and a
    /// field where no piece can occur is not read.
    func factors<E: Error>(count: Int, matchCount: (Int, Int, Int) -> Int? = { _, _, _ in nil },
                           read: (Int, Int, Int, inout [UInt8]) throws(E) -> Bool?) throws(E) -> [Double] {
        guard let pool = Self.dictionary, count > 0 else { return [Double](repeating: 1, count: count) }
        var text = NormalizedCJKText()
        var bytes: [UInt8] = []
        var window: [UInt16] = []
        var occurrences: [Occurrence] = []
        let inField = fields.map { f in pieces.filter { $0.fields.contains(f) } }
        for candidate in 0..<count {
            for (fi, f) in fields.enumerated() {
                // The pieces to look for, each as often as it can occur (a count of 7 or more bounds nothing).
                var sought: [Sought] = []
                for p in inField[fi] {
                    let known = p.whole ? matchCount(candidate, p.clause, f).flatMap { $0 >= 7 ? nil : $0 } : nil
                    let limit = min(options.occurrences, known ?? Int.max)
                    if limit > 0 { sought.append(Sought(characters: p.characters, utf8: p.utf8, clause: p.clause, limit: limit, known: known)) }
                }
                if sought.isEmpty { continue }
                bytes.removeAll(keepingCapacity: true)
                guard var complete = try read(candidate, f, Self.prefixSteps[0], &bytes) else { continue }
                var found: [(clause: Int, ranges: [ClosedRange<Int>])] = []
                var step = 0
                var scan = Self.firstScan
                func record(_ t: NormalizedCJKText, _ r: ClosedRange<Int>, base: Int, clause: Int) {
                    let b = t.byteRange(r)
                    var o = Occurrence(candidate: candidate, clause: clause, field: f, windowStart: -1, windowEnd: -1,
                                       utf8Start: base + b.lowerBound, utf8End: base + b.upperBound)
                    let (before, after) = t.neighbours(of: r)
                    // Its boundaries matter to the penalty, and to the lead's gain when it is in a lead.
                    let needed = options.penalty > 0 || (options.leadWeight > 0 && o.utf8Start < options.leadBytes)
                    if needed && !(Self.breaksBeside(before) && Self.breaksBeside(after)) {
                        (o.windowStart, o.windowEnd) = t.appendWindow(around: r, context: Self.context, to: &window)
                        window.append(0x0A)   // a line break: the dictionary breaks around it
                    }
                    occurrences.append(o)
                }
                // When the index's counts say how often each piece occurs, and the raw bytes hold
                // exactly that many copies of each, those are its occurrences: only the text
                // around them is normalized.
                if sought.allSatisfy({ $0.known != nil }) {
                    var located: [(clause: Int, local: [(text: NormalizedCJKText, range: ClosedRange<Int>, base: Int)])]?
                    while true {
                        located = bytes.withUnsafeBufferPointer { locate(sought, in: $0, complete: complete) }
                        if located != nil { break }
                        while step < Self.prefixSteps.count && Self.prefixSteps[step] <= bytes.count { step += 1 }
                        if complete || step == Self.prefixSteps.count { break }
                        bytes.removeAll(keepingCapacity: true)
                        complete = try read(candidate, f, Self.prefixSteps[step], &bytes) ?? true
                    }
                    if let located {
                        for (clause, local) in located { for l in local { record(l.text, l.range, base: l.base, clause: clause) } }
                        continue
                    }
                }
                text.reset()
                while true {
                    // Normalize only as far as needed: the first `scan` bytes, then twice as many
                    // (the occurrences sought are usually near the start of a field).
                    let end = min(bytes.count, text.consumed + scan)
                    let final = complete && end == bytes.count
                    bytes.withUnsafeBufferPointer { text.extend($0, to: end, final: final, folding: folding) }
                    found = sought.map { ($0.clause, text.occurrences(of: $0.characters, limit: $0.limit)) }
                    // A prefix is enough when it holds every occurrence sought, each with its context.
                    let enough = zip(found, sought).allSatisfy { $0.ranges.count == $1.limit }
                        && found.allSatisfy { ($0.ranges.last?.upperBound ?? 0) + Self.context < text.characters.count }
                    if enough || final { break }
                    scan *= 2
                    if end < bytes.count { continue }
                    // Every byte read is normalized: read further, to the next step that reads more
                    // than this read (a chunked value is read in whole 64 KiB chunks, so its first
                    // read may already cover them all).
                    while step < Self.prefixSteps.count && Self.prefixSteps[step] <= bytes.count { step += 1 }
                    if complete || step == Self.prefixSteps.count { break }
                    bytes.removeAll(keepingCapacity: true)
                    complete = try read(candidate, f, Self.prefixSteps[step], &bytes) ?? true
                }
                for (clause, ranges) in found {
                    for r in ranges { record(text, r, base: 0, clause: clause) }
                }
            }
        }
        var isBoundary = [Bool](repeating: false, count: window.count + 1)
        if !window.isEmpty {
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
            func straddles(_ o: Occurrence) -> Bool { o.windowStart >= 0 && !(isBoundary[o.windowStart] && isBoundary[o.windowEnd]) }
            let straddling = options.penalty > 0 ? mine.filter(straddles).count : 0
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
            if options.leadWeight > 0 && clauseCount > 0 {
                let inLead = Set(mine.filter { $0.utf8Start < options.leadBytes && !straddles($0) }.map(\.clause)).count
                factor *= 1 + options.leadWeight * Double(inLead) / Double(clauseCount)
            }
            factors[candidate] = factor
            k = end
        }
        return factors
    }
}
