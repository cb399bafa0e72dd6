import Testing
import BigramSearch

// The filter syntax on typed fields (QueryParser's table, BigramSearch.docc/QuerySyntax.md,
// "Filters on typed fields"): the spellings and the trees they parse to, the date interval rules,
// the errors with their positions, lenient reading, descriptions that parse back, and searches
// with filter strings that find what the same filters built in code find.

// MARK: - Fixture

private enum FilterFixture {
    static let schema = Schema([
        .init("title", boost: 2), .init("body"),
        .init("section", kind: .keyword), .init("source", kind: .keyword),
        .init("n", kind: .int), .init("x", kind: .double), .init("date", kind: .date),
    ])

    static let sources = ["news", "debian reference", "blog", "a", "m", "zeta", "Z"]
    static let sections = ["体育", "财经", "科技"]

    static func ms(_ text: String) -> Int64 { DateText.parse(text)!.start }

    /// 60 documents: n = i % 12, x = i / 4, date one per 11 days from 2023-11-01 (none for
    /// every seventh), sections and sources in cycles, 常熟 in every third body.
    static let snapshot: IndexSnapshot = {
        let w = try! IndexWriter(schema: schema)
        let base = ms("2023-11-01")
        for i in 0..<60 {
            var values: [String: FieldValue] = [
                "n": .int(Int64(i % 12)),
                "x": .double(Double(i) / 4),
                "source": .keyword(sources[i % sources.count]),
                "section": i % 5 == 0 ? .keywords([sections[i % 3], sections[(i + 1) % 3]]) : .keyword(sections[i % 3]),
            ]
            if i % 7 != 0 { values["date"] = .date(milliseconds: base + Int64(i) * 11 * 86_400_000 + Int64(i) * 3_600_000) }
            let body = (i % 3 == 0 ? "常熟市考察 " : "别的内容 ") + (i % 2 == 0 ? "linux" : "")
            try! w.add(Document(id: "d\(i)", fields: ["title": "文档\(i)", "body": body], values: values))
            if i == 29 { _ = w.snapshot() }   // two segments
        }
        return w.snapshot()
    }()

    static let parser = snapshot.queryParser
}

private func strictError(_ parser: QueryParser, _ text: String) -> QuerySyntaxError? {
    do {
        _ = try parser.parse(text)
        return nil
    } catch {
        return error
    }
}

private func ids(_ s: IndexSnapshot, _ q: Query) throws -> [String] {
    try s.search(q, options: SearchOptions(limit: Int.max)).hits.map(\.id).sorted()
}

private func ids(_ s: IndexSnapshot, _ q: String) throws -> [String] {
    try s.search(q, options: SearchOptions(limit: Int.max)).hits.map(\.id).sorted()
}

private func ms(_ text: String) -> Int64 { FilterFixture.ms(text) }
private func end(_ text: String) -> Int64 { DateText.parse(text)!.end }

private func incl(_ v: FieldValue) -> RangeBound { RangeBound(v, inclusive: true) }
private func excl(_ v: FieldValue) -> RangeBound { RangeBound(v, inclusive: false) }
private func date(_ v: Int64) -> FieldValue { .date(milliseconds: v) }

// MARK: - Spellings

@Suite(.checksSegmentInvariants) struct FilterSyntaxSpellingTests {
    let p = FilterFixture.parser

    @Test func theParserKnowsTheSchemasTypedFields() {
        #expect(p.typedFields == ["section": .keyword, "source": .keyword, "n": .int, "x": .double, "date": .date])
        #expect(p.fields == ["title", "body"])
        // Source compatible: the old initializer still works and knows no typed fields.
        #expect(QueryParser(fields: ["a"], limits: .init()).typedFields.isEmpty)
        #expect(QueryParser().typedFields.isEmpty)
    }

    @Test func keywords() throws {
        #expect(try p.parse("section:体育") == .filter(.keyword("体育", field: "section")))
        #expect(try p.parse("source:\"debian reference\"") == .filter(.keyword("debian reference", field: "source")))
        // No analysis, no prefix star, case kept; a bare value runs to a space or `)`.
        #expect(try p.parse("source:Linux*") == .filter(.keyword("Linux*", field: "source")))
        #expect(try p.parse("source:a\"b(c") == .filter(.keyword("a\"b(c", field: "source")))
        #expect(try p.parse("source:OR") == .filter(.keyword("OR", field: "source")))
        #expect(try p.parse("source:-x") == .filter(.keyword("-x", field: "source")))
        #expect(try p.parse("source:\"[a TO b]\"") == .filter(.keyword("[a TO b]", field: "source")))
        #expect(try p.parse("source:\"\"") == .filter(.keyword("", field: "source")))
        #expect(try p.parse("(source:news)") == .filter(.keyword("news", field: "source")))
        #expect(try p.parse("source:\"a b\"*") == .all([.filter(.keyword("a b", field: "source")), .phrase("*")]))
    }

