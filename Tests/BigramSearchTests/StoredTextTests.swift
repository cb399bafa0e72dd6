import Foundation
import Testing
@testable import BigramSearch

// Tests of stored text (chunked values, bounded reads for snippets of huge documents, damage in
// stored-text sections) and of the highlighter (the array-based one against the first,
// dictionary-based version kept as a reference, Support/OldHighlighter.swift).

// MARK: - Helpers

/// `file` with its section of `kind`/`field` changed by `transform`, every CRC recomputed.
private func withSection(_ file: [UInt8], kind: UInt32, field: UInt32, _ transform: (inout [UInt8]) -> Void) -> [UInt8] {
    SegmentImage.withSection(file, kind: kind, field: field, transform) ?? file
}

private func segmentFile(_ dir: String) -> String {
    dir + "/" + listDirectory(dir).first { $0.hasPrefix("seg-") && $0.hasSuffix(".bgs") }!
}

/// A long text made of the seed pages, with `marker` inserted at the given fractions of it.
private func hugeText(bytes: Int, marker: String, at fractions: [Double]) throws -> String {
    let pages = try Seeds.texts().joined(separator: "\n")
    var text = ""
    text.reserveCapacity(bytes + 4096)
    while text.utf8.count < bytes { text += pages }
    var chars = Array(text.unicodeScalars.prefix(text.unicodeScalars.count * bytes / text.utf8.count))
    for f in fractions.sorted(by: >) { chars.insert(contentsOf: marker.unicodeScalars, at: Int(Double(chars.count) * f)) }
    var s = String.UnicodeScalarView()
    s.append(contentsOf: chars)
    return String(s)
}

