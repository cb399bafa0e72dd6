import Foundation
import Testing
@testable import BigramSearch

// Generated-input fuzzing with fixed seeds (a short smoke run; BIGRAM_FUZZ_ITERATIONS runs
// longer): the segment reader on files with several stacked mutations, the query parser on
// random strings, searches of whatever it parses, and the analyzer on random text.

// MARK: - Random text

/// Pieces random queries and texts are made of: CJK, Kana, Hangul, ASCII words and digits,
/// operators, quotes, parentheses, field prefixes, `*`, combining marks, emoji, odd spaces.
private let pieces: [String] = [
    "常", "熟", "常熟", "发展", "经济", "企业", "的", "體育館", "国", "ひらがな", "カタカナ", "한국어", "々", "〇",
    "Linux", "linu", "kernel", "Swift", "2000", "3.3", "亿元", "ＡＢＣ", "ｌｉｎｕｘ", "é", "e\u{301}", "ß", "İ",
    " ", "  ", "\t", "\n", "\u{3000}", "\u{200B}", "\u{FEFF}", "-", "--", "+", "OR", "or", "AND", "NOT", "|", "&",
    "\"", "\"", "(", ")", "((", "))", ":", "title:", "body:", "tags:", "url:", "nosuch:", "*", "**", "?", "\\",
    "。", "，", "、", "！", "《", "》", "😀", "👨‍👩‍👧", "🇨🇳", "\u{0}", "\u{7F}", "\u{FFFD}", "a", "x", "_", "'",
]

