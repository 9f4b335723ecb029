/// Why `LedgerState.apply` refused an entry. Every case names the entry id, and
/// the account where there is one, so the message points at the record to fix.
public enum LedgerViolation: DTrainError, Equatable {
    /// The entry id was seen before with different content.
    case conflictingReplay(entry: String)
    /// An empty id or `by`, a timestamp that is not ISO 8601 UTC, a job where
    /// none belongs (or none where one must be), or an id that should be
    /// deterministic.
    case malformed(entry: String, reason: String)
    /// An account whose name is empty or holds whitespace or control
    /// characters.
    case malformedAccount(entry: String, account: Account)
    /// Fewer than two postings: money has to come from somewhere and go
    /// somewhere.
    case tooFewPostings(entry: String, count: Int)
    /// A posting of zero, which moves nothing and only hides mistakes.
    case zeroAmount(entry: String, account: Account)
    /// The same account twice in one entry; the shapes never need that.
    case duplicateAccount(entry: String, account: Account)
    /// The postings do not sum to zero: money would be created or destroyed.
    case unbalanced(entry: String, sum: Int64)
    /// Amounts or balances too large for 64 bits; only a hostile entry gets
    /// here.
    case overflow(entry: String, account: Account)
    /// The postings do not have the one shape this kind of entry allows.
    case wrongShape(entry: String, kind: EntryKind, reason: String)
    /// A settlement whose worker share and platform fee are not the spool's
    /// split.
    case wrongSplit(entry: String, price: Int64, worker: Int64, platform: Int64)
    /// A release that does not return exactly what is left in the escrow.
    case partialRelease(entry: String, job: String, escrow: Int64, released: Int64)
    /// A release to someone other than the user who reserved the job.
    case wrongReleaseRecipient(entry: String, job: String, reservedBy: Account?, to: Account)
    /// A user or worker spending more than they hold.
    case insufficientFunds(entry: String, account: Account, balance: Int64, needed: Int64)
    /// Any other account going below zero (an escrow paying out more than it
    /// holds); this is a broken or hostile entry, not a person short of money.
    case negativeBalance(entry: String, account: Account, balance: Int64)

    public var exitStatus: ExitStatus {
        switch self {
        case .insufficientFunds: .insufficientFunds
        case .conflictingReplay: .conflict
        default: .rejected
        }
    }

    public var description: String {
        switch self {
        case .conflictingReplay(let entry):
            "ledger entry \(entry) already exists with different content; "
                + "an entry id is written once and never changed"
        case .malformed(let entry, let reason):
            "ledger entry \(entry.debugDescription) is malformed: \(reason)"
        case .malformedAccount(let entry, let account):
            "ledger entry \(entry) names account \(account.description.debugDescription), "
                + "whose name is empty or holds whitespace or control characters"
        case .tooFewPostings(let entry, let count):
            "ledger entry \(entry) has \(count) posting(s); at least two are needed"
        case .zeroAmount(let entry, let account):
            "ledger entry \(entry) posts zero to \(account); leave the posting out"
        case .duplicateAccount(let entry, let account):
            "ledger entry \(entry) posts to \(account) more than once"
        case .unbalanced(let entry, let sum):
            "ledger entry \(entry) does not balance: its postings sum to \(sum), not 0"
        case .overflow(let entry, let account):
            "ledger entry \(entry) overflows 64-bit amounts at \(account)"
        case .wrongShape(let entry, let kind, let reason):
            "ledger entry \(entry) is not a valid \(kind.rawValue): \(reason)"
        case .wrongSplit(let entry, let price, let worker, let platform):
            "ledger entry \(entry) settles \(price) but should pay the worker \(worker) "
                + "and the platform \(platform) under the spool's split"
        case .partialRelease(let entry, let job, let escrow, let released):
            "ledger entry \(entry) releases \(released) but \(Account.escrow(job: job)) "
                + "holds \(escrow); a release returns the whole escrow"
        case .wrongReleaseRecipient(let entry, let job, let reservedBy, let to):
            "ledger entry \(entry) releases job \(job)'s escrow to \(to), but it was "
                + "reserved by \(reservedBy?.description ?? "nobody")"
        case .insufficientFunds(let entry, let account, let balance, let needed):
            "insufficient funds in \(account) for ledger entry \(entry): it holds "
                + "\(balance) and \(needed) is needed (amounts in minor units)"
        case .negativeBalance(let entry, let account, let balance):
            "ledger entry \(entry) would leave \(account) at \(balance); "
                + "only world may go below zero"
        }
    }
}
