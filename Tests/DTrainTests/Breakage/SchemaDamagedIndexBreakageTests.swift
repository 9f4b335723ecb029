import Foundation
import SQLiteKit
import Testing

/// The clone's SQLite index is a cache: "delete it freely — the next command or
/// `dtrain reindex` rebuilds it from git" (spool/README.md).
///
/// Found by hand (breaker4): an index.sqlite that is still a readable SQLite
/// file but lacks one of dtrain's tables (an interrupted schema change, a
/// hand-run `DROP TABLE`, a file from another tool) is not rebuilt. `dtrain
/// jobs` fails with a raw "SQLite error 1 in sqlite3_prepare_v2: no such
/// table: jobs [SQL: …]" (exit 1), and `dtrain reindex`, the documented cure,
/// fails the same way ("no such table: jobs [SQL: DELETE FROM meta; DELETE
/// FROM jobs; …]"). Only deleting the file by hand helps. Today's fix for a
/// damaged index covers only a file that is not a database at all.
@Suite("breakage: an index missing a table")
struct SchemaDamagedIndexBreakageTests {
    @Test("an index.sqlite without its jobs table is rebuilt by reindex and by a read")
    func missingTableIsRebuilt() throws {
        let directory = try TemporaryDirectory("brk-index-schema")
        let spool = directory.file("admin")
        let created = try Processes.dtrain(["init", spool, "--as", "admin", "--admin", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let credited = try Processes.dtrain(["credit", "alice", "5"], spool: spool)
        try #require(credited.status == 0, "\(credited.stderr)")
        let before = try Processes.dtrain(["jobs", "--json"], spool: spool)
        try #require(before.status == 0, "\(before.stderr)")

        let index = spool + "/.git/dtrain/index.sqlite"
        func dropJobsTable() throws {
            let database = try Database(path: index)
            try database.execute("DROP TABLE IF EXISTS jobs")
        }

        try dropJobsTable()
        let reindexed = try Processes.dtrain(["reindex"], spool: spool)
        #expect(reindexed.status == 0, "\(reindexed.stderr)")
        #expect(!reindexed.stderr.contains("SQLite error"), "\(reindexed.stderr)")

        try dropJobsTable()
        let jobs = try Processes.dtrain(["jobs", "--json"], spool: spool)
        #expect(jobs.status == 0, "\(jobs.stderr)")
        #expect(!jobs.stderr.contains("SQLite error"), "\(jobs.stderr)")
        #expect(jobs.stdout == before.stdout)
    }
}
