import Foundation
import Testing
import BigramSearch

/// The README's API example, run as written (public API only), with its outcomes checked.
@Suite(.checksSegmentInvariants) struct ReadmeExampleTests {
    @Test func wholeAPIExample() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let writer = try IndexWriter(schema: Schema([
            .init("title", boost: 2),
            .init("body"),
            .init("url", indexed: false),
        ]))
        try writer.add(Document(id: "a", fields: ["title": "常熟考察", "body": "赴江苏省常熟市参\n\n观考察", "url": "/a"]))
        try writer.add(Document(id: "b", fields: ["title": "非常熟悉", "body": "我们对Linux内核非常熟悉。"]))
        try writer.add(contentsOf: [Document(id: "c", fields: ["body": "體育新聞"])], threads: 2)
        writer.delete(id: "c")

        let snapshot = writer.snapshot()
        let results = try snapshot.search("参观 OR title:熟悉",
                                          options: SearchOptions(limit: 10, highlight: HighlightOptions(before: "[", after: "]")))
        #expect(results.totalCount == 2)
        #expect(Set(results.hits.map(\.id)) == ["a", "b"])
        let a = try #require(results.hits.first { $0.id == "a" })
        #expect(a["url"] == "/a")
        #expect(a.highlights.contains { $0.snippet.contains("[参观]") })
        let page2 = try snapshot.search("参观", options: SearchOptions(limit: 10, offset: 10))
        #expect(page2.totalCount == 1 && page2.hits.isEmpty && page2.offset == 10)
        let json = try JSONEncoder().encode(results)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["total"] as? Int == 2)
        #expect((object["hits"] as? [Any])?.count == 2)
        let ids = try snapshot.matchingIDs(.all([.phrase("linux 内核"), .not(.phrase("windows"))]))
        #expect(ids == ["b"])
        #expect(try snapshot.count(.phrase("内核")) == 1)
        let sizes = try snapshot.statistics
        #expect(sizes.documents == 2 && sizes.deletedDocuments == 1)
        #expect(snapshot.documentCount == 2)
        _ = try snapshot.search(lenient: "\"unclosed ((")

        try IndexStore.save(snapshot, to: dir)
        let reopened = try IndexStore.open(at: dir)
        #expect(try reopened.matchingIDs(.phrase("参观")) == ["a"])
        try IndexStore.verify(at: dir)

        let disk = try IndexWriter(directory: dir, options: .init(maxBufferedBytes: 64 << 20))
        try disk.add(Document(id: "d", fields: ["body": "新文档"]))
        try disk.commit()
        disk.close()
        #expect(try IndexStore.open(at: dir).documentCount == 3)

        let bounded = try reopened.search("内核", options: SearchOptions(timeLimit: .milliseconds(50)))
        #expect(bounded.hits.map(\.id) == ["b"])
        let archive = try IndexSnapshot(shards: [snapshot, reopened])
        let plainBM25 = try archive.search("常熟", options: SearchOptions(reranking: nil))
        #expect(plainBM25.totalCount == 4)   // "a" and "b" in each shard
        #expect(plainBM25.hits.first?.id == "b")
        #expect(try archive.search("常熟").hits.first?.id == "a")   // re-ranked by default

        let analyzer = try BigramAnalyzer(.init(foldTraditional: true))
        #expect(analyzer.tokens(in: "體育 ＡＢＣ").map(\.term) == ["体育", "abc"])
    }

    /// The README's async line: in an async context `search` is the async overload.
    @Test func asyncSearch() async throws {
        let writer = try IndexWriter()
        try writer.add(Document(id: "b", text: "我们对Linux内核非常熟悉。"))
        let snapshot = writer.snapshot()
        let bounded = try await snapshot.search("内核", options: SearchOptions(timeLimit: .milliseconds(50)))
        #expect(bounded.hits.map(\.id) == ["b"])
    }
}

/// The README's typed-fields example, as written, with its outcomes checked.
@Suite(.checksSegmentInvariants) struct ReadmeTypedFieldsExampleTests {
    @Test func typedFieldsExample() throws {
        let news = try IndexWriter(schema: Schema([
            .init("title", boost: 2), .init("body"),
            .init("date", kind: .date), .init("section", kind: .keyword), .init("words", kind: .int),
        ]))
        try news.add(Document(id: "n1", fields: ["title": "常熟考察", "body": "赴江苏省常熟市参观考察"],
                              values: ["date": .date(milliseconds: 1_717_200_000_000),
                                       "section": .keywords(["要闻", "江苏"]), "words": .int(820)]))
        try news.add(Document(id: "n2", fields: ["title": "常熟体育", "body": "常熟市运动会开幕"],
                              values: ["date": .date(milliseconds: 1_704_067_200_000),
                                       "section": .keyword("体育"), "words": .int(310)]))
        let archive = news.snapshot()
        let page = try archive.search("常熟 date:[2024-01-01 TO 2024-12-31]",
                                      options: SearchOptions(limit: 10, sort: [SortField("date", descending: true)],
                                                             facets: [.values("section"), FacetRequest("date", .months)]))
        #expect(page.hits.map(\.id) == ["n1", "n2"])
        #expect(page.hits.first?.value("section") == .keywords(["江苏", "要闻"]))
        #expect(page.facets["section"]?.buckets.map { "\($0.label) \($0.count)" } == ["体育 1", "江苏 1", "要闻 1"])
        #expect(page.facets["date:month"]?.buckets.map(\.label) == ["2024-01", "2024-06"])
        #expect(page.next == nil)
        let same = try archive.search(.all([.phrase("常熟"), .filter(.range(field: "words", lower: RangeBound(.int(500)), upper: nil))]))
        #expect(same.hits.map(\.id) == ["n1"])
        var options = SearchOptions(limit: 1, sort: [SortField("date", descending: true)])
        let first = try archive.search("常熟", options: options)
        #expect(first.hits.map(\.id) == ["n1"])
        options.after = first.next
        let second = try archive.search("常熟", options: options)
        #expect(second.hits.map(\.id) == ["n2"] && second.next == nil)
        #expect(throws: SearchError.self) { try archive.search("体育", options: options) }
    }
}
