/// The analysis loop of ``BigramAnalyzer``: one pass over the UTF-8 of a text that normalizes,
/// classifies, builds CJK runs and hands non-CJK stretches to ICU word breaking.
///
/// Stages, per input character:
/// 1. *Normalization pieces*: a character with a normalization boundary before it starts a new
///    piece; the piece is normalized by ``NormalizationTable`` (or ICU when it has several
///    characters). Every output character remembers its piece's UTF-8 range in the input.
/// 2. *Runs*: CJK characters extend the current run and emit a bigram with their predecessor.
///    Anything else is buffered as a *gap* (UTF-16, for ICU). When the next CJK character arrives,
///    a gap of whitespace only between two Han/Kana characters is dropped (a line wrap); any other
///    gap ends the run and is word-broken by ICU.
///
/// The sink is passed `inout` through every call rather than stored, so the caller's sink (an
/// index builder holding large tables) is never copied.
struct BigramTokenizer<Sink: TokenSink> {
    let breaker: WordBreaker
    let folding: TraditionalFolding?
    let emitUnigrams: Bool
    /// Whether stretches of ASCII take ``asciiStretch(_:from:retryFrom:_:)`` (false only in the
    /// tests that compare the two paths).
    let asciiFastPath: Bool
    let table = NormalizationTable.shared

    init(breaker: WordBreaker, folding: TraditionalFolding?, emitUnigrams: Bool, asciiFastPath: Bool = true) {
        self.breaker = breaker
        self.folding = folding
        self.emitUnigrams = emitUnigrams
        self.asciiFastPath = asciiFastPath
    }

    // Position of the next term that starts after the current run.
    private var nextPosition = 0

    // The current CJK run.
    private var runLength = 0
    private var runPosition = 0
    private var previous: UInt32 = 0
    private var previousClass = CharacterClass.other
    private var previousStart = 0
    private var previousEnd = 0
    private var firstStart = 0
    private var firstEnd = 0
    private var first: UInt32 = 0

    // The pending gap: normalized non-CJK text, with the input range of each UTF-16 unit (one
    // array of ranges, not one of starts and one of ends: one append fewer per character).
    private var gap: [UInt16] = []
    private var gapRanges: [(start: Int, end: Int)] = []
    private var gapIsSpaceOnly = true
    private var gapMayHaveWords = false
    private var gapIsASCII = true
    private var wordStarts: [Int32] = []
    private var wordEnds: [Int32] = []
    private var word: [UInt8] = []

    // A normalization piece made of more than one input character (rare).
    private var piece: [UInt32] = []

