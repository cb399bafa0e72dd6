import Testing
@testable import BigramSearch

// The value columns on their own (NumericColumn, KeywordColumn, ColumnMerge): encoded by the
// builders, compared byte for byte with a bit-by-bit reference encoding of the layout
// (docs/FORMAT.md §Numeric column, §Keyword column), read back against the plain values, merged
// with deletions against a build of the live values, and damaged (bit flips, bytes and header
// fields set, truncations) without a trap: each damaged column is refused or reads as values.

// MARK: - Reference encodings (straight from the layout, one bit at a time)

/// Little-endian bytes and a least-significant-bit-first bit stream, one bit at a time.
private struct ReferenceBytes {
    var bytes: [UInt8] = []
    private var bits: [Bool] = []

    mutating func u32(_ v: Int) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: UInt64(v) >> UInt64(8 * k))) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) } }

    /// `width` bits of `v`, lowest first, into the current bit stream.
    mutating func bits(_ v: UInt64, width: Int) { for k in 0..<width { bits.append(v >> UInt64(k) & 1 == 1) } }

    /// Ends the current bit stream: its bits into bytes, the last one padded with zeros.
    mutating func endBits() {
        var k = 0
        while k < bits.count {
            var byte: UInt8 = 0
            for j in 0..<8 where k + j < bits.count && bits[k + j] { byte |= 1 << UInt8(j) }
            bytes.append(byte)
            k += 8
        }
        bits.removeAll()
    }
}

/// Bits of `v`: 0 for 0.
private func bitWidth(_ v: UInt64) -> Int { v == 0 ? 0 : 64 - v.leadingZeroBitCount }

/// The numeric column of `values`, written from the layout's description.
private func referenceNumeric(_ values: [Int64?]) -> [UInt8] {
    let present = values.compactMap { $0 }
    let minimum = present.min() ?? 0, maximum = present.max() ?? 0
    let width = bitWidth(UInt64(bitPattern: maximum) &- UInt64(bitPattern: minimum))
    var r = ReferenceBytes()
    r.u32(values.count)
    r.u32(present.count)
    r.u64(UInt64(bitPattern: minimum))
    r.u64(UInt64(bitPattern: maximum))
    r.bytes.append(UInt8(width))
    r.bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0])
    if !present.isEmpty && present.count < values.count {
        for w in 0..<(values.count + 63) / 64 {
            var word: UInt64 = 0
            for j in 0..<64 where 64 * w + j < values.count && values[64 * w + j] != nil { word |= 1 << UInt64(j) }
            r.u64(word)
        }
    }
    for v in values { r.bits(v.map { UInt64(bitPattern: $0) &- UInt64(bitPattern: minimum) } ?? 0, width: width) }
    r.endBits()
    r.bytes.append(contentsOf: [UInt8](repeating: 0, count: 8))
    return r.bytes
}

/// The keyword column of `values`, written from the layout's description.
private func referenceKeyword(_ values: [[String]]) -> [UInt8] {
    let model = KeywordModel(values)
    var r = ReferenceBytes()
    let valueBytes = model.dictionary.reduce(0) { $0 + $1.count }
    let ordinals = model.documents.reduce(0) { $0 + $1.count }
    r.u32(values.count)
    r.u32(model.dictionary.count)
    r.u32(ordinals)
    r.u32(valueBytes)
    var offset = 0
    r.bits(0, width: bitWidth(UInt64(valueBytes)))
    for v in model.dictionary { offset += v.count; r.bits(UInt64(offset), width: bitWidth(UInt64(valueBytes))) }
    r.endBits()
    for v in model.dictionary { r.bytes.append(contentsOf: v) }
    var start = 0
    r.bits(0, width: bitWidth(UInt64(ordinals)))
    for d in model.documents { start += d.count; r.bits(UInt64(start), width: bitWidth(UInt64(ordinals))) }
    r.endBits()
    let wo = bitWidth(UInt64(max(model.dictionary.count, 1) - 1))
    for d in model.documents { for o in d { r.bits(UInt64(o), width: wo) } }
    r.endBits()
    r.bytes.append(contentsOf: [UInt8](repeating: 0, count: 8))
    return r.bytes
}

/// What a keyword column of `values` holds: the distinct values in byte order, each document's
/// ordinals ascending and distinct.
private struct KeywordModel {
    let dictionary: [[UInt8]]
    let documents: [[Int]]

    init(_ values: [[String]]) {
        let distinct = Set(values.joined().map { Array($0.utf8) })
        dictionary = distinct.sorted { $0.lexicographicallyPrecedes($1) }
        var ordinal: [[UInt8]: Int] = [:]
        for (k, v) in dictionary.enumerated() { ordinal[v] = k }
        documents = values.map { Set($0.map { ordinal[Array($0.utf8)]! }).sorted() }
    }

    func string(_ o: Int) -> String { String(decoding: dictionary[o], as: UTF8.self) }

