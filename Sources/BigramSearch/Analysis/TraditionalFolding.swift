/// Traditional→Simplified Chinese folding (TheContract.md, analysis option 7), one character at a time.
///
/// ICU's "Traditional-Simplified" transliterator runs at ~5 MB/s, so it is asked once per
/// character of the CJK blocks (U+3400–U+9FFF), lazily on first use, and the answers are kept in a
/// table. Characters whose simplified form is not exactly one character (none in practice) and
/// characters outside the table are left unchanged. Folding is one-to-one per character: a
/// Traditional character that corresponds to several Simplified ones (乾→干/乾, 後→后) gets the
/// transliterator's context-free choice, so `乾隆` folds to `干隆`; see the README.
struct TraditionalFolding: Sendable {
    static let range: ClosedRange<UInt32> = 0x3400...0x9FFF
    private let table: [UInt32]

    /// nil when ICU has no Traditional-Simplified transliterator (a stripped ICU data file).
    static let shared: TraditionalFolding? = ICU.traditionalToSimplified(range).map(TraditionalFolding.init(table:))

    @inline(__always)
    func fold(_ c: UInt32) -> UInt32 {
        guard c >= Self.range.lowerBound && c <= Self.range.upperBound else { return c }
        return table[Int(c - Self.range.lowerBound)]
    }
}
