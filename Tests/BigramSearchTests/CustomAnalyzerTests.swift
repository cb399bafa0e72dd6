import Foundation
import Testing
import BigramSearch

// Custom analyzers, written with the public API only (no @testable import): one that delegates
// every member to a BigramAnalyzer must search exactly like it (matches, scores, highlights,
// the lone-character rule: `核` finds `内核`); one with only the required members behaves as
// the Analyzer protocol documents for its defaults.

// MARK: - Analyzers

/// Delegates document and query analysis to a BigramAnalyzer, under its own identifier.
private struct DelegatingAnalyzer: Analyzer {
    let base: BigramAnalyzer
    var identifier: String { "delegating/" + base.identifier }
    func tokens(in text: String) -> [Token] { base.tokens(in: text) }
    func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) { base.analyze(text, into: &sink) }
    func queryTerms(in text: String) -> [QueryTerm] { base.queryTerms(in: text) }
}

/// Only the required members, the tokens a BigramAnalyzer's.
private struct MinimalAnalyzer: Analyzer {
    let base: BigramAnalyzer
    var identifier: String { "minimal/" + base.identifier }
    func tokens(in text: String) -> [Token] { base.tokens(in: text) }
}

/// Only the required members: lowercased words split at spaces, returned last first, and a
/// token at position -1 (which analysis must leave out).
private struct ReversedWordsAnalyzer: Analyzer {
    var identifier: String { "reversed-words/1" }
    func tokens(in text: String) -> [Token] {
        var tokens: [Token] = [Token(term: "hidden", kind: .word, position: -1, utf8Range: 0..<0)]
        var offset = 0, position = 0
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            let n = piece.utf8.count
            if n > 0 {
                tokens.append(Token(term: piece.lowercased(), kind: .word, position: position, utf8Range: offset..<(offset + n)))
                position += 1
            }
            offset += n + 1
        }
        return tokens.reversed()
    }
}

/// Delegates everything under the default analyzer's own identifier, options included: an index
/// built with it reopens as a plain BigramAnalyzer.
private struct TransparentAnalyzer: Analyzer {
    let base: BigramAnalyzer
    var identifier: String { base.identifier }
    func tokens(in text: String) -> [Token] { base.tokens(in: text) }
    func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) { base.analyze(text, into: &sink) }
    func queryTerms(in text: String) -> [QueryTerm] { base.queryTerms(in: text) }
    var bigramOptions: BigramAnalyzer.Options? { base.options }
}

/// Claims the default analyzer's options under another identifier: they must not be stored
/// (reopening would swap the analyzer).
private struct ClaimingAnalyzer: Analyzer {
    let base: BigramAnalyzer
    var identifier: String { "claiming/" + base.identifier }
    func tokens(in text: String) -> [Token] { base.tokens(in: text) }
    var bigramOptions: BigramAnalyzer.Options? { base.options }
}

// MARK: - Corpus and queries

private enum CustomAnalyzerCorpus {
    static let schema = Schema([.init("title", boost: 2), .init("body")])

    static let vocabulary = [
        "Linux", "linux", "ＬＩＮＵＸ", "kernel", "Kernel", "2000", "２０００", "files", "file", "ipv6",
        "example.com", "1.34", "can't", "x86", "GNU/Linux", "foo_bar",
    ]

    /// Hand-made traps for the rules beyond equal terms.
    static let traps = [
        "内核", "核", "核心", "我们对Linux内核非常熟悉。", "内核linux", "内核 Linux 升级", "核Linux",
        "常熟市参\n\n观考察", "常熟，市民", "非常熟悉", "体育新闻", "體育新聞", "files and filesystems",
        "linux内核2000亿元", "see example.com and 1.34, can't", "小微企业\n园建设", "한국어 검색", "カーネル\n开发",
        "市 市 市", "的", "，。！", "",
    ]

    /// The seed paragraphs; the traps; seed paragraphs recombined with line wraps, punctuation
    /// and Latin words between their Han characters. A title from the start of each text.
    static let documents: [Document] = {
        var texts: [(id: String, text: String)] = []
        let pages = (try? Seeds.paragraphsByPage()) ?? []
        for (page, paragraphs) in pages {
            for (k, p) in paragraphs.enumerated() { texts.append(("\(page)/\(k)", p)) }
        }
        for (k, t) in traps.enumerated() { texts.append(("trap\(k)", t)) }
        let paragraphs = pages.flatMap(\.paragraphs)
        var rng = SplitMix64(0xA11A_1E2E)
        for g in 0..<(paragraphs.isEmpty ? 0 : 150) {
            var out = ""
            for _ in 0..<rng.int(1...3) {
                for c in rng.pick(paragraphs) {
                    out.append(c)
                    switch rng.int(0..<100) {
                    case 0..<4: out += rng.pick(["\n", "\n\n", " ", "\u{3000}"])
                    case 4..<6: out += rng.pick(["，", "。", "、"])
                    case 6..<8: out += rng.pick(vocabulary)
                    case 8: out += " " + rng.pick(vocabulary) + " "
                    default: break
                    }
                }
            }
            texts.append(("gen\(g)", out))
        }
        return texts.map { id, text in
            let cut = text.index(text.startIndex, offsetBy: min(text.count, 12))
            return Document(id: id, fields: ["title": String(text[..<cut]), "body": String(text[cut...])])
        }
    }()

