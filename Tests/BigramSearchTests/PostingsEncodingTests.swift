import Testing
@testable import BigramSearch

// The postings codec on its own (docs/FORMAT.md §Postings): `PostingsEncoding.encode` against a
// plain reference of (document, positions) per term, read back with `PostingsCursor` through
// `FieldIndex.build` — no analyzer, no segment builder, no query.

/// One document of a term's reference postings.
private struct Posting: Equatable, CustomStringConvertible {
    var doc: UInt32
    var positions: [UInt32]
    var description: String { "\(doc):\(positions.count <= 6 ? "\(positions)" : "[\(positions.count) positions]")" }
}

/// A field index holding `terms` (reference postings, one list per term, encoded one after
/// another as a builder does) over documents of the given lengths.
private struct EncodedField {
    let field: FieldIndex
    let entries: [TermDictionary.Entry]
    let terms: [[Posting]]

    init(_ terms: [[Posting]], lengths: [UInt32], sourceLocation: SourceLocation = #_sourceLocation) {
        var builder = FieldLengthsBuilder()
        for l in lengths { builder.append(l) }
        var writer = ByteWriter()
        var scratch = PostingsEncoding.Scratch()
        var dictionary: [(key: [UInt8], entry: TermDictionary.Entry)] = []
        for (t, postings) in terms.enumerated() {
            var stream: [UInt32] = []
            for p in postings {
                stream.append(p.doc)
                stream.append(UInt32(p.positions.count))
                stream.append(contentsOf: p.positions)
            }
            let offset = writer.count
            PostingsEncoding.encode(stream: stream, documentCount: postings.count, lengths: builder,
                                    scratch: &scratch, into: &writer)
            let reference = referenceEncoding(postings, documentCount: lengths.count, lengths: lengths)
            #expect(Array(writer.bytes[offset...]) == reference,
                    "term \(t) of \(postings.count) documents: \(writer.count - offset) bytes, the format says \(reference.count)",
                    sourceLocation: sourceLocation)
            let key: [UInt8] = [UInt8(t >> 24), UInt8(t >> 16 & 0xFF), UInt8(t >> 8 & 0xFF), UInt8(t & 0xFF)]
            dictionary.append((key, .init(docFrequency: postings.count, postingsOffset: offset)))
        }
        field = FieldIndex.build(entries: dictionary, postings: writer, lengths: builder,
                                 totalLength: lengths.reduce(0) { $0 + UInt64($1) })
        entries = dictionary.map(\.entry)
        self.terms = terms
    }

    /// The postings of term `t` read back with `next()` and `positions(into:)`; records an issue
    /// for any damage reported.
    func decode(_ t: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [Posting] {
        var c = field.cursor(entries[t])
        var out: [Posting] = []
        var positions: [UInt32] = []
        while c.doc != PostingsCursor.exhausted {
            positions.removeAll()
            let valid = c.positions(into: &positions)
            #expect(valid, "positions of document \(c.doc) reported as damaged", sourceLocation: sourceLocation)
            #expect(c.freq == positions.count, sourceLocation: sourceLocation)
            out.append(Posting(doc: c.doc, positions: positions))
            if out.count > terms[t].count + 1 { break }   // (runaway guard)
            c.next()
        }
        #expect(!c.isDamaged, "damage \(c.damage) on valid postings", sourceLocation: sourceLocation)
        #expect(c.next() == false, sourceLocation: sourceLocation)
        #expect(c.doc == PostingsCursor.exhausted, sourceLocation: sourceLocation)
        return out
    }

    /// Round trip of every term, then `advance(to:)` from a fresh cursor to every interesting
    /// target, then one cursor driven through ascending targets mixed with `next()`.
    func check(advanceTargets extra: [UInt32] = [], rng: inout SplitMix64,
               sourceLocation: SourceLocation = #_sourceLocation) {
        for t in terms.indices {
            let ref = terms[t]
            let decoded = decode(t, sourceLocation: sourceLocation)
            #expect(decoded == ref, "term \(t) of \(ref.count) documents: \(firstDifference(decoded, ref))",
                    sourceLocation: sourceLocation)
            guard decoded == ref else { continue }
            checkAdvance(t, extra: extra, rng: &rng, sourceLocation: sourceLocation)
        }
        // The postings of the terms follow each other, and a segment of this field passes the
        // structural check (which re-derives every block start and record end).
        let n = field.lengths.count
        let segment = Segment(documentCount: n, ids: StoredTable([String?](repeating: nil, count: n)),
                              stored: [nil], fields: [field])
        #expect(throws: Never.self, sourceLocation: sourceLocation) { try segment.checkStructure() }
    }

    private func checkAdvance(_ t: Int, extra: [UInt32], rng: inout SplitMix64, sourceLocation: SourceLocation) {
        let ref = terms[t]
        let docs = ref.map(\.doc)
        let n = UInt32(field.lengths.count)
        /// Index of the first reference document ≥ target.
        func lowerBound(_ target: UInt32) -> Int {
            var lo = 0, hi = docs.count
            while lo < hi { let mid = (lo + hi) / 2; if docs[mid] < target { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        // Every present document, its neighbours (absent unless the documents are dense), block
        // edges, 0, the segment's end and beyond.
        var targets = Set<UInt32>([0, n, n &+ 1, UInt32.max - 1, UInt32.max])
        for (i, d) in docs.enumerated() where docs.count <= 1_100 || i % 7 == 0 || i % PostingsEncoding.blockSize >= 126 {
            targets.insert(d)
            if d > 0 { targets.insert(d - 1) }
            targets.insert(d + 1)
        }
        targets.formUnion(extra)
        for target in targets.sorted() {
            var c = field.cursor(entries[t])
            let found = c.advance(to: target)
            let k = lowerBound(target)
            if k < docs.count {
                #expect(found && c.doc == docs[k], "advance(to: \(target)) gave \(c.doc), expected \(docs[k])",
                        sourceLocation: sourceLocation)
                var positions: [UInt32] = []
                #expect(c.positions(into: &positions) && positions == ref[k].positions, "positions after advance(to: \(target))",
                        sourceLocation: sourceLocation)
                // And the cursor goes on from there.
                let more = c.next()
                if k + 1 < docs.count {
                    #expect(more && c.doc == docs[k + 1], sourceLocation: sourceLocation)
                } else {
                    #expect(!more && c.doc == PostingsCursor.exhausted, sourceLocation: sourceLocation)
                }
            } else {
                #expect(!found && c.doc == PostingsCursor.exhausted, "advance(to: \(target)) past the end gave \(c.doc)",
                        sourceLocation: sourceLocation)
            }
            #expect(!c.isDamaged, "damage \(c.damage) after advance(to: \(target))", sourceLocation: sourceLocation)
        }
        // One cursor through ascending targets (some behind the cursor: it stays), with next().
        var c = field.cursor(entries[t])
        var at = 0
        var target: UInt32 = 0
        while at < docs.count {
            if rng.chance(30) {
                let more = c.next()
                at += 1
                #expect(more == (at < docs.count) && c.doc == (at < docs.count ? docs[at] : PostingsCursor.exhausted),
                        "next() after document index \(at - 1)", sourceLocation: sourceLocation)
                continue
            }
            let span = max(1, Int(n) / max(1, docs.count))
            target = target &+ UInt32(rng.int(0...(rng.chance(20) ? span * 300 : span * 2)))
            let found = c.advance(to: target)
            at = max(at, lowerBound(target))
            if at < docs.count {
                #expect(found && c.doc == docs[at], "sequential advance(to: \(target)) gave \(c.doc), expected \(docs[at])",
                        sourceLocation: sourceLocation)
            } else {
                #expect(!found && c.doc == PostingsCursor.exhausted, sourceLocation: sourceLocation)
            }
            if c.doc != docs[min(at, docs.count - 1)] && at < docs.count { break }
        }
        #expect(!c.isDamaged, sourceLocation: sourceLocation)
    }
}

