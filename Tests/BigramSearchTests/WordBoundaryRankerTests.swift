import Foundation
import Testing
@testable import BigramSearch

// Re-ranking finds a query's occurrences where the index finds them — in text normalized as the
// analysis reads it (NormalizedCJKText) — and maps them back to the original bytes: whitespace
// of any kind between characters, compatibility ideographs, width forms, decomposed kana and
// Traditional folding all reach the word-boundary check.

/// The re-ranking factor of each document for `query`: its re-ranked score ÷ its BM25 score.
private func factors(_ texts: [String], query: String, fold: Bool = false) throws -> [Double] {
    let writer = try IndexWriter(schema: .text, analyzer: BigramAnalyzer(.init(foldTraditional: fold)))
    for (i, t) in texts.enumerated() { try writer.add(Document(id: "d\(i)", text: t)) }
    let s = writer.snapshot()
    func scores(_ r: Reranking?) throws -> [String: Double] {
        Dictionary(uniqueKeysWithValues: try s.search(query, options: SearchOptions(limit: 50, reranking: r)).hits.map { ($0.id, $0.score) })
    }
    let plain = try scores(nil), reranked = try scores(Reranking(proximityWeight: 0))
    return try texts.indices.map { i in
        let p = try #require(plain["d\(i)"], "d\(i) matches \(query)")
        return try #require(reranked["d\(i)"]) / p
    }
}

@Suite(.checksSegmentInvariants) struct WordBoundaryRankerTests {
    @Test func occurrencesAreFoundInNormalizedTextAndMappedBack() {
        let cases: [(text: String, needle: String, original: String)] = [
            ("他非常\n   熟悉", "常熟", "常\n   熟"),             // a line wrap
            ("他非常\u{00A0}熟悉", "常熟", "常\u{00A0}熟"),        // no-break space
            ("他非常\u{3000}熟悉", "常熟", "常\u{3000}熟"),        // ideographic space
            ("他非常\u{2028}熟悉", "常熟", "常\u{2028}熟"),        // line separator
            ("一\u{F901}新", "更新", "\u{F901}新"),                // compatibility ideograph 更
            ("ｶﾀｶﾅ語", "カタカナ", "ｶﾀｶﾅ"),                     // halfwidth katakana
            ("か\u{3099}く生", "がく", "か\u{3099}く"),           // decomposed kana: one piece
        ]
        for c in cases {
            var text = NormalizedCJKText()
            let bytes = Array(c.text.utf8)
            bytes.withUnsafeBufferPointer { text.load($0, folding: nil) }
            let needle = NormalizedCJKText.cjkPieces(of: c.needle, folding: nil)
            #expect(needle.count == 1, "\(c.needle)")
            let found = text.occurrences(of: needle[0], limit: 5)
            #expect(found.count == 1, "\(c.text)")
            if let r = found.first {
                #expect(String(decoding: bytes[text.byteRange(r)], as: UTF8.self) == c.original, "\(c.text)")
            }
        }
        // Punctuation ends a run: no occurrence across it.
        var text = NormalizedCJKText()
        Array("非常，熟悉".utf8).withUnsafeBufferPointer { text.load($0, folding: nil) }
        #expect(text.occurrences(of: NormalizedCJKText.cjkPieces(of: "常熟", folding: nil)[0], limit: 5).isEmpty)
    }

    @Test func traditionalFoldingMapsBack() throws {
        let folding = try #require(TraditionalFolding.shared)
        var text = NormalizedCJKText()
        let bytes = Array("他在大學生活".utf8)
        bytes.withUnsafeBufferPointer { text.load($0, folding: folding) }
        let found = text.occurrences(of: NormalizedCJKText.cjkPieces(of: "学生", folding: folding)[0], limit: 5)
        #expect(found.count == 1)
        #expect(found.first.map { String(decoding: bytes[text.byteRange($0)], as: UTF8.self) } == "學生")
        // Without folding, the Traditional text does not hold the Simplified word.
        bytes.withUnsafeBufferPointer { text.load($0, folding: nil) }
        #expect(text.occurrences(of: NormalizedCJKText.cjkPieces(of: "学生", folding: nil)[0], limit: 5).isEmpty)
    }

