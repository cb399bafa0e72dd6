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
/// | `section:体育`, `source:"debian reference"` | a keyword field has exactly this value (no analysis, no prefix) |
/// | `n:42`, `x:2.5`, `date:2024-06-01` | an int or double field equals the value; a date lies in the day (month, year, …) |
/// | `n:[10 TO 20]`, `n:{10 TO 20}`, `n:[10 TO 20}`, `n:[10 TO *]` | a range: `[ ]` include the bound, `{ }` exclude it, `*` leaves it open |
/// | `date:>=2024-06-01`, `n:>10`, `n:<5`, `n:<=5` | a comparison (a one-sided range) |
/// | `source:(体育 OR 财经)` | every value in the group is read for that typed field |
///
/// Filters (the last rows) apply to the fields in ``typedFields``, and their values are read as
/// the field's kind: an int field takes whole numbers (`2.5` is an error), a double field any
/// decimal number, a date field ISO 8601 (``DateText``) — a date stands for an interval, and a
/// bound includes or excludes all of it: `date:[2024-01-01 TO 2024-12-31]` is the whole of 2024,
/// `date:>2024-06` starts in July, `date:<2024` ends before 2024. A keyword range compares
/// bytes (`source:[a TO m]`). `TO` may be written `to`. A bare value runs to a space or `)`
/// (inside a range also to `]` or `}`); quote it for anything else (`date:"2024-06-01 12:00"`,
/// `source:["a b" TO "c d"]`, `source:"*"`, a value that starts with `[`, `{`, `<` or `>`).
/// A filter combines with clauses and other filters like any clause, and may stand alone
/// (`-n:[0 TO 5] source:news`); inside a `field:( … )` group, `-` still negates.
///
/// ``parse(_:)`` is strict: malformed input throws a ``QuerySyntaxError`` with its position.
/// ``parseLenient(_:)`` never throws: it reads what it can and treats the rest as literal text,
/// for queries typed by end users.
public struct QueryParser: Sendable {
    /// Text field names that `name:` may refer to; nil accepts any name. A name in
    /// ``typedFields`` need not be listed: it is always accepted, as a filter.
    public var fields: Set<String>?
    /// The typed fields by name (``Schema/Field/kind``): `name:` on one of them is a filter
    /// (``Query/filter(_:)``, ``FieldFilter``), `name:value`, `name:[lower TO upper]`,
    /// `name:>=value`, with its values read as that kind. Any other name is a text field as
    /// before (`title:常熟`); ``FieldKind/text`` entries are ignored. Empty by default;
    /// ``IndexSnapshot/queryParser`` fills it from the schema.
    public var typedFields: [String: FieldKind]
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

    /// A parser that accepts `name:` for the text `fields` (any name when nil) and, as filters,
    /// for `typedFields`, within `limits`.
    public init(fields: Set<String>? = nil, typedFields: [String: FieldKind] = [:], limits: Limits = Limits()) {
        self.fields = fields
        self.typedFields = typedFields
        self.limits = limits
    }