    /// The last character of CJK runs of two or more characters in the documents' bodies (where
    /// only a run-end record finds a one-character query).
    static func runEndCharacters(count: Int) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        for d in documents {
            let scalars = Array((d["body"] ?? "").unicodeScalars)
            for i in 1..<max(1, scalars.count) where isHan(scalars[i]) && isHan(scalars[i - 1])
                && (i + 1 == scalars.count || !isHan(scalars[i + 1]) && !scalars[i + 1].properties.isWhitespace) {
                let c = String(scalars[i])
                if seen.insert(c).inserted { found.append(c) }
                if found.count == count { return found }
            }
        }
        return found
    }

    static func isHan(_ s: Unicode.Scalar) -> Bool { (0x4E00...0x9FFF).contains(s.value) }

    /// Fixed queries, then generated ones (TestSupport's generator).
    static func queries(count: Int, seed: UInt64) -> [String] {
        let fixed = [
            "核", "内核", "核心", "核Linux", "Linux内核", "linux 内核", "\"Linux 内核\"", "内核linux", "核 linux",
            "linu*", "kern*", "fil*", "example.com", "1.34", "2000亿元", "2000", "常熟", "熟", "市", "参观", "常熟市",
            "常熟 -考察", "常熟 OR 小微企业", "(常熟 OR 企业) 发展", "\"常熟 市\"", "title:常熟", "body:核",
            "體育", "体育", "业园", "园", "的", "检索", "한국어", "カーネル", "，。",
        ] + runEndCharacters(count: 60)
        let texts = documents.map { ($0["title"] ?? "") + ($0["body"] ?? "") }
        return randomQueries(after: fixed, texts: texts, words: vocabulary, fields: ["title", "body"], count: count, seed: seed)
    }

    static func index(_ analyzer: any Analyzer) throws -> IndexSnapshot {
        let w = try IndexWriter(schema: schema, analyzer: analyzer)
        for d in documents { try w.add(d) }
        return w.snapshot()
    }
}

/// Everything a search returns, comparable.
private struct Outcome: Equatable, CustomStringConvertible {
    var total: Int
    var hits: [String]
    var scores: [Double]
    var highlights: [[FieldHighlight]]
    var all: [String]

    init(_ s: IndexSnapshot, _ query: String, reranking: Bool = false) throws {
        let r = try s.search(query, options: SearchOptions(limit: 10, highlight: HighlightOptions(),
                                                          reranking: reranking ? Reranking() : nil))
        total = r.totalCount
        hits = r.hits.map(\.id)
        scores = r.hits.map(\.score)
        highlights = r.hits.map(\.highlights)
        all = try s.matchingIDs(s.queryParser.parse(query))
    }

