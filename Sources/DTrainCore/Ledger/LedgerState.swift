/// The balances of every account, rebuilt by replaying ledger entries in order.
///
/// # Ledger rules
///
/// **Money.** Amounts are `Int64` minor units of the spool's currency (paise
/// for INR). Nothing is ever floating point, so every replay on every machine
/// gets the same balances to the last paisa.
///
/// **Double entry.** An entry is a list of postings, each adding to (positive)
/// or taking from (negative) one account. An entry has at least two postings,
/// none of them zero, no account twice, and they sum to exactly zero. Money is
/// only ever moved, so the sum of all balances is always zero.
///
/// **Accounts.**
/// - `user:<name>`: a submitter's money, spent on reservations.
/// - `worker:<name>`: a worker's earnings, taken out by payouts.
/// - `escrow:<job>`: one job's price, held from submission to the end.
/// - `platform`: the platform's fees.
/// - `world`: outside dtrain. Credits come from it and payouts go to it, so it
///   is the only account that may go below zero (minus the money inside).
///
/// Every other account stays at or above zero. A user or worker who would go
/// below zero gets `insufficientFunds` (exit status 5, their own problem); any
/// other account doing so is a broken entry (`negativeBalance`).
///
/// **Entry kinds**, each with exactly one shape:
/// - `credit`: `world` → `user:x`. Admin tops up an account. Any id.
/// - `reserve`: `user:x` → `escrow:<job>` of the entry's own job. Id
///   `reserve-<job>`. Made when a job is published, for its quoted price.
/// - `settle`: `escrow:<job>` → `worker:w` + `platform`. Id `settle-<job>`. The
///   price may be less than the escrow (it depends on the final score) but not
///   more. The split is exact (see below).
/// - `release`: `escrow:<job>` → the `user:x` who made the reservation. Id
///   `release-<job>`. Returns the whole remaining escrow, after a settle or
///   instead of one (a failed or cancelled job). Not written when escrow is 0.
/// - `payout`: `worker:w` → `world`. A worker takes earnings out. Any id.
///
/// **Rounding.** A settled price `p` under a split of `w` percent gives the
/// worker `p * w / 100` rounded down to the minor unit, and the platform the
/// remainder `p - worker`. So no minor unit is ever lost or invented, and
/// rounding always favours the platform by less than one minor unit. A side
/// that comes to zero is left out of the entry (no zero postings).
///
/// **Ids and replays.** Entries live as files in a git spool that many machines
/// write offline and merge. A reserve, settle or release must happen at most
/// once per job, so its id is derived from the job: two machines (or one
/// machine retrying after a crash) that write the same fact produce the same
/// id, and git or `apply` sees one entry, never a double charge. Replaying an
/// id with identical content is a no-op; the same id with different content is
/// a conflict (exit status 6) that the spool layer must resolve, e.g. two
/// workers settling one job after a lost claim race.
///
/// **Not checked here.** Who may write which entry (only admins credit, only
/// the claiming worker settles) and whether a finished job's escrow is empty
/// need the spool's users and job states; the spool layer checks them, using
/// `balance(.escrow(job:))` and `reservation(job:)`.
public struct LedgerState: Sendable {
    /// The split the next settlement is checked against. When replaying
    /// history past a change of spool.json, set it to the split in force at
    /// each point.
    ///
    /// FIXME: settle entries do not record their split, so a replay that
    /// forgets an old split refuses that era's settlements (`wrongSplit`).
    /// Bites the first time an admin edits the split; record it in the entry.
    public var split: SpoolConfig.Split
    /// Non-zero balances only; an account at zero is simply absent.
    private var nonZero: [Account: Int64] = [:]
    private var applied: [String: LedgerEntry] = [:]
    /// The user who reserved each job, so its release can go nowhere else.
    private var reservers: [String: String] = [:]

    public init(split: SpoolConfig.Split = SpoolConfig.standard.split) {
        self.split = split
    }

    /// A state seeded with known balances instead of a replay, so the spool can check a new
    /// entry against its index without reading the whole history. `reservations` maps each
    /// job the new entries touch to the user who reserved it.
    public init(
        balances: [Account: Int64], reservations: [String: String],
        split: SpoolConfig.Split = SpoolConfig.standard.split
    ) {
        self.init(split: split)
        nonZero = balances.filter { $0.value != 0 }
        reservers = reservations
    }

    /// Replays `entries` in order into an empty state.
    public init(
        replaying entries: some Sequence<LedgerEntry>,
        split: SpoolConfig.Split = SpoolConfig.standard.split
    ) throws(LedgerViolation) {
        self.init(split: split)
        for entry in entries {
            try apply(entry)
        }
    }

    /// The balance of one account; zero for an account never used.
    public func balance(_ account: Account) -> Int64 {
        nonZero[account] ?? 0
    }

    /// Every account whose balance is not zero.
    public var balances: [Account: Int64] { nonZero }

    /// The sum of all balances. Always zero; exposed so callers and tests can
    /// see it.
    public var total: Int64 {
        // Wrapping addition is exact here: partial sums may leave Int64, but
        // the true total (zero) fits, and arithmetic modulo 2^64 lands on it.
        nonZero.values.reduce(0) { $0 &+ $1 }
    }

    public func contains(entryID: String) -> Bool {
        applied[entryID] != nil
    }

    /// The applied entry with this id, to show or compare.
    public func entry(id: String) -> LedgerEntry? {
        applied[id]
    }

    /// How many distinct entries have been applied.
    public var entryCount: Int { applied.count }

    /// The user who reserved `job`, if it was reserved.
    public func reservation(job: String) -> String? {
        reservers[job]
    }

    /// Validates `entry` against the rules above, then applies it.
    ///
    /// Returns false, changing nothing, when an identical entry was applied
    /// before. Throws, changing nothing, for any violation.
    @discardableResult
    public mutating func apply(_ entry: LedgerEntry) throws(LedgerViolation) -> Bool {
        if let earlier = applied[entry.id] {
            guard earlier == entry else { throw .conflictingReplay(entry: entry.id) }
            return false
        }

        // Rules about the entry alone, then rules that depend on balances.
        try Self.checkForm(entry)
        try checkShape(entry)
        let updated = try balancesAfter(entry)

        // Nothing has thrown: commit every change at once.
        for (account, balance) in updated {
            nonZero[account] = balance == 0 ? nil : balance
        }
        applied[entry.id] = entry
        if entry.kind == .reserve, let job = entry.job,
            let user = entry.postings.first(where: { $0.account.kind == .user })
        {
            reservers[job] = user.account.name
        }
        return true
    }

    /// The new balance of every account `entry` touches, or the reason one of
    /// them may not take it.
    private func balancesAfter(_ entry: LedgerEntry) throws(LedgerViolation) -> [Account: Int64] {
        var updated: [Account: Int64] = [:]
        for posting in entry.postings {
            let account = posting.account
            let before = balance(account)
            let (after, overflowed) = before.addingReportingOverflow(posting.amount)
            guard !overflowed else { throw .overflow(entry: entry.id, account: account) }
            if after < 0 && account != .world {
                if account.belongsToPerson {
                    throw .insufficientFunds(
                        entry: entry.id, account: account, balance: before,
                        needed: -posting.amount)
                }
                throw .negativeBalance(entry: entry.id, account: account, balance: after)
            }
            updated[account] = after
        }
        return updated
    }
}
