import Foundation
import Testing
@testable import BigramSearch

// Tests of the analysis contract (BigramSearch.docc/TheContract.md, Analysis) against an independent reference implementation.

// MARK: - Helpers (independent of the analyzer's internals)

/// Character classes as in shared/corpus/oracle.py (HAN_KANA, HANGUL, Python's `\s`).
private enum RefClass { case hanKana, hangul, space, other }

private func refClass(_ s: Unicode.Scalar) -> RefClass {
    let v = s.value
    if OracleCharacterClasses.hanKanaRanges.contains(where: { $0.contains(v) }) { return .hanKana }
    if OracleCharacterClasses.hangulRanges.contains(where: { $0.contains(v) }) { return .hangul }
    if OracleCharacterClasses.spaces.contains(v) { return .space }
    return .other
}

/// NFKC + lowercasing with Foundation (equals NFKC_Casefold for the inputs used here). The NFC pass
/// works around Foundation on Linux not recomposing after a compatibility decomposition
/// (`ｶﾞ` U+FF76 U+FF9E gives U+30AB U+3099 instead of U+30AC).
private func refNormalize(_ s: some StringProtocol) -> String {
    String(s).precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping.lowercased()
}

/// `refNormalize` with all whitespace removed, as scalars (no canonical-equivalence fuzziness).
private func squeezed(_ s: some StringProtocol) -> [UInt32] {
    refNormalize(s).unicodeScalars.filter { refClass($0) != .space }.map(\.value)
}

private func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

/// One term as a comparable key: position, kind, term scalars in hex (exact, no normalization).
private func key(_ position: Int, _ kind: Token.Kind, _ term: String) -> String {
    "\(position)|\(kind.rawValue)|" + term.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
}

/// The reference analysis: terms as sorted keys. Words are maximal runs of ASCII letters/digits,
/// joined across `.`/`'` between two letters or two digits, and across `,`/`;` between two digits
/// (UAX #29 MidNumLet / MidNum, what ICU word breaking does).
private func reference(_ text: String, unigrams: Bool = false) -> [String] {
    let s = Array(refNormalize(text).unicodeScalars)
    let n = s.count
    func isDigit(_ i: Int) -> Bool { i >= 0 && i < n && s[i].value >= 0x30 && s[i].value <= 0x39 }
    func isLetter(_ i: Int) -> Bool { i >= 0 && i < n && s[i].value >= 0x61 && s[i].value <= 0x7A }
    func isWordChar(_ i: Int) -> Bool {
        if isDigit(i) || isLetter(i) { return true }
        switch s[i] {
        case ".", "'": return (isLetter(i - 1) && isLetter(i + 1)) || (isDigit(i - 1) && isDigit(i + 1))
        case ",", ";": return isDigit(i - 1) && isDigit(i + 1)
        default: return false
        }
    }
    var out: [String] = []
    var pos = 0, i = 0
    while i < n {
        let c = refClass(s[i])
        if c == .hanKana || c == .hangul {
            var run = [s[i]]
            var j = i   // index of the run's last character
            while true {
                var k = j + 1
                if k < n, refClass(s[k]) == .hanKana || refClass(s[k]) == .hangul {
                    run.append(s[k]); j = k; continue
                }
                if refClass(s[j]) == .hanKana {
                    while k < n, refClass(s[k]) == .space { k += 1 }
                    if k < n, k > j + 1, refClass(s[k]) == .hanKana { run.append(s[k]); j = k; continue }
                }
                break
            }
            if run.count == 1 || unigrams {
                for (k, ch) in run.enumerated() { out.append(key(pos + k, .unigram, String(ch))) }
            }
            if run.count >= 2 {
                for k in 0..<(run.count - 1) {
                    var t = String(run[k]); t.unicodeScalars.append(run[k + 1])
                    out.append(key(pos + k, .bigram, t))
                }
            }
            pos += run.count
            i = j + 1
        } else if isWordChar(i) {
            var t = ""
            while i < n, isWordChar(i) { t.unicodeScalars.append(s[i]); i += 1 }
            out.append(key(pos, .word, t))
            pos += 1
        } else {
            i += 1
        }
    }
    return out.sorted()
}

private func actualKeys(_ tokens: [Token]) -> [String] {
    tokens.map { key($0.position, $0.kind, $0.term) }.sorted()
}

/// Every term's original slice, normalized and without whitespace, is the term itself.
private func slicesMatch(_ text: String, _ tokens: [Token]) -> [String] {
    var bad: [String] = []
    for t in tokens where squeezed(text[t.range(in: text)]) != scalars(t.term) {
        bad.append("\(t.term) @\(t.utf8Range) slice \(String(text[t.range(in: text)]).debugDescription)")
    }
    return bad
}

