@testable import BigramSearch
import Foundation
import Testing

// The on-disk format is a promise: every released format version has a fixture here (an index
// written by that release, in Fixtures/), and opening one gives a clear typed error naming the
// version, or is read (version 2).
//
// - format-1-byte-postings: segment version 1 with byte-aligned postings blocks (released up to
//   the seventh stop of the project), manifest version 1.
// - format-1-bit-postings: the same version number with one bit stream per postings block
//   (released at the eighth stop without a version change: its files cannot be told from the
//   first kind, so both are refused).
// - format-2: segment and manifest version 2 (released at the sixteenth stop): read as it is (a
//   version 3 index without typed fields); a writer adds files of the current version to it.
// - format-3: segment and manifest version 3 (typed fields; released at the eighteenth stop):
//   read as it is, its sections verified whole (it has no chunk checksums); a writer adds
//   current files to it.
// - format-4 (current): segment version 4 (chunk checksums), manifest version 3.

private let fixtures = Seeds.repositoryRoot.appendingPathComponent("Tests/BigramSearchTests/Fixtures").path

/// The fixture of the version this library writes: `format-<segment version>`.
private let currentFixture = "format-\(SegmentFile.version)"

/// The documents of the current-version fixture: short values, a Traditional one, full-width
/// letters, a deletion, a term in more than one postings block (130 documents), and a long value
/// (stored in deflated chunks); typed fields of each kind (some documents without values, a
/// keyword field with several values).
private func fixtureSnapshot() throws -> IndexSnapshot {
    let schema = Schema([.init("title", boost: 2), .init("body"), .init("url", indexed: false),
                         .init("date", kind: .date), .init("tags", kind: .keyword), .init("n", kind: .int),
                         .init("price", kind: .double, stored: false)])
    let analyzer = try BigramAnalyzer()
    var first = SegmentBuilder(schema: schema, analyzer: analyzer)
    first.add(Document(id: "visit", fields: ["title": "常熟考察", "body": "赴江苏省常熟市参\n\n观考察", "url": "/a"],
                       values: ["date": .date(milliseconds: 1_717_200_000_123), "tags": .keywords(["新闻", "江苏"]), "n": .int(-5),
                                "price": .double(2.5)]))
    first.add(Document(id: "kernel", fields: ["title": "Linux内核", "body": "我们对Linux内核非常熟悉。"],
                       values: ["date": .date(milliseconds: -86_400_000), "tags": .keyword("tech"), "n": .int(Int64.max)]))
    first.add(Document(id: "sports", fields: ["body": "體育新聞 ＡＢＣ１２３"], values: ["price": .double(-0.0)]))
    var second = SegmentBuilder(schema: schema, analyzer: analyzer)
    for i in 0..<130 {
        second.add(Document(id: "n\(i)", fields: ["body": "小微企业园 第\(i)篇"],
                            values: ["n": .int(Int64(i)), "date": .date(milliseconds: Int64(i) * 86_400_000 * 30),
                                     "tags": .keyword(i % 2 == 0 ? "even" : "odd")]))
    }
    let sentence = "常熟市小微企业园参观考察，Linux内核版本2000亿元。"
    second.add(Document(id: "long", fields: ["body": (0..<3_000).map { "\(sentence)\($0)\n" }.joined()]))
    func fixed(_ s: Segment, uid: UInt64) -> Segment {
        Segment(documentCount: s.documentCount, ids: s.ids, stored: s.stored, fields: s.fields, uid: uid, columns: s.columns)
    }
    let a = fixed(first.freeze(), uid: 0x0000_0000_0000_00A1), b = fixed(second.freeze(), uid: 0x0000_0000_0000_00B2)
    var deleted = DocumentSet(capacity: b.documentCount)
    deleted.insert(7)
    return IndexSnapshot(schema: schema, analyzer: analyzer, segments: [a, b],
                         deletions: [DocumentSet(capacity: a.documentCount), deleted])
}

/// The segment version of each segment file in `dir`.
private func segmentFileVersions(_ dir: String) throws -> [Int] {
    try listDirectory(dir).filter { $0.hasSuffix(".bgs") }.map { Int(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))[4]) }
}

