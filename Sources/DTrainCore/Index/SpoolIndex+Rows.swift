import Foundation
import SQLiteKit

/// Writing rows: one helper per kind of committed file.
extension SpoolIndex {
    func upsert(_ manifest: JobManifest) throws {
        try database.run(
            """
            INSERT INTO jobs(id, name, owner, created_at, main, image, timeout, cpus, memory, gpus)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, owner = excluded.owner,
                created_at = excluded.created_at, main = excluded.main, image = excluded.image,
                timeout = excluded.timeout, cpus = excluded.cpus, memory = excluded.memory,
                gpus = excluded.gpus
            """,
            [
                .text(manifest.id), .text(manifest.name), .text(manifest.owner),
                .text(manifest.createdAt), .text(manifest.main), .text(manifest.image),
                .int(Int64(manifest.timeoutSeconds)), .real(manifest.resources.cpus),
                .int(manifest.resources.memoryBytes), .int(Int64(manifest.resources.gpus)),
            ])
    }

    func insert(_ record: StateRecord) throws {
        try database.run(
            """
            INSERT OR REPLACE INTO records(job, seq, state, at, by, note, worker, entry)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.job), .int(Int64(record.seq)), .text(record.state.rawValue),
                .text(record.at), .text(record.by), .optional(record.note),
                .optional(record.worker), .optional(record.entry),
            ])
    }

    /// Inserts an entry and moves the balances it touches; a known id changes nothing.
    func insert(_ entry: LedgerEntry) throws {
        let known = try database.rows("SELECT 1 FROM entries WHERE id = ?", [.text(entry.id)])
        guard known.isEmpty else { return }
        try database.run(
            "INSERT INTO entries(id, kind, job, at, by, memo) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(entry.id), .text(entry.kind.rawValue), .optional(entry.job),
                .text(entry.at), .text(entry.by), .optional(entry.memo),
            ])
        for posting in entry.postings {
            let account = SQLValue.text(posting.account.description)
            try database.run(
                "INSERT INTO postings(entry, account, amount) VALUES (?, ?, ?)",
                [.text(entry.id), account, .int(posting.amount)])
            try database.run(
                """
                INSERT INTO balances(account, balance) VALUES (?, ?)
                ON CONFLICT(account) DO UPDATE SET balance = balance + excluded.balance
                """,
                [account, .int(posting.amount)])
        }
    }

    /// Copies the newest record's state onto the job's row (a draft with no records left,
    /// when a move took them all out).
    func refreshState(of job: String) throws {
        try database.run(
            """
            UPDATE jobs SET
              state = COALESCE((SELECT state FROM records WHERE records.job = jobs.id
                ORDER BY seq DESC LIMIT 1), 'draft'),
              seq = COALESCE((SELECT seq FROM records WHERE records.job = jobs.id
                ORDER BY seq DESC LIMIT 1), 0),
              updated_at = (SELECT at FROM records WHERE records.job = jobs.id
                ORDER BY seq DESC LIMIT 1),
              note = (SELECT note FROM records WHERE records.job = jobs.id
                ORDER BY seq DESC LIMIT 1),
              worker = (SELECT worker FROM records WHERE records.job = jobs.id
                AND worker IS NOT NULL ORDER BY seq DESC LIMIT 1)
            WHERE id = ?
            """,
            [.text(job)])
    }
}

extension SQLValue {
    static func optional(_ text: String?) -> SQLValue {
        text.map { .text($0) } ?? .null
    }
}

/// Taking rows out again, for a move to a tree that lacks some files.
extension SpoolIndex {
    /// Takes out the files of `paths` that `base` has; returns the jobs touched.
    func remove(paths: [String], _ base: SpoolSnapshot) throws -> Set<String> {
        var touched = Set<String>()
        for path in paths where try base.exists(path) {
            switch SpoolLayout.classify(path) {
            case .manifest(let job):
                try database.run("DELETE FROM jobs WHERE id = ?", [.text(job)])
            case .quote(let job):
                try database.run(
                    "UPDATE jobs SET price = 0, score = 0 WHERE id = ?", [.text(job)])
            case .state(let job, let file):
                // The sequence number is in the name; no need to read the old record.
                guard let seq = file.split(separator: "-").first.flatMap({ Int($0) }) else {
                    continue
                }
                try database.run(
                    "DELETE FROM records WHERE job = ? AND seq = ?", [.text(job), .int(Int64(seq))])
                touched.insert(job)
            case .ledgerEntry(let id):
                try removeEntry(id)
            case .config, .workerRecord, .other:
                continue
            }
        }
        return touched
    }

    /// Takes an entry out and moves its postings back off the balances.
    func removeEntry(_ id: String) throws {
        for row in try database.rows(
            "SELECT account, amount FROM postings WHERE entry = ?", [.text(id)])
        {
            try database.run(
                "UPDATE balances SET balance = balance - ? WHERE account = ?", [row[1], row[0]])
        }
        try database.run("DELETE FROM postings WHERE entry = ?", [.text(id)])
        try database.run("DELETE FROM entries WHERE id = ?", [.text(id)])
    }
}
