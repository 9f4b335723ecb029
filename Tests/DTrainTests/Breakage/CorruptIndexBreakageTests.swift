import Foundation
import Testing

/// The clone's SQLite index is a cache: "delete it freely — the next command or
/// `dtrain reindex` rebuilds it from git" (spool/README.md).
///
/// Found by hand (breaker3): an index.sqlite holding garbage, or cut short (as
/// a full disk or a copied-while-written file leaves it), is not rebuilt.
/// Every command that reads it — `jobs`, `show`, `wallet`, `reap`, and
/// `worker run`, so a cron worker never claims again — fails with exit 1 and a
/// raw "SQLite error 26 in sqlite3_prepare_v2: file is not a database [SQL:
/// PRAGMA journal_mode = WAL]", and `dtrain reindex`, the documented cure,
/// fails the same way. Only deleting the file by hand helps.
@Suite("breakage: a corrupt index cache")
struct CorruptIndexBreakageTests {
    @Test(
        "garbage or a cut-short file in index.sqlite is rebuilt, not fatal",
        arguments: ["garbage", "truncated"])
    func corruptIndexIsRebuilt(kind: String) throws {
        let directory = try TemporaryDirectory("brk-index")
        let spool = directory.file("admin")
        let created = try Processes.dtrain(["init", spool, "--as", "admin", "--admin", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let credited = try Processes.dtrain(["credit", "alice", "5"], spool: spool)
        try #require(credited.status == 0, "\(credited.stderr)")
        let before = try Processes.dtrain(["wallet", "alice", "--json"], spool: spool)
        try #require(before.status == 0, "\(before.stderr)")

        let index = spool + "/.git/dtrain/index.sqlite"
        let good = try Data(contentsOf: URL(fileURLWithPath: index))
        for suffix in ["-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: index + suffix)
        }
        let bad =
            kind == "garbage" ? Data("this is not a database\n".utf8) : good.prefix(good.count / 3)
        try bad.write(to: URL(fileURLWithPath: index))

        // The documented cure works.
        let reindexed = try Processes.dtrain(["reindex"], spool: spool)
        #expect(reindexed.status == 0, "\(reindexed.stderr)")
        #expect(!reindexed.stderr.contains("SQLite error"), "\(reindexed.stderr)")

        // And once more from scratch, an ordinary read does not need it.
        try bad.write(to: URL(fileURLWithPath: index))
        let wallet = try Processes.dtrain(["wallet", "alice", "--json"], spool: spool)
        #expect(wallet.status == 0, "\(wallet.stderr)")
        #expect(wallet.stdout == before.stdout)
    }
}
