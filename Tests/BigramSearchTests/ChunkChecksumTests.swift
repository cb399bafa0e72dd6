@testable import BigramSearch
import Foundation
import Testing

// Format 4's chunk checksums (docs/FORMAT.md §Chunk checksums): a search verifies the 64 KiB
// chunks of the postings and stored text it reads, not the whole sections; damage elsewhere does
// not change its answers, damage in what it reads is a checksum error, and the full check
// (`IndexStore.verify`) finds damage anywhere.

/// Random Han text (a few hundred distinct characters, so bigrams repeat across documents).
private func text(_ n: Int, _ rng: inout SplitMix64) -> String {
    String((0..<n).map { _ in Character(UnicodeScalar(0x4E00 + UInt32(rng.int(0...400)))!) })
}

/// A one-segment index of 1,500 documents (postings and stored text of many chunks each), one of
/// which holds the rare word "唯一标记".
private func largeIndex(_ tag: String) throws -> (dir: String, texts: [String]) {
    let dir = temporaryIndexPath(tag)
    var rng = SplitMix64(0xC4A9C)
    let w = try IndexWriter(directory: dir, mode: .create, options: .init(mergeFactor: 0))
    var texts: [String] = []
    for i in 0..<1_500 {
        let t = text(rng.int(200...600), &rng) + (i == 777 ? "唯一标记" : "")
        texts.append(t)
        try w.add(Document(id: "d\(i)", text: t))
    }
    try w.forceMerge()
    try w.commit()
    w.close()
    return (dir, texts)
}

private func segmentFile(_ dir: String) -> String {
    dir + "/" + listDirectory(dir).first { $0.hasSuffix(".bgs") }!
}

/// Ranked hits with highlights: every part of a search that reads postings and stored text.
private func answer(_ s: IndexSnapshot, _ q: String) -> Result<[String], SearchError> {
    Result { () throws(SearchError) in
        try s.search(q, options: SearchOptions(limit: 10, highlight: HighlightOptions())).hits.map { "\($0.id) \($0.highlights.map(\.snippet))" }
    }
}

@Suite(.checksSegmentInvariants) struct ChunkChecksumTests {
    @Test func aSearchVerifiesOnlyTheChunksItReads() throws {
        let (dir, _) = try largeIndex("chunks-read")
        defer { removeDirectory(dir) }
        let s = try IndexStore.open(at: dir)
        let segment = try #require(s.segments.first)
        let postings = try #require(segment.fields[0]?.postingsCheck)
        let stored = try #require(segment.stored[0]?.checks?.bytes)
        #expect(postings.chunkCount >= 8 && stored.chunkCount >= 8, "\(postings.chunkCount) postings chunks, \(stored.chunkCount) stored")
        #expect(postings.verifiedChunks.isEmpty && stored.verifiedChunks.isEmpty, "opening verified chunks")
        let hits = try s.search("唯一标记", options: SearchOptions(limit: 10, highlight: HighlightOptions())).hits
        #expect(hits.map(\.id) == ["d777"])
        #expect(hits.first?.highlights.first?.snippet.contains("【唯一标记】") == true)
        // Three bigrams, one document: a chunk or two of postings, one of stored text.
        #expect((1...6).contains(postings.verifiedChunks.count), "\(postings.verifiedChunks.count) of \(postings.chunkCount) postings chunks")
        #expect((1...2).contains(stored.verifiedChunks.count), "\(stored.verifiedChunks.count) of \(stored.chunkCount) stored chunks")
        // The dictionary around each of the three bigrams' blocks (and the word terms'): a few of its chunks.
        let dictionary = try #require(segment.fields[0]?.dictionary.entriesCheck)
        #expect(dictionary.chunkCount >= 8, "\(dictionary.chunkCount) dictionary chunks")
        #expect((1...8).contains(dictionary.verifiedChunks.count), "\(dictionary.verifiedChunks.count) of \(dictionary.chunkCount) dictionary chunks")
        // The full check verifies everything.
        try segment.verifyChecksums()
        #expect(postings.verifiedChunks.count <= postings.chunkCount)
    }

    /// One byte changed (checksums not recomputed) in a chunk of the postings, of the stored
    /// text, then of the dictionary, that the rare word's search does not read: that search answers as before; every
    /// other search answers as before or reports the checksum error (and some do); verify fails.
    @Test(arguments: [SegmentFile.Kind.postings, .storedBytes, .dictionaryEntries])
    func damageIsFoundWhereItIsRead(_ kind: SegmentFile.Kind) throws {
        let (dir, texts) = try largeIndex("chunks-damage-\(kind)")
        defer { removeDirectory(dir) }
        let file = segmentFile(dir)
        let intact = try IndexStore.open(at: dir)
        var rng = SplitMix64(0xDA3A6E)
        let queries = (0..<60).map { _ -> String in
            let t = Array(rng.pick(texts))
            let at = rng.int(0..<(t.count - 2))
            return String(t[at..<(at + 2)])
        }
        let expected = queries.map { answer(intact, $0) }
        let rare = answer(intact, "唯一标记")
        let bytes = try readBytes(file)
        let section = try #require(SegmentImage(path: file, bytes: bytes).sections.first { $0.kind == kind.rawValue && $0.field == 0 })
        // The chunks the rare word's search reads, in a fresh process's view.
        let fresh = try IndexStore.open(at: dir)
        _ = answer(fresh, "唯一标记")
        let check = switch kind {
        case .postings: fresh.segments[0].fields[0]!.postingsCheck!
        case .dictionaryEntries: fresh.segments[0].fields[0]!.dictionary.entriesCheck!
        default: fresh.segments[0].stored[0]!.checks!.bytes
        }
        let untouched = (0..<check.chunkCount).filter { !check.verifiedChunks.contains($0) }
        let chunk = try #require(untouched.dropFirst(untouched.count / 2).first)
        var damaged = bytes
        damaged[section.offset + chunk * SectionChecksum.chunkSize + min(100, section.length - chunk * SectionChecksum.chunkSize - 1)] ^= 0x10
        try writeBytes(file, damaged)
        let s = try IndexStore.open(at: dir)
        #expect(answer(s, "唯一标记") == rare, "the rare word's search read the damaged chunk")
        var mismatches = 0
        for (q, e) in zip(queries, expected) {
            let got = answer(s, q)
            if case .failure(.damagedIndex(.checksumMismatch(let path))) = got, path == file { mismatches += 1; continue }
            #expect(got == e, "\(q): \(got)")
        }
        #expect(mismatches > 0, "no search read the damaged chunk \(chunk)")
        #expect(throws: StorageError.checksumMismatch(path: file)) { try IndexStore.verify(at: dir) }
    }
}
