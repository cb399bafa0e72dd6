import Foundation
import Testing
import BigramSearch

/// The README's API example, run as written (public API only), with its outcomes checked.
@Suite struct ReadmeExampleTests {
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
        let ids = try snapshot.matchingIDs(.all([.phrase("linux 内核"), .not(.phrase("windows"))]))
        #expect(ids == ["b"])
        #expect(try snapshot.count(.phrase("内核")) == 1)
        #expect(snapshot.documentCount == 2)
        _ = snapshot.search(lenient: "\"unclosed ((")

        try IndexStore.save(snapshot, to: dir)
        let reopened = try IndexStore.open(at: dir)
        #expect(try reopened.matchingIDs(.phrase("参观")) == ["a"])

        let analyzer = try BigramAnalyzer(.init(foldTraditional: true))
        #expect(analyzer.tokens(in: "體育 ＡＢＣ").map(\.term) == ["体育", "abc"])
    }
}
