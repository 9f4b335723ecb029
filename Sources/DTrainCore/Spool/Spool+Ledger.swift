import Foundation
import GitKit
import SQLiteKit

extension Spool {
    /// An admin puts money into a user's account from the outside world.
    @discardableResult
    public func credit(user: String, amount: Int64, memo: String?, actor: String) throws
        -> LedgerEntry
    {
        try Actor.check(user)
        guard amount > 0 else { throw SpoolError.invalidAmount(String(amount)) }
        let entry = LedgerEntry.credit(
            user: user, amount: amount, by: actor, memo: memo, at: Timestamp.iso(),
            id: "credit-" + Identifier.make())
        try writeEntry(entry, actor: actor, message: "Credit \(user)") { snapshot in
            guard try snapshot.config().admins.contains(actor) else {
                throw SpoolError.notPermitted(
                    "only an admin may credit accounts; \(actor) is not one")
            }
        }
        return entry
    }

    /// A worker takes earned money out of the spool.
    @discardableResult
    public func payout(amount: Int64, memo: String?, actor: String) throws -> LedgerEntry {
        guard amount > 0 else { throw SpoolError.invalidAmount(String(amount)) }
        let entry = LedgerEntry.payout(
            worker: actor, amount: amount, by: actor, memo: memo, at: Timestamp.iso(),
            id: "payout-" + Identifier.make())
        try writeEntry(entry, actor: actor, message: "Payout to worker \(actor)") { _ in }
        return entry
    }

    private func writeEntry(
        _ entry: LedgerEntry, actor: String, message: String,
        authorise: (SpoolSnapshot) throws -> Void
    ) throws {
        let config = try snapshot().config()
        let total = entry.postings.filter { $0.amount > 0 }.reduce(0) { $0 + $1.amount }
        try write(actor: actor, message: message + " " + config.currency.format(total)) {
            snapshot in
            try authorise(snapshot)
            try checkLedger([entry], at: snapshot)
            return [try record(entry, at: SpoolLayout.ledgerPath(entry: entry.id))]
        }
    }

    /// The local index, brought up to date with `snapshot` before it answers.
    public func index(at snapshot: SpoolSnapshot) throws -> SpoolIndex {
        do {
            let index = try openIndex()
            try index.sync(to: snapshot)
            return index
        } catch let error as SQLiteError where error.isDamagedFile {
            // The index is a cache of git: a damaged file is thrown away and built again,
            // never a reason for a command (or a cron worker) to stop for good.
            try discardIndex()
            let index = try openIndex()
            try index.sync(to: snapshot)
            return index
        }
    }

    /// The index at the tip of `main`.
    public func index() throws -> SpoolIndex {
        try index(at: snapshot())
    }

    public func ledgerBalance(_ account: Account, at snapshot: SpoolSnapshot) throws -> Int64 {
        try index(at: snapshot).balance(account)
    }

    /// Applies `entries` to the balances as of `snapshot` and throws the first rule they break,
    /// so nothing that would break a ledger invariant is ever committed.
    func checkLedger(
        _ entries: [LedgerEntry], at snapshot: SpoolSnapshot,
        reservations: [String: String] = [:]
    ) throws {
        let index = try index(at: snapshot)
        var accounts = Set<Account>()
        for entry in entries {
            if try snapshot.ledgerEntry(entry.id) != nil {
                throw SpoolError.stateConflict("ledger entry \(entry.id) is already recorded")
            }
            accounts.formUnion(entry.postings.map(\.account))
        }
        let balances = try Dictionary(
            uniqueKeysWithValues: accounts.map { ($0, try index.balance($0)) })
        var state = LedgerState(
            balances: balances, reservations: reservations, split: try snapshot.config().split)
        let currency = try snapshot.config().currency
        for entry in entries {
            do {
                try state.apply(entry)
            } catch {
                guard case .insufficientFunds(_, let account, let balance, let needed) = error
                else { throw error }
                throw SpoolError.insufficientFunds(
                    account: account.description, balance: currency.format(balance),
                    needed: currency.format(needed), entry: entry.id)
            }
        }
    }
}
