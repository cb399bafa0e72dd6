/// Reads the query syntax (<doc:QuerySyntax>; what each clause matches: <doc:TheContract>):
///
/// | syntax | meaning |
/// |---|---|
/// | `中国 人民` | both clauses must match, anywhere |
/// | `"中国 人民"` | one phrase; spaces between Han/Kana characters vanish (`中国人民`) |
/// | `Linux内核`, `2000亿元` | a mixed clause is a phrase of its terms |
/// | `a OR b` | either (binds tighter than the implicit AND: `a b OR c` is `a (b OR c)`) |
/// | `-a` | must not match |
/// | `( … )` | grouping |
/// | `title:常熟`, `title:"…"`, `title:(…)` | restrict to a field |
/// | `linu*` | a Latin word as a prefix |
///
/// ``parse(_:)`` is strict: malformed input throws a ``QuerySyntaxError`` with its position.
/// ``parseLenient(_:)`` never throws: it reads what it can and treats the rest as literal text,
/// for queries typed by end users.
public struct QueryParser: Sendable {
    /// Field names that `name:` may refer to; nil accepts any name.
    public var fields: Set<String>?
    /// Upper bounds that keep a hostile query cheap.
    public var limits: Limits

    /// Bounds on a query's size: beyond them the strict parser throws and the lenient one cuts.
    public struct Limits: Hashable, Sendable {
        /// Longest query, in UTF-8 bytes.
        public var maxBytes: Int
        /// Most clauses (phrases) in one query.
        public var maxClauses: Int
        /// Deepest nesting of parentheses.
        public var maxDepth: Int

        /// Limits; the defaults take any realistic query and keep a hostile one to microseconds.
        public init(maxBytes: Int = 16_384, maxClauses: Int = 256, maxDepth: Int = 32) {
            self.maxBytes = maxBytes
            self.maxClauses = maxClauses
            self.maxDepth = maxDepth
        }
    }

    /// Most minus signs in a row (`---a`); more is a ``QuerySyntaxError/Kind/tooDeep(limit:)``.
    static let maxNegations = 512

    /// A parser that accepts `name:` for `fields` (any name when nil), within `limits`.
    public init(fields: Set<String>? = nil, limits: Limits = Limits()) {
        self.fields = fields
        self.limits = limits
    }

    /// Parses `text` strictly.
    ///
    /// - Throws: ``QuerySyntaxError`` naming the problem and its character offset.
    /// - Complexity: O(n) in the length of `text`.
    public func parse(_ text: String) throws(QuerySyntaxError) -> Query {
        if text.utf8.count > limits.maxBytes {
            throw QuerySyntaxError(.tooLong(limit: limits.maxBytes), at: 0)
        }
        var p = Parser(chars: Array(text), parser: self, lenient: false)
        return try p.parseQuery()
    }

    /// Parses `text` without ever failing: syntax errors are read as literal text (quotes and
    /// parentheses become spaces, a dangling `-` or `OR` a word), unknown fields are read as words,
    /// and input beyond the limits is cut off.
    public func parseLenient(_ text: String) -> Query {
        var input = text
        if input.utf8.count > limits.maxBytes {
            // Cut at the last whole character that fits.
            var end = input.utf8.index(input.utf8.startIndex, offsetBy: limits.maxBytes)
            while end > input.startIndex && input.index(end, offsetBy: 0) != end { end = input.utf8.index(before: end) }
            input = String(input[..<end])
        }
        var p = Parser(chars: Array(input), parser: self, lenient: true)
        if let q = try? p.parseQuery() { return q }
        // Fall back to plain words: every special character becomes a space.
        var plain = ""
        for ch in input { plain.append(ch == "\"" || ch == "(" || ch == ")" ? " " : ch) }
        var clauses: [Query] = []
        for word in plain.split(whereSeparator: \.isWhitespace).prefix(limits.maxClauses) {
            var w = String(word)
            while w.hasPrefix("-") { w.removeFirst() }
            if !w.isEmpty { clauses.append(.phrase(w)) }
        }
        return clauses.count == 1 ? clauses[0] : .all(clauses)
    }
}

/// Recursive descent over the query's characters.
///   query   := orExpr+            (implicit AND)
///   orExpr  := unary ("OR" unary)*
///   unary   := "-" unary | atom
///   atom    := [field ":"] ( "(" query ")" | quoted | word )
private struct Parser {
    let chars: [Character]
    let parser: QueryParser
    let lenient: Bool
    var i = 0
    var clauses = 0
    var depth = 0

    init(chars: [Character], parser: QueryParser, lenient: Bool) {
        self.chars = chars
        self.parser = parser
        self.lenient = lenient
    }

    mutating func parseQuery() throws(QuerySyntaxError) -> Query {
        let q = try parseSequence(closing: false)
        if i < chars.count { throw QuerySyntaxError(.unbalancedParenthesis, at: i) }
        if !hasPositive(q) && containsClause(q) { throw QuerySyntaxError(.onlyNegativeClauses, at: 0) }
        return q
    }

    private func hasPositive(_ q: Query) -> Bool {
        switch q {
        case .phrase, .filter: return true
        case .all(let qs): return qs.isEmpty || qs.contains(where: hasPositive)
        case .any(let qs): return qs.contains(where: hasPositive)
        case .not: return false
        }
    }

    private func containsClause(_ q: Query) -> Bool {
        switch q {
        case .phrase, .filter: return true
        case .all(let qs), .any(let qs): return qs.contains(where: containsClause)
        case .not(let inner): return containsClause(inner)
        }
    }

