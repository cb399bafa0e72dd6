import Foundation
import Testing
@testable import BigramSearch

// Tests of saving an index to a directory and opening it again (IndexStore, SegmentFile,
// Manifest): exact round trips, re-saving into the same directory, typed errors for every kind
// of damage, and analyzer options kept in the index.

// MARK: - Helpers (shared ones in Support/)


private let latinVocabulary = ["Linux", "Swift", "kernel", "search", "index", "Unicode", "GPU", "bigram", "Apple", "server"]

/// Documents of the `text` schema: one per seed paragraph.
private func seedTextDocuments() throws -> [Document] {
    var docs: [Document] = []
    for (page, paragraphs) in try Seeds.paragraphsByPage() {
        for (i, p) in paragraphs.enumerated() { docs.append(Document(id: "\(page)#\(i)", text: p)) }
    }
    return docs
}

/// The multi-field schema of the brief: a boosted title, a body, and a stored-only url.
private let articleSchema = Schema([.init("title", boost: 2), .init("body"), .init("url", indexed: false)])

/// Documents of `articleSchema` built from the seed paragraphs, with some Latin words and mixed
/// clauses added, and some documents without a title.
private func seedArticleDocuments() throws -> [Document] {
    var docs: [Document] = []
    var n = 0
    for (page, paragraphs) in try Seeds.paragraphsByPage() {
        for (i, p) in paragraphs.enumerated() {
            var body = p
            if n % 3 == 0 { body += " " + latinVocabulary[n % latinVocabulary.count] }
            if n % 5 == 1 { body += " \(latinVocabulary[(n * 7) % latinVocabulary.count])内核 version \(n % 4)" }
            if n % 11 == 2 { body = "Linux内核 " + body }
            var fields = ["body": body, "url": "https://example.org/\(page)/\(i)"]
            if n % 7 != 3 { fields["title"] = String(p.prefix(6 + n % 5)) }
            if n % 17 == 5 { fields["title"] = "" }   // empty, not absent
            let id = n % 13 == 0 ? "文档-\(page)-\(i)" : n == 40 ? "line\nbreak 😀 \(i)" : "\(page)/\(i)"
            docs.append(Document(id: id, fields: fields))
            n += 1
        }
    }
    return docs
}

/// Latin words and numbers in `text`.
private func latinWords(_ text: String) -> [String] {
    text.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.map(String.init)
}

/// A few hundred queries over `texts`: CJK substrings of 1–6 characters, Latin words and
/// prefixes, mixed clauses, and multi-clause queries with OR, `-`, groups, phrases and fields.
private func generateQueries(from texts: [String], fields: [String], count: Int, seed: UInt64) -> [String] {
    var words = Array(Set(texts.flatMap(latinWords))).sorted()
    if words.isEmpty { words = latinVocabulary }
    var queries: [String] = [
        "Linux内核", "2000亿元", "常熟", "常", "熟", "linux", "LINUX", "linu*", "kern*", "常熟 -常来",
        "常熟 OR 小微企业", "(常熟 OR 企业) 发展", "\"常熟 市\"", "-常熟 发展", "不存在的词语组合",
        "Swift内核", "version", "3+5",
    ]
    for f in fields { queries += ["\(f):常熟", "\(f):(发展 OR 企业)", "\(f):\"经济 发展\""] }
    return randomQueries(after: queries, texts: texts, words: words, fields: fields, count: count, seed: seed)
}



/// Verifies `dir` fully and returns the error, recording an issue if it passed. Opening verifies
/// section checksums lazily (on first use), so also check that a plain open either fails with the
/// same error or opens and then refuses to search (`SearchError.damagedIndex` with that error):
/// a damaged index never gives results. (The sections here are smaller than a checksum chunk,
/// so a search that reads any of a section — a ranked search reads its hits' stored values —
/// verifies all of it.)
private func openError(_ dir: String, analyzer: (any Analyzer)? = nil, _ what: String) -> StorageError? {
    do {
        let s = try IndexStore.verify(at: dir, analyzer: analyzer)
        Issue.record("\(what): verified a damaged index (\(s.documentCount) documents) instead of throwing")
        return nil
    } catch {
        do {
            let lazy = try IndexStore.open(at: dir, analyzer: analyzer)
            do {
                _ = try lazy.matchingIDs(.phrase("常熟"))
                _ = try lazy.search("常熟", options: SearchOptions(limit: 10))
                Issue.record("\(what): searched a damaged index instead of throwing")
            } catch SearchError.damagedIndex(let e) {
                #expect(e == error, "\(what): search reports \(e), verify reports \(error)")
            } catch let other {
                Issue.record("\(what): search threw \(other)")
            }
        } catch let openError {
            #expect(openError == error, "\(what): open reports \(openError), verify reports \(error)")
        }
        return error
    }
}

private func errorPath(_ e: StorageError) -> String { e.path }

/// Rewrites the section of `kind` (SegmentFile.Kind raw value) of `field` in the segment file at
/// `path` with `transform`, then recomputes the section's and the table's CRC-32C: the file passes
/// every checksum, as a file written by a faulty or hostile writer would.
private func rewriteSectionKeepingChecksums(_ path: String, kind: UInt32, field: UInt32, _ transform: (inout [UInt8]) -> Void) throws {
    guard let b = SegmentImage.withSection(try readBytes(path), kind: kind, field: field, transform) else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
    }
    try writeBytes(path, b)
}

