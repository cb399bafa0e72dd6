import Testing
@testable import BigramSearch

/// The tokenizer's ASCII fast path (whole stretches of ASCII word-broken from their bytes) must
/// make exactly the calls of the per-character path: every term, run end and character range, in
/// the same order, with the same positions and offsets.
@Suite(.checksSegmentInvariants) struct ASCIIFastPathTests {
    static func calls(_ a: BigramAnalyzer, _ text: String, fast: Bool) -> [String] {
        var r = RecordingSink()
        a.analyze(text, into: &r, asciiFastPath: fast)
        return r.calls
    }

    /// Pieces weighted toward what decides where a stretch may be cut: whitespace of every kind,
    /// `_`, word-joining punctuation between letters and digits, characters that combine with
    /// the ASCII before them, full-width forms that normalize to ASCII, CJK punctuation, Han,
    /// Kana and Hangul (runs, and line-wrap joins), compatibility ideographs, Traditional
    /// characters, supplementary characters, and non-ASCII letters that ICU joins to a word.
    static let pieces: [String] = [
        "abc", "Linux", "x86", "3", "10", "e.g", "can", "AB", "@", "a1",
        " ", "  ", "\t", "\n", "\r\n", "\u{0B}", "\u{1F}", "_", "__",
        ".", ",", ";", "'", ":", "-", "/", "(", ")", "\"", "!", "#",
        "\u{0301}", "\u{0308}", "\u{1D165}", "\u{200D}", "\u{00AD}", "\u{FE0F}",
        "é", "ß", "Ω", "ﬁ", "K", "İ",
        "ＡＢ", "１２", "，", "．", "（", "）", "＿", "\u{3000}", "\u{00A0}", "\u{202F}",
        "。", "、", "「", "」", "—", "“", "”", "·", "’",
        "中", "文", "常熟", "考察", "華", "體", "カタ", "ひら", "한국", "ᄀ", "々", "〇",
        "\u{F901}", "\u{2F800}", "𠀀", "😀", "🇨🇳", "ไทย", "שׁ\"ל",
    ]

    static func randomText(_ g: inout SplitMix64) -> String {
        var s = ""
        for _ in 0..<(1 + Int(g.next() % 24)) { s += pieces[Int(g.next() % UInt64(pieces.count))] }
        return s
    }

    @Test(arguments: [BigramAnalyzer.Options(), .init(foldTraditional: true), .init(emitUnigrams: true)])
    func makesTheCallsOfThePerCharacterPath(_ options: BigramAnalyzer.Options) throws {
        let a = try BigramAnalyzer(options)
        var g = SplitMix64(state: 0xA5C1_1FA5)
        var failures = 0
        for _ in 0..<6000 where failures < 3 {
            let text = Self.randomText(&g)
            let fast = Self.calls(a, text, fast: true), slow = Self.calls(a, text, fast: false)
            if fast != slow {
                failures += 1
                Issue.record("\(text.debugDescription) \(text.unicodeScalars.map { String($0.value, radix: 16) })\nfast \(fast)\nslow \(slow)")
            }
        }
    }

    @Test func seedsGiveTheSameCalls() throws {
        let a = try BigramAnalyzer()
        for name in try Seeds.names() {
            let text = try Seeds.text(name)
            #expect(Self.calls(a, text, fast: true) == Self.calls(a, text, fast: false), "\(name)")
        }
    }

    @Test func knownCases() throws {
        let a = try BigramAnalyzer()
        // Stretches ended by a Han character, by the end, by a combining mark (the last letter
        // belongs to the next piece), by a letter ICU joins (café), after a gap that a word goes on
        // from (é), and a line wrap between Han characters that must still join.
        for text in ["ls 命令", "使用 Linux", "cafe\u{0301} au lait", "caf\u{00E9} bar", "é abc def", "，abc def。",
                     "中文\n中文", "常\n 熟 abc", "１,000 x", "v1.2 e.g. 3.3 10,000", "A_B c__d", "abc", "", " ", "x\u{0301}"] {
            #expect(Self.calls(a, text, fast: true) == Self.calls(a, text, fast: false), "\(text.debugDescription)")
        }
        // And the fast path's own answer for a plain case.
        #expect(a.tokens(in: "Use LS 命令 now").map(\.term) == ["use", "ls", "命令", "now"])
    }
}