// MARK: - The format, written out independently

/// The postings of one term as docs/FORMAT.md §Postings describes them, bit by bit (a second,
/// deliberately naive encoder). The width of a block's first document is the bit width of D − 1
/// (⌈log2 D⌉, at least 1): what every document number below D needs.
private func referenceEncoding(_ postings: [Posting], documentCount d: Int, lengths: [UInt32]) -> [UInt8] {
    /// The smallest k with 2^k ≥ x.
    func ceilLog2(_ x: UInt64) -> Int { x <= 1 ? 0 : 64 - (x - 1).leadingZeroBitCount }
    func width(_ v: UInt32) -> Int { 32 - v.leadingZeroBitCount }
    let blockSize = 128
    let blocks = stride(from: 0, to: postings.count, by: blockSize).map { Array(postings[$0..<min(postings.count, $0 + blockSize)]) }
    var out: [UInt8] = []
    var skip: [(last: UInt32, offset: UInt32)] = []
    let skipBytes = blocks.count > 1 ? 8 * blocks.count : 0
    var body: [UInt8] = []
    var previousLast: UInt32 = 0
    for (b, block) in blocks.enumerated() {
        // Bits least significant first, filling each byte from bit 0 upwards.
        var bytes: [UInt8] = []
        var used = 0   // bits used in the last byte (0: start a new one)
        func put(_ v: UInt64, _ w: Int) {
            for i in 0..<w {
                if used == 0 { bytes.append(0) }
                if (v >> UInt64(i)) & 1 == 1 { bytes[bytes.count - 1] |= 1 << UInt8(used) }
                used = (used + 1) % 8
            }
        }
        skip.append((block.last!.doc, UInt32(skipBytes + body.count)))
        put(UInt64(b == 0 ? block[0].doc : block[0].doc - previousLast - 1), max(1, ceilLog2(UInt64(d))))
        if block.count > 1 {
            let gaps = (1..<block.count).map { block[$0].doc - block[$0 - 1].doc - 1 }
            let wd = gaps.map(width).max()!
            put(UInt64(wd), 6)
            for g in gaps { put(UInt64(g), wd) }
        }
        for p in block {
            let f = p.positions.count
            let z = 63 - UInt64(f).leadingZeroBitCount      // Elias-gamma
            put(0, z); put(1, 1); put(UInt64(f) & ((1 << UInt64(z)) - 1), z)
            put(UInt64(p.positions[0]), ceilLog2(UInt64(lengths[Int(p.doc)])))
            if f > 1 {
                let gaps = (1..<f).map { p.positions[$0] - p.positions[$0 - 1] - 1 }
                let gw = gaps.map(width).max()!
                if gw < 15 { put(UInt64(gw), 4) } else { put(15, 4); put(UInt64(gw - 15), 5) }
                for g in gaps { put(UInt64(g), gw) }
            }
        }
        body += bytes   // (padded to a byte)
        previousLast = block.last!.doc
    }
    if blocks.count > 1 {
        for (last, offset) in skip {
            for v in [last, offset] { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
        }
    }
    return out + body
}

private func firstDifference(_ a: [Posting], _ b: [Posting]) -> String {
    if a.count != b.count { return "\(a.count) documents decoded, \(b.count) encoded" }
    for i in a.indices where a[i] != b[i] { return "at \(i): decoded \(a[i]), encoded \(b[i])" }
    return "equal"
}

/// `count` distinct ascending values below `limit` (count ≤ limit).
private func distinctSorted(_ count: Int, below limit: UInt32, _ rng: inout SplitMix64) -> [UInt32] {
    precondition(UInt64(count) <= UInt64(limit))
    if UInt64(count) * 2 >= UInt64(limit) {
        // Dense: drop values from 0..<limit.
        var all = Array(0..<limit)
        all.shuffle(using: &rng)
        return all.prefix(count).sorted()
    }
    var set = Set<UInt32>()
    while set.count < count { set.insert(UInt32(truncatingIfNeeded: rng.next() % UInt64(limit))) }
    return set.sorted()
}

/// Reference postings: the given documents, each with `freq(length)` random positions.
private func postings(docs: [UInt32], lengths: [UInt32], _ rng: inout SplitMix64,
                      freq: (UInt32, inout SplitMix64) -> Int = { l, r in r.chance(70) ? 1 : r.int(1...Int(min(l, 40))) }) -> [Posting] {
    docs.map { d in
        let l = lengths[Int(d)]
        return Posting(doc: d, positions: distinctSorted(freq(l, &rng), below: l, &rng))
    }
}

@Suite(.checksSegmentInvariants) struct PostingsEncodingTests {
    /// Documents per term around the block size, dense (every document) and sparse.
    @Test(arguments: [1, 127, 128, 129, 255, 256, 257, 1_000])
    func documentCountsAroundBlocks(_ df: Int) {
        var rng = SplitMix64(0xB10C_0000 + UInt64(df))
        // Dense: the term in documents 0..<df of a segment of df documents (gaps of 0, wd = 0).
        let denseLengths = (0..<df).map { _ in UInt32(rng.int(1...300)) }
        let dense = postings(docs: (0..<df).map { UInt32($0) }, lengths: denseLengths, &rng)
        EncodedField([dense], lengths: denseLengths).check(rng: &rng)
        // Sparse, in a larger segment, with several terms one after another (the last one
        // ending at the postings' end).
        let n = df * 7 + 3
        let lengths = (0..<n).map { _ in UInt32(rng.chance(5) ? rng.int(1_000...70_000) : rng.int(1...200)) }
        let terms = [df, max(1, df / 2), df].map { count in
            postings(docs: distinctSorted(count, below: UInt32(n), &rng), lengths: lengths, &rng)
        }
        EncodedField(terms, lengths: lengths).check(rng: &rng)
        // With the first and the last document of the segment.
        var docs = distinctSorted(df, below: UInt32(n), &rng)
        docs[0] = 0
        if df > 1 { docs[df - 1] = UInt32(n - 1) }
        EncodedField([postings(docs: docs, lengths: lengths, &rng)], lengths: lengths).check(rng: &rng)
    }

    @Test func tinySegments() {
        var rng = SplitMix64(0x7111)
        // One document (document numbers of 1 bit), one position (first positions of 0 bits).
        EncodedField([[Posting(doc: 0, positions: [0])]], lengths: [1]).check(rng: &rng)
        EncodedField([[Posting(doc: 0, positions: [0])], [Posting(doc: 1, positions: [0, 1])],
                      [Posting(doc: 0, positions: [0]), Posting(doc: 1, positions: [1])]],
                     lengths: [1, 2]).check(rng: &rng)
        EncodedField([[Posting(doc: 2, positions: [2])]], lengths: [0, 0, 3]).check(rng: &rng)
    }

    @Test func largestDocumentGaps() {
        var rng = SplitMix64(0x2_0000)
        let n = 1 << 20
        var lengths = [UInt32](repeating: 1, count: n)
        lengths[0] = 5
        lengths[n - 1] = 9
        lengths[n / 2] = 2
        let first = Posting(doc: 0, positions: [4])
        let last = Posting(doc: UInt32(n - 1), positions: [0, 8])
        let terms: [[Posting]] = [
            [first, last],                                       // one gap of 2^20 − 2 (20 bits)
            [last],                                              // the largest first document
            [first],
            (0..<128).map { Posting(doc: UInt32($0), positions: [0]) } + [last],   // across a block: 2^20 − 129
            [first] + (0..<128).map { Posting(doc: UInt32(n - 129 + $0), positions: [0]) }
                + [Posting(doc: UInt32(n - 1), positions: [3, 7])],
            [Posting(doc: 0, positions: [0, 1, 2, 3, 4]), Posting(doc: UInt32(n / 2), positions: [1]), last],
        ]
        EncodedField(terms, lengths: lengths).check(advanceTargets: [1, UInt32(n / 2), UInt32(n - 2), UInt32(n - 130)], rng: &rng)
    }

    @Test func largestFrequencies() {
        var rng = SplitMix64(0xF4E0)
        // A document whose every position is the term (position gaps of 0, width 0), next to
        // documents of one position; a huge frequency (a long gamma code) among small ones.
        let lengths: [UInt32] = [1, 3_000, 2, 100_000, 1, 65_536]
        let everywhere = { (d: UInt32) in Posting(doc: d, positions: Array(0..<lengths[Int(d)])) }
        EncodedField([
            [everywhere(0), everywhere(1), everywhere(2), everywhere(3), everywhere(4), everywhere(5)],
            [everywhere(3)],
            [Posting(doc: 1, positions: [2_999]), everywhere(3), Posting(doc: 5, positions: [0, 65_535])],
        ], lengths: lengths).check(rng: &rng)
        // 129 documents each entirely the term (the block boundary inside a run of large records).
        let many = [UInt32](repeating: 700, count: 129)
        EncodedField([(0..<129).map { Posting(doc: UInt32($0), positions: Array(0..<700)) }], lengths: many).check(rng: &rng)
    }

    @Test func positionGapWidths() {
        var rng = SplitMix64(0x6A9)
        // Widths 13, 14 (the largest 4-bit code), 15 (the escape: 15 + 0), 16, up to 32.
        var terms: [[Posting]] = []
        var lengths: [UInt32] = []
        for width in [1, 2, 13, 14, 15, 16, 17, 20, 29, 30, 31] {
            let gap = UInt32(1) << UInt32(width - 1)      // gap − 1 = 2^(w−1) − 1 ... needs w − 1 bits
            let wide = UInt32(1) << UInt32(width)          // gap − 1 = 2^w − 1: needs w bits
            let l = wide + 2 + gap
            let d = UInt32(lengths.count)
            lengths.append(l)
            terms.append([Posting(doc: d, positions: [0, gap, gap + wide])])
            terms.append([Posting(doc: d, positions: [1, 1 + wide])])
        }
        // The widest: positions at both ends of a document of 2^32 − 1 positions (gap width 32,
        // first position of 32 bits).
        let d = UInt32(lengths.count)
        lengths.append(UInt32.max)
        terms.append([Posting(doc: d, positions: [0, UInt32.max - 1])])
        terms.append([Posting(doc: d, positions: [UInt32.max - 1])])
        terms.append([Posting(doc: d, positions: [0, 1, UInt32.max - 2, UInt32.max - 1])])
        // A mix in one block: small and escaped widths in neighbouring records.
        terms.append((0..<lengths.count).map { Posting(doc: UInt32($0), positions: [0, lengths[$0] - 1]) })
        EncodedField(terms, lengths: lengths).check(rng: &rng)
    }

    @Test func positionsAtTheEndOfLongDocuments() {
        var rng = SplitMix64(0xE4D)
        let lengths: [UInt32] = [1 << 30, (1 << 30) - 1, 1 << 20, (1 << 20) + 1, 7, 1 << 16]
        let terms: [[Posting]] = [
            lengths.indices.map { Posting(doc: UInt32($0), positions: [lengths[$0] - 1]) },
            lengths.indices.map { Posting(doc: UInt32($0), positions: [0, lengths[$0] / 2, lengths[$0] - 2, lengths[$0] - 1]) },
            [Posting(doc: 0, positions: [(1 << 30) - 3, (1 << 30) - 1])],
            [Posting(doc: 4, positions: [6])],
        ]
        EncodedField(terms, lengths: lengths).check(rng: &rng)
    }

    @Test func randomPostings() {
        // A few hundred random terms: segment sizes, document frequencies (many near multiples
        // of the block size), clustered and spread documents, frequencies and lengths.
        var rng = SplitMix64(0x5EED_0F_90571)
        var cases = 0
        for _ in 0..<60 {
            let n = rng.chance(10) ? rng.int(20_000...100_000) : rng.int(1...3_000)
            let lengths = (0..<n).map { _ -> UInt32 in
                switch rng.int(0..<100) {
                case 0..<3: return 0
                case 3..<8: return UInt32(rng.int(10_000...2_000_000))
                default: return UInt32(rng.int(1...400))
                }
            }
            let nonEmpty = (0..<n).filter { lengths[$0] > 0 }.map { UInt32($0) }
            guard !nonEmpty.isEmpty else { continue }
            var terms: [[Posting]] = []
            for _ in 0..<rng.int(1...8) {
                var df: Int
                switch rng.int(0..<10) {
                case 0..<3: df = rng.int(1...4)
                case 3..<6: df = rng.int(1...5) * 128 + rng.int(-2...2)
                default: df = rng.int(1...2_000)
                }
                df = max(1, min(df, nonEmpty.count))
                var docs: [UInt32]
                if rng.chance(30) {
                    // A cluster: consecutive documents from a random start.
                    let start = rng.int(0...(nonEmpty.count - df))
                    docs = Array(nonEmpty[start..<(start + df)])
                } else {
                    docs = distinctSorted(df, below: UInt32(nonEmpty.count), &rng).map { nonEmpty[Int($0)] }
                }
                let heavy = rng.chance(15)
                terms.append(postings(docs: docs, lengths: lengths, &rng) { l, r in
                    heavy ? r.int(1...Int(min(l, 300))) : (r.chance(75) ? 1 : r.int(1...Int(min(l, 12))))
                })
                cases += 1
            }
            EncodedField(terms, lengths: lengths).check(rng: &rng)
        }
        #expect(cases >= 200)
    }
}
