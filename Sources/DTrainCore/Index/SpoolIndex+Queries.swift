import Foundation
import SQLiteKit

/// A job as the index lists it.
public struct JobSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var owner: String
    public var state: JobState
    public var price: Int64
    public var score: Int
    public var createdAt: String
    public var updatedAt: String?
    public var worker: String?
    public var note: String?
    public var image: String
    public var cpus: Double
    public var memoryBytes: Int64
    public var gpus: Int
}

/// One line of an account's history.
public struct AccountMovement: Codable, Sendable, Equatable {
    public var entry: String
    public var kind: String
    public var at: String
    public var amount: Int64
    public var job: String?
    public var memo: String?
}

/// Reading: everything `dtrain jobs`, `show` and `wallet` print comes from here.
extension SpoolIndex {
    public func balance(_ account: Account) throws -> Int64 {
        try database.rows(
            "SELECT balance FROM balances WHERE account = ?", [.text(account.description)]
        ).first?[0].int ?? 0
    }

    /// Every account with a balance row, in account order.
    public func balances() throws -> [(account: Account, balance: Int64)] {
        try database.rows("SELECT account, balance FROM balances ORDER BY account", [])
            .compactMap { row in
                guard let name = row[0].text, let account = Account(name),
                    let balance = row[1].int
                else { return nil }
                return (account, balance)
            }
    }

    public func movements(of account: Account) throws -> [AccountMovement] {
        try database.rows(
            """
            SELECT e.id, e.kind, e.at, p.amount, e.job, e.memo FROM postings p
            JOIN entries e ON e.id = p.entry WHERE p.account = ? ORDER BY e.at, e.id
            """, [.text(account.description)]
        ).map { row in
            AccountMovement(
                entry: row[0].text ?? "", kind: row[1].text ?? "", at: row[2].text ?? "",
                amount: row[3].int ?? 0, job: row[4].text, memo: row[5].text)
        }
    }

    public func jobs(state: JobState? = nil, owner: String? = nil) throws -> [JobSummary] {
        var sql = "SELECT \(Self.jobColumns) FROM jobs WHERE 1 = 1"
        var bindings: [SQLValue] = []
        if let state {
            sql += " AND state = ?"
            bindings.append(.text(state.rawValue))
        }
        if let owner {
            sql += " AND owner = ?"
            bindings.append(.text(owner))
        }
        return try database.rows(sql + " ORDER BY id", bindings).compactMap(Self.summary)
    }

    public func job(_ id: String) throws -> JobSummary? {
        try database.rows("SELECT \(Self.jobColumns) FROM jobs WHERE id = ?", [.text(id)])
            .first.flatMap(Self.summary)
    }

    /// Ids that equal `text`, start with it, or end with it (the random part is what people
    /// copy), so `dtrain show k3f9x2` works.
    ///
    /// Compared as plain text, never as a `LIKE` pattern: an empty reference (an unset
    /// `$JOB` in a script) or `%` must match nothing, not every job. Ids are lower case,
    /// so the text is lowered to keep `K3F9X2` working.
    public func jobIDs(matching text: String) throws -> [String] {
        guard !text.isEmpty else { return [] }
        return try database.rows(
            """
            SELECT id FROM jobs WHERE substr(id, 1, length(?1)) = ?1
                OR substr(id, -length(?1)) = ?1 ORDER BY id LIMIT 20
            """,
            [.text(text.lowercased())]
        ).compactMap { $0[0].text }
    }

    static let jobColumns = """
        id, name, owner, state, price, score, created_at, updated_at, worker, note, image, \
        cpus, memory, gpus
        """

    static func summary(_ row: [SQLValue]) -> JobSummary? {
        guard let id = row[0].text, let state = row[3].text.flatMap(JobState.init(rawValue:))
        else { return nil }
        return JobSummary(
            id: id, name: row[1].text ?? "", owner: row[2].text ?? "", state: state,
            price: row[4].int ?? 0, score: Int(row[5].int ?? 0), createdAt: row[6].text ?? "",
            updatedAt: row[7].text, worker: row[8].text, note: row[9].text,
            image: row[10].text ?? "", cpus: row[11].real ?? 0, memoryBytes: row[12].int ?? 0,
            gpus: Int(row[13].int ?? 0))
    }
}