private func terms(_ s: String, _ a: BigramAnalyzer) -> [String] { a.tokens(in: s).map(\.term) }
private func termsAndPositions(_ s: String, _ a: BigramAnalyzer) -> [String] {
    a.tokens(in: s).map { "\($0.term)@\($0.position)" }
}

private let seedNames = ["000_ecb1b37cb59dfad8.txt", "004_11e7406c084a3f21.txt"]

// MARK: - Seeds

@Suite(.checksSegmentInvariants) struct AnalyzerSeedTests {
    @Test func lineWrappedWordIsATerm() throws {
        let text = try Seeds.text(seedNames[0])
        #expect(text.contains("参\n\n观"))
        let hits = try BigramAnalyzer().tokens(in: text).filter { $0.term == "参观" }
        #expect(hits.allSatisfy { $0.kind == .bigram })
        // The page has 参观 twice: once wrapped as 参\n\n观 (the first), once on one line.
        #expect(hits.map { String(text[$0.range(in: text)]) } == ["参\n\n观", "参观"])
    }

    @Test(arguments: seedNames) func everyCJKCharacterIsCovered(_ name: String) throws {
        let text = try Seeds.text(name)
        let tokens = try BigramAnalyzer().tokens(in: text)
        var covered = [Bool](repeating: false, count: text.utf8.count + 1)
        for t in tokens { for b in t.utf8Range { covered[b] = true } }
        var offset = 0, missing: [String] = []
        for s in text.unicodeScalars {
            let c = refClass(s)
            if (c == .hanKana || c == .hangul) && !covered[offset] { missing.append("\(s)@\(offset)") }
            offset += UTF8.width(s)
        }
        #expect(missing.isEmpty, "uncovered: \(missing.prefix(20))")
        #expect(tokens.count > 1000)
    }

    @Test(arguments: seedNames) func slicesNormalizeToTheTerm(_ name: String) throws {
        let text = try Seeds.text(name)
        let tokens = try BigramAnalyzer().tokens(in: text)
        #expect(slicesMatch(text, tokens).isEmpty, "\(slicesMatch(text, tokens).prefix(10))")
        #expect(actualKeys(tokens) == reference(text))
        #expect(tokens.map(\.position) == tokens.map(\.position).sorted())
    }
}

// MARK: - Hard cases

@Suite(.checksSegmentInvariants) struct AnalyzerHardCaseTests {
    let a: BigramAnalyzer
    init() throws { a = try BigramAnalyzer() }

    @Test func fullWidthLatinAndDigits() {
        let t = a.tokens(in: "ＡＢＣ１２３")
        #expect(t.map(\.term) == ["abc123"])
        #expect(t.first?.kind == .word)
        #expect(t.first?.utf8Range == 0..<18)
        let abc = a.tokens(in: "ＡＢＣ")
        #expect(abc.map(\.term) == ["abc"])
        #expect(abc.first?.utf8Range == 0..<9)   // all three full-width letters
        #expect(abc.first.map { "ＡＢＣ"[$0.range(in: "ＡＢＣ")] } == "ＡＢＣ")
    }

    @Test func halfWidthKatakana() {
        let t = a.tokens(in: "ｶﾀｶﾅ")
        #expect(t.map(\.term) == ["カタ", "タカ", "カナ"])
        #expect(t.map(\.position) == [0, 1, 2])
        #expect(t.allSatisfy { $0.kind == .bigram })
        #expect(t.map(\.utf8Range) == [0..<6, 3..<9, 6..<12])
        // Voiced sound marks compose: ｶﾞｷﾞ → ガギ, covering all four half-width characters.
        let v = a.tokens(in: "ｶﾞｷﾞ")
        #expect(v.map(\.term) == ["ガギ"])
        #expect(v.first?.utf8Range == 0..<12)
    }

    @Test func extensionBIdeographs() {
        let text = "\u{20000}\u{20001}"
        let t = a.tokens(in: text)
        #expect(t.map(\.term) == ["\u{20000}\u{20001}"])
        #expect(t.first?.kind == .bigram)
        #expect(t.first.map { TextOffsets(text).range($0.utf8Range, in: .utf16) } == 0..<4)
        #expect(t.first.map { TextOffsets(text).range($0.utf8Range, in: .scalar) } == 0..<2)
        let mixed = "a\u{20000}\u{20001}"
        #expect(a.tokens(in: mixed).last.map { TextOffsets(mixed).range($0.utf8Range, in: .utf16) } == 1..<5)
    }

    @Test func loneCJKCharacterIsAUnigram() {
        let t = a.tokens(in: "，中。")
        #expect(t.map(\.term) == ["中"])
        #expect(t.first?.kind == .unigram)
        #expect(t.first?.position == 0)
        #expect(t.first?.utf8Range == 3..<6)
        #expect(termsAndPositions("常熟，市", a) == ["常熟@0", "市@2"])
    }

