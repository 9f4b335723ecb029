@testable import DTrainCore

/// The random operations and what the naive model expects of each.
extension LedgerPropertyTests {
    typealias Operation = (label: String, entry: LedgerEntry, expected: Expectation)

    static func nextOperation(
        step: Int, model: Model, split: SpoolConfig.Split,
        using random: inout SeededGenerator
    ) -> Operation {
        let user = users.randomElement(using: &random) ?? "alice"
        let worker = workers.randomElement(using: &random) ?? "gpu-01"
        let open = model.open
        let settledNotReleased = model.settledWithRemainder

        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12:
            let amount = Int64.random(in: 1...40_000, using: &random)
            let entry = LedgerEntry.credit(
                user: user, amount: amount, by: "admin", at: at, id: "credit-\(step)")
            return ("credit", entry, .accepted)
        case 12..<35:
            return reserve(step: step, user: user, model: model, using: &random)
        case 35..<55 where !open.isEmpty:
            let job = open.randomElement(using: &random) ?? ""
            return settle(job: job, worker: worker, model: model, split: split, using: &random)
        case 55..<70 where !open.isEmpty || !settledNotReleased.isEmpty:
            let job = (open + settledNotReleased).randomElement(using: &random) ?? ""
            return release(job: job, model: model, using: &random)
        case 70..<85:
            let held = model.balance(.worker(worker))
            let amount = Int64.random(in: 1...(held + 2_000), using: &random)
            let entry = LedgerEntry.payout(
                worker: worker, amount: amount, by: "admin", at: at, id: "payout-\(step)")
            guard amount > held else { return ("payout", entry, .accepted) }
            return (
                "payout", entry,
                .refused(
                    .insufficientFunds(
                        entry: entry.id, account: .worker(worker), balance: held, needed: amount))
            )
        case 85..<93 where !model.accepted.isEmpty:
            let entry = model.accepted.randomElement(using: &random) ?? model.accepted[0]
            return ("replay", entry, .replayed)
        case 93..<100 where !model.accepted.isEmpty:
            var entry = model.accepted.randomElement(using: &random) ?? model.accepted[0]
            entry.memo = "changed at step \(step)"
            return ("conflict", entry, .refused(.conflictingReplay(entry: entry.id)))
        default:
            return reserve(step: step, user: user, model: model, using: &random)
        }
    }

    static func reserve(
        step: Int, user: String, model: Model, using random: inout SeededGenerator
    ) -> Operation {
        let held = model.balance(.user(user))
        let price = Int64.random(in: 1...20_000, using: &random)
        let entry = LedgerEntry.reserve(
            job: "job-\(step)", user: user, price: price, by: user, at: at)
        guard price > held else { return ("reserve", entry, .accepted) }
        return (
            "reserve", entry,
            .refused(
                .insufficientFunds(
                    entry: entry.id, account: .user(user), balance: held, needed: price))
        )
    }

    /// A fair settle up to the escrow, one beyond it, or one with a skewed
    /// split.
    static func settle(
        job: String, worker: String, model: Model, split: SpoolConfig.Split,
        using random: inout SeededGenerator
    ) -> Operation {
        let escrow = model.balance(.escrow(job: job))
        let price = Int64.random(in: 1...(escrow + escrow / 5 + 1), using: &random)
        var entry = LedgerEntry.settle(
            job: job, worker: worker, price: price, split: split, by: worker, at: at)
        let share = price * Int64(split.workerPercent) / 100
        if price > escrow {
            return (
                "settle", entry,
                .refused(
                    .negativeBalance(
                        entry: entry.id, account: .escrow(job: job), balance: escrow - price))
            )
        }
        let fee = price - share
        guard share > 0, fee > 1, Bool.random(using: &random) else {
            return ("settle", entry, .accepted)
        }
        entry.postings[1].amount += 1
        entry.postings[2].amount -= 1
        return (
            "settle", entry,
            .refused(.wrongSplit(entry: entry.id, price: price, worker: share, platform: fee))
        )
    }

    /// The whole escrow back to its owner, or a wrong amount, or a wrong user.
    static func release(
        job: String, model: Model, using random: inout SeededGenerator
    ) -> Operation {
        let escrow = model.balance(.escrow(job: job))
        let owner = model.reserver[job] ?? ""
        let id = "release-\(job)"
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            let amount = escrow + 1
            let entry = LedgerEntry.release(
                job: job, user: owner, amount: amount, by: owner, at: at)
            return (
                "release", entry,
                .refused(.partialRelease(entry: id, job: job, escrow: escrow, released: amount))
            )
        case 1 where escrow > 0:
            let stranger = users.first { $0 != owner } ?? "nobody"
            let entry = LedgerEntry.release(
                job: job, user: stranger, amount: escrow, by: owner, at: at)
            return (
                "release", entry,
                .refused(
                    .wrongReleaseRecipient(
                        entry: id, job: job, reservedBy: .user(owner), to: .user(stranger)))
            )
        default:
            let entry = LedgerEntry.release(
                job: job, user: owner, amount: escrow, by: owner, at: at)
            guard escrow == 0 else { return ("release", entry, .accepted) }
            // A fully settled job has nothing left: a release of 0 is no entry
            // at all.
            return ("release", entry, .refused(.zeroAmount(entry: id, account: .escrow(job: job))))
        }
    }
}