/// The analyzer's terms of `text`, as the query side sees them.
private func terms(_ analyzer: BigramAnalyzer, _ text: String) -> [String] { analyzer.tokens(in: text).map(\.term) }

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct StoredTextTests {
    // MARK: The highlighter

    @Test func highlighterAgreesWithTheFirstVersion() throws {
        // Random phrases (pieces of the seed paragraphs, with line wraps and Latin words, one
        // character, prefixes) against every paragraph: the same ranges and snippets.
        let analyzer = try BigramAnalyzer()
        let paragraphs = try Seeds.paragraphs().map { p in p.count % 3 == 0 ? p + " Linux内核 files 3.3 kernel" : p }
        var rng = SplitMix64(0x5EED_4C16)
        let options = HighlightOptions(before: "<", after: ">", snippetLength: 40)
        let new = Highlighter(analyzer: analyzer, options: options)
        let old = OldHighlighter(analyzer: analyzer, options: options)
        var compared = 0, withRanges = 0
        for _ in 0..<120 {
            let texts = Array(paragraphs.shuffled(using: &rng).prefix(12))
            var phrases: [String] = []
            for _ in 0..<rng.int(1...3) {
                let source = Array(rng.chance(70) ? texts[0] : rng.pick(paragraphs))
                let n = rng.int(1...4)
                let start = rng.int(0..<max(1, source.count - n))
                phrases.append(rng.chance(10) ? rng.pick(["linux", "linu", "kernel内", "3.3", "file"]) : String(source[start..<min(source.count, start + n)]))
            }
            var compiler = QueryCompiler(schema: .text, analyzer: analyzer)
            _ = try compiler.compile(.any(phrases.enumerated().map { .phrase($0.element, prefix: $0.offset == 0 && rng.chance(20)) }))
            let patterns = compiler.leaves
            for text in texts {
                let a = new.matchRanges(in: text, patterns: patterns)
                let b = old.matchRanges(in: text, patterns: patterns)
                #expect(a == b, "\(phrases) in \(text.prefix(30))…")
                if !a.isEmpty {
                    withRanges += 1
                    #expect(new.snippet(of: text, ranges: a) == old.snippet(of: text, ranges: b), "\(phrases)")
                }
                compared += 1
            }
        }
        #expect(withRanges > 100, "only \(withRanges) of \(compared) comparisons had matches")
    }

    // MARK: Chunked values

    @Test func chunkCutsAreBoundedAndOnCharacterBoundaries() throws {
        var rng = SplitMix64(0xC4_0C5)
        let pieces = ["常熟市参\n\n观", "Linux内核 ", "😀", "é", "e\u{301}", "abcdefghij", " ", "\n", "。", "한국어 "]
        for _ in 0..<3 {
            var text = ""
            while text.utf8.count < 200_000 { text += rng.pick(pieces) }
            var t = text
            let cuts = t.withUTF8(StoredTable.chunkStarts)
            let starts = try #require(cuts)
            let utf8 = Array(text.utf8)
            #expect(starts.first == 0 && starts.last == utf8.count)
            for k in 1..<starts.count {
                #expect(starts[k] > starts[k - 1] && starts[k] - starts[k - 1] <= StoredTable.chunkSize)
                if k < starts.count - 1 { #expect(utf8[starts[k]] & 0xC0 != 0x80, "cut inside a character") }
            }
        }
        var small = String(repeating: "中", count: StoredTable.chunkSize / 3)
        #expect(small.withUTF8(StoredTable.chunkStarts) == nil)
    }

    @Test func chunkedValuesRoundTripAndSurviveMerges() throws {
        // Texts around and above the chunk size, stored chunked, deflated on disk, copied by
        // merges: the same text, statistics and highlights in memory, on disk and after merging.
        let pages = try Seeds.texts().joined(separator: "\n")
        var docs: [Document] = []
        for (i, n) in [100, 65_000, 70_000, 200_000, 600_000].enumerated() {
            var text = ""
            while text.utf8.count < n { text += pages }
            text = String(text.prefix(n / 3))
            docs.append(Document(id: "d\(i)", fields: ["title": "标题\(i)", "body": text + " 鲸鱼跳舞 end\(i)"]))
        }
        docs.append(Document(id: "random", fields: ["body": String((0..<90_000).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FA5))!) })]))
        let schema = Schema([.init("title", boost: 2), .init("body")])
        let memory = try IndexWriter(schema: schema)
        try memory.add(contentsOf: docs)
        let before = memory.snapshot()
        let dir = temporaryIndexPath("chunked")
        defer { removeDirectory(dir) }
        let disk = try IndexWriter(directory: dir, mode: .create, schema: schema)
        for d in docs { try disk.add(d); try disk.commit() }
        let separate = try IndexStore.open(at: dir)
        try disk.forceMerge()
        try disk.commit()
        let merged = try IndexStore.open(at: dir)
        #expect(merged.segments.count == 1)
        // On disk the long values are chunked and deflated.
        let table = try #require(merged.segments[0].stored[1])
        var chunked = 0
        for i in 0..<table.count {
            if case .chunked(let c) = try table.value(i) { chunked += 1; #expect(c.isDeflated) }
        }
        #expect(chunked == docs.filter { ($0["body"]?.utf8.count ?? 0) > StoredTable.chunkSize }.count && chunked >= 3)
        for snapshot in [before, separate, merged] {
            #expect(try snapshot.statistics.storedTextBytes == before.statistics.storedTextBytes)
            let r = try snapshot.search("鲸鱼跳舞 OR 常熟", options: SearchOptions(limit: 20, highlight: HighlightOptions()))
            let reference = try before.search("鲸鱼跳舞 OR 常熟", options: SearchOptions(limit: 20, highlight: HighlightOptions()))
            #expect(r.hits.map(\.id) == reference.hits.map(\.id))
            #expect(r.hits.map(\.highlights) == reference.hits.map(\.highlights))
            for h in r.hits { #expect(h.fields == docs.first { $0.id == h.id }?.fields) }
        }
    }

    // MARK: Bounded work per hit

    /// Indexes one huge document (and a few small ones) with a marker at 10% and 50% of it, and
    /// twice near its end, shows the top hits of the marker and of a common word, checks their
    /// snippets and ranges, and returns what the huge hit's highlight read.
    private func showHugeHit(bytes: Int, onDisk: Bool) throws -> [StoredReadCost] {
        let marker = "鲸鱼跳舞"
        let analyzer = try BigramAnalyzer()
        let text = try hugeText(bytes: bytes, marker: marker, at: [0.1, 0.5, 0.9995, 0.99951])
        let writer = try IndexWriter(schema: .text)
        try writer.add(contentsOf: [Document(id: "huge", text: text)] + (try Seeds.paragraphs().prefix(20).enumerated().map { Document(id: "p\($0.offset)", text: $0.element) }))
        var snapshot = writer.snapshot()
        let dir = temporaryIndexPath("huge")
        defer { removeDirectory(dir) }
        if onDisk {
            try IndexStore.save(snapshot, to: dir)
            snapshot = try IndexStore.open(at: dir)
        }
        // (Re-ranking off: its own reads are bounded in WordBoundaryRankerTests.)
        let options = SearchOptions(limit: 1, highlight: HighlightOptions(before: "[", after: "]"), reranking: nil)
        let highlighter = Highlighter(analyzer: analyzer, options: options.highlight!)
        let old = OldHighlighter(analyzer: analyzer, options: options.highlight!)
        let table = try #require(snapshot.segments[0].stored[0])
        guard case .chunked(let c) = try table.value(0) else { Issue.record("not chunked"); return [] }
        let u = Array(text.utf8)
        var costs: [StoredReadCost] = []
        for query in [marker, "常熟"] {
            let r = try snapshot.search(query, options: options)
            let hit = try #require(r.hits.first)
            #expect(hit.id == "huge")
            let h = try #require(hit.highlights.first)
            #expect(h.snippet.contains("[\(query)]"), "\(h.snippet)")
            #expect(h.snippet.hasPrefix("…") && h.snippet.hasSuffix("…"))
            // Every range is a match of the query in the whole text.
            for range in h.utf8Ranges {
                let piece = String(decoding: u[range], as: UTF8.self)
                #expect(terms(analyzer, piece) == terms(analyzer, query), "\(range): \(piece)")
            }
            // The window: the chunk of the match shown and its neighbours. The first highlighter
            // gives the same ranges there.
            var compiler = QueryCompiler(schema: .text, analyzer: analyzer)
            _ = try compiler.compile(.phrase(query))
            let markerAt = h.utf8Ranges.last!.lowerBound
            let chunks: Range<Int>
            if query == marker {
                let k = (0..<c.count).last { c.textStart($0) <= markerAt }!
                chunks = max(0, k - 1)..<min(c.count, k + 2)
            } else {
                // (Matches everywhere: the ranges cover the window.)
                chunks = (0..<c.count).last { c.textStart($0) <= h.utf8Ranges.first!.lowerBound }!
                    ..< (0..<c.count).first { c.textStart($0 + 1) >= h.utf8Ranges.last!.upperBound }! + 1
            }
            #expect(chunks.count <= 3)
            var cost = StoredReadCost()
            let window = try table.window(c, chunks: chunks, cost: &cost)
            let start = c.textStart(chunks.lowerBound)
            let oldRanges = old.matchRanges(in: window, patterns: compiler.leaves)
            #expect(h.utf8Ranges.map { ($0.lowerBound - start)..<($0.upperBound - start) } == oldRanges)
            if query == marker {
                // The two markers near the end make the best stretch, the window holds no other:
                // the snippet is the first highlighter's.
                #expect(oldRanges.count == 2 && markerAt > u.count - 10_000)
                #expect(h.snippet == old.snippet(of: window, ranges: oldRanges), "\(h.snippet)")
            } else {
                // The snippet is cut at one of the window's matches.
                #expect(oldRanges.contains { h.snippet == highlighter.snippet(of: window, ranges: oldRanges, bestStart: $0.lowerBound, startsField: chunks.lowerBound == 0, endsField: chunks.upperBound == c.count) })
            }
            costs.append(r.readCost)
        }
        return costs
    }

    @Test func snippetsOfAHugeDocumentReadABoundedWindow() throws {
        let small = try showHugeHit(bytes: 2 << 20, onDisk: true)
        let large = try showHugeHit(bytes: 8 << 20, onDisk: true)
        let inMemory = try showHugeHit(bytes: 8 << 20, onDisk: false)
        for c in small + large {
            #expect(c.inflatedBytes <= 256 << 10 && c.analyzedBytes <= 256 << 10, "\(c)")
            #expect(c.copiedBytes == 0, "\(c)")
        }
        for c in inMemory { #expect(c.copiedBytes <= 256 << 10 && c.analyzedBytes <= 256 << 10 && c.inflatedBytes == 0, "\(c)") }
        // It does not grow with the document (4× larger, the same window size within a chunk).
        for (a, b) in zip(small, large) {
            #expect(abs(a.inflatedBytes - b.inflatedBytes) <= 64 << 10 && abs(a.analyzedBytes - b.analyzedBytes) <= 64 << 10, "\(a) vs \(b)")
        }
    }

    // MARK: Damage

    @Test func textByteCountOfCraftedValuesDoesNotOverflow() throws {
        // Two deflated values declaring 2^63 − 1 bytes each, a chunked one with an impossible
        // table, offsets out of order: the old sum trapped on overflow; now the first damaged
        // value is an error (what `statistics` reports as a damaged index).
        var o = ByteWriter(), b = ByteWriter()
        o.uint64(0 | StoredTable.deflated); b.bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x01]
        o.uint64(UInt64(b.count) | StoredTable.deflated); b.bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x01]
        o.uint64(UInt64(b.count) | StoredTable.chunked); b.bytes += [0x01] + [UInt8](repeating: 0xFF, count: 24)
        o.uint64(UInt64(b.count) + 1000)
        o.uint64(4)
        o.uint64(3)
        let t = StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
        #expect(throws: StoredValueError.self) { try t.validatedTextByteCount() }
        for i in 0..<t.count {
            #expect(t[i] == nil)
            #expect(throws: StoredValueError.self) { var c = StoredReadCost(); _ = try t.text(i, cost: &c) }
        }
    }

    /// One compressor reused value after value gives what a fresh one gives for each value (its
    /// reset leaves nothing of the previous value), and every result inflates back.
    @Test func aReusedCompressorEqualsAFreshOne() throws {
        var rng = SplitMix64(0xC0_3E55)
        let reused = Deflate.Compressor()
        for k in 0..<40 {
            let n = [0, 10, 64, 200, 2_500, 70_000][k % 6]
            let text = Array((0..<n).map { _ in UInt8(truncatingIfNeeded: 0x61 + rng.int(0..<(k % 2 == 0 ? 4 : 200))) })
            let always = k % 3 == 0
            let fresh = text.withUnsafeBytes { Deflate.Compressor().compress($0, always: always) }
            let again = text.withUnsafeBytes { reused.compress($0, always: always) }
            #expect(again == fresh, "value \(k), \(n) bytes")
            if let again { again.withUnsafeBytes { #expect(Deflate.decompress($0, size: n) == text) } }
        }
    }

    /// A commit's flush deflates the stored text beside the postings' freeze
    /// (``SegmentBuilder/freezeDeflated()``): the tables are those a segment file gets from the
    /// plain freeze (values short, incompressible, chunked; absent), and deflating them again
    /// gives them back.
    @Test func freezingDeflatedWritesTheSameTables() throws {
        let schema = Schema([.init("title"), .init("text"), .init("note", indexed: false)])
        var builder = SegmentBuilder(schema: schema, analyzer: try BigramAnalyzer())
        var rng = SplitMix64(0xDEF1A7)
        let pages = try Seeds.texts()
        for (i, page) in pages.enumerated() { builder.add(Document(id: "p\(i)", fields: ["title": "第\(i)版", "text": page])) }
        // Incompressible bytes as text (random CJK), a huge chunked value, a short one, an absent field.
        let noise = String((0..<3_000).map { _ in Character(Unicode.Scalar(0x4E00 + UInt32(rng.int(0..<20_000)))!) })
        builder.add(Document(id: "noise", fields: ["text": noise, "note": noise]))
        builder.add(Document(id: "huge", fields: ["text": try hugeText(bytes: 300_000, marker: "标记", at: [0.5])]))
        builder.add(Document(id: "short", fields: ["title": "短", "text": "短文"]))
        let plain = builder.freeze(), deflated = builder.freezeDeflated()
        for f in schema.fields.indices {
            let a = try #require(plain.stored[f]).deflated(), b = try #require(deflated.stored[f])
            #expect(a.offsets.array(0..<a.offsets.count) == b.offsets.array(0..<b.offsets.count), "field \(f): offsets")
            #expect(a.bytes.array(0..<a.bytes.count) == b.bytes.array(0..<b.bytes.count), "field \(f): bytes")
            let again = b.deflated()
            #expect(again.bytes.array(0..<again.bytes.count) == b.bytes.array(0..<b.bytes.count), "field \(f): deflated twice")
            var cost = StoredReadCost()
            for d in 0..<plain.documentCount { #expect(try a.text(d, cost: &cost) == b.text(d, cost: &cost)) }
        }
        #expect(SegmentFile.encode(deflated).count == SegmentFile.encode(plain).count)
    }

    @Test func inflatingChecksTheDeclaredSize() throws {
        // Small values inflate in one call, large ones (over 1 MiB) in steps: both must give
        // exactly the declared size, and reject damage and impossible sizes.
        var rng = SplitMix64(0x1F1A7E)
        for n in [100, 70_000, 3_000_000] {
            let text = Array((0..<n).map { _ in UInt8(truncatingIfNeeded: 0x61 + rng.int(0..<20)) })
            let packed = try #require(text.withUnsafeBytes { Deflate.compress($0, always: true) })
            packed.withUnsafeBytes { z in
                #expect(Deflate.decompress(z, size: n) == text)
                #expect(Deflate.decompress(z, size: n - 1) == nil)
                #expect(Deflate.decompress(z, size: n + 1) == nil)
                #expect(Deflate.decompress(z, size: 1000 * z.count + 5000) == nil)
                #expect(Deflate.decompress(z, size: IndexLimits.maxFieldBytes + 1) == nil)
                #expect(Deflate.decompress(UnsafeRawBufferPointer(rebasing: z[0..<(z.count / 2)]), size: n) == nil)
            }
            var damaged = packed
            damaged[damaged.count / 2] ^= 0x5A
            damaged.withUnsafeBytes { #expect(Deflate.decompress($0, size: n) != text) }
            var out: [UInt8] = [1, 2, 3]
            packed.withUnsafeBytes { #expect(!Deflate.decompress($0, size: n + 7, appendingTo: &out)) }
            #expect(out == [1, 2, 3])
        }
    }

    @Test func damagedStoredTextNeverTraps() async {
        // Hundreds of crafted changes to the stored-text sections of a segment holding small,
        // deflated and chunked values — offsets, flags, size varints, chunk tables — with every
        // checksum recomputed. Opening, statistics, searches with highlights and stored fields
        // must give results or typed errors, never a trap (run in a child process, so that a
        // crash fails this test instead of ending the run).
        let dir = temporaryIndexPath("damaged")
        defer { removeDirectory(dir) }
        await #expect(processExitsWith: .success, "damaged stored text must not crash") { [dir = dir as String] in
            let schema = Schema([.init("title", boost: 2), .init("body"), .init("url", indexed: false)])
            let w = try IndexWriter(schema: schema)
            var docs = try Seeds.paragraphs().prefix(30).enumerated().map { i, p in
                Document(id: "p\(i)", fields: ["title": String(p.prefix(8)), "body": p, "url": "https://example.org/\(i)"])
            }
            docs.append(Document(id: "huge", fields: ["title": "大文档", "body": try hugeText(bytes: 300_000, marker: "鲸鱼跳舞", at: [0.2, 0.9]),
                                                      "url": String(repeating: "https://example.org/long ", count: 3000)]))
            try w.add(contentsOf: docs)
            try IndexStore.save(w.snapshot(), to: dir)
            let path = segmentFile(dir)
            let original = try readBytes(path)
            var rng = SplitMix64(0xDA_4A6E)
            var outcomes: [String: Int] = [:]
            for round in 0..<120 {
                let field = UInt32(rng.chance(50) ? 1 : rng.int(0...2))   // body (with the chunked value) more often
                let kind: UInt32 = rng.chance(50) ? 3 : 4   // storedOffsets, storedBytes
                let table = SegmentImage(path: "", bytes: original).sections.first { $0.kind == 3 && $0.field == field }!
                let offsets = (0...docs.count).map { u64(original, table.offset + 8 * $0) }
                let chunkedValue = offsets.indices.dropLast().first { offsets[$0] & StoredTable.chunked != 0 && offsets[$0] & StoredTable.absent == 0 }
                var chunkTableDamaged = false
                let damaged = withSection(original, kind: kind, field: field) { bytes in
                    if kind == 3 {
                        let i = rng.int(0..<(bytes.count / 8))
                        var v = u64(bytes, 8 * i)
                        switch rng.int(0..<5) {
                        case 0: v ^= 1 << UInt64(rng.int(61...63))                   // a flag
                        case 1: v = v &+ UInt64(rng.int(1...40))                     // a little further
                        case 2: v = v &- UInt64(rng.int(1...40))
                        case 3: v = rng.next()                                       // anything
                        default: v = (v & StoredTable.flags) | UInt64(rng.int(0...Int(1 << 40)))
                        }
                        for k in 0..<8 { bytes[8 * i + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
                    } else {
                        // The chunk table of the long value, the start of a value (size varints),
                        // or anywhere.
                        var at = rng.int(0..<bytes.count)
                        let choice = rng.int(0..<3)
                        if choice == 0, let c = chunkedValue {
                            at = Int(offsets[c] & ~StoredTable.flags) + rng.int(0..<(1 + 12 * 12))
                            chunkTableDamaged = true
                        } else if choice == 1 {
                            at = Int(offsets[rng.int(0..<(offsets.count - 1))] & ~StoredTable.flags) + rng.int(0..<4)
                        }
                        at = min(max(0, at), bytes.count - 1)
                        for k in at..<min(bytes.count, at + rng.int(1...4)) {
                            bytes[k] = rng.chance(30) ? 0xFF : (rng.chance(30) ? 0 : UInt8(truncatingIfNeeded: rng.next()))
                        }
                    }
                }
                try writeBytes(path, damaged)
                let s: IndexSnapshot
                do { s = try IndexStore.open(at: dir) } catch { outcomes["open threw", default: 0] += 1; continue }
                _ = try? s.statistics   // damage may throw; a crash fails the child
                for q in ["鲸鱼跳舞", "title:大文档 OR 发展"] {
                    do {
                        // (Highlights of the long value cost ~100 ms each in a debug build: one query,
                        // in a third of the rounds and those that changed its chunk table.)
                        let highlight = q == "鲸鱼跳舞" && (round % 3 == 0 || chunkTableDamaged || kind == 3)
                        let r = try s.search(q, options: SearchOptions(limit: 5, highlight: highlight ? HighlightOptions() : nil))
                        for h in r.hits {
                            _ = h.id; _ = h.fields; _ = h["url"]
                            for fh in h.highlights {
                                if let t = h[fh.field] {
                                    let n = t.utf8.count
                                    if fh.utf8Ranges.allSatisfy({ $0.upperBound <= n }) { _ = fh.ranges(in: t) }
                                }
                            }
                        }
                        outcomes["searched", default: 0] += 1
                    } catch SearchError.damagedIndex(.corrupt(let p, _)) {
                        #expect(p == path, "round \(round)")
                        outcomes["corrupt", default: 0] += 1
                    } catch {
                        Issue.record("round \(round): \(error)")
                    }
                }
                if round % 10 == 0 { _ = try? IndexStore.verify(at: dir) }
            }
            #expect((outcomes["corrupt"] ?? 0) >= 8, "\(outcomes)")
            print("damaged stored text: \(outcomes)")
        }
    }
}