    /// The first ordinal whose value satisfies `test` (false up to some value, true from there
    /// on), or the value count.
    func firstIndex(where test: ([UInt8]) -> Bool) -> Int {
        var lo = 0, hi = dictionary.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if test(dictionary[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

// MARK: - Checks against the plain values

private func numericColumn(_ bytes: [UInt8], _ n: Int) throws -> NumericColumn {
    try NumericColumn(ByteBuffer(bytes), documentCount: n, path: "test.bgs")
}

private func keywordColumn(_ bytes: [UInt8], _ n: Int) throws -> KeywordColumn {
    try KeywordColumn(ByteBuffer(bytes), documentCount: n, path: "test.bgs")
}

/// Ranges to filter `values` with: around and between the values present, the extremes, empty
/// overlaps, the whole line.
private func interestingRanges(_ values: [Int64?], _ rng: inout SplitMix64) -> [ClosedRange<Int64>] {
    let present = values.compactMap { $0 }
    var ends: [Int64] = [Int64.min, Int64.max, 0, -1, 1]
    if let lo = present.min(), let hi = present.max() {
        ends += [lo, hi, lo &- 1, hi &+ 1, lo &+ 1, hi &- 1, lo / 2 + hi / 2]
    }
    for _ in 0..<6 where !present.isEmpty {
        let v = rng.pick(present)
        ends += [v, v &- 1, v &+ 1]
    }
    ends.append(Int64(bitPattern: rng.next()))
    var ranges: [ClosedRange<Int64>] = [Int64.min...Int64.max]
    for _ in 0..<(values.count > 200 ? 4 : 12) {   // (fewer for long columns)
        let a = rng.pick(ends), b = rng.pick(ends)
        ranges.append(min(a, b)...max(a, b))
    }
    if let v = present.first { ranges.append(v...v) }
    return ranges
}

/// Reads every document of `column` and filters it with ranges; records an issue for each
/// difference from `values`.
private func checkNumeric(_ column: NumericColumn, _ values: [Int64?], _ rng: inout SplitMix64,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    let present = values.compactMap { $0 }
    #expect(column.documentCount == values.count, sourceLocation: sourceLocation)
    #expect(column.presentCount == present.count, sourceLocation: sourceLocation)
    #expect(column.minimum == (present.min() ?? 0) && column.maximum == (present.max() ?? 0), sourceLocation: sourceLocation)
    let read = (0..<column.documentCount).map { column.value($0) }
    #expect(read == values, "values differ", sourceLocation: sourceLocation)
    #expect((0..<column.documentCount).allSatisfy { column.hasValue($0) == (values[$0] != nil) }, sourceLocation: sourceLocation)
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try column.checkStructure() }
    // Candidates: a random ascending subset of the documents.
    let candidates = (0..<values.count).filter { _ in rng.chance(30) }.map { UInt32($0) }
    for range in interestingRanges(values, &rng) {
        let expected = values.indices.filter { values[$0].map(range.contains) ?? false }.map { UInt32($0) }
        #expect(column.matching(range) == expected, "range \(range)", sourceLocation: sourceLocation)
        var set = DocumentSet(capacity: values.count)
        column.matching(range, into: &set)
        #expect(set.members == expected, "range \(range) into a set", sourceLocation: sourceLocation)
        let among = candidates.filter { values[Int($0)].map(range.contains) ?? false }
        #expect(column.matching(range, among: candidates) == among, "range \(range) among candidates", sourceLocation: sourceLocation)
        let contained = values.indices.filter { column.contains($0, in: range) }.map { UInt32($0) }
        #expect(contained == expected, "range \(range) by contains", sourceLocation: sourceLocation)
    }
}

/// The column of `values` is the reference encoding, opens, reads back as `values` and passes
/// the full check.
@discardableResult
private func roundTripNumeric(_ values: [Int64?], _ rng: inout SplitMix64,
                              sourceLocation: SourceLocation = #_sourceLocation) -> NumericColumn? {
    let bytes = NumericColumnBuilder.encode(values)
    #expect(bytes == referenceNumeric(values), "\(values.count) values: the bytes differ from the layout", sourceLocation: sourceLocation)
    do {
        let column = try numericColumn(bytes, values.count)
        checkNumeric(column, values, &rng, sourceLocation: sourceLocation)
        return column
    } catch {
        Issue.record("a column of \(values.count) values does not open: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func checkKeyword(_ column: KeywordColumn, _ values: [[String]], _ rng: inout SplitMix64,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    let model = KeywordModel(values)
    #expect(column.documentCount == values.count, sourceLocation: sourceLocation)
    #expect(column.valueCount == model.dictionary.count, sourceLocation: sourceLocation)
    #expect(column.ordinalCount == model.documents.reduce(0) { $0 + $1.count }, sourceLocation: sourceLocation)
    #expect((0..<column.valueCount).map { column.valueBytes($0) } == model.dictionary, "dictionary", sourceLocation: sourceLocation)
    #expect((0..<column.valueCount).map { column.string($0) } == model.dictionary.indices.map(model.string),
            sourceLocation: sourceLocation)
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try column.checkStructure() }
    // Each document (of long columns, a sample: these reads are slow in a debug build).
    var documentsOK = true
    let sample = values.count <= 300 ? Array(0..<values.count) : [0, values.count - 1] + (0..<300).map { _ in rng.int(0..<values.count) }
    for d in sample {
        let expected = model.documents[d]
        var seen: [Int] = []
        column.forEachOrdinal(d) { seen.append($0) }
        if Array(column.ordinals(d)) != expected || seen != expected || column.ordinalCount(d) != expected.count
            || column.values(d) != expected.map(model.string)
            || column.firstOrdinal(d) != expected.first || column.lastOrdinal(d) != expected.last {
            documentsOK = false
        }
    }
    #expect(documentsOK, "per-document ordinals differ", sourceLocation: sourceLocation)
    // Lookups: every value, and absent neighbours; lower and upper bounds against the model.
    var keys = model.dictionary.count <= 300 ? model.dictionary : (0..<300).map { _ in rng.pick(model.dictionary) }
    for v in keys {
        keys.append(v + [0])
        keys.append(v + [0xFF])
        if !v.isEmpty { keys.append(Array(v.dropLast())); var w = v; w[w.count - 1] &+= 1; keys.append(w) }
    }
    keys += [[], [0xFF, 0xFF], Array("zzz".utf8), Array("没有".utf8)]
    var lookupsOK = true
    var index: [[UInt8]: Int] = [:]
    for (k, v) in model.dictionary.enumerated() { index[v] = k }
    for key in keys {
        let exact = index[key]
        let lower = model.firstIndex { !$0.lexicographicallyPrecedes(key) }
        let upper = model.firstIndex { key.lexicographicallyPrecedes($0) }
        if column.ordinal(ofBytes: key) != exact || column.lowerBound(key) != lower || column.upperBound(key) != upper {
            lookupsOK = false
        }
        if let s = String(validating: key, as: UTF8.self), column.ordinal(of: s) != exact { lookupsOK = false }
    }
    #expect(lookupsOK, "lookups differ", sourceLocation: sourceLocation)
    // Filters: single values and ranges of ordinals, over all documents and among candidates.
    let candidates = (0..<values.count).filter { _ in rng.chance(40) }.map { UInt32($0) }
    var ranges: [Range<Int>] = [0..<0, 0..<model.dictionary.count, model.dictionary.count..<(model.dictionary.count + 1)]
    for _ in 0..<(values.count > 200 ? 2 : 8) where !model.dictionary.isEmpty {   // (fewer for long columns)
        let a = rng.int(0...model.dictionary.count), b = rng.int(0...model.dictionary.count)
        ranges.append(min(a, b)..<max(a, b))
        let o = rng.int(0..<model.dictionary.count)
        ranges.append(o..<(o + 1))
    }
    for r in ranges {
        let expected = model.documents.indices.filter { model.documents[$0].contains(where: r.contains) }.map { UInt32($0) }
        #expect(column.matching(ordinals: r) == expected, "ordinals \(r)", sourceLocation: sourceLocation)
        var set = DocumentSet(capacity: values.count)
        column.matching(ordinals: r, into: &set)
        #expect(set.members == expected, "ordinals \(r) into a set", sourceLocation: sourceLocation)
        let expectedSet = Set(expected)
        #expect(column.matching(ordinals: r, among: candidates) == candidates.filter { expectedSet.contains($0) },
                "ordinals \(r) among candidates", sourceLocation: sourceLocation)
    }
    // Facets: of the candidates, of a set of them, of all documents.
    var expectedCounts = [Int](repeating: 0, count: model.dictionary.count)
    for d in candidates { for o in model.documents[Int(d)] { expectedCounts[o] += 1 } }
    var counts = [Int](repeating: 0, count: column.valueCount)
    column.countOrdinals(of: candidates, into: &counts)
    #expect(counts == expectedCounts, "facet counts of candidates", sourceLocation: sourceLocation)
    var set = DocumentSet(capacity: values.count)
    for d in candidates { set.insert(d) }
    counts = [Int](repeating: 0, count: column.valueCount)
    column.countOrdinals(of: set, into: &counts)
    #expect(counts == expectedCounts, "facet counts of a set", sourceLocation: sourceLocation)
    var allCounts = [Int](repeating: 0, count: model.dictionary.count)
    for d in model.documents { for o in d { allCounts[o] += 1 } }
    counts = [Int](repeating: 0, count: column.valueCount)
    column.countAllOrdinals(into: &counts)
    #expect(counts == allCounts, "facet counts of all documents", sourceLocation: sourceLocation)
}

@discardableResult
private func roundTripKeyword(_ values: [[String]], _ rng: inout SplitMix64,
                              sourceLocation: SourceLocation = #_sourceLocation) -> KeywordColumn? {
    let bytes = KeywordColumnBuilder.encode(values)
    #expect(bytes == referenceKeyword(values), "\(values.count) documents: the bytes differ from the layout", sourceLocation: sourceLocation)
    do {
        let column = try keywordColumn(bytes, values.count)
        checkKeyword(column, values, &rng, sourceLocation: sourceLocation)
        return column
    } catch {
        Issue.record("a column of \(values.count) documents does not open: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

// MARK: - Random columns

/// A random numeric column: sizes mostly small, some past a few 64-document groups; values
/// missing never, sometimes, mostly or always; values from narrow ranges, full 64-bit
/// patterns, the extremes, a constant, dates, or a chosen bit width.
private func randomNumeric(_ rng: inout SplitMix64) -> [Int64?] {
    let n = rng.chance(5) ? rng.int(0...2_000) : rng.int(0...150)
    let missing = rng.pick([0, 0, 0, 5, 50, 95, 100])
    let base = Int64(bitPattern: rng.next())
    let kind = rng.int(0..<7)
    let width = rng.int(0...64)
    return (0..<n).map { _ -> Int64? in
        if rng.chance(missing) { return nil }
        switch kind {
        case 0: return base &+ Int64(rng.int(0...100))
        case 1: return Int64(bitPattern: rng.next())
        case 2: return rng.pick([Int64.min, Int64.max, 0, -1, 1, Int64.min + 1, Int64.max - 1])
        case 3: return base
        case 4: return 1_700_000_000_000 + Int64(rng.int(-86_400_000...86_400_000))   // dates (ms)
        case 5: return Int64(rng.int(-3...3))
        default: return base &+ Int64(bitPattern: rng.next() & ColumnBits.mask(width))
        }
    }
}

/// Random keyword values: short ASCII, the empty string, Han characters, emoji (with modifiers
/// and joiners), combining marks, NUL, long values, from a small or a large vocabulary.
private func randomKeywordValues(_ rng: inout SplitMix64) -> [[String]] {
    let fixed = ["", "a", "b", "ab", "abc", "A", "Z", "zz", "中文", "中", "北京", "日本語", "😀", "👍🏽", "👨‍👩‍👧",
                 "é", "e\u{301}", "\u{0}", "a\u{0}", "ñ", "Ωmega", " ", "\u{10FFFF}", String(repeating: "x", count: 300)]
    let alphabet: [Character] = ["a", "b", "c", "中", "文", "é", "😀", "-", "0"]
    let vocabulary: [String]
    switch rng.int(0..<4) {
    case 0: vocabulary = [rng.pick(fixed)]
    case 1: vocabulary = fixed
    case 2: vocabulary = (0..<rng.int(1...40)).map { _ in String((0..<rng.int(0...6)).map { _ in rng.pick(alphabet) }) }
    default: vocabulary = (0..<rng.int(100...600)).map { "v\($0 * 7919 % 1000)-\(rng.int(0..<3))" }
    }
    let n = rng.chance(5) ? rng.int(0...1_500) : rng.int(0...120)
    let maxValues = rng.pick([1, 2, 4, 8])
    let empty = rng.pick([0, 10, 50, 100])
    return (0..<n).map { _ -> [String] in
        if rng.chance(empty) { return [] }
        return (0..<rng.int(1...maxValues)).map { _ in rng.pick(vocabulary) }   // duplicates too
    }
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct ValueColumnTests {
    // MARK: Numeric

    @Test func numericRandomColumns() {
        var rng = SplitMix64(0xC01_0001)
        for _ in 0..<2_000 { roundTripNumeric(randomNumeric(&rng), &rng) }
    }

    @Test func numericEdgeCases() throws {
        var rng = SplitMix64(0xC01_0002)
        // No documents: the 40 bytes of an empty column.
        let none = try #require(roundTripNumeric([], &rng))
        #expect(none.bytes.count == 40 && none.matching(Int64.min...Int64.max).isEmpty)
        // Every value missing: no presence bitmap, no values, whatever the count.
        for n in [1, 63, 64, 65, 1_000] {
            let c = try #require(roundTripNumeric(Array(repeating: nil, count: n), &rng))
            #expect(c.bytes.count == 40 && c.width == 0 && c.presentCount == 0)
            #expect(NumericColumnBuilder.empty(documentCount: n) == c.bytes.array(0..<c.bytes.count))
        }
        // One value; one value among missing ones (bitmap, width 0).
        for v: Int64 in [0, 1, -1, Int64.min, Int64.max] {
            let c = try #require(roundTripNumeric([v], &rng))
            #expect(c.width == 0 && c.bytes.count == 40)
            let d = try #require(roundTripNumeric([nil, v, nil], &rng))
            #expect(d.width == 0 && d.bytes.count == 48)
        }
        // Every value equal: width 0, no bytes of values.
        let same = try #require(roundTripNumeric(Array(repeating: 42, count: 500), &rng))
        #expect(same.width == 0 && same.bytes.count == 40)
        // Int64.min and Int64.max together: width 64, the difference overflows Int64.
        let extremes: [Int64?] = [Int64.min, Int64.max, 0, nil, -1, 1, Int64.min + 1, Int64.max - 1]
        let wide = try #require(roundTripNumeric(extremes, &rng))
        #expect(wide.width == 64)
        #expect(wide.matching(Int64.min...Int64.min) == [0] && wide.matching(Int64.max...Int64.max) == [1])
        #expect(wide.matching(-1...1) == [2, 4, 5])
        #expect(wide.matching((Int64.min + 1)...(Int64.max - 1)) == [2, 4, 5, 6, 7])
        // Negative values only.
        roundTripNumeric([-5, -3, nil, -1_000_000_000_000], &rng)
    }

    /// Widths at the edges of the 32-bit and single-load reads, with the extremes present, at
    /// offsets that put values across every byte boundary; low and high minimums.
    @Test(arguments: [1, 7, 8, 31, 32, 33, 56, 57, 58, 63, 64])
    func numericWidths(_ width: Int) throws {
        var rng = SplitMix64(0xC01_0003 + UInt64(width))
        let span = ColumnBits.mask(width)
        let lows: [Int64] = width == 64 ? [Int64.min]
            : [-Int64(bitPattern: (span >> 1) &+ 1), 0, Int64.max - Int64(bitPattern: span), Int64.min]
        for low in lows {
            for n in [2, 9, 64, 65, 200] {
                var values: [Int64?] = (0..<n).map { _ in
                    rng.chance(10) ? nil : Int64(bitPattern: UInt64(bitPattern: low) &+ (rng.next() & span))
                }
                let lowAt = rng.int(0..<n)
                values[lowAt] = low
                values[(lowAt + rng.int(1..<n)) % n] = Int64(bitPattern: UInt64(bitPattern: low) &+ span)
                let c = try #require(roundTripNumeric(values, &rng))
                #expect(c.width == width, "low \(low), \(n) documents")
            }
        }
    }

    @Test func sortableDoubles() throws {
        let specials: [Double] = [
            -.infinity, -.greatestFiniteMagnitude, -1e300, -2.5, -1, -Double.leastNormalMagnitude,
            -Double.leastNormalMagnitude.nextDown, -Double.leastNonzeroMagnitude, -0.0, 0.0,
            Double.leastNonzeroMagnitude, Double.leastNonzeroMagnitude.nextUp, Double.leastNormalMagnitude.nextDown,
            Double.leastNormalMagnitude, 1e-300, 0.1, 1, 1.0.nextUp, 2.5, 1e300, .greatestFiniteMagnitude, .infinity,
        ]
        var rng = SplitMix64(0xC01_0004)
        var doubles = specials
        while doubles.count < 5_000 {
            let d = Double(bitPattern: rng.next())
            if !d.isNaN { doubles.append(d) }
        }
        doubles += (0..<500).map { _ in Double(rng.int(-1_000...1_000)) / 8 }
        // Order and equality preserved; -0.0 is 0; the inverse gives the double back.
        var ok = true
        for a in doubles {
            let x = NumericColumn.sortableBits(a)
            let back = NumericColumn.double(sortableBits: x)
            if back != a || (a == 0 && (x != 0 || back.sign == .minus)) { ok = false }
        }
        #expect(ok, "round trip")
        #expect(NumericColumn.sortableBits(-0.0) == 0 && NumericColumn.sortableBits(0.0) == 0)
        ok = true
        for _ in 0..<20_000 {
            let a = rng.pick(doubles), b = rng.pick(doubles)
            let x = NumericColumn.sortableBits(a), y = NumericColumn.sortableBits(b)
            if (a < b) != (x < y) || (a == b) != (x == y) { ok = false }
        }
        #expect(ok, "order")
        #expect(zip(specials, specials.dropFirst()).allSatisfy { a, b in
            a == b ? NumericColumn.sortableBits(a) == NumericColumn.sortableBits(b)
                : NumericColumn.sortableBits(a) < NumericColumn.sortableBits(b)
        })
        // A column of doubles, filtered with double ranges.
        let values: [Double?] = (0..<300).map { _ in rng.chance(10) ? nil : rng.pick(doubles) }
        let c = try #require(roundTripNumeric(values.map { $0.map(NumericColumn.sortableBits) }, &rng))
        #expect((0..<300).allSatisfy { d in c.value(d).map(NumericColumn.double(sortableBits:)) == values[d] })
        for (lo, hi) in [(-1.0, 1.0), (-0.0, 0.0), (0.0, .infinity), (-.infinity, -.leastNonzeroMagnitude),
                         (-.infinity, .infinity), (1e-300, 1e300)] {
            let range = NumericColumn.sortableBits(lo)...NumericColumn.sortableBits(hi)
            let expected = values.indices.filter { values[$0].map { $0 >= lo && $0 <= hi } ?? false }.map { UInt32($0) }
            #expect(c.matching(range) == expected, "\(lo)...\(hi)")
        }
    }

    // MARK: Keyword

    @Test func keywordRandomColumns() {
        var rng = SplitMix64(0xC01_0005)
        for _ in 0..<1_000 { roundTripKeyword(randomKeywordValues(&rng), &rng) }
    }

    @Test func keywordEdgeCases() throws {
        var rng = SplitMix64(0xC01_0006)
        // No documents; documents without values.
        let none = try #require(roundTripKeyword([], &rng))
        #expect(none.valueCount == 0 && none.ordinal(of: "") == nil && none.matching(ordinals: 0..<1).isEmpty)
        for n in [1, 5, 64, 1_000] {
            let c = try #require(roundTripKeyword(Array(repeating: [], count: n), &rng))
            #expect(c.valueCount == 0 && c.ordinalCount == 0)
            #expect(KeywordColumnBuilder.empty(documentCount: n) == c.bytes.array(0..<c.bytes.count))
        }
        // The empty string is a value (the smallest); a document holding it is not a document
        // without values.
        let e = try #require(roundTripKeyword([[""], [], ["", "a"], ["a", ""]], &rng))
        #expect(e.valueCount == 2 && e.ordinal(of: "") == 0 && e.values(0) == [""] && e.values(1) == [])
        #expect(e.matching(ordinals: 0..<1) == [0, 2, 3])
        // Duplicates within a document count once.
        let dup = try #require(roundTripKeyword([["x", "x", "y", "x"], ["y", "y"]], &rng))
        #expect(dup.values(0) == ["x", "y"] && dup.ordinalCount == 3)
        var counts = [0, 0]
        dup.countOrdinals(of: [0, 1], into: &counts)
        #expect(counts == [1, 2])
        // Byte order, not Unicode or locale order; canonically equivalent strings are distinct.
        let order = try #require(roundTripKeyword([["b", "B", "é", "e\u{301}", "中", "😀", "z", "\u{0}"]], &rng))
        #expect(order.values(0) == ["\u{0}", "B", "b", "e\u{301}", "z", "é", "中", "😀"])
        #expect(order.ordinal(of: "é") != order.ordinal(of: "e\u{301}"))
        // Thousands of distinct values (ordinal width 13), one per document and many per document.
        let many = (0..<5_000).map { ["value-\(($0 * 7_919) % 5_000)"] }
        let m = try #require(roundTripKeyword(many, &rng))
        #expect(m.valueCount == 5_000 && m.string(0) == "value-0" && m.ordinal(of: "value-4999") != nil)
        let wide = [(0..<3_000).map { "w\($0)" }, [], (0..<3_000).filter { $0 % 3 == 0 }.map { "w\($0)" }]
        roundTripKeyword(wide, &rng)
        // Non-ASCII values only.
        roundTripKeyword([["北京", "上海"], ["東京"], ["👩‍💻", "🇨🇳"], ["北京"]], &rng)
        // A value of valueCount 1 has ordinals of width 0.
        let one = try #require(roundTripKeyword([["only"], [], ["only"]], &rng))
        #expect(one.matching(ordinals: 0..<1) == [0, 2] && one.bytes.count == 16 + 1 + 4 + 1 + 8)
    }

    // MARK: Merging

    @Test func mergeWithDeletions() throws {
        var rng = SplitMix64(0xC01_0007)
        for round in 0..<300 {
            let partCount = round == 0 ? 0 : rng.int(1...4)
            var numericParts: [(column: NumericColumn, deleted: DocumentSet)] = []
            var keywordParts: [(column: KeywordColumn, deleted: DocumentSet)] = []
            var liveNumbers: [Int64?] = []
            var liveKeywords: [[String]] = []
            for _ in 0..<partCount {
                let numbers = randomNumeric(&rng)
                let n = numbers.count
                let keywords = randomKeywordValues(&rng)
                let m = keywords.count
                let rate = rng.pick([0, 10, 50, 100])
                var deleted = DocumentSet(capacity: max(n, m))
                for d in 0..<max(n, m) where rng.chance(rate) { deleted.insert(UInt32(d)) }
                if rng.chance(20) { deleted.insert(UInt32(max(n, m) + rng.int(0..<100))) }   // past the documents
                numericParts.append((try numericColumn(NumericColumnBuilder.encode(numbers), n), deleted))
                keywordParts.append((try keywordColumn(KeywordColumnBuilder.encode(keywords), m), deleted))
                liveNumbers += numbers.indices.filter { !deleted.contains(UInt32($0)) }.map { numbers[$0] }
                liveKeywords += keywords.indices.filter { !deleted.contains(UInt32($0)) }.map { keywords[$0] }
            }
            let numeric = try ColumnMerge.merge(numericParts)
            #expect(numeric == NumericColumnBuilder.encode(liveNumbers), "round \(round): numeric merge differs from a build")
            let keyword = try ColumnMerge.merge(keywordParts)
            #expect(keyword == KeywordColumnBuilder.encode(liveKeywords), "round \(round): keyword merge differs from a build")
            if round % 10 == 0 {
                checkNumeric(try numericColumn(numeric, liveNumbers.count), liveNumbers, &rng)
                checkKeyword(try keywordColumn(keyword, liveKeywords.count), liveKeywords, &rng)
            }
        }
    }

    /// Parts sharing values, values held only by deleted documents (dropped from the merged
    /// dictionary), and parts without documents or without values.
    @Test func mergeDictionaries() throws {
        let parts: [[[String]]] = [
            [["b", "d"], ["gone"], ["a"]],
            [],
            [["d", "e"], [], ["a", "b", "z"]],
            [[], []],
            [["only-deleted"], ["c"]],
        ]
        let deletions: [[UInt32]] = [[1], [], [], [0], [0]]
        var inputs: [(column: KeywordColumn, deleted: DocumentSet)] = []
        var live: [[String]] = []
        for (values, deleted) in zip(parts, deletions) {
            var set = DocumentSet(capacity: values.count)
            for d in deleted { set.insert(d) }
            inputs.append((try keywordColumn(KeywordColumnBuilder.encode(values), values.count), set))
            live += values.indices.filter { !deleted.contains(UInt32($0)) }.map { values[$0] }
        }
        let merged = try keywordColumn(try ColumnMerge.merge(inputs), live.count)
        #expect((0..<merged.valueCount).map(merged.string) == ["a", "b", "c", "d", "e", "z"])
        #expect((0..<merged.documentCount).map(merged.values) == live)
        #expect(merged.bytes.array(0..<merged.bytes.count) == KeywordColumnBuilder.encode(live))
        #expect(try ColumnMerge.merge([(column: KeywordColumn, deleted: DocumentSet)]()) == KeywordColumnBuilder.encode([]))
        #expect(try ColumnMerge.merge([(column: NumericColumn, deleted: DocumentSet)]()) == NumericColumnBuilder.encode([]))
    }

    // MARK: Damage

    @Test func damagedHeadersAreRefused() throws {
        let numeric = NumericColumnBuilder.encode([5, nil, 9, 7])
        let keyword = KeywordColumnBuilder.encode([["a", "b"], [], ["b"]])
        func refused(_ bytes: [UInt8], numeric: Bool, documents: Int = -1, _ containing: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            let n = documents >= 0 ? documents : (numeric ? 4 : 3)
            do {
                if numeric { _ = try NumericColumn(ByteBuffer(bytes), documentCount: n, path: "seg.bgs", label: "field price") }
                else { _ = try KeywordColumn(ByteBuffer(bytes), documentCount: n, path: "seg.bgs", label: "field tags") }
                Issue.record("accepted; expected a refusal mentioning \"\(containing)\"", sourceLocation: sourceLocation)
            } catch {
                guard case .corrupt(let path, let reason) = error else {
                    Issue.record("\(error)", sourceLocation: sourceLocation); return
                }
                #expect(path == "seg.bgs" && reason.hasPrefix(numeric ? "field price: " : "field tags: "), sourceLocation: sourceLocation)
                #expect(reason.contains(containing), "\(reason)", sourceLocation: sourceLocation)
            }
        }
        func set(_ bytes: [UInt8], _ at: Int, _ v: UInt8) -> [UInt8] { var b = bytes; b[at] = v; return b }
        refused([], numeric: true, "shorter than")
        refused(numeric, numeric: true, documents: 5, "the segment has 5")
        refused(set(numeric, 4, 9), numeric: true, "9 values for 4")
        refused(set(numeric, 4, 4), numeric: true, "describes")            // no bitmap expected: size
        refused(set(numeric, 4, 2), numeric: true, "presence bitmap holds 3")
        refused(set(numeric, 24, 4), numeric: true, "width 4")
        refused(set(numeric, 24, 65), numeric: true, "width 65")
        refused(set(numeric, 27, 1), numeric: true, "header byte 27")
        refused(set(numeric, 8, 10), numeric: true, "minimum 10 above maximum 9")
        refused(set(numeric, numeric.count - 1, 1), numeric: true, "padding byte")
        refused(Array(numeric.dropLast()), numeric: true, "describes")
        refused(numeric + [0], numeric: true, "describes")
        refused(set(numeric, 32, 0b1000_0101), numeric: true, "past the last")
        refused(set(numeric, 40, 0x0F), numeric: true, "beyond the maximum")   // value of document 0: 15 > 4
        refused([], numeric: false, "shorter than")
        refused(keyword, numeric: false, documents: 4, "the segment has 4")
        refused(set(keyword, 4, 4), numeric: false, "some value is unused")
        refused(set(keyword, 8, 7), numeric: false, "more than 3 documents can hold")
        refused(set(keyword, 16 + 0, 0b0000_0101), numeric: false, "starts at 1")
        refused(set(keyword, 16 + 1, UInt8(ascii: "b")), numeric: false, "does not sort after")
        refused(Array(keyword.dropLast()), numeric: false, "describes")
        refused(set(keyword, keyword.count - 2, 1), numeric: false, "padding byte")
    }

    /// Random damage to many columns: each damaged column is refused with a `corrupt` error or
    /// opens and reads without a trap (every method, merges included); and the full check
    /// passes exactly when the bytes are what a build of the values read would write.
    @Test func randomDamageNeverTraps() throws {
        var rng = SplitMix64(0xC01_0008)
        var opened = 0, refused = 0, canonical = 0
        for round in 0..<3_000 {
            let numeric = round % 2 == 0
            let original: [UInt8]
            let n: Int
            if numeric {
                let values = rng.chance(50) ? Array(randomNumeric(&rng).prefix(80)) : [1, nil, Int64.min, Int64.max, 3]
                original = NumericColumnBuilder.encode(values)
                n = values.count
            } else {
                let values = Array(randomKeywordValues(&rng).prefix(60))
                original = KeywordColumnBuilder.encode(values)
                n = values.count
            }
            var bytes = original
            for _ in 0..<rng.int(1...3) {
                switch rng.int(0..<6) {
                case 0, 1:   // bit flips, mostly in the header and the tables at the front
                    let at = rng.chance(50) ? rng.int(0..<min(bytes.count, 48)) : rng.int(0..<bytes.count)
                    bytes[at] ^= 1 << UInt8(rng.int(0..<8))
                case 2:
                    bytes[rng.int(0..<bytes.count)] = rng.pick([0, 0xFF, 1, 0x80, UInt8(truncatingIfNeeded: rng.next())])
                case 3:   // a header field
                    let at = 4 * rng.int(0..<min(bytes.count / 4, numeric ? 6 : 4))
                    let v = rng.pick([0, 1, UInt32.max, UInt32(n), UInt32(n + 1), UInt32(truncatingIfNeeded: rng.next()),
                                      UInt32(bytes[at]) &+ 1, UInt32(bytes[at]) &- 1])
                    for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
                case 4:   // truncated, or with bytes added
                    if rng.chance(50) { bytes.removeLast(rng.int(1...min(bytes.count - 16, 12))) }
                    else { bytes += (0..<rng.int(1...12)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
                default:
                    if numeric { bytes[24] = UInt8(rng.int(0...70)) }
                    else { bytes[rng.int(16..<bytes.count)] = 0 }
                }
                if bytes.count <= 16 { break }
            }
            do {
                if numeric {
                    let c = try NumericColumn(ByteBuffer(bytes), documentCount: n, path: "p")
                    opened += 1
                    let values = (0..<c.documentCount).map { c.value($0) }
                    for range in interestingRanges(values, &rng).prefix(6) {
                        let expected = values.indices.filter { values[$0].map(range.contains) ?? false }.map { UInt32($0) }
                        #expect(c.matching(range) == expected, "round \(round): an opened column filters inconsistently")
                        _ = c.matching(range, among: (0..<UInt32(n)).filter { _ in rng.chance(50) })
                    }
                    var deleted = DocumentSet(capacity: n)
                    if n > 0 { deleted.insert(UInt32(rng.int(0..<n))) }
                    let merged = try ColumnMerge.merge([(c, deleted)])
                    let valid = (try? c.checkStructure()) != nil
                    if valid { canonical += 1 }
                    #expect(valid == (NumericColumnBuilder.encode(values) == bytes), "round \(round): the full check disagrees with a rebuild")
                    #expect(merged == NumericColumnBuilder.encode(values.indices.filter { !deleted.contains(UInt32($0)) }.map { values[$0] }))
                } else {
                    let c = try KeywordColumn(ByteBuffer(bytes), documentCount: n, path: "p")
                    opened += 1
                    let values = (0..<c.documentCount).map { c.values($0) }
                    let all = (0..<UInt32(c.documentCount)).map { $0 }
                    var counts = [Int](repeating: 0, count: c.valueCount)
                    c.countOrdinals(of: all, into: &counts)
                    var allCounts = [Int](repeating: 0, count: c.valueCount)
                    c.countAllOrdinals(into: &allCounts)
                    #expect(counts == allCounts, "round \(round): facet counts disagree")
                    for o in 0..<c.valueCount {
                        #expect(c.ordinal(ofBytes: c.valueBytes(o)) == o, "round \(round): lookup of value \(o)")
                        #expect(c.matching(ordinals: o..<(o + 1)).count == counts[o])
                    }
                    _ = c.matching(ordinals: 0..<c.valueCount, among: all)
                    let valid = (try? c.checkStructure()) != nil
                    if valid { canonical += 1 }
                    #expect(valid == (KeywordColumnBuilder.encode(values) == bytes), "round \(round): the full check disagrees with a rebuild")
                    _ = try ColumnMerge.merge([(c, DocumentSet(capacity: 0))])
                }
            } catch {
                refused += 1
                guard case .corrupt(let path, _) = error, path == "p" else { Issue.record("round \(round): \(error)"); continue }
            }
        }
        // The mutations reach past the opening checks, and some leave a valid column.
        #expect(opened > 100 && refused > 1_000 && canonical > 10, "\(opened) opened (\(canonical) canonical), \(refused) refused")
    }
}
