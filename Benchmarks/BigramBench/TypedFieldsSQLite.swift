import BigramSearch
import CSQLite

/// Typed queries through SQL: an FTS5 trigram table for the text (the main baseline's table,
/// ``SQLiteBaseline/createTable``, named `fts` here) joined with a normal table holding the typed
/// columns, every column indexed:
///
///     CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, text, tokenize='trigram')
///     CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, date INTEGER,
///                       n INTEGER, score2 REAL, source TEXT)
///     CREATE INDEX docs_date ON docs(date)   -- and docs_n, docs_score2, docs_source
///     ANALYZE
///
/// rowid = document order + 1 in both tables; a missing field is NULL. One query is up to three
/// kinds of statement, each prepared once per distinct SQL text and reused (values are bound):
///
/// - the page: `SELECT docs.id FROM fts JOIN docs ON docs.rowid = fts.rowid WHERE fts MATCH ?
///   AND docs.date >= ? AND docs.source = ? … ORDER BY docs.date DESC NULLS LAST, docs.rowid
///   LIMIT ? OFFSET ?` (by score: `ORDER BY fts.rank`, bm25; document order: `ORDER BY fts.rowid`;
///   without text `FROM docs` alone; with text but no filter and no sort key `FROM fts` alone,
///   as the main baseline does); a whole match set has no LIMIT and gives the total too;
/// - the total of a page: `SELECT COUNT(*) FROM … WHERE …`;
/// - one per facet: `GROUP BY docs.source ORDER BY COUNT(*) DESC, docs.source LIMIT ?`;
///   `GROUP BY strftime('%Y', docs.date / 1000, 'unixepoch')` (or `'%Y-%m'`); range buckets as
///   `COUNT(CASE WHEN docs.n >= ? AND docs.n < ? THEN 1 END), …` in one row.
///
/// The text is translated to an FTS5 expression (``FTS5Query``) once per distinct text, outside
/// the timings' first pass; SQLite parses the expression on every call.
final class SQLiteTypedEngine: TypedEngine {
    static let sqliteEngineName = "SQLite FTS5 + table"
    let name = SQLiteTypedEngine.sqliteEngineName
    private let db: SQLiteDatabase
    /// Whether the FTS5 table was built (text queries need it).
    let hasText: Bool
    /// Seconds to insert every row of both tables, build the indexes and ANALYZE.
    private(set) var buildSeconds = 0.0
    private var statements: [String: TypedSQLStatement] = [:]
    private var expressions: [String: String] = [:]

    static let createFTS = "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, text, tokenize='trigram')"
    static let createDocs = "CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, date INTEGER, n INTEGER, score2 REAL, source TEXT)"

    struct Untranslatable: Error, CustomStringConvertible {
        var text: String
        var description: String { "SQLite: no FTS5 translation of \(text)" }
    }

    /// Builds the in-memory database; `withText: false` leaves out the FTS5 table (filter-only
    /// workloads).
    init(corpus: TypedCorpus, withText: Bool) throws {
        db = try SQLiteDatabase(path: ":memory:")
        hasText = withText
        let start = Stopwatch.now()
        if withText { try db.execute(Self.createFTS) }
        try db.execute(Self.createDocs)
        try db.execute("BEGIN")
        do {
            let fts = withText ? try TypedSQLStatement(db, "INSERT INTO fts(rowid, id, text) VALUES (?, ?, ?)") : nil
            let docs = try TypedSQLStatement(db, "INSERT INTO docs(rowid, id, date, n, score2, source) VALUES (?, ?, ?, ?, ?, ?)")
            let progress = Progress("SQLite typed tables")
            for (i, d) in corpus.documents.enumerated() {
                let f = corpus.fields[i]
                if let fts {
                    try fts.run([.int(Int64(i + 1)), .text(d.id), .text(d["text"] ?? "")])
                }
                try docs.run([.int(Int64(i + 1)), .text(d.id), f.date.map(SQLValue.int) ?? .null,
                              f.n.map(SQLValue.int) ?? .null, f.score2.map(SQLValue.double) ?? .null,
                              f.source.map(SQLValue.text) ?? .null])
                if i % 256 == 0 { progress.update(i + 1, of: corpus.count) }
            }
            progress.finish()
        }
        try db.execute("COMMIT")
        for (field, _) in TypedSchema.fields { try db.execute("CREATE INDEX docs_\(field) ON docs(\(field))") }
        try db.execute("ANALYZE")
        buildSeconds = Stopwatch.seconds(since: start)
    }