    @Test func ranges() throws {
        #expect(try p.parse("n:[10 TO 20]") == .filter(.range(field: "n", lower: incl(.int(10)), upper: incl(.int(20)))))
        #expect(try p.parse("n:{10 TO 20}") == .filter(.range(field: "n", lower: excl(.int(10)), upper: excl(.int(20)))))
        #expect(try p.parse("n:[10 TO 20}") == .filter(.range(field: "n", lower: incl(.int(10)), upper: excl(.int(20)))))
        #expect(try p.parse("n:{10 TO 20]") == .filter(.range(field: "n", lower: excl(.int(10)), upper: incl(.int(20)))))
        #expect(try p.parse("n:[10 TO *]") == .filter(.range(field: "n", lower: incl(.int(10)), upper: nil)))
        #expect(try p.parse("n:{* TO 5}") == .filter(.range(field: "n", lower: nil, upper: excl(.int(5)))))
        #expect(try p.parse("n:[* TO *]") == .filter(.range(field: "n", lower: nil, upper: nil)))
        #expect(try p.parse("n:[-5 TO +5]") == .filter(.range(field: "n", lower: incl(.int(-5)), upper: incl(.int(5)))))
        // `to` in lower case, spaces inside the brackets, quoted bounds.
        #expect(try p.parse("n:[ 10 to 20 ]") == .filter(.range(field: "n", lower: incl(.int(10)), upper: incl(.int(20)))))
        #expect(try p.parse("n:[\"10\" TO \"20\"]") == .filter(.range(field: "n", lower: incl(.int(10)), upper: incl(.int(20)))))
        // Double fields: decimals and integers alike are doubles.
        #expect(try p.parse("x:[1 TO 2.5]") == .filter(.range(field: "x", lower: incl(.double(1)), upper: incl(.double(2.5)))))
        #expect(try p.parse("x:[-1e3 TO 1E3}") == .filter(.range(field: "x", lower: incl(.double(-1000)), upper: excl(.double(1000)))))
        // Keyword ranges: keyword bounds; `*` quoted is a value.
        #expect(try p.parse("source:[a TO m]") == .filter(.range(field: "source", lower: incl(.keyword("a")), upper: incl(.keyword("m")))))
        #expect(try p.parse("source:{\"a b\" TO \"*\"}") == .filter(.range(field: "source", lower: excl(.keyword("a b")), upper: excl(.keyword("*")))))
        #expect(try p.parse("source:[m TO *]") == .filter(.range(field: "source", lower: incl(.keyword("m")), upper: nil)))
        #expect(try p.parse("source:[TO TO to]") == .filter(.range(field: "source", lower: incl(.keyword("TO")), upper: incl(.keyword("to")))))
    }

    @Test func comparisons() throws {
        #expect(try p.parse("n:>10") == .filter(.range(field: "n", lower: excl(.int(10)), upper: nil)))
        #expect(try p.parse("n:>=10") == .filter(.range(field: "n", lower: incl(.int(10)), upper: nil)))
        #expect(try p.parse("n:<5") == .filter(.range(field: "n", lower: nil, upper: excl(.int(5)))))
        #expect(try p.parse("n:<=5") == .filter(.range(field: "n", lower: nil, upper: incl(.int(5)))))
        #expect(try p.parse("n:>-3") == .filter(.range(field: "n", lower: excl(.int(-3)), upper: nil)))
        #expect(try p.parse("n:<=\"5\"") == .filter(.range(field: "n", lower: nil, upper: incl(.int(5)))))
        #expect(try p.parse("x:>=0.5") == .filter(.range(field: "x", lower: incl(.double(0.5)), upper: nil)))
        #expect(try p.parse("source:>=m") == .filter(.range(field: "source", lower: incl(.keyword("m")), upper: nil)))
        // `*` is unbounded only inside a range; after a comparison it is a value.
        #expect(try p.parse("source:<*") == .filter(.range(field: "source", lower: nil, upper: excl(.keyword("*")))))
    }

    @Test func equality() throws {
        #expect(try p.parse("n:42") == .filter(.range(field: "n", lower: incl(.int(42)), upper: incl(.int(42)))))
        #expect(try p.parse("n:-7") == .filter(.range(field: "n", lower: incl(.int(-7)), upper: incl(.int(-7)))))
        #expect(try p.parse("x:2.5") == .filter(.range(field: "x", lower: incl(.double(2.5)), upper: incl(.double(2.5)))))
        #expect(try p.parse("x:2") == .filter(.range(field: "x", lower: incl(.double(2)), upper: incl(.double(2)))))
        #expect(try p.parse("date:2024-06-01") == .filter(.range(field: "date", lower: incl(date(ms("2024-06-01"))), upper: excl(date(ms("2024-06-02"))))))
        #expect(try p.parse("date:2024-06") == .filter(.range(field: "date", lower: incl(date(ms("2024-06-01"))), upper: excl(date(ms("2024-07-01"))))))
        #expect(try p.parse("date:2024") == .filter(.range(field: "date", lower: incl(date(ms("2024-01-01"))), upper: excl(date(ms("2025-01-01"))))))
        // A date-time with a zone: the colons and the `+` belong to the value.
        let t = ms("2024-06-01T04:30:00Z")
        #expect(try p.parse("date:2024-06-01T12:30+08:00") == .filter(.range(field: "date", lower: incl(date(t)), upper: excl(date(t + 60_000)))))
        #expect(try p.parse("date:\"2024-06-01 04:30:00.250\"") == .filter(.range(field: "date", lower: incl(date(t + 250)), upper: excl(date(t + 251)))))
    }

