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

    /// Copies the newest record's state onto the job's row.
    func refreshState(of job: String) throws {
        try database.run(
            """
            UPDATE jobs SET (state, seq, updated_at, note) = (
                SELECT state, seq, at, note FROM records WHERE records.job = jobs.id
                ORDER BY seq DESC LIMIT 1),
              worker = (SELECT worker FROM records WHERE records.job = jobs.id
                AND worker IS NOT NULL ORDER BY seq DESC LIMIT 1)
            WHERE id = ? AND EXISTS (SELECT 1 FROM records WHERE records.job = jobs.id)
            """,
            [.text(job)])
    }
}

extension SQLValue {
    static func optional(_ text: String?) -> SQLValue {
        text.map { .text($0) } ?? .null
    }
}
