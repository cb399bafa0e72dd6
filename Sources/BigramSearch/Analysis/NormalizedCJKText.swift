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

    /// Replaces the contents with the characters of `utf8`.
    ///
    /// - Complexity: O(n) in the bytes, one table load per character.
    mutating func load(_ utf8: UnsafeBufferPointer<UInt8>, folding: TraditionalFolding?) {
        characters.removeAll(keepingCapacity: true)
        characters.reserveCapacity(utf8.count)
        let table = NormalizationTable.shared
        let n = utf8.count
        var i = 0
        var pieceStart = -1
        var pieceFirst: UInt32 = 0
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
            let c = Self.decode(utf8, at: &i)
            if pieceStart < 0 || table.hasBoundaryBefore(c) {
                if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: start, table, folding) }
                pieceStart = start
                pieceFirst = c
            } else {
                if piece.isEmpty { piece.append(pieceFirst) }
                piece.append(c)
            }
        }
        if pieceStart >= 0 { finishPiece(pieceFirst, start: pieceStart, end: n, table, folding) }
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

    /// The input byte range of characters `r`.
    func byteRange(_ r: ClosedRange<Int>) -> Range<Int> { Int(characters[r.lowerBound].start)..<Int(characters[r.upperBound].end) }

    /// The normalized (and folded) Han/Kana runs of a query phrase, of two or more characters:
    /// the pieces whose occurrences re-ranking examines.
    static func cjkPieces(of text: String, folding: TraditionalFolding?) -> [[UInt32]] {
        var scanned = NormalizedCJKText()
        var t = text
        t.withUTF8 { scanned.load($0, folding: folding) }
        var pieces: [[UInt32]] = [], run: [UInt32] = []
        for c in scanned.characters.map(\.value) {
            let cls = CharacterClass.of(c)
            if cls == .hanKana { run.append(c); continue }
            if cls == .space && !run.isEmpty { continue }
            if run.count >= 2 { pieces.append(run) }
            run.removeAll()
        }
        if run.count >= 2 { pieces.append(run) }
        return pieces
    }
}