    mutating func skipSpace() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

    mutating func parseSequence(closing: Bool) throws(QuerySyntaxError) -> Query {
        var items: [Query] = []
        while true {
            skipSpace()
            if i >= chars.count { break }
            if chars[i] == ")" {
                if closing { break }
                throw QuerySyntaxError(.unbalancedParenthesis, at: i)
            }
            if isOperator("OR") { throw QuerySyntaxError(.danglingOperator("OR"), at: i) }
            items.append(try parseOr())
        }
        return items.count == 1 ? items[0] : .all(items)
    }

    /// True when the text at `i` is the word `op` standing alone.
    func isOperator(_ op: String) -> Bool {
        let o = Array(op)
        guard i + o.count <= chars.count, Array(chars[i..<(i + o.count)]) == o else { return false }
        let after = i + o.count
        return after == chars.count || chars[after].isWhitespace || chars[after] == "(" || chars[after] == ")"
            || chars[after] == "\"" || chars[after] == "-"
    }

    mutating func parseOr() throws(QuerySyntaxError) -> Query {
        var alternatives = [try parseUnary()]
        while true {
            let save = i
            skipSpace()
            if isOperator("OR") {
                let at = i
                i += 2
                skipSpace()
                if i >= chars.count || chars[i] == ")" || isOperator("OR") {
                    throw QuerySyntaxError(.danglingOperator("OR"), at: at)
                }
                alternatives.append(try parseUnary())
            } else {
                i = save
                break
            }
        }
        return alternatives.count == 1 ? alternatives[0] : .any(alternatives)
    }

    mutating func parseUnary() throws(QuerySyntaxError) -> Query {
        // A run of minus signs is read in a loop and bounded, so a hostile run of them is a
        // typed error, not a deep recursion later (each `-` is a level of the query tree).
        var end = i
        while end < chars.count && chars[end] == "-" { end += 1 }
        let negations = end - i
        if negations > 0 {
            if end >= chars.count || chars[end].isWhitespace || chars[end] == ")" {
                throw QuerySyntaxError(.danglingOperator("-"), at: end - 1)
            }
            if negations > QueryParser.maxNegations {
                throw QuerySyntaxError(.tooDeep(limit: QueryParser.maxNegations), at: i)
            }
            i = end
        }
        var q = try parseAtom()
        depth -= negations
        for _ in 0..<negations { q = .not(q) }
        return q
    }

    mutating func parseAtom() throws(QuerySyntaxError) -> Query {
        var field: String?
        // field:  — letters, digits and _ followed by ':' and something that is not a space.
        var j = i
        while j < chars.count, let a = chars[j].asciiValue, Schema.isFieldNameByte(a) { j += 1 }
        if j > i && j + 1 < chars.count && chars[j] == ":" && !chars[j + 1].isWhitespace {
            let name = String(chars[i..<j])
            if let known = parser.fields, !known.contains(name) {
                if !lenient { throw QuerySyntaxError(.unknownField(name), at: i) }
                // lenient: read "name:" as text of the clause below
            } else {
                field = name
                i = j + 1
            }
        }
        if chars[i] == "(" {
            let at = i
            depth += 1
            if depth > parser.limits.maxDepth { throw QuerySyntaxError(.tooDeep(limit: parser.limits.maxDepth), at: at) }
            i += 1
            skipSpace()
            if i < chars.count && chars[i] == ")" { throw QuerySyntaxError(.emptyGroup, at: at) }
            let inner = try parseSequence(closing: true)
            guard i < chars.count && chars[i] == ")" else { throw QuerySyntaxError(.unbalancedParenthesis, at: at) }
            i += 1
            depth -= 1
            return field.map { applyField($0, to: inner) } ?? inner
        }
        if chars[i] == "\"" {
            let at = i
            i += 1
            let start = i
            while i < chars.count && chars[i] != "\"" { i += 1 }
            guard i < chars.count else { throw QuerySyntaxError(.unclosedQuote, at: at) }
            let text = String(chars[start..<i])
            i += 1
            var prefix = false
            if i < chars.count && chars[i] == "*" { prefix = true; i += 1 }
            return try clause(text, field: field, prefix: prefix, at: at)
        }
        let at = i
        let start = i
        while i < chars.count && !chars[i].isWhitespace && chars[i] != "(" && chars[i] != ")" && chars[i] != "\"" { i += 1 }
        var text = String(chars[start..<i])
        var prefix = false
        if text.count > 1 && text.hasSuffix("*") {
            text.removeLast()
            prefix = true
        }
        return try clause(text, field: field, prefix: prefix, at: at)
    }

    mutating func clause(_ text: String, field: String?, prefix: Bool, at: Int) throws(QuerySyntaxError) -> Query {
        clauses += 1
        if clauses > parser.limits.maxClauses {
            throw QuerySyntaxError(.tooManyClauses(limit: parser.limits.maxClauses), at: at)
        }
        return .phrase(text, field: field, prefix: prefix)
    }

    func applyField(_ field: String, to q: Query) -> Query {
        switch q {
        case .phrase(let t, let f, let p): return .phrase(t, field: f ?? field, prefix: p)
        case .all(let qs): return .all(qs.map { applyField(field, to: $0) })
        case .any(let qs): return .any(qs.map { applyField(field, to: $0) })
        case .not(let inner): return .not(applyField(field, to: inner))
        case .filter: return q
        }
    }
}
