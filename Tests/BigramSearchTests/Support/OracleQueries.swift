import Foundation
import Testing
import BigramSearch

// Queries of the search oracle (SearchOracle.swift): trees rendered in the query syntax and as
// `Query` values, and their generator.

// MARK: - Query trees: rendered in the query syntax and as `Query` values

indirect enum OracleQTree {
    /// One clause (phrase); `quoted` renders it in double quotes, `field` as `field:…`.
    case clause(String, quoted: Bool, field: String?)
    /// A Latin word with inner `.`/`'` (`example.com`), reference by ``OracleRef/wholeWordPattern(_:)``.
    case word(String)
    case and([OracleQTree])
    case or([OracleQTree])
    case not(OracleQTree)

    /// In the query syntax (the parser must read it back as ``query``).
    var syntax: String { Self.renderTop(self) }

    var query: Query {
        switch self {
        case .clause(let t, _, let f): return .phrase(t, field: f)
        case .word(let w): return .phrase(w)
        case .and(let items): return items.count == 1 ? items[0].query : .all(items.map(\.query))
        case .or(let alts): return alts.count == 1 ? alts[0].query : .any(alts.map(\.query))
        case .not(let x): return .not(x.query)
        }
    }

    /// The clause text when the tree is one positive clause.
    var singleClause: String? {
        switch self {
        case .clause(let t, _, _): return t
        case .and(let items) where items.count == 1: return items[0].singleClause
        default: return nil
        }
    }

    /// The texts of the clauses that must or may match (not under `.not`); nil when the tree has
    /// a `.not` or a `.word`.
    var positiveClauses: [String]? {
        switch self {
        case .clause(let t, _, _): return [t]
        case .word, .not: return nil
        case .and(let xs), .or(let xs):
            var out: [String] = []
            for x in xs { guard let c = x.positiveClauses else { return nil }; out += c }
            return out
        }
    }

    /// The same tree with every field restriction replaced by `transform`.
    func mapFields(_ transform: (String?) -> String?) -> OracleQTree {
        switch self {
        case .clause(let t, let q, let f): return .clause(t, quoted: q, field: transform(f))
        case .word: return self
        case .and(let xs): return .and(xs.map { $0.mapFields(transform) })
        case .or(let xs): return .or(xs.map { $0.mapFields(transform) })
        case .not(let x): return .not(x.mapFields(transform))
        }
    }

    static func renderTop(_ t: OracleQTree) -> String {
        if case .and(let items) = t { return items.map(renderOr).joined(separator: " ") }
        return renderOr(t)
    }

    static func renderOr(_ t: OracleQTree) -> String {
        if case .or(let alts) = t { return alts.map(renderUnary).joined(separator: " OR ") }
        return renderUnary(t)
    }

    static func renderUnary(_ t: OracleQTree) -> String {
        switch t {
        case .clause(let text, let quoted, let field):
            return (field.map { $0 + ":" } ?? "") + (quoted ? "\"" + text + "\"" : text)
        case .word(let w): return w
        case .not(let x): return "-" + renderUnary(x)
        case .and, .or: return "(" + renderTop(t) + ")"
        }
    }

    /// Whether `text` can stand unquoted as one clause of the syntax.
    static func canStandUnquoted(_ text: String) -> Bool {
        if text.isEmpty || text == "OR" || text.hasPrefix("-") || text.hasSuffix("*") { return false }
        if text.contains(where: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "\"" || $0 == ":" }) { return false }
        return true
    }
}

// MARK: - Query generation

struct OracleGenQuery {
    var kind: String
    var tree: OracleQTree
}

struct OracleQueryGenerator {
    var rng: SplitMix64
    /// Normalized texts (reference `norm`) of the corpus, as scalars.
    let norms: [[Unicode.Scalar]]
    /// CJK runs of the normalized texts.
    let runs: [[Unicode.Scalar]]
    let bigramsByFirst: [Unicode.Scalar: [Unicode.Scalar]]
    let ref: OracleRefCorpus

    init(seed: UInt64, fixture: OracleFixture, ref: OracleRefCorpus) {
        rng = SplitMix64(seed)
        norms = fixture.docs.map { Array(OracleRef.norm($0.text).unicodeScalars) }
        var runs: [[Unicode.Scalar]] = []
        var bigrams: [Unicode.Scalar: Set<Unicode.Scalar>] = [:]
        for n in norms {
            var run: [Unicode.Scalar] = []
            for s in n + [" "] {
                if OracleRef.isCJK(s.value) { run.append(s); continue }
                if !run.isEmpty { runs.append(run) }
                for k in run.indices.dropLast() { bigrams[run[k], default: []].insert(run[k + 1]) }
                run = []
            }
        }
        self.runs = runs
        bigramsByFirst = bigrams.mapValues { $0.sorted { $0.value < $1.value } }
        self.ref = ref
    }

