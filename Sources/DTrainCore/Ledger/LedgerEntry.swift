import Foundation

/// One immutable ledger record, committed to the spool as canonical JSON.
///
/// Build entries with the static builders rather than by hand: they produce the
/// only posting shapes `LedgerState.apply` accepts, and the deterministic ids
/// (`reserve-<job>`, `settle-<job>`, `release-<job>`) that make the
/// once-per-job entries safe to write twice.
public struct LedgerEntry: Codable, Sendable, Equatable, Hashable {
    /// Unique across the ledger; replaying an id is a no-op, reusing it is an
    /// error.
    public var id: String
    public var kind: EntryKind
    /// When the entry was made, ISO 8601 in UTC (`2026-12-03T14:55:00Z`).
    public var at: String
    /// Who made the entry: the submitting user, the worker, or the admin.
    public var by: String
    /// The job a reserve, settle or release is about; nil for credits and
    /// payouts.
    public var job: String?
    /// Free text for people (a receipt number, a reason); never interpreted.
    public var memo: String?
    public var postings: [Posting]

    public init(
        id: String, kind: EntryKind, at: String, by: String, job: String? = nil,
        memo: String? = nil, postings: [Posting]
    ) {
        self.id = id
        self.kind = kind
        self.at = at
        self.by = by
        self.job = job
        self.memo = memo
        self.postings = postings
    }

    /// The ISO 8601 UTC form entries use for `at`, to whole seconds.
    public static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// A fresh id for entries that may happen any number of times (credits,
    /// payouts), where the caller has no natural id of its own.
    public static func uniqueID(_ kind: EntryKind) -> String {
        "\(kind.rawValue)-\(UUID().uuidString.lowercased())"
    }

    /// The id every reserve, settle and release of `job` must have.
    public static func deterministicID(_ kind: EntryKind, job: String) -> String {
        "\(kind.rawValue)-\(job)"
    }
}

// MARK: - Builders

extension LedgerEntry {
    /// Money comes in from outside: `world` → the user.
    public static func credit(
        user: String, amount: Int64, by: String, memo: String? = nil,
        at: String = timestamp(), id: String = uniqueID(.credit)
    ) -> LedgerEntry {
        LedgerEntry(
            id: id, kind: .credit, at: at, by: by, memo: memo,
            postings: [
                Posting(account: .world, amount: -amount),
                Posting(account: .user(user), amount: amount),
            ])
    }

    /// A submitted job's price is set aside: the user → the job's escrow.
    public static func reserve(
        job: String, user: String, price: Int64, by: String, at: String = timestamp()
    ) -> LedgerEntry {
        LedgerEntry(
            id: deterministicID(.reserve, job: job), kind: .reserve, at: at, by: by, job: job,
            postings: [
                Posting(account: .user(user), amount: -price),
                Posting(account: .escrow(job: job), amount: price),
            ])
    }

    /// A finished job is paid: escrow → the worker's share and the platform
    /// fee, divided by `split` (worker rounded down, platform gets the
    /// remainder).
    ///
    /// A side that comes to zero (a price of 1 gives the worker 0 at 80 %) is
    /// left out, because a zero posting is not allowed.
    public static func settle(
        job: String, worker: String, price: Int64, split: SpoolConfig.Split, by: String,
        at: String = timestamp()
    ) -> LedgerEntry {
        let (workerShare, platformFee) = split.divide(price)
        let postings = [
            Posting(account: .escrow(job: job), amount: -price),
            Posting(account: .worker(worker), amount: workerShare),
            Posting(account: .platform, amount: platformFee),
        ]
        return LedgerEntry(
            id: deterministicID(.settle, job: job), kind: .settle, at: at, by: by, job: job,
            postings: postings.filter { $0.amount != 0 })
    }

    /// What is left in a job's escrow goes back: escrow → the user.
    ///
    /// `amount` must be the whole escrow balance at that point; nothing stays
    /// behind.
    public static func release(
        job: String, user: String, amount: Int64, by: String, at: String = timestamp()
    ) -> LedgerEntry {
        LedgerEntry(
            id: deterministicID(.release, job: job), kind: .release, at: at, by: by, job: job,
            postings: [
                Posting(account: .escrow(job: job), amount: -amount),
                Posting(account: .user(user), amount: amount),
            ])
    }

    /// A worker's earnings leave the system: the worker → `world`.
    public static func payout(
        worker: String, amount: Int64, by: String, memo: String? = nil,
        at: String = timestamp(), id: String = uniqueID(.payout)
    ) -> LedgerEntry {
        LedgerEntry(
            id: id, kind: .payout, at: at, by: by, memo: memo,
            postings: [
                Posting(account: .worker(worker), amount: -amount),
                Posting(account: .world, amount: amount),
            ])
    }
}
