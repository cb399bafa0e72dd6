/// A text's characters as the default analysis reads them (NFKC_Casefold through
/// ``NormalizationTable``, then Traditional folding when asked for), each with the input bytes it
/// came from: for finding a phrase's CJK occurrences where the index found them, and mapping
/// them back to the original text (word-boundary re-ranking, ``WordBoundaryRanker``).
///
/// The rules are those of ``BigramTokenizer`` for CJK runs: a character with a normalization
/// boundary before it starts a piece, a piece of several code points is normalized whole, and a
/// gap of whitespace only between two Han/Kana characters does not end a run. Unlike the
/// tokenizer, the input may be any bytes (stored text read back from a file): an invalid or
/// truncated UTF-8 sequence reads as one U+FFFD per byte, which ends a run like any non-CJK
/// character.
struct NormalizedCJKText {
    /// One normalized (and folded) character and the input bytes it came from (the characters
    /// of one normalization piece share their piece's).
    struct Character {
        var value: UInt32
        var start: Int32
        var end: Int32
    }

    private(set) var characters: [Character] = []

    private var piece: [UInt32] = []
    /// Input bytes read so far (``extend(_:to:final:folding:)``): the characters of every piece
    /// before the one that starts at `pieceStart` are in `characters`.
    private(set) var consumed = 0
    private var pieceStart = -1
    private var pieceFirst: UInt32 = 0

    /// Replaces the contents with the characters of `utf8`.
    ///
    /// - Complexity: O(n) in the bytes, one table load per character.
    mutating func load(_ utf8: UnsafeBufferPointer<UInt8>, folding: TraditionalFolding?) {
        reset()
        characters.reserveCapacity(utf8.count)
        extend(utf8, to: utf8.count, final: true, folding: folding)
    }

    /// Empties the text, for reading another with ``extend(_:to:final:folding:)``.
    mutating func reset() {
        characters.removeAll(keepingCapacity: true)
        piece.removeAll(keepingCapacity: true)
        consumed = 0
        pieceStart = -1
    }

