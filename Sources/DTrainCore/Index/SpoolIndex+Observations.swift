import Foundation
import SQLiteKit

/// What this clone has seen of other workers' claim refs, by its own clock.
///
/// A lease is judged lapsed when *this* machine has seen a claim ref keep one value for the
/// lease period — never by comparing timestamps written on other machines, whose clocks may
/// differ. The table survives `reindex` (it is not derived from git); losing it only delays a
/// reap by one lease period.
extension SpoolIndex {
    static let observationsSchema = """
        CREATE TABLE IF NOT EXISTS observations(
            job TEXT PRIMARY KEY, value TEXT NOT NULL, first_seen REAL NOT NULL);
        """

    /// Notes that `job`'s claim ref holds `value` now; returns since when it has held it.
    public func observe(claimOf job: String, value: String, now: Date) throws -> Date {
        try database.execute(Self.observationsSchema)
        let rows = try database.rows(
            "SELECT value, first_seen FROM observations WHERE job = ?", [.text(job)])
        if let row = rows.first, row[0].text == value, let seen = row[1].real {
            return Date(timeIntervalSince1970: seen)
        }
        try database.run(
            "INSERT OR REPLACE INTO observations(job, value, first_seen) VALUES (?, ?, ?)",
            [.text(job), .text(value), .real(now.timeIntervalSince1970)])
        return now
    }

    /// Forgets claims that are gone from the remote.
    public func forgetObservations(keeping jobs: Set<String>) throws {
        try database.execute(Self.observationsSchema)
        for row in try database.rows("SELECT job FROM observations", []) {
            guard let job = row[0].text, !jobs.contains(job) else { continue }
            try database.run("DELETE FROM observations WHERE job = ?", [.text(job)])
        }
    }
}
