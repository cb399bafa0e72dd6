/// A ``CompiledFilter`` resolved against one segment's column (a keyword value looked up in the
/// column's dictionary once): a scan of the column for the documents that pass, or a test of one
/// document in O(1) — a numeric value read, or a keyword document's few ordinals — so that an
/// AND of text and filters tests each text candidate before its positions are read
/// (``DocumentRestriction``).
///
/// A final class of immutable columns: testing a document reads them in place, where a struct
/// would copy a column (its buffer and its strings, each a reference count) on every test.
final class ColumnTest {
    private let numeric: NumericColumn?
    private let range: ClosedRange<Int64>
    private let keyword: KeywordColumn?
    private let ordinals: Range<Int>

    init(_ filter: CompiledFilter, segment: Segment) {
        var numeric: NumericColumn?, range: ClosedRange<Int64> = 0...0
        var keyword: KeywordColumn?, ordinals = 0..<0
        if filter.field < segment.columns.count, let column = segment.columns[filter.field] {
            switch (filter.test, column) {
            case (.numeric(let r?), .numeric(let c)):
                numeric = c; range = r
            case (.keyword(let value), .keyword(let c)):
                if let o = c.ordinal(ofBytes: value) { keyword = c; ordinals = o..<(o + 1) }
            case (.keywordRange(let lower, let li, let upper, let ui), .keyword(let c)):
                let lo = lower.map { li ? c.lowerBound($0) : c.upperBound($0) } ?? 0
                let hi = upper.map { ui ? c.upperBound($0) : c.lowerBound($0) } ?? c.valueCount
                if lo < hi { keyword = c; ordinals = lo..<hi }
            default:
                break   // no column of that kind, or no value can pass: nothing passes
            }
        }
        self.numeric = numeric; self.range = range
        self.keyword = keyword; self.ordinals = ordinals
    }

    /// Whether document `doc` (below the segment's document count) passes.
    ///
    /// - Complexity: O(1) for a numeric field; O(the document's values) for a keyword field.
    @inline(__always) func passes(_ doc: UInt32) -> Bool {
        if let numeric { return numeric.contains(Int(doc), in: range) }
        if let keyword { return keyword.contains(Int(doc), ordinalIn: ordinals) }
        return false
    }

    /// The documents that pass (of `candidates` when given), ascending.
    ///
    /// - Complexity: O(candidates) with candidates; else a scan of the column (see
    ///   ``NumericColumn/forEachMatchingGroup(_:_:)``, ``KeywordColumn/matching(ordinals:)``).
    func documents(among candidates: DocumentSet?) -> [UInt32] {
        if let c = numeric { return candidates.map { c.matching(range, among: $0.members) } ?? c.matching(range) }
        if let c = keyword { return candidates.map { c.matching(ordinals: ordinals, among: $0.members) } ?? c.matching(ordinals: ordinals) }
        return []
    }
}
