import CSQLite
import Foundation
import SQLiteKit
import Testing

/// Failures carry SQLite's own words, the C function and the SQL.
@Suite("SQLite errors")
struct SQLiteErrorTests {
    @Test("a constraint failure names the constraint, the step and the SQL")
    func constraint() throws {
        let scratch = try DatabaseTests.Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("errors.sqlite"))
        try database.execute("CREATE TABLE jobs(id TEXT PRIMARY KEY)")
        let insert = "INSERT INTO jobs(id) VALUES (?)"
        try database.run(insert, ["j1"])

        let error = try #require(throws: SQLiteError.self) { try database.run(insert, ["j1"]) }
        // SQLITE_CONSTRAINT_PRIMARYKEY is a macro expression Swift cannot
        // import.
        #expect(error.code == SQLITE_CONSTRAINT | (6 << 8))
        #expect(error.message == "UNIQUE constraint failed: jobs.id")
        #expect(error.function == "sqlite3_step")
        #expect(error.sql == insert)
        #expect(error.description.contains("UNIQUE constraint failed: jobs.id"))
    }

    @Test("a syntax error is reported by prepare with SQLite's message")
    func syntax() throws {
        let scratch = try DatabaseTests.Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("syntax.sqlite"))

        let error = try #require(throws: SQLiteError.self) {
            _ = try database.prepare("SELEC 1")
        }
        #expect(error.primaryCode == SQLITE_ERROR)
        #expect(error.message.contains("syntax error"))
        #expect(error.function == "sqlite3_prepare_v2")

        let missing = try #require(throws: SQLiteError.self) {
            try database.execute("CREATE TABLE a(x); SELECT nope FROM a")
        }
        #expect(missing.message.contains("no such column: nope"))
        #expect(missing.function == "sqlite3_exec")
    }

    @Test("misuse is refused: wrong number of values, two statements, no statement")
    func misuse() throws {
        let scratch = try DatabaseTests.Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("misuse.sqlite"))
        try database.execute("CREATE TABLE t(a, b)")

        let count = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO t VALUES (?, ?)", [1])
        }
        #expect(count.code == SQLITE_RANGE)
        #expect(count.message.contains("2 values, 1 given"))

        let two = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO t VALUES (1, 2); DELETE FROM t")
        }
        #expect(two.code == SQLITE_MISUSE)
        #expect(try database.rows("SELECT count(*) FROM t") == [[0]])

        // Trailing semicolons and comments are not a second statement.
        try database.run("INSERT INTO t VALUES (1, 2); -- done\n/* really */ ;")
        #expect(try database.rows("SELECT count(*) FROM t") == [[1]])

        let none = try #require(throws: SQLiteError.self) {
            _ = try database.prepare("  -- nothing here")
        }
        #expect(none.code == SQLITE_MISUSE)
    }

    @Test("opening a file in a missing directory fails in sqlite3_open_v2")
    func openFailure() throws {
        let scratch = try DatabaseTests.Scratch()
        defer { scratch.remove() }
        let path = scratch.path("no/such/dir/db.sqlite")

        let error = try #require(throws: SQLiteError.self) { _ = try Database(path: path) }
        #expect(error.primaryCode == SQLITE_CANTOPEN)
        #expect(error.function == "sqlite3_open_v2")
        #expect(error.message.contains("unable to open"))
    }
}