    /// The ids FTS5 matches for `text` alone (`SELECT id FROM fts WHERE fts MATCH ?`), nil when
    /// the text has no FTS5 translation. Used to pick the texts FTS5 answers exactly.
    func plainMatch(_ text: String) throws -> [String]? {
        guard hasText, let expression = FTS5Query.translate(text)?.expression else { return nil }
        let s = try statement("SELECT id FROM fts WHERE fts MATCH ?")
        try s.bind([.text(expression)])
        defer { s.reset() }
        var ids: [String] = []
        while try s.step() { ids.append(s.text(at: 0)) }
        return ids
    }

    /// The query plan SQLite chooses for `q`'s page (or total) statement, for the README.
    func explain(_ q: TypedQuery) throws -> [String] {
        let (sql, binds) = try pageSQL(q, where: try whereClause(q, join: !(q.filters.isEmpty && q.sort.isEmpty)))
        let s = try statement("EXPLAIN QUERY PLAN " + sql)
        try s.bind(binds)
        defer { s.reset() }
        var lines: [String] = []
        while try s.step() { lines.append(s.text(at: 3)) }
        return lines
    }

    // MARK: Answering

    private struct Where {
        var from: String
        var sql: String        // "" or " WHERE …"
        var binds: [SQLValue]
        var conditions: [String]

        /// The clause with `extra` conditions added.
        func adding(_ extra: String) -> String {
            " WHERE " + (conditions + [extra]).joined(separator: " AND ")
        }
    }

    private func column(_ field: String) throws -> String {
        guard TypedSchema.kind(of: field) != nil else { throw SQLiteError(description: "unknown field \(field)") }
        return "docs." + field
    }

    /// The FROM and WHERE of `q`'s match set. `join: false` is for the page and total of a text
    /// query without filters or sort keys: the FTS5 table alone (`SELECT fts.id FROM fts WHERE
    /// fts MATCH ? ORDER BY rank`), the plan of the main baseline.
    private func whereClause(_ q: TypedQuery, join: Bool = true) throws -> Where {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        let from: String
        if let text = q.text {
            guard hasText else { throw SQLiteError(description: "text query without the FTS5 table") }
            let expression: String
            if let e = expressions[text] { expression = e } else {
                guard let e = FTS5Query.translate(text)?.expression else { throw Untranslatable(text: text) }
                expressions[text] = e
                expression = e
            }
            from = join ? "fts JOIN docs ON docs.rowid = fts.rowid" : "fts"
            conditions.append("fts MATCH ?")
            binds.append(.text(expression))
        } else {
            from = "docs"
        }
        for c in q.filters {
            switch c {
            case .equals(let field, let value):
                conditions.append("\(try column(field)) = ?")
                binds.append(.text(value))
            case .range(let field, let lower, let upper, let li, let ui):
                let col = try column(field)
                if let lower {
                    conditions.append("\(col) \(li ? ">=" : ">") ?")
                    binds.append(SQLValue(lower))
                }
                if let upper {
                    conditions.append("\(col) \(ui ? "<=" : "<") ?")
                    binds.append(SQLValue(upper))
                }
                if lower == nil && upper == nil { conditions.append("\(col) IS NOT NULL") }
            }
        }
        let sql = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return Where(from: from, sql: sql, binds: binds, conditions: conditions)
    }

