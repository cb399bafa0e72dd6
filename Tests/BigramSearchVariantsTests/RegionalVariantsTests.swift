import Foundation
import Testing
import BigramSearch
import BigramSearchVariants

/// Regional word variants (OpenCC's Taiwan/mainland phrase dictionaries) as a query rewrite:
/// the conversions both ways, the rewrite's shape, searches that find the other region's word only
/// with variants, highlights, odd input, and concurrent use.
@Suite struct RegionalVariantsTests {
    /// Loaded once for every test (loading maps the dictionaries).
    static let variants: RegionalVariants = {
        do { return try RegionalVariants() } catch { fatalError("\(error)") }
    }()
    var v: RegionalVariants { Self.variants }

    // MARK: - Conversions

    @Test func taiwanWordsToMainlandAndBack() {
        for (taiwan, mainland) in [("軟體", "软件"), ("資料", "数据"), ("網路", "网络"), ("檔案", "文件"), ("資料庫", "数据库"),
                                   ("伺服器", "服务器"), ("計程車", "出租车"), ("預設值", "默认值")] {
            #expect(v.variants(of: taiwan) == [taiwan, mainland], "\(taiwan)")
        }
        for (mainland, taiwan) in [("软件", "軟體"), ("数据", "資料"), ("默认", "預設"), ("网络", "網路"), ("内核", "核心"),
                                   ("服务器", "伺服器"), ("程序员", "程式設計師"), ("Linux内核", "Linux核心")] {
            #expect(v.variants(of: mainland) == [mainland, taiwan], "\(mainland)")
        }
    }

    /// Text whose characters are the same in both scripts is read both ways (OpenCC's dictionaries).
    @Test func textInBothScriptsGetsBothReadings() {
        #expect(v.variants(of: "核心") == ["核心", "内核"])
        #expect(v.variants(of: "程式") == ["程式", "程序"])
        #expect(v.variants(of: "程序") == ["程序", "进程", "程式"])
        #expect(v.variants(of: "文件") == ["文件", "文档", "檔案"])
    }

    /// tw2sp is not applied to Simplified text (it would read 程序 as the Taiwan word for a process).
    @Test func eachDirectionOnlyOnItsScript() {
        #expect(v.variants(of: "程序员") == ["程序员", "程式設計師"])
        #expect(v.variants(of: "电脑程序") == ["电脑程序", "電腦程式"])
        #expect(v.variants(of: "文件夹") == ["文件夹", "資料夾"])
        #expect(v.variants(of: "電腦程式") == ["電腦程式", "电脑程序"])
    }

    @Test func noVariantsNoDuplicates() {
        for text in ["常熟", "考察", "常熟市参观", "中华人民共和国", "", "linux", "Linux kernel 6.1", "2000", "   ", "，。！"] {
            #expect(v.variants(of: text) == [text], "\(text)")
        }
        for text in ["軟體", "软件", "程序", "文件", "網路"] {
            let vs = v.variants(of: text)
            #expect(Set(vs).count == vs.count, "\(text): \(vs)")
            #expect(vs.first == text)
        }
    }

    // MARK: - Odd input never crashes

    @Test func oddInput() {
        // NUL characters: OpenCC's C API would stop at the first; each part is converted.
        #expect(v.variants(of: "軟體\u{0}網路") == ["軟體\u{0}網路", "软件\u{0}网络"])
        #expect(v.variants(of: "\u{0}") == ["\u{0}"])
        #expect(v.variants(of: "\u{0}軟體\u{0}") == ["\u{0}軟體\u{0}", "\u{0}软件\u{0}"])
        // Lone surrogates cannot be in a String; invalid UTF-8 is repaired when decoded.
        let repaired = String(decoding: [0xE8, 0xBB, 0x9F, 0xE9, 0xAB, 0x94, 0xFF, 0xE8, 0xBB], as: UTF8.self)
        #expect(v.variants(of: repaired).first == repaired)
        #expect(v.variants(of: repaired).count == 2)
        // Combining marks, emoji with joiners, noncharacters, private use, ideographs beyond the BMP.
        for text in ["軟\u{301}體", "👩‍💻軟體", String(String.UnicodeScalarView([Unicode.Scalar(0xFFFF)!, Unicode.Scalar(0xFDD0)!])) + "軟體", "\u{E000}軟體", "𠮷野家", "𪚥", "\u{2F00}\u{3007}",
                     "軟體\r\n網路", "\u{200B}軟\u{200B}體", String(repeating: "軟", count: 3) + "\u{FEFF}"] {
            let vs = v.variants(of: text)
            #expect(vs.first == text, "\(text)")
            #expect(Set(vs).count == vs.count)
        }
        #expect(v.variants(of: "𠮷野家") == ["𠮷野家"])
    }

