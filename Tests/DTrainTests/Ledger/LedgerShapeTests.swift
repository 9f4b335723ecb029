import Testing

@testable import DTrainCore

/// The kind-specific rules and the balance rules, each broken on purpose.
@Suite("Ledger shapes and balances")
struct LedgerShapeTests {
    typealias Rules = LedgerRulesTests
    static let at = Rules.at

    static func shapeKind(_ violation: LedgerViolation?) -> EntryKind? {
        guard case .wrongShape(_, let kind, _)? = violation else { return nil }
        return kind
    }

    @Test("each kind accepts only its own direction and accounts")
    func shapes() throws {
        let state = try Rules.funded()
        let wrong: [LedgerEntry] = [
            // credit: only world → user
            Rules.entry(.credit, [(.user("alice"), -5), (.world, 5)]),
            Rules.entry(.credit, [(.world, -5), (.worker("w"), 5)]),
            Rules.entry(.credit, [(.world, -5), (.user("a"), 3), (.user("b"), 2)]),
            // payout: only worker → world
            Rules.entry(.payout, [(.user("alice"), -5), (.world, 5)]),
            Rules.entry(.payout, [(.world, -5), (.worker("w"), 5)]),
            // reserve: only user → escrow of its own job
            Rules.entry(
                .reserve, id: "reserve-j2", job: "j2",
                [(.user("alice"), -5), (.escrow(job: "j1"), 5)]),
            Rules.entry(
                .reserve, id: "reserve-j2", job: "j2", [(.user("alice"), -5), (.platform, 5)]),
            Rules.entry(
                .reserve, id: "reserve-j2", job: "j2",
                [(.escrow(job: "j2"), 5), (.user("alice"), -5)]),
            // release: only escrow of its own job → user
            Rules.entry(
                .release, id: "release-j2", job: "j2",
                [(.escrow(job: "j1"), -4_000), (.user("alice"), 4_000)]),
            Rules.entry(
                .release, id: "release-j1", job: "j1",
                [(.escrow(job: "j1"), -4_000), (.worker("alice"), 4_000)]),
            // settle: own escrow → one worker + platform
            Rules.entry(
                .settle, id: "settle-j1", job: "j1",
                [(.escrow(job: "j1"), -100), (.user("alice"), 100)]),
            Rules.entry(
                .settle, id: "settle-j1", job: "j1",
                [
                    (.escrow(job: "j1"), -100), (.worker("a"), 40), (.worker("b"), 40),
                    (.platform, 20),
                ]),
            Rules.entry(
                .settle, id: "settle-j1", job: "j1", [(.worker("w"), -100), (.platform, 100)]),
            Rules.entry(
                .settle, id: "settle-j1", job: "j1",
                [(.escrow(job: "j1"), -100), (.platform, 20), (.worker("w"), 80)]),
            Rules.entry(
                .settle, id: "settle-j1", job: "j1",
                [(.escrow(job: "j1"), -100), (.worker("w"), 120), (.platform, -20)]),
            Rules.entry(
                .settle, id: "settle-j1", job: "j1",
                [(.escrow(job: "j9"), -100), (.worker("w"), 80), (.platform, 20)]),
        ]
        for entry in wrong {
            let violation = Rules.violation(entry, in: state)
            #expect(Self.shapeKind(violation) == entry.kind, "\(entry.postings)")
            #expect(violation?.exitStatus == .rejected)
        }
    }