    /// A date stands for an interval; a bound includes or excludes the whole of it.
    @Test func dateIntervalRules() throws {
        func range(_ q: String) throws -> (RangeBound?, RangeBound?) {
            guard case .filter(.range("date", let lo, let hi)) = try p.parse(q) else {
                Issue.record("\(q) is not a date range")
                return (nil, nil)
            }
            return (lo, hi)
        }
        for (d, start, stop) in [("2024", "2024-01-01", "2025-01-01"), ("2024-02", "2024-02-01", "2024-03-01"),
                                 ("2024-12-31", "2024-12-31", "2025-01-01"), ("2024-02-29", "2024-02-29", "2024-03-01")] {
            let s = ms(start), e = ms(stop)
            #expect(DateText.parse(d)?.start == s && DateText.parse(d)?.end == e)
            #expect(try range("date:[\(d) TO *]") == (incl(date(s)), nil), "lower inclusive: from the start")
            #expect(try range("date:{\(d) TO *]") == (incl(date(e)), nil), "lower exclusive: from the end, inclusive")
            #expect(try range("date:[* TO \(d)]") == (nil, excl(date(e))), "upper inclusive: to the end, exclusive")
            #expect(try range("date:[* TO \(d)}") == (nil, excl(date(s))), "upper exclusive: before the start")
            #expect(try range("date:>=\(d)") == (incl(date(s)), nil))
            #expect(try range("date:>\(d)") == (incl(date(e)), nil))
            #expect(try range("date:<=\(d)") == (nil, excl(date(e))))
            #expect(try range("date:<\(d)") == (nil, excl(date(s))))
            #expect(try range("date:\(d)") == (incl(date(s)), excl(date(e))))
        }
        #expect(try range("date:[2024-01-01 TO 2024-12-31]") == (incl(date(ms("2024-01-01"))), excl(date(ms("2025-01-01")))))
        #expect(try range("date:{2024-01-01 TO 2024-12-31}") == (incl(date(ms("2024-01-02"))), excl(date(ms("2024-12-31")))))
        // A millisecond is an interval of one.
        let m = ms("2024-06-01T12:00:00.500Z")
        #expect(try range("date:{2024-06-01T12:00:00.500Z TO 2024-06-01T12:00:01.000Z]") == (incl(date(m + 1)), excl(date(m + 501))))
    }

    @Test func groupsOnTypedFields() throws {
        #expect(try p.parse("source:(news OR blog)") == .any([.filter(.keyword("news", field: "source")), .filter(.keyword("blog", field: "source"))]))
        #expect(try p.parse("n:(>10 OR [1 TO 2] OR 5)") == .any([
            .filter(.range(field: "n", lower: excl(.int(10)), upper: nil)),
            .filter(.range(field: "n", lower: incl(.int(1)), upper: incl(.int(2)))),
            .filter(.range(field: "n", lower: incl(.int(5)), upper: incl(.int(5)))),
        ]))
        // Inside, `-` negates and an explicit field wins.
        #expect(try p.parse("source:(news -blog title:常熟)") == .all([
            .filter(.keyword("news", field: "source")), .not(.filter(.keyword("blog", field: "source"))), .phrase("常熟", field: "title"),
        ]))
        #expect(try p.parse("title:(常熟 source:news)") == .all([.phrase("常熟", field: "title"), .filter(.keyword("news", field: "source"))]))
        #expect(try p.parse("source:(\"debian reference\")") == .filter(.keyword("debian reference", field: "source")))
    }

    @Test func combinations() throws {
        #expect(try p.parse("常熟 source:news -n:[0 TO 5]") == .all([
            .phrase("常熟"), .filter(.keyword("news", field: "source")),
            .not(.filter(.range(field: "n", lower: incl(.int(0)), upper: incl(.int(5))))),
        ]))
        #expect(try p.parse("(a OR b) date:>=2024") == .all([
            .any([.phrase("a"), .phrase("b")]), .filter(.range(field: "date", lower: incl(date(ms("2024"))), upper: nil)),
        ]))
        #expect(try p.parse("source:news OR n:<3") == .any([
            .filter(.keyword("news", field: "source")), .filter(.range(field: "n", lower: nil, upper: excl(.int(3)))),
        ]))
        // A filter alone, or a negated filter with a positive one, is a query; only exclusions are not.
        #expect(try p.parse("-n:[0 TO 5] source:news") == .all([
            .not(.filter(.range(field: "n", lower: incl(.int(0)), upper: incl(.int(5))))), .filter(.keyword("news", field: "source")),
        ]))
        #expect(strictError(p, "-n:[0 TO 5]") == QuerySyntaxError(.onlyNegativeClauses, at: 0))
        #expect(strictError(p, "-n:1 -source:a") == QuerySyntaxError(.onlyNegativeClauses, at: 0))
        // No space needed after a closing bracket or quote, as after a quoted phrase.
        #expect(try p.parse("n:[1 TO 2]常熟") == .all([.filter(.range(field: "n", lower: incl(.int(1)), upper: incl(.int(2)))), .phrase("常熟")]))
        #expect(try p.parse("(n:5)") == .filter(.range(field: "n", lower: incl(.int(5)), upper: incl(.int(5)))))
    }

    @Test func textFieldsAsBefore() throws {
        #expect(try p.parse("title:常熟") == .phrase("常熟", field: "title"))
        #expect(try p.parse("title:\"常熟 考察\"") == .phrase("常熟 考察", field: "title"))
        #expect(try p.parse("title:linu*") == .phrase("linu", field: "title", prefix: true))
        #expect(try p.parse("title:(a -b)") == .all([.phrase("a", field: "title"), .not(.phrase("b", field: "title"))]))
        #expect(try p.parse("body:(title:a b)") == .all([.phrase("a", field: "title"), .phrase("b", field: "body")]))
        // Inside a text group, `[` is a word as before; only `title:[` is a range.
        #expect(try p.parse("title:(a [b)") == .all([.phrase("a", field: "title"), .phrase("[b", field: "title")]))
        #expect(try p.parse("n: 5") == .all([.phrase("n:"), .phrase("5")]))
    }

    @Test func clausesCountTowardTheLimit() throws {
        let small = QueryParser(fields: ["t"], typedFields: ["n": .int], limits: .init(maxClauses: 3))
        #expect(try small.parse("n:1 n:[1 TO 2] a") == .all([
            .filter(.range(field: "n", lower: incl(.int(1)), upper: incl(.int(1)))),
            .filter(.range(field: "n", lower: incl(.int(1)), upper: incl(.int(2)))), .phrase("a"),
        ]))
        #expect(strictError(small, "n:1 n:2 n:3 n:4") == QuerySyntaxError(.tooManyClauses(limit: 3), at: 12))
        // `.text` entries in typedFields are not typed fields.
        let textEntry = QueryParser(typedFields: ["t": .text])
        #expect(try textEntry.parse("t:5") == .phrase("5", field: "t"))
    }
}