    @Test func kanaAndHangulRuns() {
        #expect(terms("ひらがな", a) == ["ひら", "らが", "がな"])
        #expect(terms("カタカナ", a) == ["カタ", "タカ", "カナ"])
        #expect(terms("한국어", a) == ["한국", "국어"])
        #expect(termsAndPositions("한국 사람", a) == ["한국@0", "사람@2"])
        #expect(termsAndPositions("中国 人民", a) == ["中国@0", "国人@1", "人民@2"])
        #expect(termsAndPositions("中国 사람", a) == ["中国@0", "사람@2"])   // Han then Hangul: not joined
        #expect(terms("\u{1100}\u{1161}\u{11A8}", a) == ["각"])             // conjoining jamo compose
    }

    @Test func mixedWordsAndRuns() {
        #expect(termsAndPositions("2000亿元", a) == ["2000@0", "亿元@1"])
        #expect(termsAndPositions("3.3万平方米", a) == ["3.3@0", "万平@1", "平方@2", "方米@3"])
        #expect(termsAndPositions("Linux内核", a) == ["linux@0", "内核@1"])
        #expect(termsAndPositions("linux 内核 ipv6 example.com", a)
            == ["linux@0", "内核@1", "ipv6@3", "example.com@4"])
        #expect(a.tokens(in: "").isEmpty)
        #expect(a.tokens(in: " \n，。!? ").isEmpty)
    }

    @Test func whitespaceBetweenHanIsIgnored() {
        let t = a.tokens(in: "中\r\n国")
        #expect(t.map(\.term) == ["中国"])
        #expect(t.first?.utf8Range == 0..<8)
        #expect(terms("中\u{3000}\t \u{A0}国", a) == ["中国"])
        #expect(termsAndPositions("中，\n国", a) == ["中@0", "国@1"])   // punctuation still ends the run
    }

    @Test func combiningMarksAndCompatibilityIdeographs() {
        let t = a.tokens(in: "cafe\u{301} ok")
        #expect(t.map { scalars($0.term) } == [scalars("caf\u{E9}"), scalars("ok")])
        #expect(t.first?.utf8Range == 0..<6)
        let f = a.tokens(in: "\u{F900}字")
        #expect(f.map { scalars($0.term) } == [[0x8C48, 0x5B57]])
        #expect(f.first?.utf8Range == 0..<6)
    }

    @Test func caseFoldingNotLowercasing() {
        #expect(terms("ΣΑΣ Straße 10,000元", a) == ["σασ", "strasse", "10,000", "元"])
    }

    /// A word character must give the same term whatever the rest of the gap holds. 〆 (U+3006, Lo,
    /// ICU Ideographic) and 〼 (U+303C, Lo) are words to ICU ("x 〆" gives x, 〆) and to the oracle
    /// (`[^\W_]`), so alone or between Han characters they must be terms too.
    @Test func wordCharactersInTheCJKSymbolsBlockAreTermsInAnyContext() {
        #expect(termsAndPositions("x 〆", a) == ["x@0", "〆@1"])
        #expect(termsAndPositions("〆", a) == ["〆@0"])
        #expect(termsAndPositions("中〆国", a) == ["中@0", "〆@1", "国@2"])
        #expect(termsAndPositions("〼", a) == ["〼@0"])
    }

    @Test func invalidUTF8FromAFile() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigram-invalid-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data([0xE4, 0xB8, 0xFF, 0x41] + Array("中文".utf8)).write(to: url)
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(text == "\u{FFFD}\u{FFFD}A中文")
        let t = a.tokens(in: text)
        #expect(termsAndPositions(text, a) == ["a@0", "中文@1"])
        #expect(t.map(\.utf8Range) == [6..<7, 7..<13])
        #expect(slicesMatch(text, t).isEmpty)
    }

    @Test func tenMegabyteSingleLine() {
        // Unit: 中华人民共和国 (6 bigrams, 7 positions) linux, 内核 (1, 2) 3.3, 万元 (1, 2) = 10 terms, 13 positions.
        let unit = "中华人民共和国 Linux 内核，3.3万元，"
        let reps = 10_000_000 / unit.utf8.count + 1
        let text = String(repeating: unit, count: reps)
        #expect(text.utf8.count >= 10_000_000)
        let tokens = a.tokens(in: text)
        #expect(tokens.count == 10 * reps)
        let one = a.tokens(in: unit)
        #expect(one.map(\.term) == ["中华", "华人", "人民", "民共", "共和", "和国", "linux", "内核", "3.3", "万元"])
        #expect(one.map(\.position) == [0, 1, 2, 3, 4, 5, 7, 8, 10, 11])
        if let last = tokens.last, tokens.count == 10 * reps {
            #expect(last.term == "万元")
            #expect(last.position == 13 * (reps - 1) + 11)
            #expect(last.utf8Range.upperBound == text.utf8.count - 3)
            let k = 10 * (reps / 2) + 6
            #expect(tokens[k].term == "linux" && tokens[k].position == 13 * (reps / 2) + 7)
        }
    }

    @Test func traditionalFolding() throws {
        let fold = try BigramAnalyzer(.init(foldTraditional: true, emitUnigrams: false))
        let text = "在體育館"
        let t = fold.tokens(in: text)
        #expect(t.map(\.term) == ["在体", "体育", "育馆"])
        let ty = t.first { $0.term == "体育" }
        #expect(ty.map { text[$0.range(in: text)] } == "體育")
        #expect(ty?.utf8Range == 3..<9)
        #expect(terms("體育", fold) == ["体育"])
        #expect(terms("體育", a) == ["體育"])   // off by default
    }
}

