import BigramSearch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a deterministic query set from a corpus when no query file is given: the kinds of the
/// open query set (`cjk1`, `cjk2`, `cjk3-6`, `mixed`, `latin`, `multi`, `absent`), each taken
/// from the text of randomly chosen documents.
///
/// - `cjk1`, `cjk2`, `cjk3-6`: a substring of a run of Han characters (3 to 6 characters for
///   `cjk3-6`).
/// - `latin`: a whole ASCII word or number of 3 to 20 letters and digits, between spaces, CJK
///   or brackets (never next to `.`, `,`, `'`, `_` …, where word breaking may join words).
/// - `mixed`: a Latin word or number and 2–4 neighbouring Han characters, as in the text (with
///   the space between them if there is one), as a quoted phrase.
/// - `multi`: two 2–4 character Han clauses from one document.
/// - `absent`: two real Han pieces (a bigram and a bigram or a character) joined so that the
///   join never occurs in the corpus, checked against the whitespace-free text of every
///   document: a trap whose pieces all occur, but never adjacent. Only these queries have a
///   known expected set (empty); the others carry none.
struct QueryGenerator {
    var perKind: Int
    var seed: UInt64

    /// Text features of one document, computed when the document is first drawn.
    private struct Features {
        var hanRuns: [[Unicode.Scalar]] = []
        var latinWords: [String] = []
        var mixedPhrases: [String] = []
    }

    /// Draws the queries from `source` (the corpus before scaling, so that every scale gets the
    /// same queries) and checks the `absent` ones against `absence` (the indexed corpus).
    func generate(from source: [Document], absence: AbsenceChecker) -> [BenchQuery] {
        guard !source.isEmpty else { return [] }
        var random = SeededRandom(seed: seed ^ 0x0051_EC7E)
        var cache: [Int: Features] = [:]
        var seen = Set<String>()
        var queries: [BenchQuery] = []

        func features(_ doc: Int) -> Features {
            if let f = cache[doc] { return f }
            let f = Self.features(of: source[doc]["text"] ?? "")
            cache[doc] = f
            return f
        }
        func randomRun(minLength: Int) -> [Unicode.Scalar]? {
            for _ in 0..<20 {
                let f = features(random.next(below: source.count))
                let runs = f.hanRuns.filter { $0.count >= minLength }
                if let run = random.element(of: runs) { return run }
            }
            return nil
        }
        func piece(of run: [Unicode.Scalar], length: Int) -> String {
            let start = random.next(below: run.count - length + 1)
            var s = ""
            s.unicodeScalars.append(contentsOf: run[start..<(start + length)])
            return s
        }
        /// Tries `draw` until `perKind` new queries of `kind` exist or attempts run out.
        func fill(_ kind: String, expected: [String]? = nil, _ draw: () -> String?) {
            var made = 0
            var attempts = 0
            while made < perKind && attempts < perKind * 40 {
                attempts += 1
                guard let q = draw(), !q.isEmpty, seen.insert(q).inserted else { continue }
                queries.append(BenchQuery(text: q, kind: kind, expected: expected))
                made += 1
            }
        }

        fill("cjk1") { randomRun(minLength: 1).map { piece(of: $0, length: 1) } }
        fill("cjk2") { randomRun(minLength: 2).map { piece(of: $0, length: 2) } }
        fill("cjk3-6") {
            let length = random.next(in: 3...6)
            return randomRun(minLength: length).map { piece(of: $0, length: length) }
        }
        fill("mixed") {
            let f = features(random.next(below: source.count))
            return random.element(of: f.mixedPhrases).map { "\"\($0)\"" }
        }
        fill("latin") { random.element(of: features(random.next(below: source.count)).latinWords) }
        fill("multi") {
            let f = features(random.next(below: source.count))
            let runs = f.hanRuns.filter { $0.count >= 2 }
            guard let a = random.element(of: runs), let b = random.element(of: runs) else { return nil }
            let x = piece(of: a, length: random.next(in: 2...min(4, a.count)))
            let y = piece(of: b, length: random.next(in: 2...min(4, b.count)))
            guard !x.contains(y), !y.contains(x) else { return nil }
            return "\(x) \(y)"
        }
        fill("absent", expected: []) {
            guard let a = randomRun(minLength: 2), let b = randomRun(minLength: 1) else { return nil }
            let q = piece(of: a, length: 2) + piece(of: b, length: min(b.count, random.next(in: 1...2)))
            return absence.occurs(q) ? nil : q
        }
        return queries
    }

    private static func isUsableHan(_ s: Unicode.Scalar) -> Bool {
        // Compatibility ideographs normalize to other characters: leave them out of queries.
        CharacterClasses.isHan(s) && !(0xF900...0xFAFF).contains(s.value)
    }