// MARK: - Errors

struct FilterErrorCase: Sendable, CustomTestStringConvertible {
    var input: String
    var kind: QuerySyntaxError.Kind
    var position: Int
    var testDescription: String { input }
    init(_ input: String, _ kind: QuerySyntaxError.Kind, at position: Int) {
        self.input = input
        self.kind = kind
        self.position = position
    }
}

private let filterErrors: [FilterErrorCase] = [
    // Unknown fields: as for text (the name's position).
    FilterErrorCase("nosuch:[1 TO 2]", .unknownField("nosuch"), at: 0),
    FilterErrorCase("常熟 nosuch:>=5", .unknownField("nosuch"), at: 3),
    FilterErrorCase("-nosuch:\"a b\" 常熟", .unknownField("nosuch"), at: 1),
    // Ranges and comparisons on text fields (at the field).
    FilterErrorCase("title:[a TO b]", .filterOnTextField("title"), at: 0),
    FilterErrorCase("常熟 body:{a TO b}", .filterOnTextField("body"), at: 3),
    FilterErrorCase("title:>5", .filterOnTextField("title"), at: 0),
    FilterErrorCase("(x OR title:<=5)", .filterOnTextField("title"), at: 6),
    // Malformed ranges (where the missing piece should be).
    FilterErrorCase("n:[10 TO]", .malformedRange(field: "n", expected: "an upper bound"), at: 8),
    FilterErrorCase("n:[10 TO ", .malformedRange(field: "n", expected: "an upper bound"), at: 9),
    FilterErrorCase("n:[10 20]", .malformedRange(field: "n", expected: "TO"), at: 6),
    FilterErrorCase("n:[10]", .malformedRange(field: "n", expected: "TO"), at: 5),
    FilterErrorCase("n:[10 TO 20", .malformedRange(field: "n", expected: "] or }"), at: 11),
    FilterErrorCase("n:[10 TO 20 30]", .malformedRange(field: "n", expected: "] or }"), at: 12),
    FilterErrorCase("(n:[10 TO 20)", .malformedRange(field: "n", expected: "] or }"), at: 12),
    FilterErrorCase("n:[]", .malformedRange(field: "n", expected: "a lower bound"), at: 3),
    FilterErrorCase("n:[", .malformedRange(field: "n", expected: "a lower bound"), at: 3),
    FilterErrorCase("n:{TO 5}", .malformedRange(field: "n", expected: "TO"), at: 6),
    FilterErrorCase("date:[2024 To 2025]", .malformedRange(field: "date", expected: "TO"), at: 11),
    FilterErrorCase("source:[a TO \"b]", .unclosedQuote, at: 13),
    // Malformed values (at the value).
    FilterErrorCase("n:[abc TO 5]", .invalidValue("abc", field: "n", kind: .int), at: 3),
    FilterErrorCase("n:[1 TO 5x]", .invalidValue("5x", field: "n", kind: .int), at: 8),
    FilterErrorCase("n:2.5", .invalidValue("2.5", field: "n", kind: .int), at: 2),
    FilterErrorCase("n:>=1e3", .invalidValue("1e3", field: "n", kind: .int), at: 4),
    FilterErrorCase("n:99999999999999999999", .invalidValue("99999999999999999999", field: "n", kind: .int), at: 2),
    FilterErrorCase("x:abc", .invalidValue("abc", field: "x", kind: .double), at: 2),
    FilterErrorCase("x:nan", .invalidValue("nan", field: "x", kind: .double), at: 2),
    FilterErrorCase("date:>=2024-13-01", .invalidValue("2024-13-01", field: "date", kind: .date), at: 7),
    FilterErrorCase("date:2024-02-30", .invalidValue("2024-02-30", field: "date", kind: .date), at: 5),
    FilterErrorCase("date:[2024-01-01 TO yesterday]", .invalidValue("yesterday", field: "date", kind: .date), at: 20),
    FilterErrorCase("date:\"2024-06-01  12:00\"", .invalidValue("2024-06-01  12:00", field: "date", kind: .date), at: 5),
    FilterErrorCase("常熟 n:(1 OR x)", .invalidValue("x", field: "n", kind: .int), at: 11),
    // Comparisons without a value (at the operator).
    FilterErrorCase("n:>=", .missingValue(field: "n", operator: ">="), at: 2),
    FilterErrorCase("n:> 5", .missingValue(field: "n", operator: ">"), at: 2),
    FilterErrorCase("(date:<)", .missingValue(field: "date", operator: "<"), at: 6),
    FilterErrorCase("source:<= a", .missingValue(field: "source", operator: "<="), at: 7),
    FilterErrorCase("n:>\"5", .unclosedQuote, at: 3),
]

