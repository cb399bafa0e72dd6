import Foundation
import Testing
import BigramSearch

// The search oracle: a brute-force reference search, a Swift port of shared/corpus/oracle.py
// that shares no code with the library (this file and the other Oracle*.swift files import
// BigramSearch without @testable). SearchOracleTests checks the exactness rule
// (BigramSearch.docc/TheContract.md) against it.

// MARK: - Reference: a port of shared/corpus/oracle.py

enum OracleRef {
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
final class OracleRefCorpus {
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
