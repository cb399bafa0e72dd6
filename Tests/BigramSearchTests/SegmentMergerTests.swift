import Foundation
import Testing
@testable import BigramSearch

// Segments built with `SegmentBuilder` and merged with `SegmentMerger.merge` directly (no
// writer): every built and merged segment passes `checkStructure()`, and a merge's postings,
// field lengths and ids are those of its inputs' live documents, renumbered in order.

/// Every term of field `f` of `segment`: key → (document, positions) in document order.
private func dump(_ segment: Segment, field f: Int) -> [[UInt8]: [(doc: UInt32, positions: [UInt32])]] {
    guard let field = segment.fields[f] else { return [:] }
    var out: [[UInt8]: [(doc: UInt32, positions: [UInt32])]] = [:]
    var it = TermDictionary.Iterator(field.dictionary, block: 0)
    while let entry = it.next() {
        var c = field.cursor(entry)
        var list: [(doc: UInt32, positions: [UInt32])] = []
        while c.doc != PostingsCursor.exhausted {
            var p: [UInt32] = []
            c.positions(into: &p)
            list.append((c.doc, p))
            c.next()
        }
        out[it.key] = list
    }
    return out
}

private let schema = Schema([.init("title", boost: 2), .init("body"), .init("note", indexed: false), .init("tags", stored: false)])

/// Random documents over a small vocabulary (many shared terms, line wraps, words, empty and
/// missing fields).
private func documents(_ count: Int, prefix: String, _ rng: inout SplitMix64) -> [Document] {
    let pieces = ["常熟", "市", "参观", "鲸鱼", "跳舞", "天地", "玄黄", "\n", " ", "linux", "kernel", "3.3", "。", "中文", "搜索", "引擎"]
    func text(_ n: Int) -> String { (0..<n).map { _ in rng.pick(pieces) }.joined() }
    return (0..<count).map { i in
        var fields: [String: String] = [:]
        if rng.chance(80) { fields["title"] = text(rng.int(0...4)) }
        fields["body"] = text(rng.int(0...(rng.chance(5) ? 400 : 30)))
        if rng.chance(30) { fields["note"] = text(3) }
        if rng.chance(50) { fields["tags"] = text(rng.int(1...3)) }
        return Document(id: "\(prefix)-\(i)", fields: fields)
    }
}

private func build(_ docs: [Document], analyzer: BigramAnalyzer) -> Segment {
    var builder = SegmentBuilder(schema: schema, analyzer: analyzer)
    for d in docs { builder.add(d) }
    return builder.freeze()
}

/// Merges `parts` and checks the result against them.
private func mergeAndCheck(_ parts: [(segment: Segment, deleted: DocumentSet)],
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> Segment {
    let merged = try SegmentMerger.merge(parts, schema: schema)
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try merged.checkStructure() }
    // The live documents, renumbered in order.
    var map: [[UInt32?]] = []
    var liveIDs: [String] = []
    var next: UInt32 = 0
    for (segment, deleted) in parts {
        map.append((0..<segment.documentCount).map { d in
            if deleted.contains(UInt32(d)) { return nil }
            liveIDs.append(segment.id(d))
            defer { next += 1 }
            return next
        })
    }
    #expect(merged.documentCount == Int(next), sourceLocation: sourceLocation)
    #expect((0..<merged.documentCount).map(merged.id) == liveIDs, sourceLocation: sourceLocation)
    for f in schema.fields.indices {
        #expect((merged.fields[f] == nil) == !schema.fields[f].indexed, sourceLocation: sourceLocation)
        guard let field = merged.fields[f] else { continue }
        // Lengths and stored texts follow their documents.
        var lengths: [UInt32] = []
        var stored: [String?] = []
        for (i, (segment, _)) in parts.enumerated() {
            for d in 0..<segment.documentCount where map[i][d] != nil {
                lengths.append(segment.fields[f]!.lengths[UInt32(d)])
                stored.append(segment.storedText(d, field: f))
            }
        }
        #expect((0..<field.lengths.count).map { field.lengths[UInt32($0)] } == lengths, sourceLocation: sourceLocation)
        #expect(field.totalLength == lengths.reduce(0) { $0 + UInt64($1) }, sourceLocation: sourceLocation)
        if schema.fields[f].stored {
            #expect((0..<merged.documentCount).map { merged.storedText($0, field: f) } == stored, sourceLocation: sourceLocation)
        }
        // Postings: each term's live documents of every input, in input order; terms left
        // without documents are gone.
        var expected: [[UInt8]: [(doc: UInt32, positions: [UInt32])]] = [:]
        for (i, (segment, _)) in parts.enumerated() {
            for (key, list) in dump(segment, field: f) {
                let live = list.compactMap { p in map[i][Int(p.doc)].map { (doc: $0, positions: p.positions) } }
                if !live.isEmpty { expected[key, default: []].append(contentsOf: live) }
            }
        }
        // The postings are byte for byte what encoding those lists gives (records copied as
        // bits are the records an encoder writes).
        var builder = FieldLengthsBuilder()
        for l in lengths { builder.append(l) }
        var reference = ByteWriter()
        var scratch = PostingsEncoding.Scratch()
        for key in expected.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let list = expected[key]!
            PostingsEncoding.encode(stream: list.flatMap { [$0.doc, UInt32($0.positions.count)] + $0.positions },
                                    documentCount: list.count, lengths: builder, scratch: &scratch, into: &reference)
        }
        reference.padTail()
        #expect(field.postings.array(0..<field.postings.count) == reference.bytes, "field \(f): postings differ from an encoder's",
                sourceLocation: sourceLocation)
        let got = dump(merged, field: f)
        #expect(Set(got.keys) == Set(expected.keys), "field \(f): \(got.count) terms, expected \(expected.count)",
                sourceLocation: sourceLocation)
        for (key, list) in expected {
            let g = got[key] ?? []
            #expect(g.map(\.doc) == list.map(\.doc) && g.map(\.positions) == list.map(\.positions),
                    "field \(f), term \(key)", sourceLocation: sourceLocation)
        }
    }
    return merged
}