@Suite(.checksSegmentInvariants) struct FilterSyntaxErrorTests {
    @Test(arguments: filterErrors) func strictErrorHasKindAndPosition(_ c: FilterErrorCase) throws {
        let s = FilterFixture.snapshot
        let e = try #require(strictError(s.queryParser, c.input), "\(c.input) should not parse")
        #expect(e.kind == c.kind)
        #expect(e.position == c.position, "position \(e.position), expected \(c.position)")
        #expect(e.description.contains("character \(c.position)"))
        #expect(throws: SearchError.syntax(e)) { try s.search(c.input) }
    }

    @Test(arguments: filterErrors) func lenientReadsItAsText(_ c: FilterErrorCase) throws {
        let s = FilterFixture.snapshot
        let q = s.queryParser.parseLenient(c.input)
        // Never a text search of a typed field, never an unknown field: the index takes it.
        _ = try s.search(q)
        _ = try s.search(lenient: c.input, options: SearchOptions(limit: 5, highlight: HighlightOptions()))
    }

    @Test func messagesNameTheFieldAndValue() {
        func message(_ kind: QuerySyntaxError.Kind) -> String { QuerySyntaxError(kind, at: 4).description }
        #expect(message(.filterOnTextField("title")).contains("\"title\" is a text field"))
        #expect(message(.malformedRange(field: "n", expected: "TO")).contains("range on \"n\" needs TO"))
        #expect(message(.invalidValue("2.5", field: "n", kind: .int)) == "query syntax error at character 4: \"2.5\" is not a value of int field \"n\": expected a whole number")
        #expect(message(.invalidValue("2024-13", field: "date", kind: .date)).contains("ISO 8601"))
        #expect(message(.missingValue(field: "n", operator: ">=")) == "query syntax error at character 4: n:>= needs a value after it")
    }

    @Test func lenientReadings() {
        let p = FilterFixture.parser
        #expect(p.parseLenient("n:[10 TO]") == .all([.phrase("n:[10"), .phrase("TO]")]))
        #expect(p.parseLenient("n:abc") == .phrase("n:abc"))
        #expect(p.parseLenient("常熟 date:>=2024-13-01") == .all([.phrase("常熟"), .phrase("date:>=2024-13-01")]))
        // An unknown field stays text, as before.
        #expect(p.parseLenient("nosuch:[1 TO 2]") == .all([.phrase("nosuch:[1"), .phrase("TO"), .phrase("2]")]))
        // A range on a text field is read as before filters existed.
        #expect(p.parseLenient("title:[a TO b]") == .all([.phrase("[a", field: "title"), .phrase("TO"), .phrase("b]")]))
        // Inside a typed group, a bad value is text in every field; the good ones stay filters.
        #expect(p.parseLenient("n:(1 OR abc)") == .any([.filter(.range(field: "n", lower: incl(.int(1)), upper: incl(.int(1)))), .phrase("abc")]))
        // Inside a text group, it is text of that field.
        #expect(p.parseLenient("title:(n:abc)") == .phrase("n:abc", field: "title"))
        // Valid filters are read as by the strict parser.
        #expect(p.parseLenient("常熟 n:[1 TO 2]") == (try? p.parse("常熟 n:[1 TO 2]")))
        // Only exclusions: words, as `-a` is.
        #expect(p.parseLenient("-n:[0 TO 5]") == .all([.phrase("n:[0"), .phrase("TO"), .phrase("5]")]))
    }

    @Test func aParserWithoutTypedFieldsTreatsNamesAsText() throws {
        // Today's default parser knows no kinds: a range is an error for any name (it would be
        // a text field), a value a phrase.
        let p = QueryParser()
        #expect(try p.parse("n:42") == .phrase("42", field: "n"))
        #expect(strictError(p, "n:[1 TO 2]") == QuerySyntaxError(.filterOnTextField("n"), at: 0))
        #expect(p.parseLenient("n:[1 TO 2]") == .all([.phrase("[1", field: "n"), .phrase("TO"), .phrase("2]")]))
    }
}

// MARK: - Descriptions

@Suite(.checksSegmentInvariants) struct FilterDescriptionTests {
    let p = FilterFixture.parser