    @Test func veryLongText() {
        let unit = "軟體開發需要好的網路和資料庫。"
        let long = String(repeating: unit, count: 1_048_576 / unit.utf8.count + 1)
        #expect(long.utf8.count > 1_000_000)
        let vs = v.variants(of: long)
        #expect(vs.count == 2)
        #expect(vs.first == long)
        #expect(vs.last?.hasPrefix("软件开发需要好的网络和数据库。") == true)
        #expect(vs.last?.count == long.count)
        let latin = String(repeating: "abc ", count: 300_000)
        #expect(v.variants(of: latin) == [latin])
    }

    // MARK: - The rewrite

    @Test func expandKeepsFieldPrefixAndFilters() {
        let filter = Query.filter(.keyword("体育", field: "source"))
        let q: Query = .all([.phrase("軟體", field: "title", prefix: true), .phrase("常熟"), filter,
                             .not(.phrase("軟體")), .any([.phrase("網路"), .phrase("linux", prefix: true)])])
        let expected: Query = .all([
            .any([.phrase("軟體", field: "title", prefix: true), .phrase("软件", field: "title", prefix: true)]),
            .phrase("常熟"),
            filter,
            .not(.any([.phrase("軟體"), .phrase("软件")])),
            .any([.any([.phrase("網路"), .phrase("网络")]), .phrase("linux", prefix: true)]),
        ])
        #expect(v.expand(q) == expected)
        // Nothing to expand: the same query.
        for q: Query in [.phrase("常熟"), .all([.phrase("常熟"), .not(.phrase("旅游"))]), filter, .any([]), .all([])] {
            #expect(v.expand(q) == q)
        }
    }

    // MARK: - Searching

    static let docs: [(String, String)] = [
        ("tw", "這套軟體可以備份網路上的資料。"),
        ("cn", "这款软件可以备份网络上的数据。"),
        ("other", "常熟市的农民参观了工厂。"),
    ]

    static func snapshot(fold: Bool = false) throws -> IndexSnapshot {
        let writer = try IndexWriter(schema: .text, analyzer: BigramAnalyzer(.init(foldTraditional: fold)))
        for (id, text) in docs { try writer.add(Document(id: id, text: text)) }
        return writer.snapshot()
    }

    @Test func variantsFindTheOtherRegionsWord() throws {
        for fold in [false, true] {
            let s = try Self.snapshot(fold: fold)
            #expect(try s.matchingIDs(.phrase("軟體")) == ["tw"], "fold \(fold)")
            #expect(try s.matchingIDs(.phrase("软件")) == ["cn"], "fold \(fold)")
            #expect(Set(try s.matchingIDs(v.expand(.phrase("軟體")))) == ["tw", "cn"], "fold \(fold)")
            #expect(Set(try s.matchingIDs(v.expand(.phrase("软件")))) == ["tw", "cn"], "fold \(fold)")
            // 數據 is the mainland word in Traditional characters: 数据 differs only in script, so it
            // is found by folding, not by variants (and no Taiwan document has it).
            #expect(v.variants(of: "數據") == ["數據"])
            #expect(try s.search("數據 網路", variants: v).hits.map(\.id) == (fold ? ["cn"] : []), "fold \(fold)")
            #expect(Set(try s.search("数据 网络", variants: v).hits.map(\.id)) == ["tw", "cn"], "fold \(fold)")
            #expect(Set(try s.search("資料", variants: v).hits.map(\.id)) == ["tw", "cn"], "fold \(fold)")
            // An exclusion excludes every variant.
            #expect(try s.search("可以 -軟體", variants: v).totalCount == 0, "fold \(fold)")
            #expect(try s.search("可以 -軟體").hits.map(\.id) == ["cn"], "fold \(fold)")
        }
    }