// MARK: - Property test

private enum Pieces {
    static func chars(_ s: String) -> [String] { s.map(String.init) }
    static let han = chars("中国人民共和大小学生日本语文字体育参观常熟々〇") + ["\u{20000}", "\u{2A6D6}", "\u{F900}"]
    static let hiragana = chars("ひらがなのをんぁ")
    static let katakana = chars("カタナロービュッ") + ["ｶ", "ﾀ", "ﾅ", "ｶﾞ"]
    static let hangul = chars("한국사람어글") + ["\u{1100}\u{1161}"]
    static let spaces = [" ", " ", "\n", "\n\n", "\r\n", "\t", "\u{3000}", "\u{A0}"]
    static let punct = [",", "!", "?", "(", ")", "[", "]", "\"", "，", "。", "、", "；"]
    static let letters = chars("abcdefghijklmnopqrstuvwxyzABCXYZ") + ["Ａ", "ｂ"]
    static let digits = chars("0123456789") + ["１", "９"]
}

private func randomString(_ g: inout SplitMix64, seedScalars: [Unicode.Scalar]) -> String {
    func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &g)] }
    func seedSlice(_ maxLen: Int) -> String {
        let len = Int.random(in: 1...maxLen, using: &g)
        let start = Int.random(in: 0..<(seedScalars.count - len), using: &g)
        var s = ""; s.unicodeScalars.append(contentsOf: seedScalars[start..<(start + len)]); return s
    }
    if Int.random(in: 0..<3, using: &g) == 0 { return seedSlice(300) }
    var s = ""
    for _ in 0..<Int.random(in: 1...30, using: &g) {
        let count = Int.random(in: 1...4, using: &g)
        switch Int.random(in: 0..<10, using: &g) {
        case 0, 1: for _ in 0..<count { s += (pick(Pieces.han)) }
        case 2: for _ in 0..<count { s += (pick(Pieces.hiragana)) }
        case 3: for _ in 0..<count { s += (pick(Pieces.katakana)) }
        case 4: for _ in 0..<count { s += (pick(Pieces.hangul)) }
        case 5: for _ in 0..<count { s += (pick(Pieces.letters)) }
        case 6: for _ in 0..<count { s += (pick(Pieces.digits)) }
        case 7: s += pick(Pieces.spaces)
        case 8: s += pick(Pieces.punct)
        default: s += seedSlice(8)
        }
    }
    return s
}

@Suite(.checksSegmentInvariants) struct AnalyzerPropertyTests {
    @Test(arguments: [false, true]) func matchesIndependentReference(_ unigrams: Bool) throws {
        let a = try BigramAnalyzer(.init(emitUnigrams: unigrams))
        let seedScalars = Array(try seedNames.map(Seeds.text).joined(separator: "\n").unicodeScalars)
        var g = SplitMix64(state: unigrams ? 0x5EED_0001 : 0x5EED_0000)
        var failures = 0
        for _ in 0..<400 where failures < 3 {
            let text = randomString(&g, seedScalars: seedScalars)
            let tokens = a.tokens(in: text)
            let expected = reference(text, unigrams: unigrams)
            let actual = actualKeys(tokens)
            let badSlices = slicesMatch(text, tokens)
            let ordered = tokens.map(\.position) == tokens.map(\.position).sorted()
            if actual != expected || !badSlices.isEmpty || !ordered {
                failures += 1
                let missing = expected.filter { !actual.contains($0) }, extra = actual.filter { !expected.contains($0) }
                Issue.record("""
                    input \(text.debugDescription) scalars \(scalars(text).map { String($0, radix: 16) })
                    missing \(missing) extra \(extra) badSlices \(badSlices) ordered \(ordered)
                    """)
            }
        }
    }
}
