/// One line of a ledger entry: `amount` minor units into `account` (positive)
/// or out of it (negative). An entry's postings always sum to zero.
public struct Posting: Codable, Sendable, Equatable, Hashable {
    public var account: Account
    /// Minor units (paise for INR); never floating point, never zero.
    public var amount: Int64

    public init(account: Account, amount: Int64) {
        self.account = account
        self.amount = amount
    }
}

/// What an entry does. Each kind allows exactly one shape of postings, checked
/// by `LedgerState.apply`; see the rules at the top of `LedgerState.swift`.
public enum EntryKind: String, Codable, Sendable, CaseIterable {
    /// Money enters from `world` into a user's account.
    case credit
    /// A user's money is set aside in a job's escrow when the job is submitted.
    case reserve
    /// A finished job's price leaves escrow: the worker's share and the
    /// platform fee.
    case settle
    /// Whatever is left in a job's escrow goes back to the user who reserved
    /// it.
    case release
    /// A worker's earnings leave the system to `world`.
    case payout
}