    /// The kind of `name` when it is a typed field.
    func typedKind(of name: String) -> FieldKind? {
        guard let kind = typedFields[name], kind.isTyped else { return nil }
        return kind
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
    /// a malformed filter (`n:[10 TO]`, `n:abc`, `date:>=2024-13-01`) is read as words too (never
    /// a text search of the typed field), and input beyond the limits is cut off.
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
///   query      := orExpr+            (implicit AND)
///   orExpr     := unary ("OR" unary)*
///   unary      := "-" unary | atom
///   atom       := [field ":"] ( "(" query ")" | value )
///   value      := quoted | word                             (a text field)
///               | range | comparison | quoted | bareValue   (a typed field)
///   range      := ("[" | "{") bound ("TO" | "to") bound ("]" | "}")
///   bound      := quoted | "*" | bareValue                  (bare: up to a space, `]`, `}` or `)`)
///   comparison := (">=" | ">" | "<=" | "<") (quoted | bareValue)
/// A `field:( … )` group makes `field` the default of the atoms inside it without one.
private struct Parser {
    let chars: [Character]
    let parser: QueryParser
    let lenient: Bool
    var i = 0
    var clauses = 0
    var depth = 0
    /// The field of the innermost enclosing `field:( … )` group.
    var defaultField: String?

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
        let atomStart = i
        var explicit: String?
        // field:  — letters, digits and _ followed by ':' and something that is not a space.
        var j = i
        while j < chars.count, let a = chars[j].asciiValue, Schema.isFieldNameByte(a) { j += 1 }
        if j > i && j + 1 < chars.count && chars[j] == ":" && !chars[j + 1].isWhitespace {
            let name = String(chars[i..<j])
            if parser.typedKind(of: name) != nil || parser.fields?.contains(name) ?? true {
                explicit = name
                i = j + 1
            } else if !lenient {
                throw QuerySyntaxError(.unknownField(name), at: i)
            }
            // lenient, unknown: read "name:" as text of the clause below
        }
        if chars[i] == "(" {
            let at = i
            depth += 1
            if depth > parser.limits.maxDepth { throw QuerySyntaxError(.tooDeep(limit: parser.limits.maxDepth), at: at) }
            i += 1
            skipSpace()
            if i < chars.count && chars[i] == ")" { throw QuerySyntaxError(.emptyGroup, at: at) }
            let outer = defaultField
            if let explicit { defaultField = explicit }
            let inner = try parseSequence(closing: true)
            defaultField = outer
            guard i < chars.count && chars[i] == ")" else { throw QuerySyntaxError(.unbalancedParenthesis, at: at) }
            i += 1
            depth -= 1
            return inner
        }
        let field = explicit ?? defaultField
        if let field, let kind = parser.typedKind(of: field) {
            do throws(QuerySyntaxError) {
                let filter = try parseFilter(field: field, kind: kind)
                try countClause(at: atomStart)
                return .filter(filter)
            } catch {
                if !lenient { throw error }
                // Lenient: the atom is text, searched in every field (or the enclosing group's
                // text field), never in the typed field.
                i = atomStart
                let fallback = defaultField.flatMap { parser.typedKind(of: $0) == nil ? $0 : nil }
                return try textClause(field: fallback)
            }
        }
        if let explicit, !lenient, chars[i] == "[" || chars[i] == "{" || chars[i] == "<" || chars[i] == ">" {
            throw QuerySyntaxError(.filterOnTextField(explicit), at: atomStart)
        }
        return try textClause(field: field)
    }

    /// A phrase: quoted, or a word up to a space, a parenthesis or a quote; `*` at its end makes
    /// it a prefix.
    mutating func textClause(field: String?) throws(QuerySyntaxError) -> Query {
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
            try countClause(at: at)
            return .phrase(text, field: field, prefix: prefix)
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
        try countClause(at: at)
        return .phrase(text, field: field, prefix: prefix)
    }

    mutating func countClause(at: Int) throws(QuerySyntaxError) {
        clauses += 1
        if clauses > parser.limits.maxClauses {
            throw QuerySyntaxError(.tooManyClauses(limit: parser.limits.maxClauses), at: at)
        }
    }

    // MARK: Filters

    /// A filter on the typed `field` at `i` (not a space, not `(` or `)`): a range, a
    /// comparison, or a value (equality).
    mutating func parseFilter(field: String, kind: FieldKind) throws(QuerySyntaxError) -> FieldFilter {
        switch chars[i] {
        case "[", "{": return try parseRange(field: field, kind: kind)
        case ">", "<":
            let at = i
            let lower = chars[i] == ">"
            i += 1
            let inclusive = i < chars.count && chars[i] == "="
            if inclusive { i += 1 }
            let op = (lower ? ">" : "<") + (inclusive ? "=" : "")
            guard i < chars.count, !chars[i].isWhitespace, chars[i] != ")" else {
                throw QuerySyntaxError(.missingValue(field: field, operator: op), at: at)
            }
            let valueAt = i
            let (text, _) = try readValue(inRange: false)
            let b = try bound(text, field: field, kind: kind, lower: lower, inclusive: inclusive, at: valueAt)
            return .range(field: field, lower: lower ? b : nil, upper: lower ? nil : b)
        default:
            let at = i
            let (text, _) = try readValue(inRange: false)
            if kind == .keyword { return .keyword(text, field: field) }
            // Equality: the range of the value (a date: its whole interval).
            return .range(field: field, lower: try bound(text, field: field, kind: kind, lower: true, inclusive: true, at: at),
                          upper: try bound(text, field: field, kind: kind, lower: false, inclusive: true, at: at))
        }
    }

    /// `[lower TO upper]` with `[ ]` inclusive, `{ }` exclusive, `*` open; `i` is at the bracket.
    mutating func parseRange(field: String, kind: FieldKind) throws(QuerySyntaxError) -> FieldFilter {
        func isStop(_ c: Character) -> Bool { c == "]" || c == "}" || c == ")" }
        func expected(_ what: String, at position: Int) -> QuerySyntaxError {
            QuerySyntaxError(.malformedRange(field: field, expected: what), at: position)
        }
        let lowerInclusive = chars[i] == "["
        i += 1
        skipSpace()
        guard i < chars.count, !isStop(chars[i]) else { throw expected("a lower bound", at: i) }
        let lowerAt = i
        let lower = try readValue(inRange: true)
        skipSpace()
        let toAt = i
        while i < chars.count && !chars[i].isWhitespace && !isStop(chars[i]) { i += 1 }
        let to = String(chars[toAt..<i])
        guard to == "TO" || to == "to" else { throw expected("TO", at: toAt) }
        skipSpace()
        guard i < chars.count, !isStop(chars[i]) else { throw expected("an upper bound", at: i) }
        let upperAt = i
        let upper = try readValue(inRange: true)
        skipSpace()
        guard i < chars.count, chars[i] == "]" || chars[i] == "}" else { throw expected("] or }", at: i) }
        let upperInclusive = chars[i] == "]"
        i += 1
        func rangeBound(_ v: (text: String, quoted: Bool), lower: Bool, inclusive: Bool, at: Int) throws(QuerySyntaxError) -> RangeBound? {
            if !v.quoted && v.text == "*" { return nil }
            return try bound(v.text, field: field, kind: kind, lower: lower, inclusive: inclusive, at: at)
        }
        return .range(field: field,
                      lower: try rangeBound(lower, lower: true, inclusive: lowerInclusive, at: lowerAt),
                      upper: try rangeBound(upper, lower: false, inclusive: upperInclusive, at: upperAt))
    }

    /// A quoted value (everything up to the closing quote), or a bare one up to a space or `)`
    /// (in a range also `]` and `}`). `i` is at its first character.
    mutating func readValue(inRange: Bool) throws(QuerySyntaxError) -> (text: String, quoted: Bool) {
        if chars[i] == "\"" {
            let at = i
            i += 1
            let start = i
            while i < chars.count && chars[i] != "\"" { i += 1 }
            guard i < chars.count else { throw QuerySyntaxError(.unclosedQuote, at: at) }
            let text = String(chars[start..<i])
            i += 1
            return (text, true)
        }
        let start = i
        while i < chars.count && !chars[i].isWhitespace && chars[i] != ")" && !(inRange && (chars[i] == "]" || chars[i] == "}")) {
            i += 1
        }
        return (String(chars[start..<i]), false)
    }

    /// `text` as a bound of a field of `kind`. A date stands for an interval (`2024-06` is the
    /// month), and the bound includes or excludes all of it: a lower bound starts at the
    /// interval's start when inclusive, after its end when exclusive; an upper bound ends with
    /// the interval's end when inclusive, before its start when exclusive.
    func bound(_ text: String, field: String, kind: FieldKind, lower: Bool, inclusive: Bool, at: Int) throws(QuerySyntaxError) -> RangeBound {
        let invalid = QuerySyntaxError(.invalidValue(text, field: field, kind: kind), at: at)
        switch kind {
        case .keyword, .text:
            return RangeBound(.keyword(text), inclusive: inclusive)
        case .int:
            guard let n = Int64(text) else { throw invalid }
            return RangeBound(.int(n), inclusive: inclusive)
        case .double:
            guard let d = Double(text), !d.isNaN else { throw invalid }
            return RangeBound(.double(d), inclusive: inclusive)
        case .date:
            guard let interval = DateText.parse(text) else { throw invalid }
            switch (lower, inclusive) {
            case (true, true): return RangeBound(.date(milliseconds: interval.start), inclusive: true)
            case (true, false): return RangeBound(.date(milliseconds: interval.end), inclusive: true)
            case (false, true): return RangeBound(.date(milliseconds: interval.end), inclusive: false)
            case (false, false): return RangeBound(.date(milliseconds: interval.start), inclusive: false)
            }
        }
    }
}
