import Foundation
import GitKit
import SQLiteKit

/// A SQLite cache of jobs, states and balances for one clone; derived, never authoritative.
///
/// It remembers the commit it was built from and catches up by diffing that commit's tree with
/// the new tip, so its cost follows what changed, not how much history there is. Deleting the
/// file loses nothing: the next command rebuilds it from git (`dtrain reindex` does so at once).
public final class SpoolIndex {
    let database: Database
    let repository: Repository

    /// Bumped whenever the schema changes; an older file is simply rebuilt.
    static let schemaVersion = 1

    /// How long a command waits for another process's write to the index. Many commands
    /// on one clone at once (a cron worker, a user, a script of parallel credits) each build
    /// or catch up the index under its write lock; on a loaded machine 5 s was seen to run
    /// out, and a cache is worth waiting for rather than failing a command over.
    static let busyTimeoutMilliseconds: Int32 = 60_000

    init(path: String, repository: Repository) throws {
        self.database = try Database(
            path: path, busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        self.repository = repository
        // Two processes opening a fresh clone at once must not build the schema
        // over each other: one does it under the write lock, the other then
        // finds the version set and leaves it alone. A file with the right version
        // but a table gone (edited by hand, half-restored) is built again too.
        guard try database.userVersion != Self.schemaVersion || !hasEveryTable() else { return }
        try database.transaction {
            guard try database.userVersion != Self.schemaVersion || !hasEveryTable() else {
                return
            }
            try database.execute(Self.dropSchema + Self.schema)
            try database.setUserVersion(Self.schemaVersion)
        }
    }

    static let tables: Set<String> = ["meta", "jobs", "records", "entries", "postings", "balances"]

    private func hasEveryTable() throws -> Bool {
        let names = try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'", [])
            .compactMap { $0[0].text }
        return Self.tables.isSubset(of: Set(names))
    }

    static let dropSchema = """
        DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS jobs; DROP TABLE IF EXISTS records;
        DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS postings;
        DROP TABLE IF EXISTS balances;
        """

    static let schema = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE jobs(
            id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,
            created_at TEXT NOT NULL, main TEXT NOT NULL, image TEXT NOT NULL,
            timeout INTEGER NOT NULL, cpus REAL NOT NULL, memory INTEGER NOT NULL,
            gpus INTEGER NOT NULL, price INTEGER NOT NULL DEFAULT 0,
            score INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'draft', seq INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT, worker TEXT, note TEXT);
        CREATE INDEX jobs_state ON jobs(state, id);
        CREATE TABLE records(
            job TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL,
            by TEXT NOT NULL, note TEXT, worker TEXT, entry TEXT, PRIMARY KEY(job, seq));
        CREATE TABLE entries(
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, job TEXT, at TEXT NOT NULL,
            by TEXT NOT NULL, memo TEXT);
        CREATE TABLE postings(
            entry TEXT NOT NULL, account TEXT NOT NULL, amount INTEGER NOT NULL,
            PRIMARY KEY(entry, account));
        CREATE INDEX postings_account ON postings(account);
        CREATE TABLE balances(account TEXT PRIMARY KEY, balance INTEGER NOT NULL);
        """

    /// The commit the index reflects, if any.
    public func indexedCommit() throws -> ObjectID? {
        try database.rows("SELECT value FROM meta WHERE key = 'commit'", []).first
            .flatMap { $0[0].text }.flatMap(ObjectID.init(hex:))
    }

    /// Brings the index to `snapshot` by a tree diff from the commit it reflects.
    ///
    /// Two trees of a spool differ only by whole files, so the index can move between any
    /// two commits — forwards, back, or sideways onto a remote tip that local commits are
    /// being replayed on — by taking out what the old tree had and putting in what the new
    /// one has. The cost follows the difference, never the size of the spool.
    // FIXME: the first build reads every record: about 0.6 ms per job here (1.1 s at 2,000
    // jobs, 6.4 s at 10,000, about a minute at 100,000). A fresh clone of a very large
    // spool pays it once; a snapshot of the index shipped beside the spool would avoid it.
    public func sync(to snapshot: SpoolSnapshot) throws {
        try database.transaction {
            let indexed = try indexedCommit()
            guard indexed != snapshot.commit else { return }

            var base: SpoolSnapshot?
            if let indexed, repository.hasObject(indexed) {
                base = try SpoolSnapshot(repository: repository, commit: indexed)
            } else {
                try clear()
            }
            let paths = try repository.changedPaths(from: base?.tree, to: snapshot.tree)
            var touched = Set<String>()
            if let base {
                touched = try remove(paths: paths, base)
            }
            touched.formUnion(try apply(paths: paths, snapshot))
            for job in touched {
                try refreshState(of: job)
            }
            try database.run(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('commit', ?)",
                [.text(snapshot.commit.hex)])
        }
    }

    /// Forgets everything and rebuilds from `snapshot`.
    public func rebuild(from snapshot: SpoolSnapshot) throws {
        try database.transaction { try clear() }
        try sync(to: snapshot)
    }

    private func clear() throws {
        try database.execute(
            """
            DELETE FROM meta; DELETE FROM jobs; DELETE FROM records; DELETE FROM entries;
            DELETE FROM postings; DELETE FROM balances;
            """)
    }

    /// Puts in the files of `paths` that `snapshot` has; returns the jobs touched.
    private func apply(paths: [String], _ snapshot: SpoolSnapshot) throws -> Set<String> {
        var touchedJobs = Set<String>()
        for path in paths {
            switch SpoolLayout.classify(path) {
            case .manifest(let job):
                if let manifest = try snapshot.read(JobManifest.self, at: path) {
                    try upsert(manifest)
                    touchedJobs.insert(job)
                }
            case .quote(let job):
                if let quote = try snapshot.read(Quote.self, at: path) {
                    try database.run(
                        "UPDATE jobs SET price = ?, score = ? WHERE id = ?",
                        [.int(quote.price), .int(Int64(quote.finalScore)), .text(job)])
                    touchedJobs.insert(job)
                }
            case .state(let job, _):
                if let record = try snapshot.read(StateRecord.self, at: path) {
                    try insert(record)
                    touchedJobs.insert(job)
                }
            case .ledgerEntry:
                if let entry = try snapshot.read(LedgerEntry.self, at: path) {
                    try insert(entry)
                }
            case .config, .workerRecord, .other:
                continue
            }
        }
        return touchedJobs
    }
}
