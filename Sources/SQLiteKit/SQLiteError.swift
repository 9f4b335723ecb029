import CSQLite

/// A failed SQLite call: the result code, SQLite's own message, the C function
/// that returned it and, when there was one, the SQL being run.
///
/// Every failure in SQLiteKit goes through `SQLiteError.check`, which reads the
/// message from the connection at once, before any cleanup can overwrite it or
/// free the connection.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, not just
    /// `SQLITE_CONSTRAINT`).
    public var code: Int32
    /// SQLite's explanation, e.g. `UNIQUE constraint failed: jobs.id`.
    public var message: String
    /// The C function that reported the failure, e.g. `sqlite3_step`.
    public var function: String
    /// The statement being prepared or run, if any.
    public var sql: String?

    public init(code: Int32, message: String, function: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.function = function
        self.sql = sql
    }

    /// The primary result code (`SQLITE_CONSTRAINT` for
    /// `SQLITE_CONSTRAINT_UNIQUE`).
    public var primaryCode: Int32 { code & 0xFF }

    /// The file is not a database or is damaged (`SQLITE_NOTADB`, `SQLITE_CORRUPT`):
    /// garbage, or a file cut short by a full disk or a copy taken mid-write.
    public var isDamagedFile: Bool {
        primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT
    }

    public var description: String {
        var text = "SQLite error \(code) in \(function): \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }

    /// Turns a C result code into a thrown error unless it is one of
    /// `accepted`.
    @discardableResult
    static func check(
        _ code: Int32, _ function: String, connection: OpaquePointer?, sql: String? = nil,
        accepted: Set<Int32> = [SQLITE_OK]
    ) throws(SQLiteError) -> Int32 {
        if accepted.contains(code) { return code }
        throw SQLiteError(code, function, connection: connection, sql: sql)
    }

    /// Reads the message for a failed call; `check` and the few places that
    /// detect a failure themselves (`message` given) are the only callers.
    ///
    /// The message comes from `sqlite3_errmsg` when the connection's last error
    /// is this very code (so it names the table, the constraint, the syntax
    /// error), and otherwise from `sqlite3_errstr`, because a stale message
    /// from an earlier call would mislead.
    init(
        _ code: Int32, _ function: String, connection: OpaquePointer?, sql: String? = nil,
        message: String? = nil
    ) {
        let text: String
        if let message {
            text = message
        } else if let connection,
            sqlite3_extended_errcode(connection) == code || sqlite3_errcode(connection) == code,
            let cMessage = sqlite3_errmsg(connection)
        {
            text = String(cString: cMessage)
        } else if let cMessage = sqlite3_errstr(code) {
            text = String(cString: cMessage)
        } else {
            text = "unknown error"
        }
        self.init(code: code, message: text, function: function, sql: sql)
    }
}
