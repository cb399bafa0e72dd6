/// A query of the library's syntax (BigramSearch.docc/QuerySyntax.md) written as an FTS5 `MATCH` expression.
///
/// Every clause becomes a quoted FTS5 phrase, clauses are joined with `AND` (and `a OR b` with
/// `OR`, in parentheses, since the library's `OR` binds tighter than the implicit AND). Inside a
/// quoted phrase, spaces between two Han/Kana characters are dropped, as the library's syntax
/// says (`"中国 人民"` means `中国人民`). With the trigram tokenizer a phrase matches a
/// case-insensitive substring, and a phrase shorter than 3 characters matches nothing.
struct FTS5Query {
    /// The `MATCH` expression.
    var expression: String
    /// Length of the shortest phrase, in Unicode scalars (trigram needs at least 3).
    var shortestPhrase: Int

    /// True when FTS5 trigram can find something for every clause: all are 3+ characters.
    var trigramCanRun: Bool { shortestPhrase >= 3 }

    /// Translates `query`, or returns nil for syntax the baseline does not cover (`-a`,
    /// parentheses, `word*` prefixes, unbalanced quotes).
    static func translate(_ query: String) -> FTS5Query? {
        var groups: [[String]] = []
        var pendingOR = false
        var scalars = Array(query.unicodeScalars)[...]

        func add(_ phrase: String) {
            if pendingOR, !groups.isEmpty { groups[groups.count - 1].append(phrase) } else { groups.append([phrase]) }
            pendingOR = false
        }

        while let c = scalars.first {
            if CharacterClasses.isWhitespace(c) { scalars.removeFirst(); continue }
            if c == "\"" {
                scalars.removeFirst()
                guard let close = scalars.firstIndex(of: "\"") else { return nil }
                let phrase = joinedAcrossCJKSpaces(scalars[..<close])
                scalars = scalars[(close + 1)...]
                if phrase.isEmpty { continue }
                add(phrase)
                continue
            }
            if c == "(" || c == ")" { return nil }
            var word = ""
            while let w = scalars.first, !CharacterClasses.isWhitespace(w), w != "\"", w != "(", w != ")" {
                word.unicodeScalars.append(w)
                scalars.removeFirst()
            }
            if word == "OR" {
                guard !groups.isEmpty, !pendingOR else { return nil }
                pendingOR = true
                continue
            }
            if word.hasPrefix("-") || word.hasSuffix("*") { return nil }
            if word.hasPrefix("text:") { word.removeFirst(5) }
            if word.isEmpty { return nil }
            add(word)
        }
        guard !groups.isEmpty, !pendingOR else { return nil }

        func quoted(_ phrase: String) -> String {
            "\"" + phrase.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }
        let expression = groups.map { group in
            group.count == 1 ? quoted(group[0]) : "(" + group.map(quoted).joined(separator: " OR ") + ")"
        }.joined(separator: " AND ")
        let shortest = groups.joined().map { $0.unicodeScalars.count }.min() ?? 0
        return FTS5Query(expression: expression, shortestPhrase: shortest)
    }

    /// The text of a quoted phrase with whitespace between two Han/Kana characters removed, other
    /// whitespace kept as it is, and the ends trimmed.
    private static func joinedAcrossCJKSpaces(_ s: ArraySlice<Unicode.Scalar>) -> String {
        let chars = Array(s)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            if CharacterClasses.isWhitespace(chars[i]) {
                var j = i
                while j < chars.count, CharacterClasses.isWhitespace(chars[j]) { j += 1 }
                let joins = i > 0 && j < chars.count
                    && CharacterClasses.isHanOrKana(chars[i - 1]) && CharacterClasses.isHanOrKana(chars[j])
                if !joins && !out.isEmpty && j < chars.count { out.append(contentsOf: chars[i..<j]) }
                i = j
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return String(out)
    }
}
