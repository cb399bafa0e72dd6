import CSQLite

/// A failed SQLite call, with SQLite's message.
struct SQLiteError: Error, CustomStringConvertible {
    var description: String
}

/// A minimal owner of a SQLite connection: what the baseline needs, nothing more.
final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?

    /// Opens (or creates) the database at `path` (`:memory:` for an in-memory database).
    init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        if rc != SQLITE_OK {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(description: "cannot open \(path): \(message)")
        }
    }

    deinit { sqlite3_close_v2(handle) }

    /// The library's version string.
    static var version: String { String(cString: sqlite3_libversion()) }

    /// The most recent error message of this connection.
    var lastError: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection" }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw SQLiteError(description: "\(text) (in: \(sql))")
        }
    }

    /// Compiles one statement.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SQLiteError(description: "\(lastError) (in: \(sql))")
        }
        return SQLiteStatement(statement, database: self)
    }

    /// The integer in the first column of the first row of `sql`.
    func integer(_ sql: String) throws(SQLiteError) -> Int {
        let statement = try prepare(sql)
        guard try statement.step() else { throw SQLiteError(description: "no row (in: \(sql))") }
        return statement.integer(at: 0)
    }
}

/// A prepared statement. Bind, step, read columns, reset.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    fileprivate init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `text` to parameter `index` (1-based); SQLite copies it.
    func bind(_ text: String, at index: Int32) throws(SQLiteError) {
        // SQLITE_TRANSIENT: SQLite makes its own copy before this call returns.
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        if sqlite3_bind_text(handle, index, text, -1, transient) != SQLITE_OK {
            throw SQLiteError(description: database.lastError)
        }
    }

    /// Advances to the next row: true for a row, false when done.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(description: database.lastError)
        }
    }

    /// Makes the statement ready to run again (bindings are kept until rebound).
    func reset() { sqlite3_reset(handle) }

    func text(at column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }

    func integer(at column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
}
