import Foundation

/// The checks behind `LedgerState.apply`, one function per group of rules.
extension LedgerState {
    /// Rules every entry obeys whatever its kind: identity, time, job field,
    /// accounts, and double entry (two or more non-zero postings summing to
    /// zero).
    static func checkForm(_ entry: LedgerEntry) throws(LedgerViolation) {
        let id = entry.id
        guard Account.isValidName(id), !id.contains("/") else {
            throw .malformed(entry: id, reason: "an id is non-empty, without whitespace or '/'")
        }
        guard Account.isValidName(entry.by) else {
            throw .malformed(entry: id, reason: "'by' must name who made the entry")
        }
        guard isUTCTimestamp(entry.at) else {
            throw .malformed(
                entry: id, reason: "'at' must be ISO 8601 UTC like 2026-12-03T14:55:00Z")
        }
        try checkJobField(entry)
        guard entry.postings.count >= 2 else {
            throw .tooFewPostings(entry: id, count: entry.postings.count)
        }

        // Each posting on its own, then the entry as a whole.
        var seen: Set<Account> = []
        var sum: Int64 = 0
        for posting in entry.postings {
            let account = posting.account
            guard account.isWellFormed else {
                throw .malformedAccount(entry: id, account: account)
            }
            guard posting.amount != 0 else { throw .zeroAmount(entry: id, account: account) }
            guard seen.insert(account).inserted else {
                throw .duplicateAccount(entry: id, account: account)
            }
            // Int64.min has no positive twin, so it could not be "needed".
            let (next, overflowed) = sum.addingReportingOverflow(posting.amount)
            guard !overflowed, posting.amount != .min else {
                throw .overflow(entry: id, account: account)
            }
            sum = next
        }
        guard sum == 0 else { throw .unbalanced(entry: id, sum: sum) }
    }

    /// Credits and payouts belong to no job; the once-per-job kinds name theirs
    /// and carry the id derived from it.
    private static func checkJobField(_ entry: LedgerEntry) throws(LedgerViolation) {
        switch entry.kind {
        case .credit, .payout:
            guard entry.job == nil else {
                throw .malformed(entry: entry.id, reason: "a \(entry.kind) names no job")
            }
        case .reserve, .settle, .release:
            guard let job = entry.job, Account.isValidName(job) else {
                throw .malformed(entry: entry.id, reason: "a \(entry.kind) must name its job")
            }
            let expected = LedgerEntry.deterministicID(entry.kind, job: job)
            guard entry.id == expected else {
                throw .malformed(
                    entry: entry.id, reason: "a \(entry.kind) of job \(job) has id \(expected)")
            }
        }
    }

    /// Whole or fractional seconds, but always UTC with a `Z`: no machine's
    /// local zone leaks into the shared record.
    private static func isUTCTimestamp(_ text: String) -> Bool {
        guard text.hasSuffix("Z") else { return false }
        return (try? wholeSeconds.parse(text)) != nil
            || (try? fractionalSeconds.parse(text)) != nil
    }

    private static let wholeSeconds = Date.ISO8601FormatStyle()
    private static let fractionalSeconds = Date.ISO8601FormatStyle(
        includingFractionalSeconds: true)

    /// The one shape each kind allows, and the rules that depend on the state:
    /// the split of a settle, the amount and recipient of a release.
    func checkShape(_ entry: LedgerEntry) throws(LedgerViolation) {
        let postings = entry.postings
        switch entry.kind {
        case .credit:
            try Self.expectTwo(entry, from: .world, to: .user, "money comes from world to a user")
        case .payout:
            try Self.expectTwo(entry, from: .worker, to: .world, "a worker pays out to world")
        case .reserve:
            try Self.expectTwo(entry, from: .user, to: .escrow, "a user pays into escrow")
            try Self.expectOwnEscrow(entry, postings[1].account)
        case .release:
            try Self.expectTwo(entry, from: .escrow, to: .user, "escrow returns to a user")
            try Self.expectOwnEscrow(entry, postings[0].account)
            try checkRelease(entry, of: postings[0], to: postings[1])
        case .settle:
            try checkSettle(entry)
        }
    }

    /// Exactly two postings, the first taking from a `from` account and the
    /// second giving the same amount to a `to` account.
    private static func expectTwo(
        _ entry: LedgerEntry, from: Account.Kind, to: Account.Kind, _ rule: String
    ) throws(LedgerViolation) {
        let postings = entry.postings
        guard postings.count == 2, postings[0].account.kind == from, postings[0].amount < 0,
            postings[1].account.kind == to, postings[1].amount > 0
        else {
            throw .wrongShape(
                entry: entry.id, kind: entry.kind,
                reason: "\(rule) (\(from) -, \(to) +); got \(describe(postings))")
        }
    }

    private static func expectOwnEscrow(
        _ entry: LedgerEntry, _ escrow: Account
    ) throws(LedgerViolation) {
        guard let job = entry.job, escrow == .escrow(job: job) else {
            throw .wrongShape(
                entry: entry.id, kind: entry.kind,
                reason: "it moves \(escrow), not the escrow of its own job")
        }
    }

    /// A release gives back everything left, and only to whoever reserved it.
    private func checkRelease(
        _ entry: LedgerEntry, of escrow: Posting, to recipient: Posting
    ) throws(LedgerViolation) {
        let job = entry.job ?? ""
        let held = balance(escrow.account)
        guard recipient.amount == held else {
            throw .partialRelease(
                entry: entry.id, job: job, escrow: held, released: recipient.amount)
        }
        let reserver = reservation(job: job).map(Account.user)
        guard recipient.account == reserver else {
            throw .wrongReleaseRecipient(
                entry: entry.id, job: job, reservedBy: reserver, to: recipient.account)
        }
    }

    /// Escrow of its own job → a worker's share and the platform fee, divided
    /// exactly by `split`; a side that rounds to zero is absent.
    private func checkSettle(_ entry: LedgerEntry) throws(LedgerViolation) {
        let job = entry.job ?? ""
        let postings = entry.postings
        let payees = postings.dropFirst()
        let payeeKinds = payees.map(\.account.kind)
        guard postings[0].account == .escrow(job: job), postings[0].amount < 0,
            [[.worker], [.platform], [.worker, .platform]].contains(payeeKinds),
            payees.allSatisfy({ $0.amount > 0 })
        else {
            throw .wrongShape(
                entry: entry.id, kind: .settle,
                reason: "its own escrow (-), then one worker (+) and platform (+), "
                    + "in that order; got \(Self.describe(postings))")
        }
        let price = -postings[0].amount
        let worker = payees.first { $0.account.kind == .worker }?.amount ?? 0
        let platform = payees.first { $0.account == .platform }?.amount ?? 0

        // divide multiplies by a percentage; keep it inside 64 bits.
        guard price <= Int64.max / 100 else {
            throw .overflow(entry: entry.id, account: .escrow(job: job))
        }
        let expected = split.divide(price)
        guard worker == expected.worker, platform == expected.platform else {
            throw .wrongSplit(
                entry: entry.id, price: price, worker: expected.worker,
                platform: expected.platform)
        }
    }

    /// `user:alice -500, escrow:j1 500`, for messages about shapes.
    private static func describe(_ postings: [Posting]) -> String {
        postings.map { "\($0.account) \($0.amount)" }.joined(separator: ", ")
    }
}
