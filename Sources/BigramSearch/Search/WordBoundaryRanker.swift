/// Applies ``Reranking`` to one hit.
struct WordBoundaryRanker {
    let options: Reranking
    /// Multi-character CJK pieces of the query's phrases (as UTF-8), with the fields they search
    /// and the phrase (clause) they belong to.
    let pieces: [(bytes: [UInt8], fields: [Int], clause: Int)]

    private static let dictionary: WordBreakerPool? = try? WordBreakerPool(.dictionary)

    init(options: Reranking, leaves: [PhrasePattern]) {
        self.options = options
        var pieces: [(bytes: [UInt8], fields: [Int], clause: Int)] = []
        for (clause, leaf) in leaves.enumerated() {
            // The CJK runs of the phrase's text, as typed (normalization changes no CJK character).
            var run: [UInt8] = [], chars = 0
            func flush() {
                if chars >= 2 { pieces.append((run, leaf.fields, clause)) }
                run.removeAll(); chars = 0
            }
            for scalar in leaf.text.unicodeScalars {
                if CharacterClass.of(scalar.value) == .hanKana {
                    TermKey.appendUTF8(scalar.value, to: &run)
                    chars += 1
                } else if !(scalar.properties.isWhitespace && chars > 0) {
                    flush()
                }
            }
            flush()
        }
        self.pieces = pieces
    }

    var isUseful: Bool { !pieces.isEmpty && Self.dictionary != nil }

    /// The factor (≤ 1) for the document whose stored field texts are `texts[field]`.
    func factor(_ texts: (Int) -> String?) -> Double {
        guard let pool = Self.dictionary else { return 1 }
        var examined = 0, straddling = 0
        // Per field: (clause, scalar offset range) of each examined occurrence, for proximity.
        var occurrencesByField: [Int: [(clause: Int, start: Int, end: Int)]] = [:]
        for (piece, fields, clause) in pieces {
            for f in fields {
                guard let text = texts(f) else { continue }
                var found = 0
                var from = text.utf8.startIndex
                while found < options.occurrences, let r = Self.find(piece, in: text, from: from) {
                    found += 1
                    examined += 1
                    if options.penalty > 0 && Self.straddles(r, in: text, pool: pool) { straddling += 1 }
                    if options.proximityWeight > 0 {
                        // Gaps measured in UTF-8 bytes ÷ 3 ≈ CJK characters (cheap, O(1) offsets).
                        let u = text.utf8
                        let start = u.distance(from: u.startIndex, to: r.lowerBound) / 3
                        occurrencesByField[f, default: []].append((clause, start, u.distance(from: u.startIndex, to: r.upperBound) / 3))
                    }
                    from = r.upperBound
                }
            }
        }
        guard examined > 0 else { return 1 }
        var factor = 1 - options.penalty * Double(straddling) / Double(examined)
        // Proximity: the smallest gap between occurrences of two different clauses.
        var best = Int.max
        for occurrences in occurrencesByField.values {
            for a in occurrences {
                for b in occurrences where b.clause != a.clause && b.start >= a.end {
                    best = min(best, b.start - a.end)
                }
            }
        }
        if best != Int.max { factor *= 1 + options.proximityWeight / (1 + Double(best) / 16) }
        return factor
    }

    /// The next occurrence of `needle` (UTF-8 of CJK characters) in `text` at or after `from`,
    /// allowing ASCII whitespace between its characters (line wraps, as the index does). A byte
    /// search: the text's UTF-8 is scanned once, without decoding.
    static func find(_ needle: [UInt8], in text: String, from: String.Index) -> Range<String.Index>? {
        guard let first = needle.first else { return nil }
        let u = text.utf8
        let start = u.distance(from: u.startIndex, to: from)
        var found: Range<Int>?
        var text = text
        text.withUTF8 { bytes in
            var i = start
            let n = bytes.count
            while i < n {
                guard bytes[i] == first else { i += 1; continue }
                var j = i, k = 0
                while k < needle.count && j < n {
                    if bytes[j] == needle[k] {
                        j += 1; k += 1
                        continue
                    }
                    // Between two characters (the needle is at a lead byte), skip ASCII whitespace.
                    let b = bytes[j]
                    if needle[k] & 0xC0 != 0x80 && (b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) { j += 1; continue }
                    break
                }
                if k == needle.count { found = i..<j; return }
                i += 1
            }
        }
        guard let r = found else { return nil }
        return u.index(u.startIndex, offsetBy: r.lowerBound)..<u.index(u.startIndex, offsetBy: r.upperBound)
    }

    /// True when the occurrence `r` starts or ends inside a dictionary word, judged on a window
    /// of a few characters around it (whitespace removed, as the index reads it).
    static func straddles(_ r: Range<String.Index>, in text: String, pool: WordBreakerPool) -> Bool {
        let s = text.unicodeScalars
        let lower = s.index(r.lowerBound, offsetBy: -4, limitedBy: s.startIndex) ?? s.startIndex
        let upper = s.index(r.upperBound, offsetBy: 4, limitedBy: s.endIndex) ?? s.endIndex
        var window: [UInt16] = []
        var start = 0, end = 0
        var i = lower
        while i < upper {
            if i == r.lowerBound { start = window.count }
            if i == r.upperBound { end = window.count }
            if !s[i].properties.isWhitespace { window.append(contentsOf: s[i].utf16) }
            i = s.index(after: i)
        }
        if r.upperBound == upper { end = window.count }
        let boundaries = pool.withBreaker { $0.boundaries(in: window) }
        return !(boundaries.contains(Int32(start)) && boundaries.contains(Int32(end)))
    }
}