    mutating func run(_ utf8: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        let n = utf8.count
        var i = 0
        var pieceStart = -1
        var pieceFirst: UInt32 = 0
        var fastFrom = asciiFastPath ? 0 : Int.max
        while i < n {
            let start = i
            let b0 = UInt32(utf8[i])
            if b0 < 0x80 && i >= fastFrom {
                // ASCII always has a normalization boundary before it: the pending piece ends here.
                if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: i, &sink); pieceStart = -1 }
                let end = asciiStretch(utf8, from: i, retryFrom: &fastFrom, &sink)
                if end > i { i = end; continue }
            }
            var c: UInt32
            if b0 < 0x80 {
                c = b0; i += 1
            } else if b0 < 0xE0 {
                c = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F); i += 2
            } else if b0 < 0xF0 {
                c = (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F); i += 3
            } else {
                c = (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
                    | UInt32(utf8[i + 3] & 0x3F); i += 4
            }
            if table.hasBoundaryBefore(c) || pieceStart < 0 {
                if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: start, &sink) }
                pieceStart = start
                pieceFirst = c
            } else {
                if piece.isEmpty { piece.append(pieceFirst) }
                piece.append(c)
            }
        }
        if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: n, &sink) }
        endRun(&sink)
        flushGap(&sink)
    }

    @inline(__always)
    private mutating func finishPiece(_ c: UInt32, start: Int, end: Int, _ sink: inout Sink) {
        if piece.isEmpty {
            if c < 0x80 {   // ASCII: NFKC_Casefold only lowercases
                accept((c &- 0x41) < 26 ? c | 0x20 : c, start: start, end: end, &sink)
            } else if let m = table.single(c) {
                accept(m, start: start, end: end, &sink)
            } else {
                table.forEachMapping(of: c) { accept($0, start: start, end: end, &sink) }
            }
        } else {
            let p = piece
            piece.removeAll(keepingCapacity: true)
            table.forEachMapping(ofPiece: p) { accept($0, start: start, end: end, &sink) }
        }
    }

    /// Takes one normalized character that came from input bytes `start..<end`.
    @inline(__always)
    private mutating func accept(_ c: UInt32, start: Int, end: Int, _ sink: inout Sink) {
        let cls = CharacterClass.of(c)
        if cls == .hanKana || cls == .hangul {
            if !gap.isEmpty {
                let joins = runLength > 0 && gapIsSpaceOnly && cls == .hanKana && previousClass == .hanKana
                if joins { clearGap() } else { endRun(&sink); flushGap(&sink) }
            }
            extendRun(folding.map { $0.fold(c) } ?? c, cls, start: start, end: end, &sink)
        } else {
            if c < 0x10000 {
                // Connector punctuation (`_`, ‿, …) separates words, as in the reference rule;
                // ICU would join `tcl_pkgpath` into one word.
                gap.append(Self.isConnector(c) ? 0x20 : UInt16(c)); gapRanges.append((start, end))
            } else {
                let v = c - 0x10000
                gap.append(UInt16(0xD800 + (v >> 10))); gap.append(UInt16(0xDC00 + (v & 0x3FF)))
                gapRanges.append((start, end)); gapRanges.append((start, end))
            }
            if c >= 0x80 && !ASCIIWordBreaking.isSeparator(c) { gapIsASCII = false }
            if cls != .space {
                gapIsSpaceOnly = false
                if !gapMayHaveWords { gapMayHaveWords = Self.mayBeWordCharacter(c) }
            }
        }
    }

    /// The fast path for a stretch of ASCII bytes starting at `i` (most of the non-CJK text of
    /// Chinese technical documents): its words are cut from the UTF-8 bytes by
    /// ``ASCIIWordBreaking``'s rules and emitted at once, with no decoding, normalization
    /// lookup or gap buffer per byte. Returns where it stopped (`i` when the stretch must take the
    /// per-character path; then `retryFrom` says where to try again).
    ///
    /// The words of a prefix of the stretch are those the per-character path would give when
    /// nothing after the prefix can change them:
    /// - the prefix is the whole stretch and the text ends there or goes on with a Han character
    ///   (a CJK character ends the gap too, so the gap is the stretch alone); or
    /// - the prefix ends with whitespace or `_` (a space in the gap): UAX #29 breaks after it and
    ///   no rule looks across it for a word before it (the last ASCII byte of the stretch is left
    ///   out when the next character combines with it).
    /// A pending gap must end with a character after which a word cannot go on (ASCII other than
    /// letters, digits and `.` `,` `;` `'` `:`, or an ``ASCIIWordBreaking/isSeparator(_:)``
    /// character): then it is word-broken alone, as ICU would break that part of the whole gap.
    /// And the prefix must hold a word: then the gap is not whitespace only, so the CJK run
    /// before it ends (no line-wrap join), as on the per-character path.
    private mutating func asciiStretch(_ utf8: UnsafeBufferPointer<UInt8>, from i: Int, retryFrom: inout Int,
                                       _ sink: inout Sink) -> Int {
        let n = utf8.count
        var j = i
        while j < n && utf8[j] < 0x80 { j += 1 }
        @inline(__always) func isCut(_ b: UInt8) -> Bool { b == 0x20 || b == 0x5F || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) }
        var cut = i, limit = j
        if j == n {
            cut = n
        } else {
            // The character after the stretch (valid UTF-8: a String's bytes).
            let b0 = UInt32(utf8[j])
            var c: UInt32 = 0
            if b0 >= 0xE0 && b0 < 0xF0 {
                c = (b0 & 0x0F) << 12 | UInt32(utf8[j + 1] & 0x3F) << 6 | UInt32(utf8[j + 2] & 0x3F)
            } else if b0 < 0xE0 {
                c = (b0 & 0x1F) << 6 | UInt32(utf8[j + 1] & 0x3F)
            } else {
                c = (b0 & 0x07) << 18 | UInt32(utf8[j + 1] & 0x3F) << 12 | UInt32(utf8[j + 2] & 0x3F) << 6
                    | UInt32(utf8[j + 3] & 0x3F)
            }
            let boundary = table.hasBoundaryBefore(c)
            if boundary && c >= 0x4E00 && c <= 0x9FFF && table.single(c) == c {
                cut = j
            } else {
                if !boundary { limit = j - 1 }
                var w = limit - 1
                while w >= i && !isCut(utf8[w]) { w -= 1 }
                cut = w + 1
            }
        }
        var hasWord = false
        for k in i..<cut where ASCIIWordBreaking.isAlnum(UInt16(utf8[k])) { hasWord = true; break }
        if cut == i || !hasWord {
            retryFrom = cut > i ? cut : j
            return i
        }
        if let u = gap.last {
            let ends = u < 0x80 ? !ASCIIWordBreaking.mayContinueWord(u) : ASCIIWordBreaking.isSeparator(UInt32(u))
            if !ends {
                // Past the stretch's first whitespace the gap ends with one: try again there.
                var k = i
                while k < limit && !isCut(utf8[k]) { k += 1 }
                retryFrom = k < limit ? k + 1 : j
                return i
            }
        }
        endRun(&sink)
        flushGap(&sink)
        // ASCIIWordBreaking's words over the bytes, lowercased as NFKC_Casefold does ASCII.
        ASCIIWordBreaking.forEachWord(in: i..<cut, unit: { UInt16(utf8[$0]) }) { s, e in
            word.removeAll(keepingCapacity: true)
            for x in s..<e { let b = utf8[x]; word.append(b &- 0x41 < 26 ? b | 0x20 : b) }
            sink.wordTerm(word, position: nextPosition, utf8Start: s, utf8End: e)
            nextPosition += 1
        }
        return cut
    }

    /// False for characters that are never part of an ICU word segment (ASCII punctuation, most
    /// general and CJK punctuation), so a gap of only those skips the ICU call. Characters of those
    /// blocks that ICU does treat as word characters (〆 〱–〵 〼, format characters) are
    /// not listed, so they still reach ICU.
    /// Unicode connector punctuation (general category Pc), ICU's ExtendNumLet.
    @inline(__always)
    private static func isConnector(_ c: UInt32) -> Bool {
        c == 0x5F || c == 0x203F || c == 0x2040 || c == 0x2054 || c == 0xFE33 || c == 0xFE34
            || (c >= 0xFE4D && c <= 0xFE4F) || c == 0xFF3F
    }

    @inline(__always)
    private static func mayBeWordCharacter(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x40
        }
        if c >= 0x2010 && c <= 0x2027 { return false }
        if c >= 0x2030 && c <= 0x205E { return false }
        if c >= 0x3000 && c <= 0x3004 { return false }
        if c >= 0x3008 && c <= 0x301F { return false }
        return true
    }

    @inline(__always)
    private mutating func extendRun(_ c: UInt32, _ cls: CharacterClass, start: Int, end: Int, _ sink: inout Sink) {
        if runLength == 0 {
            runPosition = nextPosition
            first = c; firstStart = start; firstEnd = end
        } else {
            sink.cjkTerm(TermKey.bigram(previous, c), position: runPosition + runLength - 1,
                         utf8Start: previousStart, utf8End: end)
        }
        if emitUnigrams {
            sink.cjkTerm(TermKey.unigram(c), position: runPosition + runLength, utf8Start: start, utf8End: end)
        }
        sink.character(position: runPosition + runLength, utf8Start: start, utf8End: end)
        previous = c; previousClass = cls; previousStart = start; previousEnd = end
        runLength += 1
    }

    private mutating func endRun(_ sink: inout Sink) {
        guard runLength > 0 else { return }
        if runLength == 1 {
            if !emitUnigrams {
                sink.cjkTerm(TermKey.unigram(first), position: runPosition, utf8Start: firstStart, utf8End: firstEnd)
            }
        } else {
            sink.runEnded(previous, position: runPosition + runLength - 1, utf8Start: previousStart, utf8End: previousEnd)
        }
        nextPosition = runPosition + runLength
        runLength = 0
    }

    private mutating func clearGap() {
        gap.removeAll(keepingCapacity: true)
        gapRanges.removeAll(keepingCapacity: true)
        gapIsSpaceOnly = true
        gapMayHaveWords = false
        gapIsASCII = true
    }

    /// Word-breaks the gap with ICU and emits its letter/number segments.
    private mutating func flushGap(_ sink: inout Sink) {
        defer { clearGap() }
        guard !gap.isEmpty && gapMayHaveWords else { return }
        wordStarts.removeAll(keepingCapacity: true)
        wordEnds.removeAll(keepingCapacity: true)
        if gapIsASCII {
            ASCIIWordBreaking.words(in: gap, 0..<gap.count, starts: &wordStarts, ends: &wordEnds)
        } else {
            _ = breaker.words(in: gap, 0..<gap.count, starts: &wordStarts, ends: &wordEnds)
        }
        for k in 0..<wordStarts.count {
            let s = Int(wordStarts[k]), e = Int(wordEnds[k])
            word.removeAll(keepingCapacity: true)
            var j = s
            while j < e {
                let u = UInt32(gap[j])
                if u < 0x80 {
                    word.append(UInt8(u)); j += 1; continue
                }
                var scalar = u
                if u & 0xFC00 == 0xD800 && j + 1 < e {
                    scalar = 0x10000 + ((u - 0xD800) << 10) + (UInt32(gap[j + 1]) - 0xDC00); j += 1
                }
                j += 1
                word.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")!)
            }
            sink.wordTerm(word, position: nextPosition, utf8Start: gapRanges[s].start, utf8End: gapRanges[e - 1].end)
            nextPosition += 1
        }
    }
}