    var description: String { "\(total) hits \(hits.prefix(5)) scores \(scores.prefix(3))" }
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct CustomAnalyzerTests {
    /// A delegating analyzer finds, ranks and highlights exactly like the analyzer it delegates
    /// to, under every option.
    @Test(arguments: [BigramAnalyzer.Options(), .init(emitUnigrams: true), .init(foldTraditional: true)])
    func delegatingAnalyzerSearchesLikeTheDefault(options: BigramAnalyzer.Options) throws {
        let base = try BigramAnalyzer(options)
        let plain = try CustomAnalyzerCorpus.index(base)
        let custom = try CustomAnalyzerCorpus.index(DelegatingAnalyzer(base: base))
        #expect(custom.analyzer.identifier == "delegating/" + base.identifier)
        let queries = CustomAnalyzerCorpus.queries(count: 700, seed: 0xC057_0001)
        var nonEmpty = 0, issues = 0
        for (n, q) in queries.enumerated() {
            let expected = try Outcome(plain, q, reranking: n % 10 == 0)
            let actual = try Outcome(custom, q, reranking: n % 10 == 0)
            if expected.total > 0 { nonEmpty += 1 }
            if actual != expected && issues < 20 {
                issues += 1
                Issue.record("\(q): default \(expected), delegating \(actual)")
            }
        }
        #expect(nonEmpty >= queries.count / 2, "too few queries match anything: \(nonEmpty) of \(queries.count)")

        // The lone-character rule itself: the last character of a run finds the run's document.
        for (k, d) in CustomAnalyzerCorpus.documents.enumerated() where k % 7 == 0 {
            let body = d["body"] ?? ""
            let scalars = Array(body.unicodeScalars)
            guard scalars.count >= 2, CustomAnalyzerCorpus.isHan(scalars[scalars.count - 1]),
                  CustomAnalyzerCorpus.isHan(scalars[scalars.count - 2]) else { continue }
            let last = String(scalars[scalars.count - 1])
            #expect(try custom.matchingIDs(.phrase(last, field: "body")).contains(d.id), "\(last) at the end of \(d.id)")
        }
        func traps(_ q: String) throws -> [String] {
            try custom.matchingIDs(.phrase(q)).filter { $0.hasPrefix("trap") }.sorted()
        }
        let withCharacter = CustomAnalyzerCorpus.traps.indices.filter { CustomAnalyzerCorpus.traps[$0].contains("核") }
        #expect(try traps("核") == withCharacter.map { "trap\($0)" }.sorted())   // 内核, 核, 核心, …
        #expect(try traps("核Linux") == ["trap4", "trap5", "trap6"])          // 内核linux, 内核 Linux, 核Linux
    }

    /// An index built with a delegating analyzer reopens with it and searches the same; without
    /// it, opening is refused (its options are not stored under another identifier).
    @Test func delegatingAnalyzerAcrossSaveAndOpen() throws {
        let custom = DelegatingAnalyzer(base: try BigramAnalyzer())
        let before = try CustomAnalyzerCorpus.index(custom)
        let dir = temporaryIndexPath("delegating")
        defer { removeDirectory(dir) }
        try IndexStore.save(before, to: dir)
        #expect(throws: StorageError.self) { try IndexStore.open(at: dir) }
        let after = try IndexStore.open(at: dir, analyzer: custom)
        for q in ["核", "内核", "核Linux", "linu*", "常熟 OR 小微企业", "\"常熟 市\"", "body:核"] {
            #expect(try Outcome(after, q) == Outcome(before, q), "\(q)")
        }
    }

    /// The manifest stores options only for an analyzer with that BigramAnalyzer's identifier.
    @Test func storedOptionsNeedTheSameIdentifier() throws {
        let options = BigramAnalyzer.Options(emitUnigrams: true)
        let transparent = TransparentAnalyzer(base: try BigramAnalyzer(options))
        let claiming = ClaimingAnalyzer(base: try BigramAnalyzer(options))
        for (analyzer, reopens) in [(transparent as any Analyzer, true), (claiming, false)] {
            let w = try IndexWriter(schema: .text, analyzer: analyzer)
            try w.add(Document(id: "1", text: "我们对Linux内核非常熟悉"))
            let dir = temporaryIndexPath("options")
            defer { removeDirectory(dir) }
            try IndexStore.save(w.snapshot(), to: dir)
            if reopens {
                let s = try IndexStore.open(at: dir)
                #expect((s.analyzer as? BigramAnalyzer)?.options == options)
                #expect(try s.matchingIDs(.phrase("核")) == ["1"])
            } else {
                #expect(throws: StorageError.analyzerMismatch(path: dir, stored: analyzer.identifier,
                                                              requested: "none (pass the analyzer to open)")) {
                    try IndexStore.open(at: dir)
                }
                #expect(try IndexStore.open(at: dir, analyzer: analyzer).matchingIDs(.phrase("内核")) == ["1"])
            }
        }
    }

    /// With only `identifier` and `tokens(in:)`: the tokens are indexed as they are and query
    /// terms match exactly, so a lone character finds only its unigram (a one-character run), a
    /// position's highlight is the union of its tokens' ranges, and the index must be given the
    /// analyzer again to open.
    @Test func minimalAnalyzerBehavesAsDocumented() throws {
        let base = try BigramAnalyzer()
        let docs = [
            "a": "内核", "b": "核", "c": "核心", "d": "我们对Linux内核非常熟悉。", "e": "常熟市参\n\n观考察",
            "f": "内核linux", "g": "核，linux",
        ]
        func index(_ analyzer: any Analyzer) throws -> IndexSnapshot {
            let w = try IndexWriter(schema: .text, analyzer: analyzer)
            for (id, text) in docs.sorted(by: { $0.key < $1.key }) { try w.add(Document(id: id, text: text)) }
            return w.snapshot()
        }
        let minimal = try index(MinimalAnalyzer(base: base))
        let plain = try index(base)
        func ids(_ s: IndexSnapshot, _ q: String) throws -> [String] { try s.matchingIDs(s.queryParser.parse(q)).sorted() }

        // Exact terms: a lone character is its unigram.
        #expect(try ids(minimal, "核") == ["b", "g"])
        #expect(try ids(plain, "核") == ["a", "b", "c", "d", "f", "g"])
        #expect(try ids(minimal, "核linux") == ["g"])
        #expect(try ids(plain, "核linux") == ["f", "g"])
        // Rules inside tokens(in:) hold: bigram phrases, line wraps, mixed phrases, prefixes.
        for q in ["内核", "核心", "参观", "常熟市", "linux内核", "\"Linux 内核\"", "linu*", "内核 -linux"] {
            #expect(try ids(minimal, q) == ids(plain, q), "\(q)")
        }
        #expect(try ids(minimal, "参观") == ["e"])

        // Highlights: a position's range is the union of its tokens' (常熟 at 0 and 熟市 at 1
        // make 常熟's second position reach 市); the default analyzer reports each character.
        let options = SearchOptions(highlight: HighlightOptions(before: "[", after: "]"))
        let m = try #require(try minimal.search("常熟", options: options).hits.first)
        let p = try #require(try plain.search("常熟", options: options).hits.first)
        #expect(m.highlights.map(\.utf8Ranges) == [[0..<9]])
        #expect(p.highlights.map(\.utf8Ranges) == [[0..<6]])
        #expect(p.highlights.first?.snippet == "[常熟]市参观考察")

        // Nothing stored to rebuild it: it must be passed to open the index.
        let dir = temporaryIndexPath("minimal")
        defer { removeDirectory(dir) }
        try IndexStore.save(minimal, to: dir)
        #expect(throws: StorageError.self) { try IndexStore.open(at: dir) }
        #expect(try ids(IndexStore.open(at: dir, analyzer: MinimalAnalyzer(base: base)), "核") == ["b", "g"])
    }

    /// The default document analysis of a tokens-only analyzer: tokens sorted by position,
    /// negative positions left out, each position followed by the union of its ranges; the
    /// default query analysis: the tokens, matched exactly.
    @Test func defaultAnalysisOfATokensOnlyAnalyzer() throws {
        let a = ReversedWordsAnalyzer()
        var sink = RecordingSink()
        a.analyze("Alpha beta  Gamma", into: &sink)
        #expect(sink.calls == [
            "word alpha @0 0..<5", "at @0 0..<5", "word beta @1 6..<10", "at @1 6..<10",
            "word gamma @2 12..<17", "at @2 12..<17",
        ])
        #expect(a.queryTerms(in: "x y").map(\.match) == [.exact, .exact])
        #expect(a.bigramOptions == nil)

        let w = try IndexWriter(schema: .text, analyzer: a)
        try w.add(Document(id: "1", text: "Alpha beta  Gamma"))
        try w.add(Document(id: "2", text: "gamma beta alpha"))
        let s = w.snapshot()
        #expect(try s.matchingIDs(.phrase("alpha beta")) == ["1"])
        #expect(try s.matchingIDs(.phrase("gam", prefix: true)).sorted() == ["1", "2"])
        #expect(try s.matchingIDs(.phrase("hidden")).isEmpty)
        let hit = try #require(try s.search("beta gamma", options: SearchOptions(highlight: HighlightOptions())).hits.first)
        #expect(hit.id == "1")
        #expect(hit.highlights.map(\.utf8Ranges) == [[6..<10, 12..<17]])
    }

    /// BigramAnalyzer's own query analysis, as documented.
    @Test func bigramQueryTerms() throws {
        let plain = try BigramAnalyzer(), unigrams = try BigramAnalyzer(.init(emitUnigrams: true))
        func describe(_ terms: [QueryTerm]) -> [String] { terms.map { "\($0.token.term)@\($0.token.position) \($0.match)" } }
        #expect(describe(plain.queryTerms(in: "核")) == ["核@0 characterInRun"])
        #expect(describe(plain.queryTerms(in: "核Linux")) == ["核@0 characterInRun", "linux@1 exact"])
        #expect(describe(plain.queryTerms(in: "内核")) == ["内核@0 exact"])
        #expect(describe(unigrams.queryTerms(in: "核")) == ["核@0 exact"])
        #expect(describe(unigrams.queryTerms(in: "内核，心")) == ["内核@0 exact", "心@2 exact"])
        #expect(plain.bigramOptions == plain.options)
    }
}