    /// The cases: a match the index makes through normalization is penalized like the
    /// same text typed plainly (`非常\u{00A0}熟悉` kept its full score for `常熟` before).
    @Test func straddlingThroughNormalizationIsPenalizedLikePlainText() throws {
        let f = try factors(["这里的人我们非常熟悉", "这里的人我们非常\u{00A0}熟悉", "这里的人我们非常\u{3000}熟悉",
                             "这里的人我们非常\n  熟悉", "常熟市是江苏省的县级市"], query: "常熟")
        #expect(f[0] < 0.75, "\(f)")
        for i in 1...3 { #expect(abs(f[i] - f[0]) < 1e-9, "\(f)") }
        #expect(f[4] == 1, "\(f)")
    }

    @Test func straddlingThroughCompatibilityIdeographsIsPenalized() throws {
        // U+F901 is a compatibility form of 更; the index reads 变\u{F901}新 as 变更新.
        let f = try factors(["系统需要变更新的配置", "系统需要变\u{F901}新的配置", "更新系统"], query: "更新")
        #expect(abs(f[1] - f[0]) < 1e-9, "\(f)")
        #expect(f[2] == 1, "\(f)")
    }

    @Test func straddlingUnderTraditionalFoldingIsPenalized() throws {
        // 學生 folds to 学生; in 大學生活 it straddles 大学|生活, in 學生們 it does not.
        let f = try factors(["他们在大學生活很好", "學生們在教室里", "他们在大学生活很好"], query: "学生", fold: true)
        #expect(f[0] < 0.75, "\(f)")
        #expect(abs(f[0] - f[2]) < 1e-9, "\(f)")
        #expect(f[1] == 1, "\(f)")
    }

    /// Re-ranking is on by default, and can be turned off.
    @Test func onByDefaultAndCanBeTurnedOff() throws {
        #expect(SearchOptions().reranking == Reranking())
        let writer = try IndexWriter(schema: .text)
        try writer.add(Document(id: "city", text: "常熟市是江苏省的县级市，长期居于全国县域经济百强县前列。"))
        try writer.add(Document(id: "familiar", text: "我们对这个地方非常熟悉，这里的人也非常熟悉我们。"))
        let s = writer.snapshot()
        #expect(try s.search("常熟").hits.map(\.id) == ["city", "familiar"])
        #expect(try s.search("常熟", options: SearchOptions(reranking: nil)).hits.map(\.id) == ["familiar", "city"])
    }

    /// Stored text is read as far as needed: a field of 300 KB costs at most the last prefix
    /// step, and its occurrences beyond it are not examined (the factor comes from those before).
    @Test func longFieldsAreReadOnlyAsFarAsNeeded() throws {
        let filler = String(repeating: "一二三四五六七八九十。", count: 10_000)   // ~330 KB
        let writer = try IndexWriter(schema: .text)
        try writer.add(Document(id: "early", text: "常熟市" + filler + "非常熟悉"))
        try writer.add(Document(id: "late", text: filler + "非常熟悉" + "非常熟悉"))
        let s = writer.snapshot()
        let reranked = try s.search("常熟", options: SearchOptions(limit: 10, reranking: Reranking(proximityWeight: 0)))
        let hits = reranked.hits
        // In memory a long value is kept in 64 KiB chunks: each document reads one or two of them.
        #expect(reranked.readCost.copiedBytes <= 2 * (128 << 10), "\(reranked.readCost)")
        let plain = try s.search("常熟", options: SearchOptions(limit: 10, reranking: nil)).hits
        let factor = Dictionary(uniqueKeysWithValues: hits.map { h in (h.id, h.score / plain.first { $0.id == h.id }!.score) })
        #expect(factor["late"] == 1, "occurrences past the last step are not examined: \(factor)")
        #expect(factor["early"]! == 1, "the first occurrence (常熟市) is a word; the second is beyond 64 KiB: \(factor)")
    }

    /// Bytes that are not UTF-8 (stored text read back from a damaged file) never trap.
    @Test func invalidUTF8NeverTraps() {
        var rng = SystemRandomNumberGenerator()
        var text = NormalizedCJKText()
        let needle = NormalizedCJKText.cjkPieces(of: "常熟", folding: nil)[0]
        for _ in 0..<200 {
            var bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes += Array("常熟".utf8).prefix(Int.random(in: 0...6, using: &rng))   // often a truncated character
            bytes.withUnsafeBufferPointer { text.load($0, folding: TraditionalFolding.shared) }
            for r in text.occurrences(of: needle, limit: 3) {
                #expect(text.byteRange(r).upperBound <= bytes.count)
                var window: [UInt16] = []
                _ = text.appendWindow(around: r, context: 4, to: &window)
            }
        }
    }
}
