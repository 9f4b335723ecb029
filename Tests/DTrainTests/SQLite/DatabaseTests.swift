import CSQLite
import Foundation
import SQLiteKit
import Testing

/// SQLiteKit against real database files in a fresh temporary directory per
/// test.
@Suite("SQLite database")
struct DatabaseTests {
    /// A temporary directory that exists for one test; `remove()` goes in a
    /// `defer`.
    struct Scratch {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory
                .appendingPathComponent("dtrain-sqlite-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    @Test("a new file is created in WAL mode with foreign keys enforced")
    func openSettings() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("index.sqlite")
        let database = try Database(path: path)

        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try database.rows("PRAGMA journal_mode") == [[.text("wal")]])
        #expect(try database.rows("PRAGMA foreign_keys") == [[.int(1)]])
        try database.execute(
            """
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE child(parent INTEGER NOT NULL REFERENCES parent(id));
            """)
        let error = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO child(parent) VALUES (?)", [42])
        }
        #expect(error.primaryCode == SQLITE_CONSTRAINT)
        #expect(error.message.contains("FOREIGN KEY constraint failed"))
    }

    @Test("user_version is kept in the file across connections")
    func userVersion() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("versioned.sqlite")
        do {
            let database = try Database(path: path)
            #expect(try database.userVersion == 0)
            try database.setUserVersion(7)
        }
        #expect(try Database(path: path).userVersion == 7)
    }

    @Test("every storage class round-trips, including edge cases of text and blobs")
    func valuesRoundTrip() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("values.sqlite"))
        try database.execute("CREATE TABLE t(n INTEGER PRIMARY KEY, v)")
        let values: [SQLValue] = [
            .null, .int(0), .int(.max), .int(.min), .real(-2.5), .real(1e300),
            .text(""), .text("plain"), .text("नमस्ते 🚀 é"), .text("nul\u{0}inside"),
            .blob(Data()), .blob(Data(0...255)), .blob(Data([0, 0, 0])),
        ]
        for (index, value) in values.enumerated() {
            try database.run("INSERT INTO t(n, v) VALUES (?, ?)", [.int(Int64(index)), value])
        }

        // Read back on a second connection, so nothing comes from a cache.
        let reader = try Database(path: scratch.path("values.sqlite"))
        let back = try reader.rows("SELECT v FROM t ORDER BY n").map { $0[0] }
        #expect(back == values)
        let kinds = try reader.rows("SELECT typeof(v) FROM t ORDER BY n").compactMap(\.[0].text)
        #expect(kinds[6] == "text", "an empty string must not become NULL")
        #expect(kinds[10] == "blob", "an empty blob must not become NULL")
    }

    @Test("a prepared statement is reused with reset and new bindings")
    func statementReuse() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("reuse.sqlite"))
        try database.execute("CREATE TABLE t(k TEXT PRIMARY KEY, n INTEGER)")
        let insert = try database.prepare("INSERT INTO t(k, n) VALUES (?, ?)")
        for number in 1...5 {
            try insert.reset()
            try insert.bind([.text("k\(number)"), .int(Int64(number * number))])
            #expect(try insert.step() == false)
            #expect(database.changes == 1)
        }
        let query = try database.prepare("SELECT k, n FROM t WHERE n > ? ORDER BY n")
        try query.bind([.int(4)])
        #expect(query.columnCount == 2)
        #expect(query.columnName(1) == "n")
        var seen: [[SQLValue]] = []
        while try query.step() { seen.append(query.currentRow()) }
        #expect(seen == [["k3", 9], ["k4", 16], ["k5", 25]])
    }

    @Test("a statement keeps its connection open after the Database goes")
    func statementOwnsConnection() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("owned.sqlite")
        let statement = try {
            let database = try Database(path: path)
            try database.execute("CREATE TABLE t(n INTEGER); INSERT INTO t VALUES (3), (4)")
            return try database.prepare("SELECT sum(n) FROM t")
        }()
        #expect(try statement.step())
        #expect(statement.column(0) == .int(7))
        #expect(try statement.step() == false)
    }

    @Test("a transaction commits, and rolls back everything when the body throws")
    func transactions() throws {
        struct Abort: Error {}
        let scratch = try Scratch()
        defer { scratch.remove() }
        let database = try Database(path: scratch.path("tx.sqlite"))
        try database.execute("CREATE TABLE t(n INTEGER)")

        let committed = try database.transaction {
            try database.run("INSERT INTO t VALUES (1)")
            return "done"
        }
        #expect(committed == "done")
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.run("INSERT INTO t VALUES (2)")
                try database.run("UPDATE t SET n = 100 WHERE n = 1")
                throw Abort()
            }
        }
        #expect(!database.isInTransaction)
        #expect(try database.rows("SELECT n FROM t") == [[1]])
    }

    @Test("a second connection sees data only once it is committed")
    func secondConnection() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("shared.sqlite")
        let writer = try Database(path: path)
        try writer.execute("CREATE TABLE t(n INTEGER)")
        let reader = try Database(path: path)

        try writer.transaction {
            try writer.run("INSERT INTO t VALUES (?)", [5])
            // WAL: the reader is not blocked and sees the last committed state.
            #expect(try reader.rows("SELECT count(*) FROM t") == [[0]])
        }
        #expect(try reader.rows("SELECT n FROM t") == [[5]])
    }

    @Test("a writer waiting past its busy timeout fails with SQLITE_BUSY")
    func busyWriter() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("busy.sqlite")
        let holder = try Database(path: path)
        try holder.execute("CREATE TABLE t(n INTEGER)")
        let impatient = try Database(path: path, busyTimeoutMilliseconds: 50)

        try holder.transaction {
            let error = try #require(throws: SQLiteError.self) {
                try impatient.transaction { try impatient.run("INSERT INTO t VALUES (1)") }
            }
            #expect(error.primaryCode == SQLITE_BUSY)
            #expect(error.message.contains("locked"))
        }
        try impatient.transaction { try impatient.run("INSERT INTO t VALUES (1)") }
        #expect(try holder.rows("SELECT n FROM t") == [[1]])
    }
}