    @Test func parsedFiltersRoundTrip() throws {
        let texts = [
            "section:体育", "source:\"debian reference\"", "source:a\"b", "source:\"\"", "source:[a TO m]", "source:{\"a b\" TO \"*\"}",
            "source:>=m", "n:[10 TO 20]", "n:{10 TO 20}", "n:[10 TO 20}", "n:{10 TO 20]", "n:[10 TO *]", "n:[* TO *]",
            "n:>10", "n:<=-5", "n:42", "n:-9223372036854775808", "x:2.5", "x:[-1e300 TO 1e-300}", "x:>=-inf", "x:-0.0",
            "date:[2024-01-01 TO 2024-12-31]", "date:{2024-01-01 TO 2024-12-31}", "date:>=2024-06-01", "date:>2024-06",
            "date:<=2024", "date:<2024-06-01T12:30:15.123+08:00", "date:2024-06", "date:2024-06-01T12:30:00Z",
            "date:0000", "date:<=9999-12-31", "date:>9999", "date:{9999-12-31T23:59:59.999Z TO *]",
            "常熟 source:news -n:[0 TO 5]", "(a OR b) date:>=2024", "source:(news OR blog) -title:常熟",
        ]
        for text in texts {
            let q = try p.parse(text)
            #expect(try p.parse(q.description) == q, "\(text) → \(q.description)")
        }
    }

    @Test func descriptionsAreReadable() {
        #expect(FieldFilter.keyword("debian reference", field: "source").description == "source:\"debian reference\"")
        #expect(FieldFilter.keyword("体育", field: "section").description == "section:体育")
        #expect(FieldFilter.keyword("[x", field: "section").description == "section:\"[x\"")
        #expect(FieldFilter.keyword("a b", field: "n").description == "n:\"a b\"")
        #expect(FieldFilter.range(field: "s", lower: incl(.keyword("*")), upper: incl(.keyword("a]"))).description == "s:[\"*\" TO \"a]\"]")
        #expect(FieldFilter.range(field: "n", lower: incl(.int(10)), upper: nil).description == "n:[10 TO *]")
        #expect(FieldFilter.range(field: "source", lower: incl(.keyword("a")), upper: excl(.keyword("m"))).description == "source:[a TO m}")
        #expect(FieldFilter.range(field: "date", lower: incl(date(ms("2024-06-01"))), upper: excl(date(ms("2024-07-01")))).description
                == "date:[2024-06-01T00:00:00Z TO 2024-07-01T00:00:00Z}")
        // An exclusive lower (inclusive upper) date bound is printed to the millisecond, so its
        // interval is that millisecond.
        #expect(FieldFilter.range(field: "date", lower: excl(date(ms("2024-06-01"))), upper: incl(date(ms("2024-07-01")))).description
                == "date:{2024-06-01T00:00:00.000Z TO 2024-07-01T00:00:00.000Z]")
        // A bound past year 9999 is printed from the other side.
        #expect(FieldFilter.range(field: "date", lower: nil, upper: excl(date(end("9999")))).description
                == "date:[* TO 9999-12-31T23:59:59.999Z]")
    }

    /// Filters built in code, any bounds: the description parses to a filter that passes exactly
    /// the same values (the same bound for parser-shaped date bounds, the neighbouring
    /// millisecond for the other side).
    @Test func builtFiltersRoundTripToTheSameSet() throws {
        var rng = SplitMix64(0xF11_7E25)
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func dateMs() -> Int64 {
            switch r(4) {
            case 0: return ms("1970-01-01") + Int64(r(100_000)) * 86_400_000 / 7 + Int64(r(1000))
            case 1: return ms(["0000", "1969-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z", "2024-02-29"][r(4)])
            case 2: return ms("2024-06-01") + Int64(r(3)) - 1
            default: return end("9999")
            }
        }
        /// Whether `v` passes the bound (`lower` or upper), in milliseconds.
        func passes(_ v: Int64, _ b: RangeBound?, lower: Bool) -> Bool {
            guard let b, case .date(let m) = b.value else { return true }
            return lower ? (b.inclusive ? v >= m : v > m) : (b.inclusive ? v <= m : v < m)
        }
        for _ in 0..<500 {
            var lower = r(4) == 0 ? nil : RangeBound(date(dateMs()), inclusive: r(2) == 0)
            var upper = r(4) == 0 ? nil : RangeBound(date(dateMs()), inclusive: r(2) == 0)
            // After 10000-01-01 has no writing (its interval's end is not a date of 0000–9999).
            if lower?.value == date(end("9999")) { lower?.inclusive = true }
            if upper?.value == date(end("9999")) { upper?.inclusive = false }
            let f = FieldFilter.range(field: "date", lower: lower, upper: upper)
            let parsed = try p.parse(Query.filter(f).description)
            guard case .filter(.range("date", let plo, let phi)) = parsed else {
                Issue.record("\(f) → \(parsed)")
                continue
            }
            for b in [lower, upper].compactMap({ $0 }) {
                guard case .date(let m) = b.value else { continue }
                for v in [m - 1, m, m + 1] {
                    #expect(passes(v, lower, lower: true) == passes(v, plo, lower: true), "\(f) → \(f.description) at \(v)")
                    #expect(passes(v, upper, lower: false) == passes(v, phi, lower: false), "\(f) → \(f.description) at \(v)")
                }
            }
            // Parser-shaped bounds (inclusive lower, exclusive upper) come back unchanged.
            if lower?.inclusive ?? true, !(upper?.inclusive ?? false) {
                #expect(parsed == .filter(f), "\(f.description)")
            }
        }
        // Numbers and keywords come back unchanged.
        let others: [FieldFilter] = [
            .range(field: "n", lower: excl(.int(Int64.min)), upper: incl(.int(Int64.max))),
            .range(field: "x", lower: incl(.double(0.1 + 0.2)), upper: excl(.double(1e-310))),
            .range(field: "x", lower: incl(.double(-.infinity)), upper: incl(.double(.greatestFiniteMagnitude))),
            .range(field: "source", lower: incl(.keyword("a b]")), upper: excl(.keyword("TO"))),
            .range(field: "source", lower: incl(.keyword("*")), upper: nil),
            .keyword("体育 新闻", field: "section"), .keyword("(x)", field: "source"), .keyword(">=5", field: "source"),
        ]
        for f in others {
            #expect(try p.parse(Query.filter(f).description) == .filter(f), "\(f.description)")
        }
        // A keyword test of a numeric or date field parses to the equivalent range.
        let s = FilterFixture.snapshot
        for f in [FieldFilter.keyword("5", field: "n"), .keyword("2024-06", field: "date"), .keyword("2.5", field: "x")] {
            #expect(try ids(s, p.parse(Query.filter(f).description)) == (try ids(s, .filter(f))), "\(f.description)")
        }
    }
}