    @Test("a settle must follow the spool's split exactly")
    func split() throws {
        let state = try Rules.funded()
        let greedy = Rules.entry(
            .settle, id: "settle-j1", job: "j1",
            [(.escrow(job: "j1"), -1_000), (.worker("w"), 1_000)])
        #expect(
            Rules.violation(greedy, in: state)
                == .wrongSplit(entry: "settle-j1", price: 1_000, worker: 800, platform: 200))
        let roundedUp = Rules.entry(
            .settle, id: "settle-j1", job: "j1",
            [(.escrow(job: "j1"), -999), (.worker("w"), 800), (.platform, 199)])
        #expect(
            Rules.violation(roundedUp, in: state)
                == .wrongSplit(entry: "settle-j1", price: 999, worker: 799, platform: 200))

        // The same entry is right under the split it was made for.
        var custom = LedgerState(split: .init(workerPercent: 70, platformPercent: 30))
        try custom.apply(.credit(user: "u", amount: 1_000, by: "admin", at: Self.at, id: "c"))
        try custom.apply(.reserve(job: "j", user: "u", price: 1_000, by: "u", at: Self.at))
        let standard = LedgerEntry.settle(
            job: "j", worker: "w", price: 1_000, split: SpoolConfig.standard.split, by: "w",
            at: Self.at)
        #expect(
            Rules.violation(standard, in: custom)
                == .wrongSplit(entry: "settle-j", price: 1_000, worker: 700, platform: 300))
    }

    @Test("a replay follows the split in force at each point of history")
    func splitChange() throws {
        var state = try Rules.funded()
        try state.apply(.reserve(job: "j2", user: "alice", price: 1_000, by: "alice", at: Self.at))
        let before = SpoolConfig.Split(workerPercent: 80, platformPercent: 20)
        let after = SpoolConfig.Split(workerPercent: 75, platformPercent: 25)
        try state.apply(
            .settle(job: "j1", worker: "w", price: 1_000, split: before, by: "w", at: Self.at))
        state.split = after
        let old = LedgerEntry.settle(
            job: "j2", worker: "w", price: 1_000, split: before, by: "w", at: Self.at)
        #expect(
            Rules.violation(old, in: state)
                == .wrongSplit(entry: "settle-j2", price: 1_000, worker: 750, platform: 250))
        try state.apply(
            .settle(job: "j2", worker: "w", price: 1_000, split: after, by: "w", at: Self.at))
        #expect(state.balance(.worker("w")) == 800 + 750)
        #expect(state.balance(.platform) == 200 + 250)
    }

    @Test("a settle cannot take more than the escrow holds, nor an unreserved job's")
    func settleBeyondEscrow() throws {
        let state = try Rules.funded()
        let split = state.split
        let tooMuch = LedgerEntry.settle(
            job: "j1", worker: "w", price: 4_001, split: split, by: "w", at: Self.at)
        let violation = Rules.violation(tooMuch, in: state)
        #expect(
            violation
                == .negativeBalance(entry: "settle-j1", account: .escrow(job: "j1"), balance: -1))
        #expect(violation?.exitStatus == .rejected)

        let unreserved = LedgerEntry.settle(
            job: "j7", worker: "w", price: 10, split: split, by: "w", at: Self.at)
        #expect(
            Rules.violation(unreserved, in: state)
                == .negativeBalance(entry: "settle-j7", account: .escrow(job: "j7"), balance: -10))
    }

    @Test("a release returns the whole escrow, to the user who reserved it")
    func releases() throws {
        var state = try Rules.funded()
        let partial = LedgerEntry.release(
            job: "j1", user: "alice", amount: 3_999, by: "w", at: Self.at)
        #expect(
            Rules.violation(partial, in: state)
                == .partialRelease(entry: "release-j1", job: "j1", escrow: 4_000, released: 3_999))
        let stranger = LedgerEntry.release(
            job: "j1", user: "mallory", amount: 4_000, by: "w", at: Self.at)
        #expect(
            Rules.violation(stranger, in: state)
                == .wrongReleaseRecipient(
                    entry: "release-j1", job: "j1", reservedBy: .user("alice"),
                    to: .user("mallory")))
        let nothingHeld = LedgerEntry.release(
            job: "j5", user: "alice", amount: 10, by: "w", at: Self.at)
        #expect(
            Rules.violation(nothingHeld, in: state)
                == .partialRelease(entry: "release-j5", job: "j5", escrow: 0, released: 10))

        // After the release nothing more can leave the escrow.
        try state.apply(.release(job: "j1", user: "alice", amount: 4_000, by: "w", at: Self.at))
        let late = LedgerEntry.settle(
            job: "j1", worker: "w", price: 100, split: state.split, by: "w", at: Self.at)
        #expect(
            Rules.violation(late, in: state)
                == .negativeBalance(entry: "settle-j1", account: .escrow(job: "j1"), balance: -100))
    }

    @Test("users and workers cannot spend more than they hold")
    func insufficientFunds() throws {
        var state = try Rules.funded()
        let reserve = LedgerEntry.reserve(
            job: "j2", user: "alice", price: 6_001, by: "alice", at: Self.at)
        let violation = Rules.violation(reserve, in: state)
        #expect(
            violation
                == .insufficientFunds(
                    entry: "reserve-j2", account: .user("alice"), balance: 6_000, needed: 6_001))
        #expect(violation?.exitStatus == .insufficientFunds)
        #expect(
            Rules.violation(
                .reserve(job: "j3", user: "nobody", price: 1, by: "nobody", at: Self.at),
                in: state)
                == .insufficientFunds(
                    entry: "reserve-j3", account: .user("nobody"), balance: 0, needed: 1))

        try state.apply(
            .settle(job: "j1", worker: "w", price: 4_000, split: state.split, by: "w", at: Self.at))
        #expect(
            Rules.violation(
                .payout(worker: "w", amount: 3_201, by: "admin", at: Self.at, id: "p"), in: state)
                == .insufficientFunds(
                    entry: "p", account: .worker("w"), balance: 3_200, needed: 3_201))
        #expect(try state.apply(.payout(worker: "w", amount: 3_200, by: "admin", at: Self.at)))
        #expect(state.balance(.worker("w")) == 0)
    }

    @Test("every description names the entry and, where there is one, the account")
    func descriptions() {
        let account = Account.user("zed42")
        let violations: [LedgerViolation] = [
            .conflictingReplay(entry: "reserve-qx7"), .malformed(entry: "reserve-qx7", reason: "r"),
            .malformedAccount(entry: "reserve-qx7", account: account),
            .tooFewPostings(entry: "reserve-qx7", count: 1),
            .zeroAmount(entry: "reserve-qx7", account: account),
            .duplicateAccount(entry: "reserve-qx7", account: account),
            .unbalanced(entry: "reserve-qx7", sum: 3),
            .overflow(entry: "reserve-qx7", account: account),
            .wrongShape(entry: "reserve-qx7", kind: .credit, reason: "r"),
            .wrongSplit(entry: "reserve-qx7", price: 10, worker: 8, platform: 2),
            .partialRelease(entry: "reserve-qx7", job: "zed42", escrow: 2, released: 1),
            .wrongReleaseRecipient(entry: "reserve-qx7", job: "j", reservedBy: nil, to: account),
            .insufficientFunds(entry: "reserve-qx7", account: account, balance: 1, needed: 2),
            .negativeBalance(entry: "reserve-qx7", account: account, balance: -1),
        ]
        for violation in violations {
            #expect(violation.description.contains("reserve-qx7"), "\(violation)")
            let namesAccount: Bool
            switch violation {
            case .conflictingReplay, .malformed, .tooFewPostings, .unbalanced, .wrongShape,
                .wrongSplit:
                namesAccount = true
            default:
                namesAccount = violation.description.contains("zed42")
            }
            #expect(namesAccount, "\(violation)")
        }
    }
}