    @Test func highlightsMarkTheVariantThatMatched() throws {
        let s = try Self.snapshot()
        let options = SearchOptions(highlight: HighlightOptions(before: "[", after: "]"))
        let hits = try s.search("軟體", variants: v, options: options).hits
        #expect(Set(hits.map(\.id)) == ["tw", "cn"])
        for h in hits {
            let snippet = try #require(h.highlights.first?.snippet)
            #expect(snippet.contains(h.id == "tw" ? "[軟體]" : "[软件]"), "\(h.id): \(snippet)")
            let text = try #require(h["text"])
            for r in h.highlights.first!.ranges(in: text) { #expect(text[r] == (h.id == "tw" ? "軟體" : "软件")) }
        }
    }

    @Test func strictAndLenientParsing() throws {
        let s = try Self.snapshot()
        #expect(throws: SearchError.self) { try s.search("軟體 \"備份", variants: v) }
        #expect(Set(try s.search(lenient: "軟體 \"備份", variants: v).hits.map(\.id)).isSubset(of: ["tw", "cn"]))
        #expect(Set(try s.search(lenient: "软件 OR 常熟", variants: v).hits.map(\.id)) == ["tw", "cn", "other"])
        #expect(try s.search("text:軟體", variants: v).totalCount == 2)
    }

    // MARK: - Loading

    @Test func aMissingDataDirectoryIsATypedError() {
        let dir = "/nonexistent/opencc"
        #expect(throws: RegionalVariantsError.configurationNotFound("tw2sp.json", searched: [dir])) {
            try RegionalVariants(dataDirectory: dir)
        }
        do { _ = try RegionalVariants(dataDirectory: dir) } catch {
            #expect(error.description.contains("tw2sp.json"))
            #expect(error.description.contains(dir))
            #expect(error.description.contains("libopencc-data"))
        }
    }

    @Test func aDamagedConfigurationIsATypedError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("opencc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["tw2sp.json", "s2twp.json", "t2s.json", "s2t.json"] {
            try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        do {
            _ = try RegionalVariants(dataDirectory: dir)
            Issue.record("a damaged configuration loaded")
        } catch {
            guard case .configurationFailed(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == dir + "/tw2sp.json")
            #expect(error.description.hasPrefix("OpenCC cannot load \(dir)/tw2sp.json"))
        }
        // The system directory given explicitly, with a trailing slash.
        let explicit = try RegionalVariants(dataDirectory: "/usr/share/opencc/")
        #expect(explicit.variants(of: "軟體") == ["軟體", "软件"])
    }

    // MARK: - Concurrency

    @Test func concurrentUseGivesTheSameAnswers() async throws {
        let words = ["軟體", "软件", "資料", "数据", "預設", "默认", "核心", "内核", "程式", "程序", "網路", "网络", "檔案", "文件",
                     "常熟", "linux", "", "軟體\u{0}網路", "电脑程序", "資料庫"]
        let expected = words.map { v.variants(of: $0) }
        let shared = v
        // Also instances loaded and dropped concurrently (opening takes the error-string lock).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    let mine = t % 4 == 3 ? try RegionalVariants() : shared
                    for round in 0..<300 {
                        let i = (round * 7 + t) % words.count
                        let got = mine.variants(of: words[i])
                        guard got == expected[i] else {
                            Issue.record("thread \(t), \(words[i]): \(got) != \(expected[i])")
                            return
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let s = try Self.snapshot()
        let queries = ["軟體", "数据 网络", "-軟體 可以", "資料 OR 常熟"]
        let answers = try queries.map { try s.search($0, variants: v).hits.map(\.id) }
        await withTaskGroup(of: Bool.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for round in 0..<50 {
                        let i = (round + t) % queries.count
                        guard (try? s.search(queries[i], variants: shared).hits.map(\.id)) == answers[i] else { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