    private func pageSQL(_ q: TypedQuery, where w: Where) throws -> (String, [SQLValue]) {
        let table = w.from == "fts" ? "fts" : "docs"
        var order: [String] = []
        if !q.sort.isEmpty {
            for key in q.sort { order.append("\(try column(key.field)) \(key.descending ? "DESC" : "ASC") NULLS LAST") }
            order.append("docs.rowid")
        } else if q.ordersByScore {
            order = ["fts.rank"]
        } else {
            order = [q.text != nil ? "fts.rowid" : "docs.rowid"]
        }
        var sql = "SELECT \(table).id FROM \(w.from)\(w.sql) ORDER BY " + order.joined(separator: ", ")
        var binds = w.binds
        if let limit = q.limit {
            sql += " LIMIT ? OFFSET ?"
            binds += [.int(Int64(limit)), .int(Int64(q.offset))]
        } else if q.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            binds.append(.int(Int64(q.offset)))
        }
        return (sql, binds)
    }

    func answer(_ q: TypedQuery) throws -> TypedAnswer {
        let w = try whereClause(q)
        let page = q.filters.isEmpty && q.sort.isEmpty ? try whereClause(q, join: false) : w
        var answer = TypedAnswer(total: 0, ids: [])
        if q.limit != 0 {
            let (sql, binds) = try pageSQL(q, where: page)
            answer.ids = try rows(sql, binds) { $0.text(at: 0) }
        }
        if q.limit == nil && q.offset == 0 {
            answer.total = answer.ids.count
        } else {
            answer.total = try rows("SELECT COUNT(*) FROM \(page.from)\(page.sql)", page.binds) { $0.integer(at: 0) }.first ?? 0
        }
        for facet in q.facets {
            answer.facets[facet.name] = try counts(facet, where: w)
        }
        return answer
    }

    private func counts(_ facet: TypedFacet, where w: Where) throws -> [TypedFacetCount] {
        switch facet {
        case .values(let field, let top):
            let col = try column(field)
            let sql = "SELECT \(col), COUNT(*) AS c FROM \(w.from)\(w.adding("\(col) IS NOT NULL")) GROUP BY \(col) ORDER BY c DESC, \(col) LIMIT ?"
            return try rows(sql, w.binds + [.int(Int64(top))]) { TypedFacetCount(label: $0.text(at: 0), count: $0.integer(at: 1)) }
        case .dateBuckets(let field, let unit):
            let col = try column(field)
            let format = unit == .year ? "%Y" : "%Y-%m"
            let sql = "SELECT strftime('\(format)', \(col) / 1000, 'unixepoch') AS b, COUNT(*) FROM \(w.from)\(w.adding("\(col) IS NOT NULL")) GROUP BY b ORDER BY b"
            return try rows(sql, w.binds) { TypedFacetCount(label: $0.text(at: 0), count: $0.integer(at: 1)) }
        case .ranges(let field, let buckets):
            let col = try column(field)
            var cases: [String] = []
            var binds: [SQLValue] = []
            for b in buckets {
                var conds: [String] = []
                if let lower = b.lower { conds.append("\(col) >= ?"); binds.append(SQLValue(lower)) }
                if let upper = b.upper { conds.append("\(col) < ?"); binds.append(SQLValue(upper)) }
                if conds.isEmpty { conds.append("\(col) IS NOT NULL") }
                cases.append("COUNT(CASE WHEN \(conds.joined(separator: " AND ")) THEN 1 END)")
            }
            let sql = "SELECT \(cases.joined(separator: ", ")) FROM \(w.from)\(w.sql)"
            let row = try rows(sql, binds + w.binds) { s in (0..<buckets.count).map { s.integer(at: Int32($0)) } }.first
                ?? [Int](repeating: 0, count: buckets.count)
            return zip(buckets, row).map { TypedFacetCount(label: $0.label, count: $1) }
        }
    }

    private func statement(_ sql: String) throws -> TypedSQLStatement {
        if let s = statements[sql] { return s }
        let s = try TypedSQLStatement(db, sql)
        statements[sql] = s
        return s
    }

    /// Runs `sql` with `binds` and maps every row.
    private func rows<T>(_ sql: String, _ binds: [SQLValue], _ row: (TypedSQLStatement) -> T) throws -> [T] {
        let s = try statement(sql)
        try s.bind(binds)
        defer { s.reset() }
        var out: [T] = []
        while try s.step() { out.append(row(s)) }
        return out
    }
}

/// A value bound to a statement parameter.
enum SQLValue {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    init(_ v: TypedValue) {
        switch v {
        case .keyword(let s): self = .text(s)
        case .int(let i), .date(let i): self = .int(i)
        case .double(let d): self = .double(d)
        }
    }
}

/// A prepared statement with positional parameters of every type (``SQLiteStatement`` binds text
/// only); used by the typed section alone.
final class TypedSQLStatement {
    private var handle: OpaquePointer?
    private let db: SQLiteDatabase

    init(_ db: SQLiteDatabase, _ sql: String) throws {
        self.db = db
        guard sqlite3_prepare_v2(db.handle, sql, -1, &handle, nil) == SQLITE_OK, handle != nil else {
            throw SQLiteError(description: "\(db.lastError) (in: \(sql))")
        }
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to parameters 1, 2, ….
    func bind(_ values: [SQLValue]) throws {
        // SQLITE_TRANSIENT: SQLite copies the text before the call returns.
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .int(let x): rc = sqlite3_bind_int64(handle, index, x)
            case .double(let x): rc = sqlite3_bind_double(handle, index, x)
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            }
            if rc != SQLITE_OK { throw SQLiteError(description: db.lastError) }
        }
    }

    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(description: db.lastError)
        }
    }

    func reset() { sqlite3_reset(handle) }

    /// Binds, steps to the end, resets (for INSERTs).
    func run(_ values: [SQLValue]) throws {
        try bind(values)
        defer { reset() }
        while try step() {}
    }

    func text(at column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }

    func integer(at column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
}
