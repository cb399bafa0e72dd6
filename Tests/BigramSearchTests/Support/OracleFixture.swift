import Foundation
import Testing
import BigramSearch

// The corpus of the search oracle's tests: the seed pages, hand-made traps and generated
// documents (line wraps, full-width punctuation, mixed Latin).

// MARK: - Corpus

struct OracleDoc: Sendable { var id: String; var text: String }

struct OracleFixture: Sendable {
    /// Every document, in insertion order.
    let docs: [OracleDoc]
    /// More texts (for updates).
    let spareTexts: [String]

    static let shared = OracleFixture()

    static let latinTokens = [
        "linux", "Linux", "LINUX", "ＬＩＮＵＸ", "Ｌｉｎｕｘ", "kernel", "Kernel", "2000", "２０００", "files",
        "file", "ipv6", "IPv6", "x86", "GNU/Linux", "e-mail", "foo_bar", "example.com", "1.34", "can't",
        "don’t", "3.3", "linux内核", "内核linux", "カーネル", "ｶｰﾈﾙ", "filesystem",
    ]

    /// The seed text with its line wraps removed (for recombining sentences).
    static func unwrapped(_ text: String) -> String {
        let a = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < a.count {
            if a[i].properties.isWhitespace {
                var j = i
                while j < a.count && a[j].properties.isWhitespace { j += 1 }
                let keep = !(i > 0 && j < a.count && !a[i - 1].isASCII && !a[j].isASCII)
                if keep && i > 0 && j < a.count { out.append(" ") }
                i = j
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Inserts line wraps, punctuation and Latin words between Han characters.
    static func decorate(_ text: String, rng: inout SplitMix64, wrapRate: Double) -> String {
        let a = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        let wraps = ["\n", "\n\n", "\n", "\n\n", " ", "\r\n", "\u{3000}", "\n \n", "\t"]
        let punct = ["，", "。", "、", "，"]
        for (i, s) in a.enumerated() {
            out.append(s)
            guard i + 1 < a.count, OracleRef.isHanKana(s.value), OracleRef.isHanKana(a[i + 1].value) else { continue }
            let r = Double.random(in: 0..<1, using: &rng)
            if r < wrapRate {
                out.append(contentsOf: rng.uniformPick(wraps).unicodeScalars)
            } else if r < wrapRate + 0.02 {
                out.append(contentsOf: rng.uniformPick(punct).unicodeScalars)
            } else if r < wrapRate + 0.035 {
                out.append(contentsOf: rng.uniformPick(latinTokens).unicodeScalars)
            } else if r < wrapRate + 0.045 {
                out.append(contentsOf: (" " + rng.uniformPick(latinTokens) + rng.uniformPick([" ", "\n", " "])).unicodeScalars)
            }
        }
        return String(out)
    }

    init() {
        var rng = SplitMix64(0x5EED_0001)
        var docs: [OracleDoc] = []
        let seeds = ((try? Seeds.names()) ?? []).compactMap { try? Seeds.text($0) }
        precondition(!seeds.isEmpty, "seed pages not found")
        // 1. The seed pages: whole, and cut into pieces of about 300 characters at line ends.
        var sentences: [String] = []
        for (s, text) in seeds.enumerated() {
            docs.append(OracleDoc(id: "seed\(s)", text: text))
            var chunk = "", n = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                chunk += line + "\n"
                if chunk.count >= 300 {
                    docs.append(OracleDoc(id: "seed\(s)-\(n)", text: chunk)); n += 1; chunk = ""
                }
            }
            if !chunk.isEmpty { docs.append(OracleDoc(id: "seed\(s)-\(n)", text: chunk)) }
            for sentence in Self.unwrapped(text).split(separator: "。") {
                let t = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
                if t.count >= 4 { sentences.append(t + "。") }
            }
        }
        // 2. Hand-made traps.
        let traps = [
            "常熟，市民都知道。", "他对这里非常熟悉。", "常熟市参\n\n观考察", "中国 人民", "中国人民站起来了",
            "files and filesystems", "linux内核2000亿元", "see example.com and 1.34, can't don’t",
            "GNU/Linux e-mail x86 ipv6 foo_bar", "ＬＩＮＵＸ内核", "Linux\n内核", "内核 linux 升级",
            "小微企业\n园建设", "小微企\n\n业园", "한국어 검색 엔진", "한국어검색", "ｶｰﾈﾙ开发", "カーネル\n开发",
            "2000年，linux。", "市 市 市", "的", "考察。学习", "考察学习", "", "   \n ", "，。！",
        ]
        for (i, t) in traps.enumerated() { docs.append(OracleDoc(id: "trap\(i)", text: t)) }
        // 3. Recombined seed sentences.
        func generate() -> String {
            var pieces: [String] = []
            for _ in 0..<rng.uniformInt(1...4) {
                var s = rng.uniformPick(sentences)
                if rng.uniformChance(0.4) {
                    // A random stretch of the sentence.
                    let c = Array(s)
                    let lo = rng.uniformInt(0..<c.count), hi = rng.uniformInt(lo...c.count)
                    s = String(c[lo..<hi])
                }
                pieces.append(s)
            }
            var text = pieces.joined(separator: rng.uniformPick(["", "\n", "\n\n", "。"]))
            text = Self.decorate(text, rng: &rng, wrapRate: rng.uniformPick([0.03, 0.08, 0.15]))
            if rng.uniformChance(0.08) { text += rng.uniformPick([" 한국어 검색", " 한국 어", "\n한국어"]) }
            return text
        }
        for g in 0..<220 { docs.append(OracleDoc(id: "gen\(g)", text: generate())) }
        self.docs = docs
        spareTexts = (0..<60).map { _ in generate() }
    }
}