    /// Reads on up to byte `end` of `utf8`, a text of which the bytes before ``consumed`` were read
    /// by earlier calls (the same bytes: a longer read of the same prefix may be passed). Unless
    /// `final` (no byte follows `end`), a character whose bytes do not all lie before `end` is left
    /// for the next call, and so is the piece being read, which a later combining character could
    /// still change: `characters` holds what no further byte can change.
    ///
    /// - Complexity: O(`end` − ``consumed``), one table load per character.
    mutating func extend(_ utf8: UnsafeBufferPointer<UInt8>, to end: Int, final: Bool, folding: TraditionalFolding?) {
        let table = NormalizationTable.shared
        let n = min(end, utf8.count)
        var i = consumed
        while i < n {
            let start = i
            if utf8[i] < 0x80 {
                // ASCII: a boundary before it, and NFKC_Casefold only lowercases it.
                if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: start, table, folding) }
                let c = UInt32(utf8[i])
                characters.append(Character(value: (c &- 0x41) < 26 ? c | 0x20 : c, start: Int32(start), end: Int32(start + 1)))
                pieceStart = -1
                i += 1
                continue
            }
            if !final && Self.isTruncated(utf8, at: i, end: n) { break }
            let c = Self.decode(UnsafeBufferPointer(rebasing: utf8[..<n]), at: &i)
            if pieceStart < 0 || table.hasBoundaryBefore(c) {
                if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: start, table, folding) }
                pieceStart = start
                pieceFirst = c
            } else {
                if piece.isEmpty { piece.append(pieceFirst) }
                piece.append(c)
            }
        }
        consumed = i
        if final && pieceStart >= 0 {
            finishPiece(pieceFirst, start: pieceStart, end: i, table, folding)
            pieceStart = -1
        }
    }

    /// Whether the sequence that starts with the lead byte at `i` is cut by `end` (its bytes before
    /// `end` are all continuation bytes, but too few): more bytes may complete it.
    private static func isTruncated(_ u: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Bool {
        let b0 = u[i]
        let length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1
        guard i + length > end else { return false }
        var k = i + 1
        while k < end { if u[k] & 0xC0 != 0x80 { return false }; k += 1 }
        return true
    }

    @inline(__always)
    private mutating func finishPiece(_ first: UInt32, start: Int, end: Int, _ table: NormalizationTable, _ folding: TraditionalFolding?) {
        let s = Int32(start), e = Int32(end)
        if piece.isEmpty, let m = table.single(first) {
            let v = folding != nil && CharacterClass.of(m) == .hanKana ? folding!.fold(m) : m
            characters.append(Character(value: v, start: s, end: e))
            return
        }
        var out: [UInt32] = []
        if piece.isEmpty { table.forEachMapping(of: first) { out.append($0) } } else { table.forEachMapping(ofPiece: piece) { out.append($0) } }
        piece.removeAll(keepingCapacity: true)
        for m in out {
            let v = folding != nil && CharacterClass.of(m) == .hanKana ? folding!.fold(m) : m
            characters.append(Character(value: v, start: s, end: e))
        }
    }

    /// The scalar at `i` (advanced past it); U+FFFD for one byte of an invalid sequence.
    @inline(__always)
    private static func decode(_ u: UnsafeBufferPointer<UInt8>, at i: inout Int) -> UInt32 {
        let b0 = UInt32(u[i]), n = u.count
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard i + k < n, u[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(u[i + k] & 0x3F)
        }
        if b0 < 0x80 { i += 1; return b0 }
        if b0 >= 0xC2 && b0 < 0xE0, let c1 = cont(1) { i += 2; return (b0 & 0x1F) << 6 | c1 }
        if b0 >= 0xE0 && b0 < 0xF0, let c1 = cont(1), let c2 = cont(2) {
            let c = (b0 & 0x0F) << 12 | c1 << 6 | c2
            if c >= 0x800 && !(c >= 0xD800 && c <= 0xDFFF) { i += 3; return c }
        }
        if b0 >= 0xF0 && b0 < 0xF5, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            let c = (b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            if c >= 0x10000 && c <= 0x10FFFF { i += 4; return c }
        }
        i += 1
        return 0xFFFD
    }

    /// The first `limit` occurrences of `needle` (normalized Han/Kana characters) at or after
    /// character `from`, as ranges of character indices: consecutive characters equal to the
    /// needle's, with only whitespace between them (as a run continues across a line wrap). An
    /// occurrence must not start in the middle of a run's match of an earlier one: they do not
    /// overlap.
    ///
    /// - Complexity: O(n × k) at worst for `n` characters and a needle of `k`; O(n) in practice.
    func occurrences(of needle: [UInt32], limit: Int, from: Int = 0) -> [ClosedRange<Int>] {
        guard let first = needle.first, limit > 0 else { return [] }
        var found: [ClosedRange<Int>] = []
        var i = from
        let n = characters.count
        while i < n {
            guard characters[i].value == first else { i += 1; continue }
            var j = i + 1, k = 1, last = i
            while k < needle.count && j < n {
                let c = characters[j].value
                if c == needle[k] { last = j; j += 1; k += 1; continue }
                if CharacterClass.of(c) == .space { j += 1; continue }
                break
            }
            if k == needle.count {
                found.append(i...last)
                if found.count == limit { break }
                i = last + 1
            } else {
                i += 1
            }
        }
        return found
    }

    /// Appends the normalized text around occurrence `r` to `window` (UTF-16, whitespace left
    /// out, as the index reads a run): up to `context` characters before and after it. Returns
    /// the offsets in `window` where the occurrence starts and ends.
    func appendWindow(around r: ClosedRange<Int>, context: Int, to window: inout [UInt16]) -> (start: Int, end: Int) {
        func append(_ k: Int) {
            let c = characters[k].value
            if let s = Unicode.Scalar(c) { window.append(contentsOf: s.utf16) } else { window.append(0xFFFD) }
        }
        var before: [Int] = []
        var k = r.lowerBound - 1
        while k >= 0 && before.count < context {
            if CharacterClass.of(characters[k].value) != .space { before.append(k) }
            k -= 1
        }
        for k in before.reversed() { append(k) }
        let start = window.count
        for k in r where CharacterClass.of(characters[k].value) != .space { append(k) }
        let end = window.count
        var after = 0
        k = r.upperBound + 1
        while k < characters.count && after < context {
            if CharacterClass.of(characters[k].value) != .space { append(k); after += 1 }
            k += 1
        }
        return (start, end)
    }

    /// The nearest characters before and after `r` that are not whitespace (nil at either end),
    /// as ``appendWindow(around:context:to:)`` gives them to the dictionary.
    func neighbours(of r: ClosedRange<Int>) -> (before: UInt32?, after: UInt32?) {
        var k = r.lowerBound - 1
        while k >= 0 && CharacterClass.of(characters[k].value) == .space { k -= 1 }
        var j = r.upperBound + 1
        while j < characters.count && CharacterClass.of(characters[j].value) == .space { j += 1 }
        return (k >= 0 ? characters[k].value : nil, j < characters.count ? characters[j].value : nil)
    }

    /// The text normalized around the copy of `needle`'s UTF-8 (`length` bytes) at byte `offset`
    /// of `bytes`, with the occurrence it is there and the offset in `bytes` where that text
    /// starts: from a character that starts a normalization piece (so the characters are those
    /// of the whole text from there on) with at least `context` characters other than
    /// whitespace before the occurrence and after it, or up to either end of `bytes`. Nil when
    /// the copy is not an occurrence, or when `bytes` (not `complete`: a prefix of the text)
    /// ends before the context after it.
    static func around(_ offset: Int, length: Int, of needle: [UInt32], in bytes: UnsafeBufferPointer<UInt8>, complete: Bool,
                       context: Int, folding: TraditionalFolding?) -> (text: NormalizedCJKText, range: ClosedRange<Int>, base: Int)? {
        var back = 4 * (context + 2), ahead = length + 4 * (context + 2)
        while true {
            let a = pieceStart(atOrBefore: max(0, offset - back), in: bytes)
            let end = min(bytes.count, offset + ahead)
            let final = complete && end == bytes.count
            var t = NormalizedCJKText()
            t.extend(UnsafeBufferPointer(rebasing: bytes[a..<end]), to: end - a, final: final, folding: folding)
            let r = t.occurrences(of: needle, limit: Int.max).first { t.byteRange($0).lowerBound >= offset - a }
            let before = r.map { r in t.characters[..<r.lowerBound].reduce(0) { $0 + (CharacterClass.of($1.value) == .space ? 0 : 1) } } ?? 0
            let after = r.map { r in t.characters[(r.upperBound + 1)...].prefix(8 * (context + 2)).reduce(0) { $0 + (CharacterClass.of($1.value) == .space ? 0 : 1) } } ?? 0
            // One decision: found (with its context, or up to the ends), grow back, grow ahead
            // (both at once when both sides lack context), or give up.
            let canGrowAhead = end < bytes.count
            guard let r else {   // the copy's occurrence ends beyond what was normalized
                if !canGrowAhead { return nil }
                ahead *= 2
                continue
            }
            if t.byteRange(r).lowerBound != offset - a { return nil }   // another occurrence first: not this copy's
            let growBack = before < context && a > 0, growAhead = after < context && !final
            if !growBack && !growAhead { return (t, r, a) }
            if growAhead && !canGrowAhead { return nil }   // a prefix that ends before the context
            if growBack { back *= 2 }
            if growAhead { ahead *= 2 }
        }
    }

    /// The start of the character at or before byte `i` where a normalization piece starts
    /// (ASCII, or a character with a normalization boundary before it), or 0.
    private static func pieceStart(atOrBefore i: Int, in u: UnsafeBufferPointer<UInt8>) -> Int {
        let table = NormalizationTable.shared
        var p = min(i, u.count)
        while true {
            while p > 0 && p < u.count && u[p] & 0xC0 == 0x80 { p -= 1 }
            if p == 0 || p >= u.count { return min(p, u.count) }
            var k = p
            let c = decode(u, at: &k)
            if c < 0x80 || table.hasBoundaryBefore(c) { return p }
            p -= 1
        }
    }

    /// The input byte range of characters `r`.
    func byteRange(_ r: ClosedRange<Int>) -> Range<Int> { Int(characters[r.lowerBound].start)..<Int(characters[r.upperBound].end) }

    /// The normalized (and folded) Han/Kana runs of a query phrase, of two or more characters:
    /// the pieces whose occurrences re-ranking examines.
    static func cjkPieces(of text: String, folding: TraditionalFolding?) -> [[UInt32]] {
        cjkPiecesAndWhole(of: text, folding: folding).pieces
    }

    /// ``cjkPieces(of:folding:)``, and whether `text` normalizes to Han/Kana characters and
    /// whitespace only (then a phrase of it matches exactly where its one CJK piece occurs), in
    /// one scan.
    static func cjkPiecesAndWhole(of text: String, folding: TraditionalFolding?) -> (pieces: [[UInt32]], cjkOnly: Bool) {
        var scanned = NormalizedCJKText()
        var t = text
        t.withUTF8 { scanned.load($0, folding: folding) }
        var pieces: [[UInt32]] = [], run: [UInt32] = []
        var cjkOnly = true
        for c in scanned.characters.map(\.value) {
            let cls = CharacterClass.of(c)
            if cls == .hanKana { run.append(c); continue }
            if cls != .space { cjkOnly = false }
            if cls == .space && !run.isEmpty { continue }
            if run.count >= 2 { pieces.append(run) }
            run.removeAll()
        }
        if run.count >= 2 { pieces.append(run) }
        return (pieces, cjkOnly)
    }
}
