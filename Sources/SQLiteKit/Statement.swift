import CSQLite
import Foundation

/// A compiled SQL statement (`sqlite3_stmt`), finalized when the last reference
/// goes.
///
/// Not Sendable: a statement belongs to its connection, and SQLiteKit promises
/// nothing about using one connection from two threads. It keeps its `Database`
/// alive, so the connection is still open whenever the statement reads an error
/// message or finalizes.
public final class Statement {
    public let database: Database
    /// The SQL this statement was compiled from.
    public let sql: String
    let handle: OpaquePointer

    init(database: Database, sql: String, handle: OpaquePointer) {
        self.database = database
        self.sql = sql
        self.handle = handle
    }

    deinit {
        // finalize only repeats the last step's error, thrown back then.
        _ = sqlite3_finalize(handle)
    }

    /// How many `?` parameters the statement takes
    /// (`sqlite3_bind_parameter_count`).
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// How many columns each row has (`sqlite3_column_count`).
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of column `index` as the query spelled it
    /// (`sqlite3_column_name`).
    public func columnName(_ index: Int) -> String? {
        guard let name = sqlite3_column_name(handle, Int32(index)) else { return nil }
        return String(cString: name)
    }

    /// Binds every parameter at once, in order (`sqlite3_bind_*`).
    ///
    /// The count must match exactly: a forgotten value would silently be NULL
    /// otherwise. Text and blobs are copied (`SQLITE_TRANSIENT`), so the Swift
    /// values need not outlive the call. A statement that has been stepped must
    /// be `reset()` first.
    public func bind(_ values: [SQLValue]) throws(SQLiteError) {
        guard values.count == parameterCount else {
            throw SQLiteError(
                SQLITE_RANGE, "sqlite3_bind_parameter_count", connection: database.connection,
                sql: sql,
                message: "statement takes \(parameterCount) values, \(values.count) given")
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    private func bind(_ value: SQLValue, at position: Int32) throws(SQLiteError) {
        switch value {
        case .null:
            try check(sqlite3_bind_null(handle, position), "sqlite3_bind_null")
        case .int(let number):
            try check(sqlite3_bind_int64(handle, position, number), "sqlite3_bind_int64")
        case .real(let number):
            try check(sqlite3_bind_double(handle, position, number), "sqlite3_bind_double")
        case .text(let string):
            // withCString gives every UTF-8 byte (embedded NULs too) and never
            // a nil pointer, so an empty string binds as '', not NULL.
            let length = UInt64(string.utf8.count)
            let code = string.withCString { bytes in
                sqlite3_bind_text64(
                    handle, position, bytes, length, dtrain_sqlite_transient(),
                    UInt8(SQLITE_UTF8))
            }
            try check(code, "sqlite3_bind_text64")
        case .blob(let data) where data.isEmpty:
            // An empty Data has no address, and a nil pointer binds NULL.
            try check(sqlite3_bind_zeroblob(handle, position, 0), "sqlite3_bind_zeroblob")
        case .blob(let data):
            let code = data.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(
                    handle, position, bytes.baseAddress, UInt64(bytes.count),
                    dtrain_sqlite_transient())
            }
            try check(code, "sqlite3_bind_blob64")
        }
    }

    /// Runs the statement to its next row (`sqlite3_step`); true if a row is
    /// ready to read with `column(_:)`, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        try check(code, "sqlite3_step", accepted: [SQLITE_ROW, SQLITE_DONE])
        return code == SQLITE_ROW
    }

    /// The value of column `index` (from 0) in the current row
    /// (`sqlite3_column_*`).
    ///
    /// Like an array subscript, an index outside the row is a programming error
    /// and traps (SQLite's result would be undefined).
    public func column(_ index: Int) -> SQLValue {
        precondition(0 <= index && index < columnCount, "column \(index) is not in the row")
        let position = Int32(index)
        switch sqlite3_column_type(handle, position) {
        case SQLITE_INTEGER:
            return .int(sqlite3_column_int64(handle, position))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, position))
        case SQLITE_TEXT:
            // Pointer first, then byte count: the order SQLite documents.
            // FIXME: a NULL pointer means SQLite ran out of memory; it reads
            // as '' instead of throwing. Bites only under memory exhaustion.
            guard let bytes = sqlite3_column_text(handle, position) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, position))
            let buffer = UnsafeBufferPointer(start: bytes, count: count)
            return .text(String(decoding: buffer, as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length blob comes back as NULL: that is an empty Data.
            guard let bytes = sqlite3_column_blob(handle, position) else { return .blob(Data()) }
            let count = Int(sqlite3_column_bytes(handle, position))
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    /// Every column of the current row, in order.
    public func currentRow() -> [SQLValue] {
        (0..<columnCount).map(column)
    }

    /// Rewinds the statement so it can run again (`sqlite3_reset`); bindings
    /// are kept.
    ///
    /// If the last `step()` failed, SQLite reports that failure again here.
    public func reset() throws(SQLiteError) {
        try check(sqlite3_reset(handle), "sqlite3_reset")
    }

    /// Sets every parameter back to NULL (`sqlite3_clear_bindings`).
    public func clearBindings() throws(SQLiteError) {
        try check(sqlite3_clear_bindings(handle), "sqlite3_clear_bindings")
    }

    private func check(
        _ code: Int32, _ function: String, accepted: Set<Int32> = [SQLITE_OK]
    ) throws(SQLiteError) {
        try SQLiteError.check(
            code, function, connection: database.connection, sql: sql, accepted: accepted)
    }
}