@Suite(.checksSegmentInvariants) struct SegmentMergerTests {
    @Test func builtAndMergedSegmentsMatchTheirInputs() throws {
        let analyzer = try BigramAnalyzer()
        var rng = SplitMix64(0x3E96E)
        // Segments of 1 to 300 documents, one of them large enough for multi-block postings.
        let sizes = [1, 40, 300, 7, 129]
        var parts: [(segment: Segment, deleted: DocumentSet)] = []
        for (k, n) in sizes.enumerated() {
            let segment = build(documents(n, prefix: "s\(k)", &rng), analyzer: analyzer)
            #expect(throws: Never.self) { try segment.checkStructure() }
            #expect(segment.documentCount == n)
            var deleted = DocumentSet(capacity: n)
            for d in 0..<n where rng.chance(k == 1 ? 100 : 15) { deleted.insert(UInt32(d)) }   // s1 entirely deleted
            parts.append((segment, deleted))
        }
        let merged = try mergeAndCheck(parts)
        let body = dump(merged, field: 1)
        #expect(body.count > 50 && body.values.contains { $0.count > PostingsEncoding.blockSize }, "\(body.count) terms")
        // Merging the merged segment again (with more deletions) and with a new one.
        var deleted = DocumentSet(capacity: merged.documentCount)
        for d in 0..<merged.documentCount where rng.chance(20) { deleted.insert(UInt32(d)) }
        let fresh = build(documents(60, prefix: "new", &rng), analyzer: analyzer)
        _ = try mergeAndCheck([(merged, deleted), (fresh, DocumentSet(capacity: 60))])
        // One segment, nothing deleted: the same postings.
        let same = try mergeAndCheck([(fresh, DocumentSet(capacity: 60))])
        for f in schema.fields.indices where schema.fields[f].indexed {
            #expect(same.fields[f]!.postings.array(0..<same.fields[f]!.postings.count)
                    == fresh.fields[f]!.postings.array(0..<fresh.fields[f]!.postings.count), "field \(f): re-encoded differently")
        }
        // Everything deleted: an empty segment, still well formed.
        var all = DocumentSet(capacity: 40)
        for d in 0..<40 { all.insert(UInt32(d)) }
        let empty = try mergeAndCheck([(parts[1].segment, all)])
        #expect(empty.documentCount == 0)
    }

    /// A merge written to a file is the image the same merge makes in memory, byte for byte
    /// (sections streamed through the file's buffer, the header written last), and segments
    /// built in memory get their stored text deflated on the way.
    @Test func aMergeStreamedToAFileIsTheInMemoryImage() throws {
        let analyzer = try BigramAnalyzer()
        var rng = SplitMix64(0xF11E)
        // Over 1 MiB of text, so that the file's buffer and the postings' pieces fill many times.
        var parts: [(segment: Segment, deleted: DocumentSet)] = []
        for k in 0..<3 {
            var docs = documents(150, prefix: "f\(k)", &rng)
            for i in docs.indices where i % 3 == 0 {
                // Random Han characters (deflate saves little on them, but some).
                docs[i].fields["body"] = String((0..<1_200).map { _ in Character(UnicodeScalar(0x4E00 + UInt32(rng.int(0...300)))!) })
            }
            var deleted = DocumentSet(capacity: docs.count)
            for d in 0..<docs.count where rng.chance(10) { deleted.insert(UInt32(d)) }
            parts.append((build(docs, analyzer: analyzer), deleted))
        }
        let dir = temporaryIndexPath("merge-file")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { removeDirectory(dir) }
        let path = dir + "/merged.bgs"
        let file = try FileSystem.OutputFile(creating: path)
        #expect(try SegmentMerger.write(parts, schema: schema, uid: 0xABC, to: file, deflatingInMemory: true) == nil)
        let bytes = try readBytes(path)
        #expect(bytes.count > 1 << 20, "\(bytes.count) bytes")
        let image = try #require(try SegmentMerger.write(parts, schema: schema, uid: 0xABC, to: nil, deflatingInMemory: true))
        #expect(bytes == image, "the streamed file differs from the in-memory image")
        // The file is a valid segment with the documents of an in-memory merge.
        let mapped = try SegmentFile.decode(try FileSystem.map(path), path: path, schema: schema, verifyNow: true)
        try mapped.verifyAll()
        try mapped.checkStoredValues()
        let inMemory = try mergeAndCheck(parts)
        #expect(mapped.uid == 0xABC && mapped.origin == path && inMemory.origin == nil)
        for f in schema.fields.indices where schema.fields[f].storesText {
            #expect((0..<mapped.documentCount).map { mapped.storedText($0, field: f) }
                    == (0..<inMemory.documentCount).map { inMemory.storedText($0, field: f) })
        }
        // Long texts were deflated in the file, not in memory.
        let body = 1
        let long = try #require((0..<mapped.documentCount).first { (mapped.storedText($0, field: body) ?? "").utf8.count > 2_000 })
        guard case .deflated = try mapped.stored[body]!.value(long) else { Issue.record("not deflated in the file"); return }
        guard case .plain = try inMemory.stored[body]!.value(long) else { Issue.record("deflated in memory"); return }
    }
}
