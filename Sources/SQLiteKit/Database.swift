import CSQLite
import Foundation

/// One connection to an SQLite database file (`sqlite3`), closed when the last
/// reference goes (`sqlite3_close_v2`, which waits for any statement still
/// alive).
///
/// Not Sendable: give each thread or task its own `Database`. Every connection
/// is set up the same way so that two processes sharing one file behave: WAL
/// journal (readers never block the writer), a busy timeout instead of instant
/// `SQLITE_BUSY`, foreign keys enforced and extended result codes on.
public final class Database {
    /// The file this connection opened.
    public let path: String
    let connection: OpaquePointer

    /// Opens or creates the database at `path` (`sqlite3_open_v2`).
    ///
    /// `busyTimeoutMilliseconds` is how long a write waits for another
    /// connection's lock before failing with `SQLITE_BUSY`.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(SQLiteError) {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard let opened else {
            throw SQLiteError(
                code == SQLITE_OK ? SQLITE_NOMEM : code, "sqlite3_open_v2", connection: nil,
                message: "could not allocate a connection for \(path)")
        }
        do {
            try SQLiteError.check(code, "sqlite3_open_v2", connection: opened)
        } catch {
            // check has read the message already; now the handle may go.
            // close_v2 of a handle that open returned cannot fail.
            let closed = sqlite3_close_v2(opened)
            assert(closed == SQLITE_OK, "sqlite3_close_v2 failed: \(closed)")
            throw error
        }
        self.path = path
        self.connection = opened

        // From here on deinit closes the connection if a setting below fails.
        try SQLiteError.check(
            sqlite3_extended_result_codes(connection, 1), "sqlite3_extended_result_codes",
            connection: connection)
        try SQLiteError.check(
            sqlite3_busy_timeout(connection, busyTimeoutMilliseconds), "sqlite3_busy_timeout",
            connection: connection)
        try execute("PRAGMA foreign_keys = ON")
        try useWriteAheadLog(patience: Double(busyTimeoutMilliseconds) / 1_000)
    }

    deinit {
        // close_v2 fails only for a bad handle; ours came from a good open.
        let closed = sqlite3_close_v2(connection)
        assert(closed == SQLITE_OK, "sqlite3_close_v2 failed: \(closed)")
    }

    /// Switches to WAL, and says so loudly if SQLite refused (e.g. a filesystem
    /// without shared memory); an in-memory database keeps its `memory`
    /// journal.
    ///
    /// Switching needs an exclusive lock, and SQLite answers `SQLITE_BUSY` at
    /// once, without its busy handler, when another connection is opening the
    /// same new file (seen with 20 processes starting on one fresh database), so
    /// the busy case is retried here for up to `patience` seconds.
    private func useWriteAheadLog(patience: Double) throws(SQLiteError) {
        let sql = "PRAGMA journal_mode = WAL"
        let started = Date()
        var mode: String?
        while true {
            do {
                mode = try rows(sql).first?.first?.text?.lowercased()
                break
            } catch
                where error.primaryCode == SQLITE_BUSY
                && Date().timeIntervalSince(started) < patience
            {
                Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.05))
            }
        }
        guard mode == "wal" || mode == "memory" else {
            throw SQLiteError(
                SQLITE_ERROR, "sqlite3_step", connection: connection, sql: sql,
                message: "journal mode stayed \(mode ?? "unknown") instead of wal")
        }
    }

    /// Runs one or more `;`-separated statements that take no parameters
    /// (`sqlite3_exec`); meant for schemas and pragmas. Rows they return are
    /// ignored.
    public func execute(_ sql: String) throws(SQLiteError) {
        try SQLiteError.check(
            sqlite3_exec(connection, sql, nil, nil, nil), "sqlite3_exec",
            connection: connection, sql: sql)
    }

    /// Compiles exactly one statement (`sqlite3_prepare_v2`).
    ///
    /// Anything after the first statement other than whitespace or comments is
    /// refused: `run("UPDATE …; DELETE …")` silently skipping the DELETE would
    /// be worse.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var compiled: OpaquePointer?
        var trailing = ""
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(connection, text, -1, &compiled, &tail)
            if let tail { trailing = String(cString: tail) }
            return code
        }
        try SQLiteError.check(code, "sqlite3_prepare_v2", connection: connection, sql: sql)
        guard let compiled else {
            throw SQLiteError(
                SQLITE_MISUSE, "sqlite3_prepare_v2", connection: connection, sql: sql,
                message: "the SQL holds no statement")
        }

        // Owned from here, so an early throw still finalizes it.
        let statement = Statement(database: self, sql: sql, handle: compiled)
        guard Self.isBlank(trailing) else {
            throw SQLiteError(
                SQLITE_MISUSE, "sqlite3_prepare_v2", connection: connection, sql: sql,
                message: "more than one statement; use execute() for scripts")
        }
        return statement
    }

    /// True if `sql` is only whitespace and comments (`sqlite3_complete` cannot
    /// tell this).
    private static func isBlank(_ sql: String) -> Bool {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: { $0.isWhitespace || $0 == ";" })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*") {
                guard let end = rest.range(of: "*/") else { return true }
                rest = rest[end.upperBound...]
            } else {
                return rest.isEmpty
            }
        }
    }

    /// Prepares, binds and steps one statement until it is done; rows are
    /// discarded.
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLiteError) {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        while try statement.step() {}
    }

    /// Prepares, binds and collects every row of one statement.
    public func rows(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLiteError)
        -> [[SQLValue]]
    {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        var result: [[SQLValue]] = []
        while try statement.step() {
            result.append(statement.currentRow())
        }
        return result
    }

    /// Runs `body` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back if
    /// anything throws.
    ///
    /// IMMEDIATE takes the write lock up front, so two writers queue on the
    /// busy timeout at BEGIN instead of one failing with `SQLITE_BUSY` halfway
    /// through. Not nestable: a second `transaction` inside `body` fails with
    /// SQLite's own message.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // Some errors make SQLite roll back on its own; check first.
            if sqlite3_get_autocommit(connection) == 0 {
                // FIXME: a failing ROLLBACK is dropped in favour of the error
                // that caused it; the connection then stays inside the
                // transaction. Only bites on I/O errors.
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// True while a transaction is open on this connection
    /// (`sqlite3_get_autocommit`).
    public var isInTransaction: Bool { sqlite3_get_autocommit(connection) == 0 }

    /// The schema version the application keeps in the file header
    /// (`PRAGMA user_version`), for migrations.
    public var userVersion: Int {
        get throws(SQLiteError) {
            Int(try rows("PRAGMA user_version").first?.first?.int ?? 0)
        }
    }

    public func setUserVersion(_ version: Int) throws(SQLiteError) {
        // PRAGMA takes no parameters; interpolating an Int cannot inject SQL.
        try execute("PRAGMA user_version = \(version)")
    }

    /// The rowid of the last successful INSERT (`sqlite3_last_insert_rowid`).
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Rows changed by the last INSERT, UPDATE or DELETE (`sqlite3_changes64`).
    public var changes: Int64 { sqlite3_changes64(connection) }
}