// MARK: - End to end

@Suite(.checksSegmentInvariants) struct FilterSearchTests {
    @Test func filterStringsFindWhatFiltersInCodeFind() throws {
        let s = FilterFixture.snapshot
        func r(_ f: String, _ lo: RangeBound?, _ hi: RangeBound?) -> Query { .filter(.range(field: f, lower: lo, upper: hi)) }
        let d = { (t: String) in date(ms(t)) }
        let cases: [(String, Query)] = [
            ("section:体育", .filter(.keyword("体育", field: "section"))),
            ("source:\"debian reference\"", .filter(.keyword("debian reference", field: "source"))),
            ("source:[a TO m]", r("source", incl(.keyword("a")), incl(.keyword("m")))),
            ("source:{a TO m}", r("source", excl(.keyword("a")), excl(.keyword("m")))),
            ("source:>=n", r("source", incl(.keyword("n")), nil)),
            ("n:[3 TO 5]", r("n", incl(.int(3)), incl(.int(5)))),
            ("n:{3 TO 5}", r("n", excl(.int(3)), excl(.int(5)))),
            ("n:[3 TO 5}", r("n", incl(.int(3)), excl(.int(5)))),
            ("n:{3 TO 5]", r("n", excl(.int(3)), incl(.int(5)))),
            ("n:[10 TO *]", r("n", incl(.int(10)), nil)),
            ("n:>10", r("n", excl(.int(10)), nil)),
            ("n:<2", r("n", nil, excl(.int(2)))),
            ("n:<=2", r("n", nil, incl(.int(2)))),
            ("n:7", .filter(.keyword("7", field: "n"))),
            ("x:2.5", .filter(.keyword("2.5", field: "x"))),
            ("x:[2 TO 4.25]", r("x", incl(.int(2)), incl(.double(4.25)))),
            ("date:2024-06", .filter(.keyword("2024-06", field: "date"))),
            ("date:2024", r("date", incl(d("2024-01-01")), excl(d("2025-01-01")))),
            ("date:[2024-01-01 TO 2024-03-31]", r("date", incl(d("2024-01-01")), excl(d("2024-04-01")))),
            ("date:{2024-01-01 TO 2024-03-31}", r("date", incl(d("2024-01-02")), excl(d("2024-03-31")))),
            ("date:>=2024-06-01", r("date", incl(d("2024-06-01")), nil)),
            ("date:>2024-06", r("date", incl(d("2024-07-01")), nil)),
            ("date:<2024", r("date", nil, excl(d("2024-01-01")))),
            ("date:<=2024-01", r("date", nil, excl(d("2024-02-01")))),
            ("常熟 source:news -n:[0 TO 5]", .all([.phrase("常熟"), .filter(.keyword("news", field: "source")), .not(r("n", incl(.int(0)), incl(.int(5))))])),
            ("(linux OR 常熟) date:>=2024", .all([.any([.phrase("linux"), .phrase("常熟")]), r("date", incl(d("2024-01-01")), nil)])),
            ("-n:[0 TO 5] source:blog", .all([.not(r("n", incl(.int(0)), incl(.int(5)))), .filter(.keyword("blog", field: "source"))])),
            ("source:(news OR blog) title:文档1*", .all([.any([.filter(.keyword("news", field: "source")), .filter(.keyword("blog", field: "source"))]),
                                                    .phrase("文档1", field: "title", prefix: true)])),
            ("body:linux OR section:科技", .any([.phrase("linux", field: "body"), .filter(.keyword("科技", field: "section"))])),
        ]
        for (text, query) in cases {
            let found = try ids(s, text)
            let expected = try ids(s, query)
            #expect(found == expected, "\(text)")
            #expect(!expected.isEmpty, "\(text) should find something in the fixture")
            #expect(expected.count < 60 || text.hasPrefix("("), "\(text) should not find everything")
            #expect(try s.search(lenient: text, options: SearchOptions(limit: Int.max)).hits.map(\.id).sorted() == expected, "lenient \(text)")
        }
        // A few by hand: n = i % 12, so n:7 is 7, 19, 31, 43, 55.
        #expect(try ids(s, "n:7") == ["d19", "d31", "d43", "d55", "d7"])
        #expect(try ids(s, "n:7 x:>10") == ["d43", "d55"])
        #expect(try ids(s, "source:\"debian reference\" n:<3") == ["d1", "d36", "d50"])
    }