    // Random forms of the same text: case, full width, spaces between Han characters.
    mutating func disguise(_ text: String, quoted: Bool) -> String {
        var out = String.UnicodeScalarView()
        let a = Array(text.unicodeScalars)
        for (i, s) in a.enumerated() {
            var c = s
            if s.isASCII && s.properties.isAlphabetic && rng.uniformChance(0.3) {
                c = Unicode.Scalar(s.value & ~0x20)!   // upper case
            }
            if s.isASCII && (s.properties.isAlphabetic || s.properties.numericType != nil) && rng.uniformChance(0.15) {
                c = Unicode.Scalar(c.value - 0x20 + 0xFF00)!   // full width
            }
            out.append(c)
            if quoted, i + 1 < a.count, OracleRef.isHanKana(s.value), OracleRef.isHanKana(a[i + 1].value), rng.uniformChance(0.1) {
                out.append(contentsOf: rng.uniformPick([" ", "\n", "  ", "\n\n", "\r\n", "\u{3000}", "\t"]).unicodeScalars)
            }
        }
        return String(out)
    }

    /// A clause leaf for `text` (quoted when it must or by chance).
    mutating func leaf(_ text: String, allowDisguise: Bool = true) -> OracleQTree {
        var quoted = !OracleQTree.canStandUnquoted(text) || rng.uniformChance(0.25)
        var t = allowDisguise ? disguise(text, quoted: quoted) : text
        if !quoted && !OracleQTree.canStandUnquoted(t) { quoted = true }
        if t.contains("\"") { t = text; quoted = !OracleQTree.canStandUnquoted(t) }
        return .clause(t, quoted: quoted, field: rng.uniformChance(0.08) ? "text" : nil)
    }

    /// A CJK substring of `length` characters of some document's normalized text.
    mutating func cjkSubstring(_ length: Int) -> String {
        for _ in 0..<100 {
            let run = rng.uniformPick(runs)
            if run.count < length { continue }
            let start = rng.uniformInt(0...(run.count - length))
            return String(String.UnicodeScalarView(run[start..<(start + length)]))
        }
        return String(String.UnicodeScalarView(rng.uniformPick(runs).prefix(length)))
    }

    /// A window around a Latin word of some document, with 0–3 characters on each side.
    mutating func mixedWindow() -> String? {
        for _ in 0..<200 {
            let n = rng.uniformPick(norms)
            let words = n.indices.filter { OracleRef.isWordChar(n[$0]) && ($0 == 0 || !OracleRef.isWordChar(n[$0 - 1])) }
            guard let w = words.isEmpty ? nil : rng.uniformPick(words) else { continue }
            var end = w
            while end < n.count && OracleRef.isWordChar(n[end]) { end += 1 }
            var lo = max(0, w - rng.uniformInt(0...3)), hi = min(n.count, end + rng.uniformInt(0...3))
            // Do not cut a Latin word in two at the edges.
            while lo > 0 && OracleRef.isWordChar(n[lo - 1]) && OracleRef.isWordChar(n[lo]) { lo -= 1 }
            while hi < n.count && OracleRef.isWordChar(n[hi - 1]) && OracleRef.isWordChar(n[hi]) { hi += 1 }
            while lo < hi && OracleRef.isSpace(n[lo].value) { lo += 1 }
            while hi > lo && OracleRef.isSpace(n[hi - 1].value) { hi -= 1 }
            let slice = Array(n[lo..<hi])
            guard slice.contains(where: { OracleRef.isCJK($0.value) }) else { continue }
            let text = String(String.UnicodeScalarView(slice))
            if text.contains("\"") || text.contains("ǂ") || OracleRef.hasInnerWordPunctuation(text) { continue }
            return text
        }
        return nil
    }

    mutating func latinWord() -> String {
        rng.uniformPick([
            "linux", "LINUX", "Linux", "ｌｉｎｕｘ", "ＬＩＮＵＸ", "kernel", "KERNEL", "2000", "２０００", "file",
            "files", "filesystem", "filesystems", "ipv6", "IPv6", "x86", "mail", "e", "gnu", "foo", "bar",
            "foo_bar", "example", "com", "can", "t", "don", "34", "1", "3", "lin", "linu", "kern", "and",
            "see", "absentword", "2000年", "3", "5",
        ])
    }

    /// A query made of real text that is nowhere in the corpus (two bigrams glued, or a trap
    /// `ab`+`bc` whose `abc` never occurs).
    mutating func absent() -> String {
        var candidate = ""
        for _ in 0..<40 {
            if rng.uniformChance(0.5) {
                candidate = cjkSubstring(2) + cjkSubstring(2)
            } else {
                let ab = Array(cjkSubstring(2).unicodeScalars)
                guard ab.count == 2, let nexts = bigramsByFirst[ab[1]] else { continue }
                candidate = String(String.UnicodeScalarView(ab + [rng.uniformPick(nexts)]))
            }
            if ref.clause(candidate).isEmpty { return candidate }
        }
        return candidate
    }

    /// A CJK substring with a punctuation mark put inside (`常熟，市`).
    mutating func punctuationBroken() -> String {
        let s = Array(cjkSubstring(rng.uniformInt(2...6)))
        let k = rng.uniformInt(1..<max(2, s.count))
        return String(s[..<k]) + rng.uniformPick(["，", "、", "。", "；", "！"]) + String(s[k...])
    }

