import CSQLite

/// The version of SQLite linked in, for `dtrain --version` and bug reports.
public var sqliteVersion: String { String(cString: sqlite3_libversion()) }
