/// NFKC_Casefold (TheContract.md, analysis rule 1) as a lookup table, so that normalizing costs one load per
/// character and every output character still knows which input characters it came from.
///
/// ICU normalizes a string piecewise between code points that "have a boundary before" them (they
/// never combine with what precedes). A piece of one code point — almost every piece in practice —
/// is looked up here; a longer piece (a base letter and combining marks, Hangul jamo) goes to ICU.
///
/// One deliberate difference from ICU: NFKC_Casefold deletes default-ignorable characters (soft
/// hyphen U+00AD, zero-width space U+200B, BOM U+FEFF…), which would silently join the text around
/// them (`中\u{AD}国` into `中国`). The reference rule (plain NFKC + case fold) keeps them, so they
/// separate words and runs; here they become ``separator`` (U+0000), which does exactly that.
struct NormalizationTable: Sendable {
    /// For each BMP code point: its normalization if that is one code point, else
    /// `expansionFlag | start << 8 | count`, pointing into `expansions` (count may be 0: ignorables).
    private let bmp: [UInt32]
    private let expansions: [UInt32]
    /// One bit per BMP code point: set when it has a normalization boundary before it.
    private let boundaryBefore: [UInt64]

    static let expansionFlag: UInt32 = 0x8000_0000
    /// What a deleted (default-ignorable) character becomes: a control character, which ends runs
    /// and words and is never a term.
    static let separator: UInt32 = 0

    static let shared = NormalizationTable()

    private init() {
        // One ICU call describes the BMP; only code points whose normalization is not a single
        // code point (≈ 5,000: ligatures, compatibility forms, ignorables) are asked again.
        guard let (single, bits) = ICU.nfkcCasefoldBMPTable() else {
            // Without ICU's normalizer (never in practice: it is part of libicuuc) fall back to
            // identity, which still gives a consistent index.
            bmp = (0..<0x10000).map { UInt32($0) }
            expansions = []
            boundaryBefore = [UInt64](repeating: ~0, count: 0x10000 / 64)
            return
        }
        var bmp = single
        var expansions: [UInt32] = []
        for cp in 0..<0x10000 where single[cp] == UInt32.max {
            var mapped = ICU.nfkcCasefold([UInt16(cp)]).map(Self.scalars(ofUTF16:)) ?? [UInt32(cp)]
            if mapped.isEmpty { mapped = [Self.separator] }
            if mapped.count == 1 {
                bmp[cp] = mapped[0]
            } else {
                bmp[cp] = Self.expansionFlag | UInt32(expansions.count) << 8 | UInt32(mapped.count)
                expansions.append(contentsOf: mapped)
            }
        }
        self.bmp = bmp
        self.expansions = expansions
        self.boundaryBefore = bits
    }

    @inline(__always)
    func hasBoundaryBefore(_ c: UInt32) -> Bool {
        if c < 0x300 { return true }
        if c >= 0x10000 { return !Self.isSupplementaryIdeograph(c) ? ICU.hasNormalizationBoundaryBefore(c) : true }
        return boundaryBefore[Int(c >> 6)] & (1 << UInt64(c & 63)) != 0
    }

    /// The normalization of the single code point `c` when it is one code point (almost always),
    /// else nil (then use ``forEachMapping(of:_:)``).
    @inline(__always)
    func single(_ c: UInt32) -> UInt32? {
        if c < 0x10000 {
            let m = bmp[Int(c)]
            return m & Self.expansionFlag == 0 ? m : nil
        }
        return Self.isSupplementaryIdeograph(c) ? c : nil
    }

    /// Calls `body` with each code point of the normalization of the single code point `c`.
    @inline(__always)
    func forEachMapping(of c: UInt32, _ body: (UInt32) -> Void) {
        if c < 0x10000 {
            let m = bmp[Int(c)]
            if m & Self.expansionFlag == 0 { body(m); return }
            let start = Int((m & 0x7FFF_FFFF) >> 8), count = Int(m & 0xFF)
            for k in start..<(start + count) { body(expansions[k]) }
        } else if Self.isSupplementaryIdeograph(c) {
            body(c)
        } else {
            forEachMapping(ofPiece: [c], body)
        }
    }

    /// Normalizes a piece of several code points (ICU call).
    func forEachMapping(ofPiece piece: [UInt32], _ body: (UInt32) -> Void) {
        var utf16: [UInt16] = []
        for c in piece { utf16.append(contentsOf: Unicode.UTF16.encode(Unicode.Scalar(c)!)!) }
        let out = ICU.nfkcCasefold(utf16).map(Self.scalars(ofUTF16:)) ?? piece
        if out.isEmpty { body(Self.separator) }
        for m in out { body(m) }
    }

    /// CJK Extension B–H ideographs: unchanged by NFKC_Casefold, boundaries on both sides.
    /// (U+2F800–2FA1F, compatibility ideographs, do change and are left to ICU.)
    @inline(__always)
    static func isSupplementaryIdeograph(_ c: UInt32) -> Bool {
        (c >= 0x20000 && c < 0x2F800) || (c > 0x2FA1F && c <= 0x323AF)
    }

    static func scalars(ofUTF16 units: [UInt16]) -> [UInt32] {
        var out: [UInt32] = []
        for r in Unicode.UTF16.decode(units) { out.append(r.value) }
        return out
    }
}

extension Unicode.UTF16 {
    static func decode(_ units: [UInt16]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        var it = units.makeIterator()
        var decoder = Unicode.UTF16()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): result.append(s)
            case .emptyInput: break loop
            case .error: result.append("\u{FFFD}")
            }
        }
        return result
    }
}
