import Foundation
import Testing
@testable import BigramSearch

// Re-ranking finds a query's occurrences where the index finds them — in text normalized as the
// analysis reads it (NormalizedCJKText) — and maps them back to the original bytes: whitespace
// of any kind between characters, compatibility ideographs, width forms, decomposed kana and
// Traditional folding all reach the word-boundary check.

/// The re-ranking factor of each document for `query`: its re-ranked score ÷ its BM25 score
/// (by default the word-boundary factor alone: proximity and lead off).
private func factors(_ texts: [String], query: String, fold: Bool = false,
                     reranking: Reranking = Reranking(proximityWeight: 0, leadWeight: 0)) throws -> [Double] {
    let writer = try IndexWriter(schema: .text, analyzer: BigramAnalyzer(.init(foldTraditional: fold)))
    for (i, t) in texts.enumerated() { try writer.add(Document(id: "d\(i)", text: t)) }
    let s = writer.snapshot()
    func scores(_ r: Reranking?) throws -> [String: Double] {
        Dictionary(uniqueKeysWithValues: try s.search(query, options: SearchOptions(limit: 50, reranking: r)).hits.map { ($0.id, $0.score) })
    }
    let plain = try scores(nil), reranked = try scores(reranking)
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

    /// A clause that occurs as a word in a field's first `leadBytes` bytes gains its share of
    /// `leadWeight`; one that occurs there only across a word boundary gains nothing.
    @Test func clausesInTheLeadGain() throws {
        let filler = String(repeating: "一二三四五六七八九十。", count: 10)   // 330 bytes
        let lead = Reranking(penalty: 0, proximityWeight: 0, leadWeight: 0.5, leadBytes: 256)
        // 常熟 as a word at the start, later, and across 非常|熟悉 at the start.
        let one = try factors(["常熟市" + filler, filler + "常熟市", "非常熟悉" + filler], query: "常熟", reranking: lead)
        #expect(one == [1.5, 1, 1], "\(one)")
        // Two clauses, one of them in the lead: half the weight.
        let two = try factors(["常熟市" + filler + "考察", "考察" + filler + "常熟市", filler + "常熟考察"], query: "常熟 考察", reranking: lead)
        #expect(two == [1.25, 1.25, 1], "\(two)")
        // leadBytes bounds the lead; weight 0 turns it off.
        #expect(try factors(["一二三常熟市" + filler], query: "常熟", reranking: Reranking(penalty: 0, proximityWeight: 0, leadWeight: 0.5, leadBytes: 9)) == [1])
        #expect(try factors(["常熟市" + filler], query: "常熟", reranking: Reranking(penalty: 0, proximityWeight: 0, leadWeight: 0)) == [1])
        // With the default penalty, a straddling occurrence in the lead loses, and gains nothing.
        let both = try factors(["常熟市" + filler, "非常熟悉" + filler], query: "常熟", reranking: Reranking(proximityWeight: 0))
        #expect(both == [1.5, 0.25], "\(both)")
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
        let reranked = try s.search("常熟", options: SearchOptions(limit: 10, reranking: Reranking(proximityWeight: 0, leadWeight: 0)))
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

    /// Normalizing a text piece by piece, in any cut (also through a character or a combining
    /// sequence), gives what normalizing it at once gives.
    @Test func extendingInPiecesEqualsLoadingWhole() throws {
        var rng = SplitMix64(7)
        var texts = try Seeds.texts().map { String($0.prefix(3000)) }
        texts += ["か\u{3099}く\u{3099}生\u{0301}", "一\u{F901}新ｶﾀｶﾅ", "非常\n   熟悉\u{3000}x", "體育\u{2028}繁體"]
        for text in texts {
            let bytes = Array(text.utf8)
            for folding in [nil, TraditionalFolding.shared] {
                var whole = NormalizedCJKText()
                bytes.withUnsafeBufferPointer { whole.load($0, folding: folding) }
                for _ in 0..<8 {
                    var pieces = NormalizedCJKText()
                    var end = 0
                    while end < bytes.count {
                        end = min(bytes.count, end + Int(rng.next() % 40) + 1)
                        bytes.withUnsafeBufferPointer { pieces.extend($0, to: end, final: false, folding: folding) }
                        // Only what no later byte can change is there: a prefix of the whole.
                        #expect(pieces.characters.count <= whole.characters.count)
                    }
                    bytes.withUnsafeBufferPointer { pieces.extend($0, to: bytes.count, final: true, folding: folding) }
                    #expect(pieces.characters.map(\.value) == whole.characters.map(\.value))
                    #expect(pieces.characters.map(\.start) == whole.characters.map(\.start))
                    #expect(pieces.characters.map(\.end) == whole.characters.map(\.end))
                }
            }
        }
    }

    /// The match counts the evaluator records bound the occurrences looked for, and fields where a
    /// phrase did not match are not read: the factors are those found without them, on the seeds'
    /// paragraphs, for one-word, multi-word, OR and NOT queries, in one field and in two.
    @Test func matchCountsChangeNoFactor() throws {
        let paragraphs = try Seeds.texts().flatMap(Seeds.paragraphs(in:))
        let schema = Schema([.init("text"), .init("title", boost: 2)])
        let writer = try IndexWriter(schema: schema)
        for (i, p) in paragraphs.enumerated() {
            try writer.add(Document(id: "p\(i)", fields: ["text": p, "title": String(p.prefix(12))]))
        }
        let s = writer.snapshot()
        let options = Reranking()
        var compared = 0
        for query in ["企业", "发展 经济", "常熟", "治理 OR 建设", "工作 -企业", "title:常熟", "\"社会治理\"", "业园", "小微 企业 发展"] {
            let plain = try s.search(query, options: SearchOptions(limit: 50, reranking: nil)).hits
            let reranked = Dictionary(uniqueKeysWithValues: try s.search(query, options: SearchOptions(limit: 50, reranking: options)).hits.map { ($0.id, $0.score) })
            let analyzer = try BigramAnalyzer()
            var compiler = QueryCompiler(schema: schema, analyzer: analyzer)
            _ = try compiler.compile(try s.queryParser.parse(query))
            let ranker = WordBoundaryRanker(options: options, leaves: compiler.leaves, analyzer: analyzer)
            for hit in plain.prefix(options.candidates) {
                let fields = [hit["text"] ?? "", hit["title"] ?? ""]
                let expected = ranker.factors(count: 1) { (_, f, _, bytes) -> Bool? in
                    bytes += Array(fields[f].utf8)
                    return true
                }[0]
                let found = try #require(reranked[hit.id]) / hit.score
                #expect(abs(found - expected) < 1e-9, "\(query): \(hit.id) \(found) against \(expected)")
                compared += 1
            }
        }
        #expect(compared > 60)
    }

    /// Occurrences with ASCII (but `_`) or common CJK punctuation on both sides skip the
    /// dictionary call because ICU always breaks there: checked against ICU for every such
    /// neighbour, around Han and Katakana words.
    @Test func theNeighboursThatSkipTheDictionaryAlwaysBreak() throws {
        let pool = try WordBreakerPool(.dictionary)
        var safe = (UInt32(0x21)...0x7E).filter { WordBoundaryRanker.breaksBeside($0) }
        safe += (UInt32(0x2000)...0x303F).filter { WordBoundaryRanker.breaksBeside($0) }
        #expect(!WordBoundaryRanker.breaksBeside(0x5F) && !WordBoundaryRanker.breaksBeside(0x3006) && !WordBoundaryRanker.breaksBeside(0x4E00))
        #expect(safe.count > 90)
        for word in ["常熟", "熟悉", "カタカナ", "ひらがな"] {
            let w = Array(word.utf16)
            for c in safe {
                let n = Array(String(Unicode.Scalar(c)!).utf16)
                for text in [n + w + n, w + n, n + w] {
                    let start = text.count == w.count + 2 * n.count || text.first == n.first ? n.count : 0
                    let b = pool.withBreaker { $0.boundaries(in: text) }
                    #expect(b.contains(Int32(start)) && b.contains(Int32(start + w.count)), "\(word) beside U+\(String(c, radix: 16))")
                }
            }
        }
    }
}
