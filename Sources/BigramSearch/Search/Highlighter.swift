/// Finds where the phrases of a query occur in a stored field and cuts a snippet around them.
///
/// The text is analyzed again (only for the hits being shown), so ranges point at the original
/// characters even across line-wrap joins and normalization. The work is bounded by the text
/// given: for a field longer than ``wholeTextLimit`` the caller passes only a window of it (the
/// chunks around the best match, see ``IndexSnapshot``), never the whole text.
///
/// Analysis goes into flat arrays: per pattern element the ascending positions where it occurs,
/// and per position the input range of its character or word (binary-searched), instead of the
/// dictionaries keyed by position of the first version (same ranges and snippets, tested against
/// it). Measured with `bigram-search search <open corpus index> 的 --limit 100000 --json` (3,585
/// hits with snippets, the whole command): 0.84 → 0.28 s of CPU.
struct Highlighter {
    let analyzer: any Analyzer
    let options: HighlightOptions

    /// Fields up to this many UTF-8 bytes are highlighted whole; longer ones in a window of three
    /// chunks (at most this size too) around the best match.
    static let wholeTextLimit = 3 * StoredTable.chunkSize
    /// A one-character or prefix element with more dictionary entries than this looks only at
    /// the first ones when finding a huge field's best match in the postings (bounded work).
    static let maxPrefixEntries = 4096

