import Foundation
import Testing
import BigramSearch

// End-to-end check of the exactness rule (BigramSearch.docc/TheContract.md) against a brute-force reference: a Swift
// port of shared/corpus/oracle.py that shares no code with the library. Thousands of generated
// queries of every kind run on an index of the seed pages plus generated documents (line wraps,
// full-width punctuation, mixed Latin), built three ways (one writer; two threads; deletes and
// updates). Every query must return exactly the reference set.

// MARK: - Reference: a port of shared/corpus/oracle.py

private enum OracleRef {
    // Same character ranges as oracle.py (ICU regex syntax accepts the same escapes).
    static let hanKanaClass = #"\u3005\u3007\u3021-\u3029\u3038-\u303B\u3041-\u309F\u30A0-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U0001B000-\U0001B16F\U00020000-\U000323AF"#
    static let hangulClass = #"\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uAC00-\uD7AF\uD7B0-\uD7FF"#
    static let cjk = "[" + hanKanaClass + hangulClass + "]"
    /// A Latin/digit "word character": a letter or digit that is not CJK.
    static let wordch = "(?:(?!" + cjk + ")[^\\W_])"
    static let gap = "(?:(?!" + cjk + ")[\\W_])*"
    static let midWord = "[.,;'’]"

    static let unitRE = try! NSRegularExpression(pattern: cjk + "+|" + wordch + "+")
    static let latinRE = try! NSRegularExpression(pattern: "^" + wordch + "+$")
    static let clauseRE = try! NSRegularExpression(pattern: #""([^"]*)"|(\S+)"#)

    static func isHanKana(_ v: UInt32) -> Bool { OracleCharacterClasses.hanKanaRanges.contains { $0.contains(v) } }
    static func isCJK(_ v: UInt32) -> Bool { isHanKana(v) || OracleCharacterClasses.hangulRanges.contains { $0.contains(v) } }
    static func isSpace(_ v: UInt32) -> Bool { OracleCharacterClasses.spaces.contains(v) }
    /// A Latin/digit word character (for the generator; the reference itself uses the regex).
    static func isWordChar(_ s: Unicode.Scalar) -> Bool {
        !isCJK(s.value) && (s.properties.isAlphabetic || s.properties.numericType != nil)
    }

    /// NFKC + case fold. Foundation on Linux does not recompose after a compatibility
    /// decomposition, hence the NFC pass; `lowercased()` equals case folding for the inputs here
    /// (no ß, no final sigma).
    static func fold(_ s: String) -> String {
        s.precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// `norm` of oracle.py: fold, then delete whitespace runs between two Han/Kana characters.
    static func norm(_ s: String) -> String {
        let a = Array(fold(s).unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < a.count {
            if isSpace(a[i].value) {
                var j = i
                while j < a.count && isSpace(a[j].value) { j += 1 }
                let join = i > 0 && j < a.count && isHanKana(a[i - 1].value) && isHanKana(a[j].value)
                if !join { out.append(contentsOf: a[i..<j]) }
                i = j
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return String(out)
    }

    static func matches(_ re: NSRegularExpression, _ s: String) -> [String] {
        let ns = s as NSString
        return re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    /// `clauses` of oracle.py: quoted phrases and whitespace-separated words.
    static func clauses(_ q: String) -> [String] {
        let ns = q as NSString
        return clauseRE.matches(in: q, range: NSRange(location: 0, length: ns.length)).map { m in
            m.range(at: 1).location != NSNotFound ? ns.substring(with: m.range(at: 1)) : ns.substring(with: m.range(at: 2))
        }
    }

    /// The units of a clause: maximal CJK runs and Latin/digit words of its normalized text.
    static func units(_ clause: String) -> [String] { matches(unitRE, norm(clause)) }

    static func isLatinUnit(_ u: String) -> Bool {
        latinRE.firstMatch(in: u, range: NSRange(location: 0, length: (u as NSString).length)) != nil
    }

    static func boundedWord(_ escaped: String) -> String {
        "(?<!\(wordch))(?<!\(wordch)\(midWord))" + escaped + "(?!\(wordch))(?!\(midWord)\(wordch))"
    }

    /// `clause_regex` of oracle.py; nil when the clause has no units.
    static func clausePattern(_ clause: String) -> String? {
        let us = units(clause)
        if us.isEmpty { return nil }
        return us.map { u in
            let p = NSRegularExpression.escapedPattern(for: u)
            return isLatinUnit(u) ? boundedWord(p) : p
        }.joined(separator: gap)
    }

    /// Extension for words that ICU keeps whole across `.`, `,`, `;`, `'`, `’` (`example.com`,
    /// `1.34`, `can't`): oracle.py splits them into units and never matches them (its README
    /// says such ambiguous Latin queries were dropped); here the whole word is one bounded unit.
    static func wholeWordPattern(_ word: String) -> String {
        boundedWord(NSRegularExpression.escapedPattern(for: norm(word)))
    }

    /// True when the clause's normalized text holds a word character, one of `.,;'’` and another
    /// word character: oracle.py cannot express such a query (see ``wholeWordPattern(_:)``).
    static func hasInnerWordPunctuation(_ clause: String) -> Bool {
        let s = Array(norm(clause).unicodeScalars)
        guard s.count >= 3 else { return false }
        for i in 1..<(s.count - 1) where ".,;'’".unicodeScalars.contains(s[i]) {
            if isWordChar(s[i - 1]) && isWordChar(s[i + 1]) { return true }
        }
        return false
    }
}

/// The reference's view of an index: normalized texts of the live documents, searched by regex,
/// field by field (a phrase never spans two fields; clauses combine per document).
private final class OracleRefCorpus {
    let ids: [String]
    /// Original text of every field of every live document.
    let fields: [String: [String: String]]
    let fieldNames: [String]
    let universe: Set<String>
    private struct Joined { var text: String; var length: Int; var starts: [Int]; var ids: [String] }
    private var joined: [String: Joined] = [:]
    private var cache: [String: Set<String>] = [:]
    /// Between documents: `ǂ` is a word character that no query contains, so no match (units and
    /// gaps) can cross it, and the control characters around it look like a text boundary to the
    /// look-arounds.
    private static let separator = "\u{1}ǂ\u{1}"

    init(fields docs: [(id: String, fields: [String: String])], fieldNames: [String],
         normalize: (String) -> String = OracleRef.norm) {
        ids = docs.map(\.id)
        var all: [String: [String: String]] = [:]
        for d in docs { all[d.id] = d.fields }
        fields = all
        self.fieldNames = fieldNames
        universe = Set(ids)
        for f in fieldNames {
            var j = Joined(text: "", length: 0, starts: [], ids: [])
            for d in docs {
                guard let t = d.fields[f] else { continue }
                let n = normalize(t)
                j.starts.append(j.length)
                j.ids.append(d.id)
                j.text += n
                j.text += Self.separator
                j.length += n.utf16.count + Self.separator.utf16.count
            }
            joined[f] = j
        }
    }

    convenience init(_ docs: [(id: String, text: String)], normalize: (String) -> String = OracleRef.norm) {
        self.init(fields: docs.map { (id: $0.id, fields: ["text": $0.text]) }, fieldNames: ["text"], normalize: normalize)
    }

    func text(_ id: String, _ field: String = "text") -> String? { fields[id]?[field] }

    /// Ids of documents where `pattern` matches somewhere in `field` (any field when nil).
    func matching(pattern: String, field: String? = nil) -> Set<String> {
        guard let field else {
            return fieldNames.reduce(into: Set<String>()) { $0.formUnion(matching(pattern: pattern, field: $1)) }
        }
        let key = field + "\u{0}" + pattern
        if let hit = cache[key] { return hit }
        guard let j = joined[field] else { return [] }
        let re = try! NSRegularExpression(pattern: pattern)
        var found = Set<String>()
        re.enumerateMatches(in: j.text, range: NSRange(location: 0, length: j.length)) { m, _, _ in
            guard let m else { return }
            // Last document start <= match location.
            var lo = 0, hi = j.starts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if j.starts[mid] <= m.range.location { lo = mid } else { hi = mid - 1 }
            }
            found.insert(j.ids[lo])
        }
        cache[key] = found
        return found
    }

    /// oracle.py's verdict for one clause (no units: matches nothing).
    func clause(_ text: String, field: String? = nil) -> Set<String> {
        guard let p = OracleRef.clausePattern(text) else { return [] }
        return matching(pattern: p, field: field)
    }

    func eval(_ t: OracleQTree) -> Set<String> {
        switch t {
        case .clause(let text, _, let field): return clause(text, field: field)
        case .word(let w): return matching(pattern: OracleRef.wholeWordPattern(w))
        case .not(let x): return universe.subtracting(eval(x))
        case .or(let alts): return alts.reduce(into: Set<String>()) { $0.formUnion(eval($1)) }
        case .and(let items):
            var result: Set<String>? = nil
            var excluded = Set<String>()
            for item in items {
                if case .not(let x) = item { excluded.formUnion(eval(x)); continue }
                let s = eval(item)
                result = result.map { $0.intersection(s) } ?? s
            }
            return (result ?? universe).subtracting(excluded)
        }
    }
}

// MARK: - Query trees: rendered in the query syntax and as `Query` values

private indirect enum OracleQTree {
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

// MARK: - Corpus

private struct OracleDoc: Sendable { var id: String; var text: String }

private struct OracleFixture: Sendable {
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

// MARK: - Query generation

private struct OracleGenQuery {
    var kind: String
    var tree: OracleQTree
}

private struct OracleQueryGenerator {
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

// MARK: - The check

private struct OracleRunStats {
    var queries = 0
    var failures = 0
    var parserMismatches = 0
    var invariantChecks = 0
    var highlightChecks = 0
    var wrapSpanning = 0
    var nonEmpty = 0
    var byKind: [String: Int] = [:]
}

private func oracleExcerpt(_ text: String, around needle: String) -> String {
    let n = OracleRef.norm(text)
    guard !needle.isEmpty, let r = n.range(of: needle) else { return String(n.prefix(60)) }
    let lo = n.index(r.lowerBound, offsetBy: -15, limitedBy: n.startIndex) ?? n.startIndex
    let hi = n.index(r.upperBound, offsetBy: 15, limitedBy: n.endIndex) ?? n.endIndex
    return String(n[lo..<hi])
}

private func oracleDebug(_ s: String) -> String {
    s.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
}

/// Runs `queries` on `snapshot` and compares with `ref`. Records at most `maxIssues` issues.
///
/// - invariantEvery: every n-th query also checks count, totalCount, ranking order, top-k, the
///   string and lenient entry points and stored text.
/// - highlightLimit: this many queries without negation also check that every hit has a
///   highlight and that every highlighted range, normalized, contains a match of a clause.
private func runOracle(
    _ snapshot: IndexSnapshot, ref: OracleRefCorpus, keepWS: OracleRefCorpus?, queries: [OracleGenQuery], label: String,
    invariantEvery: Int = 0, highlightLimit: Int = 0, maxIssues: Int = 25
) -> OracleRunStats {
    var stats = OracleRunStats()
    var issues = 0
    func report(_ message: String) {
        stats.failures += 1
        if issues < maxIssues { Issue.record(Comment(rawValue: "[\(label)] " + message)); issues += 1 }
    }
    for (n, g) in queries.enumerated() {
        stats.queries += 1
        stats.byKind[g.kind, default: 0] += 1
        let syntax = g.tree.syntax
        let shown = oracleDebug(syntax)
        let expectedQuery = g.tree.query
        // The parser must read the syntax back as the tree.
        do {
            let parsed = try snapshot.queryParser.parse(syntax)
            if parsed != expectedQuery {
                stats.parserMismatches += 1
                report("parser: \(shown) parsed as \(parsed), expected \(expectedQuery)")
            }
        } catch {
            stats.parserMismatches += 1
            report("parser: \(shown) threw \(error)")
        }
        let expected = ref.eval(g.tree)
        if !expected.isEmpty { stats.nonEmpty += 1 }
        if let keepWS, let clause = g.tree.singleClause, g.kind.hasPrefix("cjk"), keepWS.clause(clause) != expected {
            stats.wrapSpanning += 1
        }
        let ids: [String]
        do { ids = try snapshot.matchingIDs(expectedQuery) } catch {
            report("query \(shown) [\(g.kind)] threw \(error)")
            continue
        }
        let actual = Set(ids)
        if actual != expected {
            let missing = expected.subtracting(actual).sorted(), extra = actual.subtracting(expected).sorted()
            var msg = "query \(shown) [\(g.kind)] expected \(expected.count) ids, got \(actual.count); "
                + "missing \(missing.prefix(6)) extra \(extra.prefix(6))"
            let needle = g.tree.singleClause.map { OracleRef.units($0).first ?? "" } ?? ""
            if let id = missing.first ?? extra.first {
                for f in ref.fieldNames {
                    if let text = ref.text(id, f) { msg += "; \(id).\(f) norm: …\(oracleDebug(oracleExcerpt(text, around: needle)))…" }
                }
            }
            report(msg)
            continue
        }
        if ids.count != actual.count { report("query \(shown): duplicate ids in \(ids)") }

        // Invariants on a sample.
        if invariantEvery > 0 && n % invariantEvery == 0 {
            stats.invariantChecks += 1
            do {
                let count = try snapshot.count(expectedQuery)
                if count != ids.count { report("count(\(shown)) = \(count), matchingIDs has \(ids.count)") }
                let top5 = try snapshot.search(expectedQuery, options: SearchOptions(limit: 5))
                if top5.totalCount != ids.count { report("search(limit 5).totalCount = \(top5.totalCount) for \(shown), expected \(ids.count)") }
                let viaString = try snapshot.search(syntax, options: SearchOptions(limit: 5))
                if viaString.totalCount != ids.count { report("search(\"\(shown)\").totalCount = \(viaString.totalCount), expected \(ids.count)") }
                let lenient = try snapshot.search(lenient: syntax, options: SearchOptions(limit: 5))
                if lenient.totalCount != ids.count { report("search(lenient: \"\(shown)\").totalCount = \(lenient.totalCount), expected \(ids.count)") }
                let all = try snapshot.search(expectedQuery, options: SearchOptions(limit: Int.max))
                let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
                if all.hits.count != ids.count || Set(all.hits.map(\.id)) != actual {
                    report("search(limit max) of \(shown) returned \(all.hits.count) hits, expected \(ids.count)")
                }
                for (a, b) in zip(all.hits, all.hits.dropFirst()) {
                    let ok = a.score > b.score || (a.score == b.score && (order[a.id] ?? 0) < (order[b.id] ?? 0))
                    if !ok || !a.score.isFinite {
                        report("hits of \(shown) out of order: \(a.id) \(a.score) before \(b.id) \(b.score)")
                        break
                    }
                }
                if top5.hits.map(\.id) != Array(all.hits.prefix(5).map(\.id)) {
                    report("top 5 of \(shown) \(top5.hits.map(\.id)) is not the head of the full ranking \(all.hits.prefix(5).map(\.id))")
                }
                for h in top5.hits {
                    for f in ref.fieldNames where h[f] != ref.text(h.id, f) {
                        report("hit \(h.id) of \(shown): stored \(f) differs from the document's")
                    }
                }
            } catch {
                report("invariants of \(shown) threw \(error)")
            }
        }

        // Highlights: every hit of a query without negation has a highlighted range, and every
        // range, normalized, holds a match of one of the query's clauses.
        if stats.highlightChecks < highlightLimit, !expected.isEmpty, let clauses = g.tree.positiveClauses {
            stats.highlightChecks += 1
            let patterns = clauses.compactMap(OracleRef.clausePattern).map { try! NSRegularExpression(pattern: $0) }
            do {
                let res = try snapshot.search(expectedQuery, options: SearchOptions(limit: 10, highlight: HighlightOptions()))
                for h in res.hits {
                    let ranges = h.highlights.reduce(0) { $0 + $1.utf8Ranges.count }
                    if ranges == 0 { report("hit \(h.id) of \(shown) [\(g.kind)] has no highlight") }
                    for fh in h.highlights {
                        guard let text = h[fh.field] else {
                            report("hit \(h.id) of \(shown): highlight of field \(fh.field), which it does not have")
                            continue
                        }
                        let bytes = Array(text.utf8)
                        for r in fh.utf8Ranges {
                            guard r.lowerBound >= 0, r.upperBound <= bytes.count, !r.isEmpty,
                                  let slice = String(bytes: bytes[r], encoding: .utf8) else {
                                report("hit \(h.id) of \(shown): highlight \(r) is not a valid range of \(fh.field) (\(bytes.count) bytes)")
                                continue
                            }
                            let normed = OracleRef.norm(slice)
                            let range = NSRange(location: 0, length: (normed as NSString).length)
                            if !patterns.contains(where: { $0.firstMatch(in: normed, range: range) != nil }) {
                                report("hit \(h.id) of \(shown) [\(g.kind)]: highlighted \(fh.field) \(r) = \"\(oracleDebug(slice))\" holds no match of the query")
                            }
                        }
                    }
                }
            } catch {
                report("highlight search \(shown) threw \(error)")
            }
        }
    }
    return stats
}

private func oracleQueries(count: Int, seed: UInt64, ref: OracleRefCorpus) -> [OracleGenQuery] {
    var gen = OracleQueryGenerator(seed: seed, fixture: OracleFixture.shared, ref: ref)
    return (0..<count).map { _ in gen.next() }
}

private func oracleSummary(_ s: OracleRunStats) -> String {
    "\(s.queries) queries (\(s.nonEmpty) with matches, \(s.wrapSpanning) spanning a line wrap), "
        + "\(s.failures) failures, \(s.parserMismatches) parser mismatches, \(s.invariantChecks) invariant checks, "
        + "\(s.highlightChecks) highlight checks; kinds \(s.byKind.sorted { $0.key < $1.key })"
}

/// Writes the corpus and the queries oracle.py can read (no OR, `-`, fields) with this port's
/// expected ids, so the port can be checked against the original:
/// `ORACLE_DUMP=/tmp/d swift test --filter SearchOracleTests/singleWriter` then
/// `python3 shared/corpus/oracle.py recompute /tmp/d/docs.jsonl /tmp/d/queries.jsonl /dev/null`
/// must print "0 queries changed".
private func oracleDump(to dir: String, docs: [OracleDoc], queries: [OracleGenQuery], ref: OracleRefCorpus) throws {
    func json(_ x: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: x), as: UTF8.self) }
    func plain(_ t: OracleQTree) -> Bool {
        switch t {
        case .clause(_, _, let f): return f == nil
        case .and(let xs): return xs.allSatisfy(plain)
        default: return false
        }
    }
    var d = "", q = ""
    for doc in docs { d += try json(["id": doc.id, "text": doc.text]) + "\n" }
    for g in queries where plain(g.tree) {
        let expected = ref.eval(g.tree)
        q += try json(["q": g.tree.syntax, "kind": g.kind, "expected": ref.ids.filter(expected.contains)]) + "\n"
    }
    try d.write(toFile: dir + "/docs.jsonl", atomically: true, encoding: .utf8)
    try q.write(toFile: dir + "/queries.jsonl", atomically: true, encoding: .utf8)
}

/// Runs `a (b OR -c)`-style queries against the reference; prints each query before it runs and
/// each mismatch to standard error. Returns the number of mismatches.
private func oracleCheckNegatedAlternatives(count: Int) throws -> Int {
    let fx = OracleFixture.shared
    let w = try IndexWriter(schema: .text)
    for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
    let s = w.snapshot()
    let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
    var gen = OracleQueryGenerator(seed: 0x0E6A7ED, fixture: fx, ref: ref)
    var mismatches = 0
    func say(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    for _ in 0..<count {
        let tree = gen.negatedAlternative()
        say("ORACLE-RUNNING \(oracleDebug(tree.syntax))")
        let expected = ref.eval(tree)
        let parsed = try s.queryParser.parse(tree.syntax)
        if parsed != tree.query { say("ORACLE-MISMATCH parser: \(oracleDebug(tree.syntax)) → \(parsed)") }
        let actual = Set(try s.matchingIDs(tree.query))
        if actual != expected {
            mismatches += 1
            say("ORACLE-MISMATCH \(oracleDebug(tree.syntax)): expected \(expected.count) ids, got \(actual.count); missing \(expected.subtracting(actual).sorted().prefix(5)) extra \(actual.subtracting(expected).sorted().prefix(5))")
        }
        let total = try s.search(tree.syntax, options: SearchOptions(limit: 3)).totalCount
        if total != expected.count { mismatches += 1; say("ORACLE-MISMATCH search(\(oracleDebug(tree.syntax))).totalCount \(total), expected \(expected.count)") }
    }
    return mismatches
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct SearchOracleTests {
    static let mainQueryCount = 3000

    @Test func referenceAgreesWithOraclePyOnKnownCases() {
        // Cases worked out by hand from oracle.py (guards the port itself).
        let ref = OracleRefCorpus([
            (id: "a", text: "常熟市参\n\n观考察"), (id: "b", text: "常熟，市"), (id: "c", text: "非常熟悉"),
            (id: "d", text: "see example.com and files"), (id: "e", text: "内核Linux 2000亿元"),
            (id: "f", text: "中国 人民"), (id: "g", text: "한국어 검색"),
        ])
        #expect(ref.clause("参观") == ["a"])
        #expect(ref.clause("常熟市") == ["a"])
        #expect(ref.clause("常熟，市") == ["a", "b"])   // units 常熟, 市 with only punctuation between
        #expect(ref.clause("常熟") == ["a", "b", "c"])
        #expect(ref.clause("file") == [])
        #expect(ref.clause("files") == ["d"])
        #expect(ref.clause("example") == [])
        #expect(ref.clause("com") == [])
        #expect(ref.matching(pattern: OracleRef.wholeWordPattern("example.com")) == ["d"])
        #expect(ref.clause("核linux") == ["e"])
        #expect(ref.clause("ＬＩＮＵＸ") == ["e"])
        #expect(ref.clause("2000亿") == ["e"])
        #expect(ref.clause("中国人民") == ["f"])
        #expect(ref.clause("한국어검색") == [])
        #expect(ref.clause("，。") == [])
        #expect(OracleRef.clauses(#"a "b c" d"#) == ["a", "b c", "d"])
    }

    @Test func singleWriterMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text)
        for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
        let s = w.snapshot()
        #expect(s.documentCount == fx.docs.count)
        let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
        let keepWS = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) }, normalize: OracleRef.fold)
        let queries = oracleQueries(count: Self.mainQueryCount, seed: 0xA11CE, ref: ref)
        if let dir = ProcessInfo.processInfo.environment["ORACLE_DUMP"] {
            try oracleDump(to: dir, docs: fx.docs, queries: queries, ref: ref)
        }
        let stats = runOracle(s, ref: ref, keepWS: keepWS, queries: queries, label: "single writer",
                              invariantEvery: 7, highlightLimit: 300)
        print("SearchOracleTests single writer: \(fx.docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
        #expect(stats.wrapSpanning >= 50, "too few queries span a line wrap: \(stats.wrapSpanning)")
        #expect(stats.nonEmpty >= stats.queries / 2)
    }

    @Test func twoThreadIndexMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text)
        // A few documents first, then one batch on two threads that replaces some of them and
        // holds duplicate ids (the later one wins).
        let head = Array(fx.docs.prefix(20))
        for d in head { try w.add(Document(id: d.id, text: d.text)) }
        var batch = fx.docs.dropFirst(20).map { Document(id: $0.id, text: $0.text) }
        var final: [String: String] = [:]
        var order: [String] = []
        for d in head { final[d.id] = d.text; order.append(d.id) }
        for (k, id) in ["seed0", "trap3", "gen0"].enumerated() where final[id] != nil || batch.contains(where: { $0.id == id }) {
            batch.append(Document(id: id, text: fx.spareTexts[k]))
        }
        for k in 0..<5 { batch.insert(Document(id: head[k * 3].id, text: fx.spareTexts[10 + k]), at: batch.count / 2) }
        for d in batch {
            if final[d.id] == nil { order.append(d.id) }
            final[d.id] = d["text"]!
        }
        try w.add(contentsOf: batch, threads: 2)
        let s = w.snapshot()
        #expect(s.documentCount == final.count)
        #expect(try s.statistics.segments >= 2, "the batch should have been split over two threads")
        let ref = OracleRefCorpus(order.map { (id: $0, text: final[$0]!) })
        let queries = oracleQueries(count: 1000, seed: 0xB0B, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "two threads", invariantEvery: 10)
        print("SearchOracleTests two threads: \(final.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    /// `a (b OR -c)`: an alternative that is negated, inside a conjunction. Run in a child process
    /// because it can crash the library (at the time of writing an arithmetic overflow trap in
    /// `QueryEvaluator.cost`, which adds `Int.max`, the cost of the `-c` branch, to the others).
    @Test func negatedAlternativeInsideConjunction() async {
        // The child exits with 42 when every query matched the reference, so that `.failure`
        // (any status but success) matches every outcome and the parent can look at crashes too.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let mismatches = (try? oracleCheckNegatedAlternatives(count: 300)) ?? -1
            exit(mismatches == 0 ? 42 : 43)
        }
        guard let result else { return }
        if result.exitStatus == .exitCode(42) { return }
        let lines = String(decoding: result.standardErrorContent, as: UTF8.self).split(separator: "\n")
        var message = "queries like `a (b OR -c)` must run and match the reference; the child process ended with \(result.exitStatus)"
        if let last = lines.last(where: { $0.hasPrefix("ORACLE-RUNNING ") }) {
            message += "; last query started: " + last.dropFirst("ORACLE-RUNNING ".count)
        }
        for l in lines where l.contains("runtime failure") || l.hasPrefix("ORACLE-MISMATCH") {
            message += "\n" + l
        }
        Issue.record(Comment(rawValue: message))
    }

    /// Emitting unigrams as well as bigrams (an analysis option) must not change what matches.
    @Test func unigramOptionMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text, analyzer: try BigramAnalyzer(.init(emitUnigrams: true)))
        for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
        let s = w.snapshot()
        let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
        let queries = oracleQueries(count: 800, seed: 0x0A16, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "unigrams", invariantEvery: 10, highlightLimit: 100)
        print("SearchOracleTests unigrams: \(fx.docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    @Test func twoFieldSchemaMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: Schema([.init("title", boost: 2), .init("body")]))
        var docs: [(id: String, fields: [String: String])] = []
        for (i, d) in fx.docs.enumerated() {
            // A title cut from the start of the text (at a line wrap or not), the rest as body;
            // some documents lack one of the fields.
            let chars = Array(d.text)
            let cut = min(chars.count, [8, 16, 30][i % 3])
            var f: [String: String] = [:]
            if i % 11 != 5 { f["title"] = String(chars[..<cut]) }
            if i % 13 != 7 { f["body"] = String(chars[cut...]) }
            docs.append((id: d.id, fields: f))
            try w.add(Document(id: d.id, fields: f))
        }
        let s = w.snapshot()
        let ref = OracleRefCorpus(fields: docs, fieldNames: ["title", "body"])
        var rng = SplitMix64(0x717E)
        let queries = oracleQueries(count: 800, seed: 0xF1E1D, ref: ref).map { g -> OracleGenQuery in
            var g = g
            g.tree = g.tree.mapFields { f in f != nil || rng.uniformChance(0.3) ? rng.uniformPick(["title", "body"]) : nil }
            return g
        }
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "title+body",
                              invariantEvery: 8, highlightLimit: 150)
        print("SearchOracleTests title+body: \(docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    @Test func deletesAndUpdatesMatchOracle() throws {
        let fx = OracleFixture.shared
        var rng = SplitMix64(0xDE1E7E)
        let w = try IndexWriter(schema: .text)
        var live: [String: String] = [:]
        var order: [String] = []
        func add(_ id: String, _ text: String) throws {
            try w.add(Document(id: id, text: text))
            if live[id] == nil { order.append(id) }
            live[id] = text
        }
        func delete(_ id: String) {
            let existed = live.removeValue(forKey: id) != nil
            order.removeAll { $0 == id }
            #expect(w.delete(id: id) == existed, "delete(id: \(id))")
        }
        let split = fx.docs.count * 6 / 10
        for d in fx.docs[..<split] { try add(d.id, d.text) }
        let first = w.snapshot()
        let firstState = order.map { (id: $0, text: live[$0]!) }
        // Changes to the frozen segment: deletes, updates, delete-then-re-add.
        var spare = fx.spareTexts.makeIterator()
        for d in fx.docs[..<split] {
            switch rng.uniformInt(0..<10) {
            case 0: delete(d.id)
            case 1: try add(d.id, spare.next() ?? "常熟")
            case 2: delete(d.id); try add(d.id, d.text + "\n追加linux内核")
            default: break
            }
        }
        // The rest, with changes while they are still buffered.
        for d in fx.docs[split...] { try add(d.id, d.text) }
        for d in fx.docs[split...] {
            switch rng.uniformInt(0..<10) {
            case 0: delete(d.id)
            case 1: try add(d.id, spare.next() ?? "熟悉")
            default: break
            }
        }
        delete("no-such-id")
        try add("late", "最后加入的常熟市参\n观考察文档")
        delete("late")
        try add("late", "最后重新加入的小微企\n业园")
        let s = w.snapshot()
        #expect(s.documentCount == live.count)
        #expect(w.documentCount == live.count)

        let ref = OracleRefCorpus(order.map { (id: $0, text: live[$0]!) })
        let queries = oracleQueries(count: 900, seed: 0xC0FFEE, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "deletes+updates", invariantEvery: 10)
        print("SearchOracleTests deletes+updates: \(live.count) live documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")

        // The first snapshot is immutable: it still answers for the documents of its time.
        let refFirst = OracleRefCorpus(firstState)
        let q1 = oracleQueries(count: 300, seed: 0xF1257, ref: refFirst)
        let stats1 = runOracle(first, ref: refFirst, keepWS: nil, queries: q1, label: "first snapshot")
        print("SearchOracleTests first snapshot: \(firstState.count) documents; " + oracleSummary(stats1))
        #expect(stats1.failures == 0, "\(oracleSummary(stats1))")
        #expect(first.documentCount == firstState.count)
    }
}