    @Test func filtersAgreeWithAScanOfTheDocuments() throws {
        // Dates by hand: the documents' dates, and what the interval rules say about them.
        let s = FilterFixture.snapshot
        let base = ms("2023-11-01")
        let dates: [(String, Int64)] = (0..<60).filter { $0 % 7 != 0 }.map { ("d\($0)", base + Int64($0) * 11 * 86_400_000 + Int64($0) * 3_600_000) }
        func scan(_ test: (Int64) -> Bool) -> [String] { dates.filter { test($0.1) }.map(\.0).sorted() }
        #expect(try ids(s, "date:2024-06") == scan { $0 >= ms("2024-06-01") && $0 < ms("2024-07-01") })
        #expect(try ids(s, "date:{2024-02-10 TO 2024-09-01]") == scan { $0 >= ms("2024-02-11") && $0 < ms("2024-09-02") })
        #expect(try ids(s, "date:<=2024-03-05") == scan { $0 < ms("2024-03-06") })
        #expect(try ids(s, "date:>2025") == scan { $0 >= ms("2026-01-01") })
        #expect(try ids(s, "date:[* TO *]") == scan { _ in true })
        // A document's own millisecond, as an equality and as bounds.
        let (id, v) = dates[10]
        let t = DateText.format(v)
        #expect(try ids(s, "date:\(t)") == [id])
        #expect(try ids(s, "date:[\(t) TO \(t)]") == [id])
        #expect(try ids(s, "date:{\(t) TO \(t)]").isEmpty)
    }
}

// MARK: - Random input

private func keywordsHoldQuotes(_ q: Query) -> Bool {
    switch q {
    case .phrase: return false
    case .all(let qs), .any(let qs): return qs.contains(where: keywordsHoldQuotes)
    case .not(let inner): return keywordsHoldQuotes(inner)
    case .filter(.keyword(let v, _)): return v.contains("\"")
    case .filter(.range(_, let lo, let hi)):
        return [lo, hi].contains { if case .keyword(let v)? = $0?.value { v.contains("\"") } else { false } }
    }
}

@Suite(.checksSegmentInvariants) struct FilterSyntaxFuzzTests {
    /// Thousands of random strings mixing filter tokens: lenient parsing never throws and always
    /// searches; strict parsing agrees with it or throws at a position inside the input; a
    /// query that parses prints a description that parses back to it.
    @Test func randomFilterSoup() throws {
        let s = FilterFixture.snapshot
        let p = s.queryParser
        let pieces: [String] = [
            "n:", "x:", "date:", "source:", "section:", "title:", "nosuch:", "[", "{", "]", "}", " TO ", "TO", " to ", "*",
            ">", ">=", "<", "<=", "10", "-3", "2.5", "1e3", "abc", "2024", "2024-06", "2024-06-01", "2024-13-01",
            "2024-06-01T12:30:00Z", "+08:00", "\"", "\"a b\"", "(", ")", " OR ", "-", " ", " ", "常熟", "体育", "news", ":", "nan",
        ]
        var rng = SplitMix64(0xF117_E250)
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var parsed = 0, rejected = 0, filters = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<3_000 {
            let text = (0..<(1 + r(10))).map { _ in pieces[r(pieces.count)] }.joined()
            let lenient = p.parseLenient(text)
            do {
                let q = try p.parse(text)
                parsed += 1
                if q.description.contains(":[") || q.description.contains(":{") || q.description.contains(":\"") { filters += 1 }
                #expect(lenient == q, "lenient differs from strict on \(text)")
                // (A keyword with a `"` that needs quotes has no exact writing.)
                if !keywordsHoldQuotes(q) { #expect(try p.parse(q.description) == q, "\(text) → \(q.description)") }
                _ = try s.search(q, options: SearchOptions(limit: 3))
            } catch let e as QuerySyntaxError {
                rejected += 1
                #expect((0...text.count).contains(e.position), "\(e) for \(text)")
            } catch {
                Issue.record("\(text): \(error)")
            }
            do {
                _ = try s.search(lenient, options: SearchOptions(limit: 3, highlight: HighlightOptions()))
                _ = try s.search(lenient: text, options: SearchOptions(limit: 3))
            } catch {
                Issue.record("lenient search of \(text) threw \(error)")
            }
        }
        #expect(parsed > 400 && rejected > 400 && filters > 100, "parsed \(parsed), rejected \(rejected), with filters \(filters)")
        #expect(clock.now - start < .seconds(120), "a guard against hangs, not a speed target")
    }
}