    /// How one pattern element is recognized among the analyzer's terms (the dictionary key's
    /// bytes, compared without building them: CJK keys as 64-bit numbers).
    fileprivate struct ElementMatcher {
        let bytes: [UInt8]
        let isPrefix: Bool
        /// The CJK key equal to `bytes` (exact match), if `bytes` is one.
        let cjkKey: UInt64?
        /// The one character `bytes` consists of (prefix match), if it is one.
        let prefixCharacter: UInt32?
        /// The key spans two positions (a CJK bigram).
        let isBigram: Bool

        init(_ match: PhrasePattern.Element.Match) {
            switch match {
            case .key(let k): bytes = k; isPrefix = false
            case .keyPrefix(let p): bytes = p; isPrefix = true
            }
            let scalars = Self.scalars(bytes)
            if !isPrefix, let s = scalars, let a = s.first, CharacterClass.of(a).isCJK {
                if s.count == 2, s[1] <= 1 {
                    cjkKey = UInt64(a) << 32 | UInt64(s[1])
                } else if s.count == 2, CharacterClass.of(s[1]).isCJK {
                    cjkKey = TermKey.bigram(a, s[1])
                } else {
                    cjkKey = nil
                }
            } else {
                cjkKey = nil
            }
            prefixCharacter = isPrefix && scalars?.count == 1 ? scalars![0] : nil
            isBigram = !isPrefix && scalars?.count == 2 && scalars!.allSatisfy { CharacterClass.of($0).isCJK }
                && (bytes.first ?? 0) >= 0xE1
        }

        /// The scalars of valid UTF-8 `bytes`, or nil.
        private static func scalars(_ bytes: [UInt8]) -> [UInt32]? {
            var out: [UInt32] = []
            var it = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&it) {
                case .scalarValue(let s): out.append(s.value)
                case .emptyInput: return out
                case .error: return nil
                }
            }
        }

        @inline(__always)
        func matches(cjk key: UInt64, scratch: inout [UInt8]) -> Bool {
            if let c = prefixCharacter { return TermKey.first(key) == c }
            if !isPrefix { return cjkKey == key }
            scratch.removeAll(keepingCapacity: true)
            TermKey.bytes(ofCJK: key, into: &scratch)
            return scratch.starts(with: bytes)
        }

        @inline(__always)
        func matches(word: borrowing [UInt8]) -> Bool {
            isPrefix ? word.starts(with: bytes) : word == bytes
        }
    }

    /// What analysis found in a text: per element matcher, the ascending positions where it
    /// occurs; per position (ascending), the input range of its character or word: the last one
    /// reported by ``TokenSink/character(position:utf8Start:utf8End:)`` or a word, else its
    /// first unigram's (a bigram's range spans two positions).
    fileprivate struct Scan: TokenSink {
        let matchers: [ElementMatcher]
        var hits: [[UInt32]]
        var positions: [Int32] = []
        var lower: [Int32] = []
        var upper: [Int32] = []
        var scratch: [UInt8] = []

        init(matchers: [ElementMatcher]) {
            self.matchers = matchers
            hits = matchers.map { _ in [] }
        }

        @inline(__always) private mutating func hit(_ m: Int, _ position: Int) {
            let p = UInt32(truncatingIfNeeded: position)
            if hits[m].last != p { hits[m].append(p) }
        }

        /// Sets the range of `position` (positions arrive in ascending order).
        @inline(__always) private mutating func setRange(_ position: Int, _ lo: Int, _ hi: Int, overwrite: Bool) {
            let p = Int32(truncatingIfNeeded: position)
            if positions.last == p {
                if overwrite {
                    let k = positions.count - 1
                    lower[k] = Int32(lo); upper[k] = Int32(hi)
                }
            } else if positions.last.map({ $0 < p }) ?? true {
                positions.append(p); lower.append(Int32(lo)); upper.append(Int32(hi))
            }
        }

        mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
            for m in matchers.indices where matchers[m].matches(cjk: key, scratch: &scratch) { hit(m, position) }
            if TermKey.isUnigram(key) { setRange(position, utf8Start, utf8End, overwrite: false) }
        }
        mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
            for m in matchers.indices where matchers[m].matches(word: utf8) { hit(m, position) }
            setRange(position, utf8Start, utf8End, overwrite: true)
        }
        mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {
            let key = TermKey.runEnd(character)
            for m in matchers.indices where matchers[m].matches(cjk: key, scratch: &scratch) { hit(m, position) }
        }
        mutating func character(position: Int, utf8Start: Int, utf8End: Int) {
            setRange(position, utf8Start, utf8End, overwrite: true)
        }

        /// The input range at `position`, if any.
        func range(at position: Int) -> Range<Int>? {
            guard let p = Int32(exactly: position) else { return nil }
            var lo = 0, hi = positions.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if positions[mid] < p { lo = mid + 1 } else { hi = mid }
            }
            guard lo < positions.count, positions[lo] == p else { return nil }
            return Int(lower[lo])..<Int(upper[lo])
        }
    }

    /// The analysis of one text for some patterns (``analyze(_:patterns:cost:)``).
    struct Analysis {
        fileprivate let scan: Scan
        /// Pattern → its elements' matcher indexes and offsets.
        fileprivate let elements: [[(matcher: Int, offset: Int)]]
        /// The merged, ascending matched ranges.
        let ranges: [Range<Int>]

        /// The input range of the character or word at `position` (of the analyzed text).
        func range(at position: Int) -> Range<Int>? { scan.range(at: position) }
    }

    /// Analyzes `text` once and finds the matches of `patterns` in it.
    func analyze(_ text: String, patterns: [PhrasePattern], cost: inout StoredReadCost) -> Analysis {
        var matchers: [ElementMatcher] = []
        var index: [PhrasePattern.Element.Match: Int] = [:]
        let elements = patterns.map { p in
            p.elements.map { e -> (matcher: Int, offset: Int) in
                if let m = index[e.match] { return (m, e.offset) }
                index[e.match] = matchers.count
                matchers.append(ElementMatcher(e.match))
                return (matchers.count - 1, e.offset)
            }
        }
        var scan = Scan(matchers: matchers)
        if !patterns.isEmpty {
            cost.analyzedBytes += text.utf8.count
            Self.analyze(text, with: analyzer, into: &scan)
        }
        var found: [Range<Int>] = []
        for pattern in elements {
            guard let first = pattern.first else { continue }
            for p in scan.hits[first.matcher] {
                let base = Int(p) - first.offset
                guard pattern.allSatisfy({ PhraseMatcher.contains(scan.hits[$0.matcher], base + $0.offset) }) else { continue }
                var lo = Int.max, hi = Int.min
                for e in pattern {
                    let end = base + e.offset + (matchers[e.matcher].isBigram ? 1 : 0)
                    for q in (base + e.offset)...end {
                        if let r = scan.range(at: q) { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) }
                    }
                }
                if lo < hi { found.append(lo..<hi) }
            }
        }
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in found {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return Analysis(scan: scan, elements: elements, ranges: merged)
    }

    /// `analyzer.analyze(text, into: &scan)`, with a copy compiled for the default analyzer, in
    /// which its analysis loop is specialized for the scan (see ``SegmentBuilder``).
    @_specialize(where A == BigramAnalyzer)
    private static func analyze<A: Analyzer>(_ text: String, with analyzer: A, into scan: inout Scan) {
        analyzer.analyze(text, into: &scan)
    }

    /// The matched ranges of `text` for `patterns`, merged and ascending.
    func matchRanges(in text: String, patterns: [PhrasePattern]) -> [Range<Int>] {
        var cost = StoredReadCost()
        return analyze(text, patterns: patterns, cost: &cost).ranges
    }

    /// A window of about `snippetLength` characters around the best stretch of matches, with
    /// matches marked. Spaces and tabs are kept as they are; a whitespace run holding a line
    /// break becomes one space; whitespace between two CJK characters (a line wrap, which the
    /// index joins) is left out.
    ///
    /// - Parameters:
    ///   - bestStart: where the window's match starts, when the caller chose it (a huge field's
    ///     best match, from the postings); else the match whose following window holds the most
    ///     matches (earliest on ties).
    ///   - startsField, endsField: whether `text` begins (ends) the field: when not (a window of
    ///     a huge field), the snippet shows "…" there even at the end of `text`.
    func snippet(of text: String, ranges: [Range<Int>], bestStart chosen: Int? = nil,
                 startsField: Bool = true, endsField: Bool = true) -> String {
        let u = text.utf8
        let length = options.snippetLength
        var bestStart = 0
        if let chosen {
            bestStart = chosen
        } else {
            // Pick the match whose following window holds the most matches (earliest on ties).
            // Ranges ascend, so the matches below a limit are a prefix: two pointers.
            var bestCount = -1
            var j = 0
            for (i, r) in ranges.enumerated() {
                let limit = r.lowerBound + length * 3
                if j < i { j = i }
                while j < ranges.count && ranges[j].lowerBound < limit { j += 1 }
                if j - i > bestCount { bestCount = j - i; bestStart = r.lowerBound }
            }
        }
        // Start a third of the window before the match, on a character boundary.
        var start = u.index(u.startIndex, offsetBy: min(max(0, bestStart), u.count))
        start = text.index(start, offsetBy: -(length / 3), limitedBy: text.startIndex) ?? text.startIndex
        start = text.rangeOfComposedCharacterSequence(at: start).lowerBound
        var out = start > text.startIndex || !startsField ? "…" : ""
        var index = start
        var taken = 0
        var rangeIndex = 0
        var pending = ""            // the whitespace run since the last character shown
        var pendingBreak = false    // whether it holds a line break
        var previousIsCJK = false
        // Whether a mark is open: opened at the first character shown that a range covers (also
        // when the window starts inside the match, or the match starts inside a Character),
        // closed after the character where the range ends, or at the window's end.
        var markOpen = false
        var offset = u.distance(from: u.startIndex, to: index)
        while index < text.endIndex && taken < length {
            while rangeIndex < ranges.count && ranges[rangeIndex].upperBound <= offset {
                if markOpen { out += options.after; markOpen = false }
                rangeIndex += 1
            }
            let ch = text[index]
            let nextIndex = text.index(after: index)
            let next = offset + u.distance(from: index, to: nextIndex)
            if ch.isWhitespace {
                pending.append(ch)
                if ch.isNewline { pendingBreak = true }
            } else {
                let isCJK = ch.unicodeScalars.first.map { CharacterClass.of($0.value).isCJK } ?? false
                if !pending.isEmpty && !(isCJK && previousIsCJK) { out += pendingBreak ? " " : pending }
                pending = ""
                pendingBreak = false
                if !markOpen && rangeIndex < ranges.count && ranges[rangeIndex].lowerBound < next {
                    out += options.before
                    markOpen = true
                }
                out.append(ch)
                while rangeIndex < ranges.count && ranges[rangeIndex].upperBound <= next {
                    if markOpen { out += options.after; markOpen = false }
                    rangeIndex += 1
                }
                previousIsCJK = isCJK
                taken += 1
            }
            index = nextIndex
            offset = next
        }
        // Close a mark left open by the window's end.
        if markOpen { out += options.after }
        if index < text.endIndex || !endsField { out += "…" }
        return out
    }

    // MARK: Huge fields: the best match from the postings

    /// Throws the damage a checked dictionary lookup found (only mapped dictionaries find any:
    /// the path is their file's).
    private static func report(_ damage: PostingsDamage, _ field: FieldIndex) throws(StorageError) {
        guard damage != .none, let path = field.dictionary.entriesCheck?.path else { return }
        throw damage.error(path: path)
    }

    /// The position of the best match of `patterns` in document `doc` of `field`, read from the
    /// postings (the text is not touched): the match whose following `snippetLength` positions
    /// hold the most matches, earliest on ties. Nil when the postings show none; `complete` is
    /// false when a prefix element had more than ``maxPrefixEntries`` entries (some matches may
    /// have been missed).
    ///
    /// - Complexity: the positions of the patterns' terms in that one document (the query's
    ///   evaluation read them already), plus a dictionary scan per prefix element.
    ///
    /// - Throws: ``StorageError/checksumMismatch(path:)`` when postings it reads are damaged.
    func bestMatchPosition(in field: FieldIndex, doc: UInt32, patterns: [PhrasePattern]) throws(StorageError) -> (position: Int?, complete: Bool) {
        var bases: [Int] = []
        var complete = true
        for pattern in patterns {
            var lists: [[UInt32]] = []
            for e in pattern.elements {
                var entries: [(entry: TermDictionary.Entry, end: Int?)] = []
                switch e.match {
                case .key(let k):
                    let (found, damage) = field.dictionary.checkedLocate(k)
                    try Self.report(damage, field)
                    if let found { entries.append((found.entry, found.postingsEnd)) }
                case .keyPrefix(let p):
                    let damage = field.dictionary.checkedForEach(withPrefix: p) { entry, end in
                        if entries.count < Self.maxPrefixEntries { entries.append((entry, end)) } else { complete = false }
                    }
                    try Self.report(damage, field)
                }
                var ps: [UInt32] = []
                for (entry, end) in entries {
                    try field.verifyPostings(entry, end: end)
                    var c = field.cursor(entry)
                    if c.advance(to: doc) && c.doc == doc { c.positions(into: &ps) }
                }
                if entries.count > 1 { ps.sort() }
                lists.append(ps)
                if ps.isEmpty { break }
            }
            guard lists.count == pattern.elements.count, !lists.isEmpty else { continue }
            var anchor = 0
            for k in lists.indices where lists[k].count < lists[anchor].count { anchor = k }
            for p in lists[anchor] {
                let base = Int(p) - pattern.elements[anchor].offset
                if base < 0 { continue }
                if pattern.elements.indices.allSatisfy({ $0 == anchor || PhraseMatcher.contains(lists[$0], base + pattern.elements[$0].offset) }) {
                    bases.append(base + (pattern.elements.first?.offset ?? 0))
                }
            }
        }
        guard !bases.isEmpty else { return (nil, complete) }
        bases.sort()
        var best = bases[0], bestCount = -1, j = 0
        for (i, b) in bases.enumerated() {
            if j < i { j = i }
            while j < bases.count && bases[j] < b + options.snippetLength { j += 1 }
            if j - i > bestCount { bestCount = j - i; best = b }
        }
        return (best, complete)
    }
}

extension String {
    /// The character containing `index` (an index that may sit inside a character).
    func rangeOfComposedCharacterSequence(at index: String.Index) -> Range<String.Index> {
        let lower = self.index(index, offsetBy: 0)   // rounds down to a Character boundary
        return lower..<(lower < endIndex ? self.index(after: lower) : lower)
    }
}
