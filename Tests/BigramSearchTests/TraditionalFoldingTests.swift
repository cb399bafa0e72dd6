import Foundation
import Testing
@testable import BigramSearch

/// Traditional/Simplified folding (an index-time and query-time option stored with the index).
@Suite(.checksSegmentInvariants) struct TraditionalFoldingTests {
    static let docs: [(String, String)] = [
        ("t1", "我們熱愛體育運動，體育館在學校裡。"),
        ("s1", "我们热爱体育运动，体育馆在学校里。"),
        ("t2", "銀行的經濟報告說發展很快。"),
        ("s2", "银行的经济报告说发展很快。"),
        ("other", "今天天气很好，我们去公园。"),
    ]

    static func snapshot(fold: Bool) throws -> IndexSnapshot {
        let writer = try IndexWriter(schema: .text, analyzer: BigramAnalyzer(.init(foldTraditional: fold)))
        for (id, text) in docs { try writer.add(Document(id: id, text: text)) }
        return writer.snapshot()
    }

    @Test func bothScriptsFindTheSameDocuments() throws {
        let s = try Self.snapshot(fold: true)
        for (traditional, simplified, expected) in [("體育", "体育", ["t1", "s1"]), ("銀行", "银行", ["t2", "s2"]),
                                                    ("經濟發展", "经济发展", []), ("經濟", "经济", ["t2", "s2"])] {
            let a = Set(try s.matchingIDs(.phrase(traditional))), b = Set(try s.matchingIDs(.phrase(simplified)))
            #expect(a == b, "\(traditional) / \(simplified)")
            #expect(a == Set(expected), "\(traditional)")
        }
    }

    @Test func withoutFoldingScriptsStaySeparate() throws {
        let s = try Self.snapshot(fold: false)
        #expect(Set(try s.matchingIDs(.phrase("體育"))) == ["t1"])
        #expect(Set(try s.matchingIDs(.phrase("体育"))) == ["s1"])
    }

    @Test func snippetsShowTheOriginalCharacters() throws {
        let s = try Self.snapshot(fold: true)
        let hits = try s.search("体育", options: SearchOptions(limit: 10, highlight: HighlightOptions(before: "[", after: "]"))).hits
        let t1 = try #require(hits.first { $0.id == "t1" })
        #expect(t1.highlights.first?.snippet.contains("[體育]") == true)
        let text = try #require(t1["text"])
        for r in t1.highlights.first!.ranges(in: text) { #expect(text[r] == "體育") }
    }

    @Test func theOptionIsStoredWithTheIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fold-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try IndexStore.save(try Self.snapshot(fold: true), to: dir)
        let reopened = try IndexStore.open(at: dir)
        #expect(reopened.analyzer.identifier == "bigram/1+t2s")
        #expect(Set(try reopened.matchingIDs(.phrase("體育"))) == ["t1", "s1"])
        #expect(throws: StorageError.self) { try IndexStore.open(at: dir, analyzer: try BigramAnalyzer()) }
    }
}