private func randomString(_ rng: inout SplitMix64, maxPieces: Int = 12) -> String {
    var s = ""
    for _ in 0..<rng.int(0...maxPieces) {
        switch rng.int(0..<20) {
        case 0:
            // Invalid UTF-8 (and valid bytes) decoded with replacement.
            let bytes = (0..<rng.int(1...6)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            s += String(decoding: bytes, as: UTF8.self)
        case 1:
            // Any scalar.
            let v = UInt32(truncatingIfNeeded: rng.next()) % 0x110000
            if let u = Unicode.Scalar(v) { s.unicodeScalars.append(u) }
        default:
            s += rng.pick(pieces)
        }
    }
    return s
}

// MARK: - Segment reader: stacked mutations

/// Cases of 2–6 crafted mutations of random index sections of one segment file at once.
private func runStackedCases(iterations: Int, seed: UInt64, log: String) throws -> [String] {
    let fixture = try DamageFixture()
    let watchdog = Watchdog(limit: .seconds(20), log: log)
    var rng = SplitMix64(seed)
    var generator = MutationGenerator(seed: seed ^ 0x5555, documentCount: fixture.intact[0].documentCount)
    var problems: [String] = []
    for c in 0..<iterations {
        let k = rng.int(0..<fixture.images.count)
        var image = fixture.images[k]
        let sections = image.sections.filter { !$0.isStoredText }
        var names: [String] = []
        for _ in 0..<rng.int(2...6) {
            let m = generator.mutation(of: rng.pick(sections), in: image)
            // Table lengths change other sections' bounds: keep them rare.
            if case .setLength = m.changes.first, rng.chance(70) { continue }
            image.bytes = m.apply(to: image)
            names.append(m.description)
        }
        let name = "stacked case \(c), segment \(k): " + names.joined(separator: "; ")
        var r = CaseResult()
        let bytes = image.bytes
        let time = watchdog.run(name) { r = runCase(fixture, segment: k, bytes: bytes) }
        if time > .seconds(3) { problems.append("\(name): took \(time)") }
        problems += r.problems.map { "\(name): \($0)" }
        if r.searchError != nil && r.verifyError == nil { problems.append("\(name): search reported damage, verify passed") }
    }
    return problems
}

@Suite(.checksSegmentInvariants) struct FuzzTests {
    @Test func segmentReaderOnStackedMutations() async {
        let log = temporaryIndexPath("log"), report = log + ".report"
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: report) }
        let iterations = fuzzIterations(default: 500)
        let result = await #expect(processExitsWith: .success, "a stacked-mutation case crashed, hung or had problems") {
            [iterations = iterations as Int, log = log as String, report = report as String] in
            let problems = try runStackedCases(iterations: iterations, seed: 0xF022_0001, log: log)
            try Data(problems.prefix(40).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: report))
            exit(problems.isEmpty ? 0 : 1)
        }
        if result?.exitStatus != .exitCode(0) {
            let output = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
            let last = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            Issue.record("\(output.isEmpty ? "crashed or hung in " + last : output)")
        }
    }

    // MARK: Query parser and searches of what it parses

    @Test func queryParserOnRandomStrings() throws {
        let w = try IndexWriter(schema: DamageFixture.schema)
        try w.add(contentsOf: try DamageFixture.documents().prefix(60))
        let s = w.snapshot()
        let parser = s.queryParser
        var rng = SplitMix64(0xF022_0002)
        var parsedStrictly = 0, searched = 0
        let n = fuzzIterations(default: 3000)
        for i in 0..<n {
            let text = randomString(&rng, maxPieces: i % 50 == 0 ? 200 : 12)
            let characters = text.count
            var strict: Query?
            do {
                strict = try parser.parse(text)   // throws only QuerySyntaxError (typed)
                parsedStrictly += 1
            } catch {
                #expect(error.position >= 0 && error.position <= characters,
                        "\(text.debugDescription): error position \(error.position) of \(characters) characters")
                #expect(!error.description.isEmpty)
            }
            let lenient = parser.parseLenient(text)   // never throws
            if let strict {
                #expect(strict == lenient, "\(text.debugDescription): strict \(strict) vs lenient \(lenient)")
            }
            // Whatever parses, searches: results or a typed error, never damage (the index is intact).
            for q in [lenient] + (strict.map { [$0] } ?? []) {
                do {
                    let r = try s.search(q, options: SearchOptions(limit: 5))
                    #expect(r.hits.count <= 5 && r.hits.count <= r.totalCount)
                    if i % 10 == 0 {
                        #expect(try s.count(q) == r.totalCount, "\(text.debugDescription): count")
                        #expect(try s.matchingIDs(q).count == r.totalCount, "\(text.debugDescription): matchingIDs")
                    }
                    searched += 1
                } catch {
                    switch error {
                    case .unknownField, .syntax: break
                    default: Issue.record("\(text.debugDescription): search threw \(error)")
                    }
                }
            }
            do { _ = try s.search(lenient: text) } catch {
                Issue.record("\(text.debugDescription): lenient search threw \(error)")
            }
        }
        #expect(parsedStrictly > n / 10, "the generator should produce valid queries too (\(parsedStrictly) of \(n))")
        #expect(searched > n)
    }

    // MARK: Analyzer

    @Test(arguments: [BigramAnalyzer.Options(), .init(foldTraditional: true), .init(emitUnigrams: true),
                      .init(foldTraditional: true, emitUnigrams: true)])
    func analyzerOnRandomText(options: BigramAnalyzer.Options) throws {
        let analyzer = try BigramAnalyzer(options)
        var rng = SplitMix64(0xF022_0003 ^ (options.foldTraditional ? 1 : 0) ^ (options.emitUnigrams ? 2 : 0))
        for _ in 0..<fuzzIterations(default: 2000) / 4 {
            let text = randomString(&rng, maxPieces: 24)
            let utf8 = Array(text.utf8)
            var previous = Int.min
            for t in analyzer.tokens(in: text) {
                let r = t.utf8Range
                #expect(r.lowerBound >= 0 && r.lowerBound < r.upperBound && r.upperBound <= utf8.count,
                        "\(text.debugDescription): \(t) outside the text of \(utf8.count) bytes")
                guard r.lowerBound >= 0 && r.upperBound <= utf8.count else { continue }
                // On scalar boundaries: neither end inside a multi-byte sequence.
                #expect(utf8[r.lowerBound] & 0xC0 != 0x80, "\(text.debugDescription): \(t) starts inside a scalar")
                #expect(r.upperBound == utf8.count || utf8[r.upperBound] & 0xC0 != 0x80,
                        "\(text.debugDescription): \(t) ends inside a scalar")
                #expect(t.position >= previous, "\(text.debugDescription): positions go back at \(t)")
                #expect(t.position >= 0 && !t.term.isEmpty, "\(text.debugDescription): \(t)")
                previous = t.position
            }
        }
    }
}