    /// True when a word next to `s` is a word of its own under every reading of the rules: `s`
    /// is whitespace, Han/Kana or plain bracketing punctuation. Word-joining characters
    /// (`example.com`, `10,000`, `can't`, `a_b`, and their full-width forms, which NFKC turns
    /// into them) are where ICU word breaking and the reference oracle may disagree, so words
    /// next to them, or to any other symbol, are not drawn.
    private static func isSafeNeighbour(_ s: Unicode.Scalar) -> Bool {
        if CharacterClasses.isWhitespace(s) || CharacterClasses.isHanOrKana(s) { return true }
        switch s {
        case "(", ")", "[", "]", "{", "}", "<", ">", "\"", "/", "=", "+", "*", "|": return true
        default: return false
        }
    }

    private static func features(of text: String) -> Features {
        let s = Array(text.unicodeScalars)
        var f = Features()
        var i = 0
        while i < s.count {
            if isUsableHan(s[i]) {
                var j = i
                while j < s.count, isUsableHan(s[j]) { j += 1 }
                f.hanRuns.append(Array(s[i..<j]))
                i = j
            } else if CharacterClasses.isASCIIAlphanumeric(s[i]) {
                var j = i
                while j < s.count, CharacterClasses.isASCIIAlphanumeric(s[j]) { j += 1 }
                let cleanLeft = i == 0 || isSafeNeighbour(s[i - 1])
                let cleanRight = j == s.count || isSafeNeighbour(s[j])
                if cleanLeft && cleanRight {
                    var word = ""
                    word.unicodeScalars.append(contentsOf: s[i..<j])
                    if (3...20).contains(j - i) {
                        f.latinWords.append(word)
                    }
                    if (2...12).contains(j - i) {
                        f.mixedPhrases.append(contentsOf: mixed(word: word, in: s, start: i, end: j))
                    }
                }
                i = j
            } else {
                i += 1
            }
        }
        return f
    }

    /// Phrases of the word at `start..<end` with the Han characters right before or after it
    /// (with at most one space between).
    private static func mixed(word: String, in s: [Unicode.Scalar], start: Int, end: Int) -> [String] {
        var phrases: [String] = []
        var after = end
        var gap = ""
        if after < s.count, s[after] == " " { after += 1; gap = " " }
        var k = 0
        while after + k < s.count, k < 4, isUsableHan(s[after + k]) { k += 1 }
        if k >= 2 {
            var han = ""
            han.unicodeScalars.append(contentsOf: s[after..<(after + k)])
            phrases.append(word + gap + han)
        }
        var before = start
        gap = ""
        if before > 0, s[before - 1] == " " { before -= 1; gap = " " }
        k = 0
        while before - k > 0, k < 4, isUsableHan(s[before - k - 1]) { k += 1 }
        if k >= 2 {
            var han = ""
            han.unicodeScalars.append(contentsOf: s[(before - k)..<before])
            phrases.append(han + gap + word)
        }
        return phrases
    }
}

/// Answers "does this CJK string occur anywhere in the corpus?" conservatively: it searches the
/// text of every document with all whitespace removed, so a string that a line wrap splits
/// counts as present too (the query syntax joins it). Used to make sure `absent` queries are.
struct AbsenceChecker {
    private var bytes: [UInt8] = []
    /// How often each byte value occurs in `bytes`: searches scan for the needle's rarest byte.
    private var histogram = [Int](repeating: 0, count: 256)

    init(documents: [Document]) {
        for d in documents {
            for scalar in (d["text"] ?? "").unicodeScalars where !CharacterClasses.isWhitespace(scalar) {
                bytes.append(contentsOf: scalar.utf8)
            }
            bytes.append(0x0A)  // never inside: whitespace was removed
        }
        for b in bytes { histogram[Int(b)] += 1 }
    }

    func occurs(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        guard let k = n.indices.min(by: { histogram[Int(n[$0])] < histogram[Int(n[$1])] }) else { return true }
        return bytes.withUnsafeBufferPointer { hay in
            n.withUnsafeBufferPointer { pattern in
                guard let base = hay.baseAddress, let p = pattern.baseAddress, hay.count >= n.count else { return false }
                // Candidate positions are where the needle's rarest byte (at offset k) occurs.
                var from = k
                let end = hay.count - n.count + k  // last position byte k can be at
                while from <= end {
                    guard let hit = memchr(base + from, Int32(n[k]), end - from + 1) else { return false }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + (at - k), p, n.count) == 0 { return true }
                    from = at + 1
                }
                return false
            }
        }
    }
}