private func copyFixture(_ name: String) throws -> String {
    let dir = temporaryIndexPath("fixture-\(name)")
    try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: dir)
    return dir
}

private func contents(_ dir: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in listDirectory(dir) { out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
    return out
}

@Suite(.checksSegmentInvariants) struct FormatVersionTests {
    @Test(arguments: ["format-1-byte-postings", "format-1-bit-postings"])
    func earlierVersionsAreRefusedWithTheirVersion(_ name: String) throws {
        let dir = try copyFixture(name)
        defer { removeDirectory(dir) }
        let before = try contents(dir)
        let manifest = dir + "/MANIFEST"
        let expected = StorageError.unsupportedVersion(path: manifest, found: 1, supported: Manifest.version)
        #expect(throws: expected) { try IndexStore.open(at: dir) }
        #expect(throws: expected) { try IndexStore.verify(at: dir) }
        #expect(throws: IndexError.storage(expected)) { try IndexWriter(directory: dir) }
        #expect(throws: IndexError.storage(expected)) { try IndexWriter(directory: dir, mode: .openOrCreate) }
        #expect(expected.description.contains("format version 1"))
        #expect(try contents(dir) == before, "a refused open changed the directory")

        // The segment files on their own (named by a manifest of this version) are refused too.
        let old = try JSONSerialization.jsonObject(with: Data(try Data(contentsOf: URL(fileURLWithPath: manifest)).dropFirst(16))) as! [String: Any]
        let names = (old["segments"] as! [[String: Any]]).map { $0["file"] as! String }
        let segment = dir + "/" + names[0]
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        #expect(bytes[4] == 1 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0, "the fixture's segment version")
        do {
            _ = try SegmentFile.decode(ByteBuffer(bytes), path: segment, schema: .article)
            Issue.record("a version-1 segment file decoded")
        } catch {
            #expect(error == .unsupportedVersion(path: segment, found: 1, supported: SegmentFile.version))
        }
    }

    /// The bytes this library writes are the committed fixture's: a change to any of them is a
    /// format change, which needs a version bump (SegmentFile.version, Manifest.version), the
    /// current fixture kept as an earlier version (add it to the test above), a new fixture
    /// (`BIGRAM_WRITE_FIXTURE=1 swift test --filter FormatVersionTests` writes it) and
    /// docs/FORMAT.md updated.
    @Test func theBytesWrittenAreTheCurrentFixture() throws {
        let target = fixtures + "/" + currentFixture
        if ProcessInfo.processInfo.environment["BIGRAM_WRITE_FIXTURE"] == "1" {
            try? FileManager.default.removeItem(atPath: target)
            try IndexStore.save(try fixtureSnapshot(), to: target)
            try? FileManager.default.removeItem(atPath: target + "/write.lock")
        }
        let dir = temporaryIndexPath("format-now")
        defer { removeDirectory(dir) }
        try IndexStore.save(try fixtureSnapshot(), to: dir)
        try FileManager.default.removeItem(atPath: dir + "/write.lock")
        let written = try contents(dir), committed = try contents(target)
        let advice = "the bytes written changed: bump the format version, keep \(currentFixture) as an earlier version, write a new fixture and update docs/FORMAT.md"
        #expect(Set(written.keys) == Set(committed.keys), "\(advice): files \(written.keys.sorted()) vs \(committed.keys.sorted())")
        for (name, bytes) in written.sorted(by: { $0.key < $1.key }) {
            #expect(bytes == committed[name], "\(advice): \(name) differs (\(bytes.count) vs \(committed[name]?.count ?? 0) bytes)")
        }
        // The fixture exercises what it should.
        let s = try IndexStore.verify(at: target)
        #expect(s.documentCount == 133)
        #expect(try s.matchingIDs(.phrase("参观")).sorted() == ["long", "visit"])
        #expect(try s.matchingIDs(.phrase("abc123")) == ["sports"])
        #expect(try s.count(.phrase("小微企业园")) == 130)
        #expect(try s.matchingIDs(.phrase("第7篇")).isEmpty, "the deleted document")
        let long = try s.search("\"2000亿元。2999\"", options: SearchOptions(limit: 1, highlight: HighlightOptions()))
        #expect(long.hits.map(\.id) == ["long"])
        #expect(long.hits.first?.highlights.first?.snippet.contains("【2000亿元。2999】") == true)
        let table = try #require(s.segments[1].stored[1])
        guard case .chunked(let c) = try table.value(table.count - 1) else { Issue.record("the long value is not chunked"); return }
        #expect(c.isDeflated)
        // Typed values.
        #expect(try s.matchingIDs(.filter(.keyword("江苏", field: "tags"))) == ["visit"])
        #expect(try s.count(.filter(.range(field: "n", lower: RangeBound(.int(0)), upper: RangeBound(.int(9))))) == 9, "n0…n9 but the deleted n7")
        let byDate = try s.search(.filter(.keyword("odd", field: "tags")), options: SearchOptions(limit: 2, sort: [SortField("date", descending: true)]))
        #expect(byDate.hits.map(\.id) == ["n129", "n127"])
        #expect(byDate.hits.first?.value("date") == .date(milliseconds: 129 * 86_400_000 * 30))
    }

    @Test(arguments: ["format-2", "format-3"])
    func earlierReadableVersionsAreRead(_ name: String) throws {
        let dir = try copyFixture(name)
        defer { removeDirectory(dir) }
        let before = try contents(dir)
        let s = try IndexStore.verify(at: dir)
        #expect(s.documentCount == 133)
        #expect(try s.matchingIDs(.phrase("参观")).sorted() == ["long", "visit"])
        #expect(try s.count(.phrase("小微企业园")) == 130)
        #expect(try s.matchingIDs(.phrase("第7篇")).isEmpty, "the deleted document")
        let long = try s.search("\"2000亿元。2999\"", options: SearchOptions(limit: 1, highlight: HighlightOptions()))
        #expect(long.hits.first?.highlights.first?.snippet.contains("【2000亿元。2999】") == true)
        #expect(try contents(dir) == before, "reading changed the directory")
        // A writer opens it and commits current files next to the earlier ones; a merge of
        // them all is a current file.
        let w = try IndexWriter(directory: dir)
        try w.add(Document(id: "new", fields: ["body": "常熟新闻"]))
        try w.commit()
        let reopened = try IndexStore.verify(at: dir)
        #expect(try reopened.matchingIDs(.phrase("常熟")).sorted() == ["kernel", "long", "new", "visit"])
        #expect(try segmentFileVersions(dir).sorted() == ([Int(SegmentFile.version)] + Array(repeating: name == "format-2" ? 2 : 3, count: 2)).sorted())
        try w.forceMerge()
        try w.commit()
        w.close()
        let merged = try IndexStore.verify(at: dir)
        #expect(try merged.matchingIDs(.phrase("常熟")).sorted() == ["kernel", "long", "new", "visit"])
        #expect(try merged.count(.phrase("小微企业园")) == 130)
        let live = try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: dir).segments
        #expect(live.count == 1)
        #expect(Int(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + live[0].file)))[4]) == Int(SegmentFile.version))
        let manifest = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST")))
        #expect(manifest[4] == UInt8(Manifest.version))
    }

    @Test func theFixturesAreWhatTheirReleasesWrote() throws {
        // Guards the fixtures themselves: magic and version of every file.
        let versions = [("format-1-byte-postings", 1, 1), ("format-1-bit-postings", 1, 1), ("format-2", 2, 2), ("format-3", 3, 3),
                        (currentFixture, Int(SegmentFile.version), Int(Manifest.version))]
        for (name, segment, manifest) in versions {
            let dir = fixtures + "/" + name
            for file in listDirectory(dir) {
                let b = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
                let magic = String(decoding: b[0..<4], as: UTF8.self)
                #expect(magic == (file == "MANIFEST" ? "BMAN" : "BSEG"), "\(name)/\(file)")
                #expect(Int(b[4]) == (file == "MANIFEST" ? manifest : segment), "\(name)/\(file)")
            }
        }
    }
}