/// Saves a small `articleSchema` index of one segment into `dir`; returns the segment file's path.
private func saveSmallIndex(to dir: String) throws -> String {
    let w = try IndexWriter(schema: articleSchema)
    let docs = try seedArticleDocuments()
    try w.add(contentsOf: docs.prefix(40))
    try IndexStore.save(w.snapshot(), to: dir)
    return dir + "/" + segmentFileNames(dir)[0]
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct StorageTests {
    // MARK: 1. Round trips

    @Test func roundTripSeedPagesTextSchema() throws {
        let docs = try seedTextDocuments()
        #expect(docs.count >= 100)
        let writer = try IndexWriter(schema: .text)
        try writer.add(contentsOf: docs)
        let before = writer.snapshot()
        let dir = temporaryIndexPath("text")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        #expect(IndexStore.isIndex(at: dir))
        let after = try IndexStore.open(at: dir)

        #expect(after.documentCount == before.documentCount)
        #expect(after.documentCount == docs.count)
        #expect(try after.statistics == before.statistics)
        #expect(after.schema == before.schema)
        #expect(after.analyzer.identifier == before.analyzer.identifier)
        #expect(after.indexByteCount == before.indexByteCount)

        let queries = generateQueries(from: docs.map { $0["text"] ?? "" }, fields: ["text"], count: 300, seed: 0x5EED_0001)
        let (differences, withHits) = compareSearches(before, after, queries)
        #expect(differences.isEmpty, "\(differences.count) of \(queries.count) queries differ after reopening: \(differences.prefix(8))")
        #expect(withHits >= queries.count / 2, "only \(withHits) of \(queries.count) queries have hits: the comparison is too weak")
    }

    @Test func roundTripSeedPagesMultiFieldSchema() throws {
        let docs = try seedArticleDocuments()
        let writer = try IndexWriter(schema: articleSchema)
        try writer.add(contentsOf: docs)
        let before = writer.snapshot()
        let dir = temporaryIndexPath("article")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        let after = try IndexStore.open(at: dir)

        #expect(after.schema == articleSchema)
        #expect(after.documentCount == docs.count)
        #expect(try after.statistics == before.statistics)

        let texts = docs.flatMap { [$0["title"] ?? "", $0["body"] ?? ""] }
        let queries = generateQueries(from: texts, fields: ["title", "body"], count: 300, seed: 0x5EED_0002)
        let (differences, withHits) = compareSearches(before, after, queries)
        #expect(differences.isEmpty, "\(differences.count) of \(queries.count) queries differ after reopening: \(differences.prefix(8))")
        #expect(withHits >= queries.count / 2, "only \(withHits) of \(queries.count) queries have hits")

        // Stored fields of every document, including the unindexed url and absent titles.
        let r = try after.search("Linux内核", options: SearchOptions(limit: Int.max, highlight: HighlightOptions()))
        #expect(r.totalCount > 0)
        let byID = Dictionary(docs.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        for hit in r.hits {
            #expect(hit.fields == byID[hit.id]?.fields, "stored fields of \(hit.id)")
            #expect(hit["url"] == byID[hit.id]?["url"])
            #expect(hit["title"] == byID[hit.id]?["title"])
            #expect(hit.highlights.contains { $0.snippet.contains("【") })
        }
        // `url` is not indexed: searching it is an error before and after.
        #expect(throws: SearchError.self) { try after.search("url:example") }
    }

    @Test func roundTripSeveralSegmentsWithDeletions() throws {
        var docs = try seedArticleDocuments()
        // An indexed field that is not stored, so that segments have an index without stored text.
        let schema = Schema([.init("title", boost: 2), .init("body"), .init("url", indexed: false), .init("tags", stored: false)])
        for i in docs.indices { docs[i]["tags"] = i % 2 == 0 ? "偶数 even" : "奇数 odd" }
        #expect(docs.count >= 200)
        let writer = try IndexWriter(schema: schema)
        try writer.add(contentsOf: docs[0..<100])
        let first = writer.snapshot()
        let firstCount = first.documentCount
        // More documents, replacements of earlier ones (which deletes them in the first segment),
        // deletions in the first segment and in the buffer, then a parallel batch.
        try writer.add(contentsOf: docs[100..<150])
        var deleted: Set<String> = []
        for i in stride(from: 0, to: 100, by: 9) { #expect(writer.delete(id: docs[i].id)); deleted.insert(docs[i].id) }
        for i in stride(from: 101, to: 150, by: 10) { #expect(writer.delete(id: docs[i].id)); deleted.insert(docs[i].id) }
        var replaced = docs[5]
        replaced["body"] = "替换后的正文 replaced 常熟"
        try writer.add(replaced)
        try writer.add(contentsOf: Array(docs[150...]), threads: 2)
        let before = writer.snapshot()
        #expect(try before.statistics.segments >= 3, "expected several segments, got \(String(describing: try? before.statistics.segments))")
        #expect(try before.statistics.deletedDocuments >= deleted.count + 1)
        #expect(before.documentCount == docs.count - deleted.count)

        let dir = temporaryIndexPath("segments")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        #expect(try segmentFileNames(dir).count == before.statistics.segments)
        let after = try IndexStore.open(at: dir)
        #expect(after.documentCount == before.documentCount)
        #expect(try after.statistics == before.statistics)

        let texts = docs.flatMap { [$0["title"] ?? "", $0["body"] ?? ""] }
        var queries = generateQueries(from: texts, fields: ["title", "body", "tags"], count: 200, seed: 0x5EED_0003)
        queries += ["偶数", "odd", "tags:偶数 常熟", "替换后的正文", "replaced"]
        let (differences, _) = compareSearches(before, after, queries)
        #expect(differences.isEmpty, "\(differences.count) queries differ: \(differences.prefix(8))")

        // Deleted documents are found by no query after reopening; the replacement is found once.
        for q in ["偶数", "奇数", "even OR odd"] {
            let ids = try after.matchingIDs(after.queryParser.parse(q))
            #expect(Set(ids).isDisjoint(with: deleted), "\(q): deleted documents found: \(Set(ids).intersection(deleted).sorted())")
            #expect(Set(ids).count == ids.count, "\(q): duplicate ids")
        }
        let all = try after.matchingIDs(after.queryParser.parse("偶数 OR 奇数"))
        #expect(all.count == after.documentCount)
        #expect(Set(all) == Set(docs.map(\.id)).subtracting(deleted))
        let r = try after.search("替换后的正文")
        #expect(r.hits.map(\.id) == [docs[5].id])
        #expect(r.hits.first?["body"] == "替换后的正文 replaced 常熟")
        #expect(r.hits.first?["tags"] == nil)   // not stored

        // The first snapshot is unaffected by the later changes, on disk as in memory.
        let firstDir = temporaryIndexPath("first")
        defer { removeDirectory(firstDir) }
        try IndexStore.save(first, to: firstDir)
        let firstAfter = try IndexStore.open(at: firstDir)
        #expect(firstAfter.documentCount == firstCount)
        #expect(firstAfter.documentCount == 100)
        let (firstDifferences, _) = compareSearches(first, firstAfter, Array(queries.prefix(60)))
        #expect(firstDifferences.isEmpty, "first snapshot: \(firstDifferences.prefix(5))")
    }

    @Test func roundTripEmptyIndex() throws {
        let writer = try IndexWriter(schema: articleSchema)
        let dir = temporaryIndexPath("empty")
        defer { removeDirectory(dir) }
        try IndexStore.save(writer.snapshot(), to: dir)
        let s = try IndexStore.open(at: dir)
        #expect(s.documentCount == 0)
        #expect(try s.statistics.segments == 0)
        #expect(try s.search("常熟").totalCount == 0)
        #expect(segmentFileNames(dir).isEmpty)

        // All documents deleted: the segment is kept with every document marked deleted.
        try writer.add(Document(id: "a", fields: ["body": "常熟市"]))
        _ = writer.snapshot()
        writer.delete(id: "a")
        try IndexStore.save(writer.snapshot(), to: dir)
        let t = try IndexStore.open(at: dir)
        #expect(t.documentCount == 0)
        #expect(try t.search("常熟").totalCount == 0)
    }

    // MARK: 2. Saving again into the same directory

    @Test func saveTwiceFromDifferentWriters() throws {
        let docs = try seedArticleDocuments()
        let dir = temporaryIndexPath("twice")
        defer { removeDirectory(dir) }

        let w1 = try IndexWriter(schema: articleSchema)
        try w1.add(contentsOf: docs.prefix(50))
        let s1 = w1.snapshot()
        try IndexStore.save(s1, to: dir)
        let firstFiles = Set(segmentFileNames(dir))
        #expect(firstFiles.count == 1)
        #expect(try readManifest(dir).generation == 1)
        let opened1 = try IndexStore.open(at: dir)

        let w2 = try IndexWriter(schema: articleSchema)
        try w2.add(contentsOf: Array(docs.prefix(150)), threads: 2)
        let s2 = w2.snapshot()
        try IndexStore.save(s2, to: dir)

        let m = try readManifest(dir)
        #expect(m.generation == 2)
        let live = Set(m.segments.map(\.file))
        // The first commit's files stay until the next commit (a reader may have read its manifest).
        #expect(Set(m.previous) == firstFiles)
        #expect(Set(segmentFileNames(dir)) == live.union(firstFiles), "segment files \(segmentFileNames(dir)) vs manifest \(live.sorted())")
        #expect(listDirectory(dir) == (["MANIFEST", "write.lock"] + live.sorted() + firstFiles.sorted()).sorted(), "unexpected files: \(listDirectory(dir))")
        #expect(!listDirectory(dir).contains { $0.hasSuffix(".tmp") })
        // The next commit removes them.
        try IndexStore.save(s2, to: dir)
        #expect(try readManifest(dir).previous.isEmpty)
        #expect(firstFiles.isDisjoint(with: Set(listDirectory(dir))), "old segment files were not removed: \(listDirectory(dir))")
        #expect(listDirectory(dir) == (["MANIFEST", "write.lock"] + live.sorted()).sorted(), "unexpected files: \(listDirectory(dir))")

        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.documentCount == 150)
        let queries = generateQueries(from: docs.prefix(150).map { $0["body"] ?? "" }, fields: ["title", "body"], count: 60, seed: 0x5EED_0004)
        let (differences, _) = compareSearches(s2, reopened, queries)
        #expect(differences.isEmpty, "\(differences.prefix(5))")

        // A snapshot opened before the second save still searches its own (now unlinked,
        // memory-mapped) segment files.
        #expect(opened1.documentCount == 50)
        let (oldDifferences, _) = compareSearches(s1, opened1, Array(queries.prefix(30)))
        #expect(oldDifferences.isEmpty, "\(oldDifferences.prefix(5))")
    }

    @Test func saveTwiceFromOneWriterReusesSegmentsAndCleansUp() throws {
        let docs = try seedArticleDocuments()
        let dir = temporaryIndexPath("incremental")
        defer { removeDirectory(dir) }
        let w = try IndexWriter(schema: articleSchema)
        try w.add(contentsOf: docs.prefix(60))
        try IndexStore.save(w.snapshot(), to: dir)
        let firstFiles = segmentFileNames(dir)
        #expect(firstFiles.count == 1)
        let firstBytes = try readBytes(dir + "/" + firstFiles[0])

        // Leftovers of an interrupted save, and an unrelated file.
        let strayTemp = "seg-00000000000000ab.bgs.tmp", strayOld = "seg-00000000000000cd.bgs"
        try writeBytes(dir + "/" + strayTemp, [1, 2, 3])
        try writeBytes(dir + "/" + strayOld, Array("BSEG".utf8) + [UInt8](repeating: 0, count: 40))
        try writeBytes(dir + "/notes.txt", Array("keep me".utf8))

        try w.add(contentsOf: docs[60..<100])
        for i in [0, 10, 20, 70] { w.delete(id: docs[i].id) }
        let s2 = w.snapshot()
        try IndexStore.save(s2, to: dir)

        let m = try readManifest(dir)
        #expect(m.segments.count == 2)
        #expect(m.segments.first?.file == firstFiles[0], "the unchanged segment is reused")
        #expect(m.segments.first?.deleted.sorted() == [0, 10, 20])
        #expect(try readBytes(dir + "/" + firstFiles[0]) == firstBytes, "an existing segment file was rewritten")
        let names = listDirectory(dir)
        #expect(!names.contains(strayTemp), "temporary segment file of an interrupted save not removed")
        #expect(!names.contains(strayOld), "unreferenced segment file not removed")
        #expect(!names.contains { $0.hasSuffix(".tmp") }, "temporary files remain: \(names)")
        #expect(names.contains("notes.txt"), "a file that is not part of the index was removed")
        #expect(Set(segmentFileNames(dir)) == Set(m.segments.map(\.file)))

        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.documentCount == 96)
        #expect(try reopened.statistics == s2.statistics)
        let queries = generateQueries(from: docs.prefix(100).map { $0["body"] ?? "" }, fields: ["title", "body"], count: 60, seed: 0x5EED_0005)
        let (differences, _) = compareSearches(s2, reopened, queries)
        #expect(differences.isEmpty, "\(differences.prefix(5))")

        // Saving a reopened snapshot into its own directory and into a new one.
        try IndexStore.save(reopened, to: dir)
        #expect(try readManifest(dir).generation == 3)
        let again = try IndexStore.open(at: dir)
        #expect(try again.statistics == s2.statistics)
        let copy = temporaryIndexPath("copy")
        defer { removeDirectory(copy) }
        try IndexStore.save(reopened, to: copy)
        let copied = try IndexStore.open(at: copy)
        let (copyDifferences, _) = compareSearches(s2, copied, queries)
        #expect(copyDifferences.isEmpty, "\(copyDifferences.prefix(5))")
        #expect(Set(segmentFileNames(copy)) == Set(segmentFileNames(dir)))
    }

    // MARK: 3. Damage

    /// A saved index of two segments for the damage tests. Returns the directory and the names of
    /// its segment files in manifest order.
    private func damagedFixture() throws -> (dir: String, segments: [String], queries: [String], reference: IndexSnapshot) {
        let docs = try seedArticleDocuments()
        let w = try IndexWriter(schema: articleSchema)
        try w.add(contentsOf: docs.prefix(40))
        _ = w.snapshot()
        try w.add(contentsOf: docs[40..<85])
        w.delete(id: docs[3].id)
        let s = w.snapshot()
        let dir = temporaryIndexPath("damage")
        try IndexStore.save(s, to: dir)
        let m = try readManifest(dir)
        let queries = ["常熟", "发展 OR 企业", "linux", "title:常熟 -经济"]
        return (dir, m.segments.map(\.file), queries, s)
    }

    /// Checks that `dir` opens and searches as `reference` does (after a damage was undone).
    /// (Only the first query runs every time, to keep the many damage cases fast; the tests run
    /// them all once at the end.)
    private func expectIntact(_ dir: String, _ reference: IndexSnapshot, _ queries: [String], _ what: String, all: Bool = false) {
        do {
            let s = try IndexStore.open(at: dir)
            #expect(try s.statistics == reference.statistics, "\(what), restored: statistics differ")
            let (differences, _) = compareSearches(reference, s, all ? queries : Array(queries.prefix(1)))
            #expect(differences.isEmpty, "\(what), restored: \(differences)")
        } catch {
            Issue.record("\(what): the restored index does not open: \(error)")
        }
    }

    @Test func notAnIndex() throws {
        // A path that does not exist.
        let missing = temporaryIndexPath("missing")
        #expect(!IndexStore.isIndex(at: missing))
        #expect(openError(missing, "nonexistent path") == .notAnIndex(path: missing))

        // An empty directory.
        let empty = temporaryIndexPath("emptydir")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { removeDirectory(empty) }
        #expect(!IndexStore.isIndex(at: empty))
        #expect(openError(empty, "empty directory") == .notAnIndex(path: empty))

        // A directory with some other file.
        let other = temporaryIndexPath("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { removeDirectory(other) }
        try writeBytes(other + "/readme.txt", Array("not an index".utf8))
        #expect(!IndexStore.isIndex(at: other))
        #expect(IndexStore.kind(of: other) == .other)
        #expect(openError(other, "directory of other files") == .notAnIndex(path: other))
        // A segment file without a manifest: a damaged index, not an empty one.
        try writeBytes(other + "/seg-0000000000000001.bgs", [UInt8](repeating: 7, count: 100))
        #expect(!IndexStore.isIndex(at: other))
        #expect(IndexStore.kind(of: other) == .damagedIndex)
        #expect(openError(other, "segment file without a manifest") == .missingManifest(path: other))

        // A regular file, not a directory.
        let file = other + "/readme.txt"
        #expect(!IndexStore.isIndex(at: file))
        #expect(openError(file, "regular file") == .notAnIndex(path: file))
    }

    @Test func damagedManifest() throws {
        let (dir, _, queries, reference) = try damagedFixture()
        defer { removeDirectory(dir) }
        let path = dir + "/MANIFEST"
        let original = try readBytes(path)
        #expect(original.count > 16)
        #expect(Array(original[0..<4]) == Array("BMAN".utf8))
        #expect(u32(original, 4) == Manifest.version)
        #expect(Int(u32(original, 8)) == original.count - 16)

        func check(_ what: String, _ bytes: [UInt8], _ accept: (StorageError) -> Bool) throws {
            try writeBytes(path, bytes)
            if let e = openError(dir, what) {
                #expect(accept(e), "\(what): unexpected error \(e)")
                #expect(errorPath(e).hasSuffix("/MANIFEST"), "\(what): error names \(errorPath(e))")
            }
            try writeBytes(path, original)
            expectIntact(dir, reference, queries, what)
        }
        func damaged(_ e: StorageError) -> Bool {
            switch e { case .corrupt, .checksumMismatch: return true; default: return false }
        }

        // Truncated to several lengths.
        for length in [0, 3, 4, 10, 15, 16, 17, original.count / 2, original.count - 1] {
            try check("MANIFEST truncated to \(length) bytes", Array(original.prefix(length)), damaged)
        }
        // A flipped byte in the JSON (several places).
        for at in [16, 17, 16 + (original.count - 16) / 2, original.count - 1] {
            var b = original
            b[at] ^= 0x20
            try check("MANIFEST byte \(at) flipped", b) { $0 == .checksumMismatch(path: path) }
        }
        // A flipped byte in the stored checksum.
        var badCRC = original
        badCRC[13] ^= 0x01
        try check("MANIFEST checksum flipped", badCRC) { $0 == .checksumMismatch(path: path) }
        // Other format versions.
        for version: UInt32 in [0, 1, Manifest.version + 1, 0xFFFF_FFFF] {
            var b = original
            setU32(&b, 4, version)
            try check("MANIFEST version \(version)", b) { $0 == .unsupportedVersion(path: path, found: version, supported: Manifest.version) }
        }
        // Wrong magic.
        var magic = original
        magic[0] = UInt8(ascii: "X")
        try check("MANIFEST bad magic", magic) {
            if case .corrupt = $0 { return true } else { return false }
        }
        // A length field that does not match the file.
        var length = original
        setU32(&length, 8, u32(original, 8) + 1)
        try check("MANIFEST length + 1", length, damaged)
        // Bytes appended after the JSON.
        try check("MANIFEST with trailing bytes", original + [0x20], damaged)
        // A valid checksum over JSON that is not a manifest.
        var notJSON = Array(original[0..<16]) + Array("{\"generation\": 1}".utf8)
        setU32(&notJSON, 8, UInt32(notJSON.count - 16))
        setU32(&notJSON, 12, Checksum.crc32c(Array(notJSON[16...])))
        try check("MANIFEST with well-formed but incomplete JSON", notJSON) {
            if case .corrupt = $0 { return true } else { return false }
        }
        // The MANIFEST itself is missing (the directory then holds only segment files): a
        // damaged index, never an empty one.
        try FileManager.default.removeItem(atPath: path)
        #expect(!IndexStore.isIndex(at: dir))
        #expect(IndexStore.kind(of: dir) == .damagedIndex)
        #expect(openError(dir, "MANIFEST removed") == .missingManifest(path: dir))
        try writeBytes(path, original)
        expectIntact(dir, reference, queries, "MANIFEST removed", all: true)
    }

    @Test func manifestNamingBadSegments() throws {
        let (dir, segments, queries, reference) = try damagedFixture()
        defer { removeDirectory(dir) }
        let path = dir + "/MANIFEST"
        let original = try readBytes(path)
        var m = try readManifest(dir)

        // A manifest (with a valid checksum) naming a file that does not exist.
        m.segments[1].file = "seg-00000000deadbeef.bgs"
        try writeBytes(path, try m.encoded())
        if let e = openError(dir, "manifest naming a missing segment") {
            #expect(e == .missingFile(path: dir + "/seg-00000000deadbeef.bgs"), "\(e)")
        }
        // A manifest whose document count disagrees with the segment file.
        m = try Manifest.decode(original, path: path)
        m.segments[0].documents += 1
        try writeBytes(path, try m.encoded())
        if let e = openError(dir, "manifest with a wrong document count") {
            guard case .corrupt(let p, _) = e else { Issue.record("wrong document count: \(e)"); return }
            #expect(p.hasSuffix("/" + segments[0]))
        }
        try writeBytes(path, original)
        expectIntact(dir, reference, queries, "manifest naming bad segments")
    }

    @Test func damagedSegmentFiles() throws {
        let (dir, segments, queries, reference) = try damagedFixture()
        defer { removeDirectory(dir) }
        #expect(segments.count == 2)

        for name in segments {
            let path = dir + "/" + name
            let original = try readBytes(path)
            #expect(Array(original[0..<4]) == Array("BSEG".utf8))
            #expect(u32(original, 4) == SegmentFile.version)

            func check(_ what: String, _ bytes: [UInt8]?, _ accept: (StorageError) -> Bool) throws {
                let what = "\(name): \(what)"
                if let bytes { try writeBytes(path, bytes) } else { try FileManager.default.removeItem(atPath: path) }
                if let e = openError(dir, what) {
                    #expect(accept(e), "\(what): unexpected error \(e)")
                    #expect(errorPath(e).hasSuffix("/" + name), "\(what): error names \(errorPath(e))")
                }
                try writeBytes(path, original)
                expectIntact(dir, reference, queries, what)
            }
            func damaged(_ e: StorageError) -> Bool {
                switch e { case .corrupt, .checksumMismatch: return true; default: return false }
            }

            // Missing.
            try check("missing", nil) { $0 == .missingFile(path: path) }

            // Truncated.
            for length in [0, 10, 23, 24, original.count / 2, original.count - 1] {
                try check("truncated to \(length) bytes", Array(original.prefix(length)), damaged)
            }

            // A flipped byte in the middle of each section.
            let table = SegmentImage(path: "", bytes: original).sections
            #expect(table.count >= 2 + 2 * 2 + 5 * 2, "section table has \(table.count) sections")
            var flipped = 0
            for s in table where s.length > 0 {
                #expect(s.offset % 8 == 0 && s.offset + s.length <= original.count, "section \(s.index) out of place")
                var b = original
                b[s.offset + s.length / 2] ^= 0x5A
                try check("section \(s.index) (kind \(s.kind), field \(s.field), \(s.length) bytes) flipped", b, damaged)
                flipped += 1
            }
            #expect(flipped >= 8)

            // A flipped byte in each part of the header and of each section table entry, and in
            // the table checksum.
            let tableEnd = 24 + 32 * table.count
            try check("section count byte flipped", { var b = original; b[8] ^= 0x01; return b }(), damaged)
            var positions = [12, 16, 23, tableEnd, tableEnd + 3]
            // One byte of each table entry, going through its kind, field, offset, length and crc.
            for s in table { positions.append(s.tableEntryOffset + [0, 4, 8, 16, 24, 9, 17, 27][s.index % 8]) }
            for at in positions {
                var b = original
                b[at] ^= 0x01
                try check("header/table byte \(at) flipped", b) { $0 == .checksumMismatch(path: path) }
            }

            // Other format versions.
            for version: UInt32 in [0, 1, SegmentFile.version + 1, 0xFFFF_FFFF] {
                var b = original
                setU32(&b, 4, version)
                try check("version \(version)", b) { $0 == .unsupportedVersion(path: path, found: version, supported: SegmentFile.version) }
            }
            // Wrong magic.
            for magic in ["BSEH", "BMAN", "\0\0\0\0"] {
                var b = original
                b.replaceSubrange(0..<4, with: Array(magic.utf8))
                try check("magic \(magic.debugDescription)", b) {
                    if case .corrupt = $0 { return true } else { return false }
                }
            }
            // Another segment's file under this name: the checksums match, the document count
            // (or the contents the manifest expects) does not.
            let other = try readBytes(dir + "/" + segments.first { $0 != name }!)
            try check("replaced by the other segment", other, damaged)
        }
        expectIntact(dir, reference, queries, "after all segment damage", all: true)
    }

    // MARK: 4. Analyzer options

    @Test func analyzerOptionsAreStored() throws {
        let folding = try BigramAnalyzer(.init(foldTraditional: true))
        let w = try IndexWriter(schema: .text, analyzer: folding)
        try w.add(Document(id: "sports", text: "市体育馆举行运动会"))
        try w.add(Document(id: "bank", text: "中国人民银行发布报告"))
        try w.add(Document(id: "trad", text: "體育館內的觀眾"))
        let before = w.snapshot()
        #expect(try before.search("體育").hits.map(\.id).sorted() == ["sports", "trad"])

        let dir = temporaryIndexPath("fold")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        #expect(try readManifest(dir).analyzer.bigram == folding.options)

        // Reopened without naming the analyzer: rebuilt with the stored options.
        let after = try IndexStore.open(at: dir)
        #expect(after.analyzer.identifier == "bigram/1+t2s")
        #expect((after.analyzer as? BigramAnalyzer)?.options == BigramAnalyzer.Options(foldTraditional: true))
        for q in ["體育", "体育", "銀行", "人民銀行", "觀眾", "观众", "體育 OR 銀行"] {
            let x = try before.search(q, options: SearchOptions(highlight: HighlightOptions()))
            let y = try after.search(q, options: SearchOptions(highlight: HighlightOptions()))
            #expect(x.totalCount > 0, "\(q) finds nothing")
            #expect(x.hits.map(\.id) == y.hits.map(\.id), "\(q)")
            #expect(x.hits.map(\.score) == y.hits.map(\.score), "\(q)")
            #expect(x.hits.map(\.highlights) == y.hits.map(\.highlights), "\(q)")
        }
        #expect(try after.search("體育").hits.map(\.id).sorted() == ["sports", "trad"])
        #expect(try after.search("銀行").hits.map(\.id) == ["bank"])

        // Reopened with the same analyzer passed explicitly.
        let same = try IndexStore.open(at: dir, analyzer: try BigramAnalyzer(.init(foldTraditional: true)))
        #expect(try same.search("銀行").hits.map(\.id) == ["bank"])

        // Reopened with a different analyzer: an error naming the index.
        for other in [try BigramAnalyzer(), try BigramAnalyzer(.init(foldTraditional: true, emitUnigrams: true))] {
            let e = openError(dir, analyzer: other, "analyzer \(other.identifier)")
            #expect(e == .analyzerMismatch(path: dir, stored: "bigram/1+t2s", requested: other.identifier), "\(String(describing: e))")
        }

        // And the other way: an index built without folding, opened with folding.
        let plainDir = temporaryIndexPath("plain")
        defer { removeDirectory(plainDir) }
        let pw = try IndexWriter(schema: .text)
        try pw.add(Document(id: "x", text: "体育"))
        try IndexStore.save(pw.snapshot(), to: plainDir)
        let plain = try IndexStore.open(at: plainDir)
        #expect(plain.analyzer.identifier == "bigram/1")
        #expect(try plain.search("體育").totalCount == 0)
        #expect(openError(plainDir, analyzer: folding, "folding analyzer on a plain index")
                == .analyzerMismatch(path: plainDir, stored: "bigram/1", requested: "bigram/1+t2s"))
    }

    /// An analyzer that is not a BigramAnalyzer: it cannot be rebuilt from the index, so it must
    /// be passed again.
    private struct WrappedAnalyzer: Analyzer {
        let inner: BigramAnalyzer
        var identifier: String { "wrapped/" + inner.identifier }
        func tokens(in text: String) -> [Token] { inner.tokens(in: text) }
    }

    @Test func customAnalyzerMustBePassedAgain() throws {
        let custom = WrappedAnalyzer(inner: try BigramAnalyzer())
        let w = try IndexWriter(schema: .text, analyzer: custom)
        try w.add(Document(id: "1", text: "常熟市参观考察"))
        let before = w.snapshot()
        let dir = temporaryIndexPath("custom")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)

        guard let e = openError(dir, "custom analyzer not passed") else { return }
        guard case .analyzerMismatch(let p, let stored, _) = e else { Issue.record("\(e)"); return }
        #expect(p == dir)
        #expect(stored == "wrapped/bigram/1")
        #expect(openError(dir, analyzer: try BigramAnalyzer(), "plain analyzer for a custom index")
                == .analyzerMismatch(path: dir, stored: "wrapped/bigram/1", requested: "bigram/1"))
        let after = try IndexStore.open(at: dir, analyzer: custom)
        #expect(try after.search("参观").hits.map(\.id) == ["1"])
        #expect(try after.search("参观").hits.map(\.score) == before.search("参观").hits.map(\.score))
    }

    // MARK: More damage and save contracts

    @Test func segmentFilesSwappedBetweenNames() throws {
        // Two segments with the same number of documents, their files swapped: each file is intact
        // (every checksum matches) but holds another segment than its name (seg-<uid>) says.
        let docs = try seedArticleDocuments()
        let w = try IndexWriter(schema: articleSchema)
        try w.add(contentsOf: docs.prefix(30))
        _ = w.snapshot()
        try w.add(contentsOf: docs[30..<60])
        let s = w.snapshot()
        let dir = temporaryIndexPath("swap")
        defer { removeDirectory(dir) }
        try IndexStore.save(s, to: dir)
        let names = try readManifest(dir).segments.map(\.file)
        #expect(names.count == 2)
        let a = try readBytes(dir + "/" + names[0]), b = try readBytes(dir + "/" + names[1])
        try writeBytes(dir + "/" + names[0], b)
        try writeBytes(dir + "/" + names[1], a)
        if let e = openError(dir, "segment files swapped") {
            guard case .corrupt(let p, _) = e else { Issue.record("segment files swapped: \(e)"); return }
            #expect(p.hasSuffix("/" + names[0]))
        }
    }

    @Test func savingAgainRewritesADamagedSegmentFile() throws {
        // After `save(s, to: dir)` succeeds, `open(at: dir)` gives `s`, whatever was in `dir`
        // before, including a damaged file that has the name of one of `s`'s segments.
        let docs = try seedArticleDocuments()
        let w = try IndexWriter(schema: articleSchema)
        try w.add(contentsOf: docs.prefix(30))
        let s = w.snapshot()
        let dir = temporaryIndexPath("resave")
        defer { removeDirectory(dir) }
        try IndexStore.save(s, to: dir)
        let name = try #require(segmentFileNames(dir).first)
        let original = try readBytes(dir + "/" + name)
        try writeBytes(dir + "/" + name, Array(original.prefix(original.count / 2)))
        try IndexStore.save(s, to: dir)
        do {
            let reopened = try IndexStore.open(at: dir)
            #expect(reopened.documentCount == 30)
        } catch {
            Issue.record("save succeeded but the saved index does not open: \(error)")
        }
    }

    @Test func savingToAnUnusablePathThrowsIO() throws {
        let base = temporaryIndexPath("badpath")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { removeDirectory(base) }
        let w = try IndexWriter(schema: .text)
        try w.add(Document(id: "1", text: "常熟"))
        let s = w.snapshot()
        // A regular file where the directory should be.
        let file = base + "/file"
        try writeBytes(file, Array("data".utf8))
        do {
            try IndexStore.save(s, to: file)
            Issue.record("saved into a regular file")
        } catch {
            guard case .io = error else { Issue.record("unexpected error \(error)"); return }
        }
        #expect(try readBytes(file) == Array("data".utf8))
        // A directory inside a regular file.
        do {
            try IndexStore.save(s, to: file + "/index")
            Issue.record("saved below a regular file")
        } catch {
            guard case .io(let p, _) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(p.hasPrefix(file))
        }
    }

    @Test func unigramOptionRoundTrips() throws {
        let options = BigramAnalyzer.Options(foldTraditional: true, emitUnigrams: true)
        let w = try IndexWriter(schema: .text, analyzer: try BigramAnalyzer(options))
        try w.add(Document(id: "1", text: "體育館"))
        try w.add(Document(id: "2", text: "中国人民银行"))
        let before = w.snapshot()
        let dir = temporaryIndexPath("unigrams")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        let after = try IndexStore.open(at: dir)
        #expect((after.analyzer as? BigramAnalyzer)?.options == options)
        #expect(after.analyzer.identifier == "bigram/1+t2s+unigrams")
        #expect(try after.statistics == before.statistics)
        let (differences, withHits) = compareSearches(before, after, ["体", "館", "育", "银", "國", "人民", "体育 OR 银行"])
        #expect(differences.isEmpty, "\(differences)")
        #expect(withHits == 7)
    }

    // MARK: Files that pass every checksum but are inconsistent (run in a child process: a crash
    // fails the test instead of ending the test run)

    @Test func openRejectsAHugeTermCountWithValidChecksums() async {
        // fieldInfo of field 0 (title) says UInt64.max terms. Expected: open throws
        // .corrupt(path: <segment>, reason: "...inconsistent sizes"); never a crash.
        let dir = temporaryIndexPath("crafted")
        defer { removeDirectory(dir) }   // (the child cannot clean up when it crashes)
        await #expect(processExitsWith: .success,
                      "open must throw .corrupt, not crash") { [dir = dir as String] in
            let segment = try saveSmallIndex(to: dir)
            try rewriteSectionKeepingChecksums(segment, kind: 9, field: 0) { info in
                for i in 0..<8 { info[i] = 0xFF }
            }
            do {
                let s = try IndexStore.open(at: dir)
                Issue.record("opened (\(s.documentCount) documents)")
            } catch let error as StorageError {
                guard case .corrupt(let p, _) = error, p == segment else { Issue.record("\(error)"); return }
            }
        }
    }

    @Test func searchSurvivesDictionaryBlockOffsetsPastTheEntries() async {
        // The dictionary block offsets of field 1 (body) point past the dictionary entries.
        // Expected: open throws .corrupt for the segment, or searches run without crashing.
        let dir = temporaryIndexPath("crafted")
        defer { removeDirectory(dir) }   // (the child cannot clean up when it crashes)
        await #expect(processExitsWith: .success,
                      "open must throw .corrupt or search must not crash") { [dir = dir as String] in
            let segment = try saveSmallIndex(to: dir)
            try rewriteSectionKeepingChecksums(segment, kind: 6, field: 1) { blocks in
                for i in stride(from: 0, to: blocks.count, by: 4) { blocks[i + 3] = 0x40 }
            }
            do {
                let s = try IndexStore.open(at: dir)
                for q in ["常熟", "经济", "发展 OR 企业", "body:linux"] { _ = try? s.search(q) }
            } catch let error as StorageError {
                guard case .corrupt(let p, _) = error, p == segment else { Issue.record("\(error)"); return }
            }
        }
    }
}