    /// Text that spans a punctuation mark in a document, with the mark removed (`常熟，市` → `常熟市`).
    mutating func punctuationRemoved() -> String {
        for _ in 0..<200 {
            let n = rng.uniformPick(norms)
            guard n.count > 3 else { continue }
            let i = rng.uniformInt(1..<(n.count - 1))
            guard ",、。;".unicodeScalars.contains(n[i]), OracleRef.isCJK(n[i - 1].value), OracleRef.isCJK(n[i + 1].value) else { continue }
            var lo = i - 1, hi = i + 2
            for _ in 0..<rng.uniformInt(0...2) where lo > 0 && OracleRef.isCJK(n[lo - 1].value) { lo -= 1 }
            for _ in 0..<rng.uniformInt(0...2) where hi < n.count && OracleRef.isCJK(n[hi].value) { hi += 1 }
            return String(String.UnicodeScalarView(n[lo..<i] + n[(i + 1)..<hi]))
        }
        return cjkSubstring(3)
    }

    /// A clause for combinations: mostly short CJK (frequent), some Latin and mixed.
    mutating func simpleClause() -> OracleQTree {
        switch rng.uniformInt(0..<10) {
        case 0..<6: return leaf(cjkSubstring(rng.uniformInt(1...3)))
        case 6..<8: return leaf(latinWord())
        default: return leaf(mixedWindow() ?? cjkSubstring(2))
        }
    }

    /// A conjunction with a negated alternative: `a (b OR -c)`, `(-a OR b) c`, `a (-b OR -c)`.
    mutating func negatedAlternative() -> OracleQTree {
        let a = simpleClause(), b = simpleClause(), c = simpleClause()
        switch rng.uniformInt(0..<3) {
        case 0: return .and([a, .or([b, .not(c)])])
        case 1: return .and([.or([.not(a), b]), c])
        default: return .and([a, .or([.not(b), .not(c)])])
        }
    }

    mutating func next() -> OracleGenQuery {
        let r = rng.uniformInt(0..<1000)
        switch r {
        case 0..<300:
            let len = rng.uniformPick([2, 2, 3, 3, 4, 4, 5, 6, 7, 8])
            return OracleGenQuery(kind: "cjk\(len)", tree: leaf(cjkSubstring(len)))
        case 300..<380:
            return OracleGenQuery(kind: "cjk1", tree: leaf(cjkSubstring(1)))
        case 380..<460:
            return OracleGenQuery(kind: "latin", tree: leaf(latinWord()))
        case 460..<470:
            let w = rng.uniformPick(["example.com", "1.34", "3.3", "can't", "don’t", "EXAMPLE.COM", "８.３"])
            return OracleGenQuery(kind: "latin-inner-punct", tree: .word(w))
        case 470..<480:
            let t = rng.uniformPick([
                "한국어", "한국어검색", "한국어 검색", "어 검", "한국", "어검", "검색", "국", "한국 어", "한국어 검색 linux",
                "カーネル", "ｶｰﾈﾙ", "カーネル开发", "ｶｰﾈﾙ开", "ネル", "核カ", "カー ネル", "カーネル\n开发", "内核ｶｰﾈﾙ",
            ])
            return OracleGenQuery(kind: "hangul-kana", tree: leaf(t, allowDisguise: false))
        case 480..<600:
            guard let w = mixedWindow() else { return next() }
            return OracleGenQuery(kind: "mixed", tree: leaf(w))
        case 600..<690:
            let items = (0..<rng.uniformInt(2...3)).map { _ in simpleClause() }
            return OracleGenQuery(kind: "multi", tree: .and(items))
        case 690..<770:
            return OracleGenQuery(kind: "absent", tree: leaf(absent()))
        case 770..<820:
            return OracleGenQuery(kind: "punct-broken", tree: leaf(punctuationBroken()))
        case 820..<870:
            return OracleGenQuery(kind: "punct-removed", tree: leaf(punctuationRemoved()))
        default:
            let a = simpleClause(), b = simpleClause(), c = simpleClause()
            let tree: OracleQTree
            // `a (b OR -c)` is checked in a child process (negatedAlternativeInsideConjunction):
            // it crashes the library at the time of writing.
            switch rng.uniformInt(0..<11) {
            case 7: tree = .or([.and([a, .not(b)]), c])
            case 8: tree = .and([a, .not(.and([b, c]))])
            case 9: tree = .and([a, .not(.not(b))])
            case 10: tree = .or([.and([a, b]), c])
            case 0: tree = .or([a, b])
            case 1: tree = .and([a, .not(b)])
            case 2: tree = .and([a, .or([b, c])])
            case 3: tree = .and([.or([a, b]), .not(c)])
            case 4: tree = .and([.not(a), b])
            case 5: tree = .and([a, .not(.or([b, c]))])
            default: tree = .or([a, b, c])
            }
            return OracleGenQuery(kind: "boolean", tree: tree)
        }
    }
}
