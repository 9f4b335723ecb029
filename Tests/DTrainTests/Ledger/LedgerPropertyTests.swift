import Testing

@testable import DTrainCore

/// Thousands of random operations, valid and invalid, checked step by step
/// against a deliberately naive model of the balances.
@Suite("Ledger under random operations")
struct LedgerPropertyTests {
    /// SplitMix64: a tiny generator whose sequence depends only on its seed, so
    /// a failure reproduces with the seed printed in the test's arguments.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    /// What the test itself believes, kept without any of the ledger's code.
    struct Model {
        var balances: [Account: Int64] = [:]
        var accepted: [LedgerEntry] = []
        var reserver: [String: String] = [:]
        /// Jobs reserved and neither settled nor released, oldest first.
        /// Arrays, not sets, so the random choices depend on the seed alone.
        var open: [String] = []
        /// Jobs settled with money left in escrow, waiting for their release.
        var settledWithRemainder: [String] = []
        var released: [String] = []

        func balance(_ account: Account) -> Int64 { balances[account] ?? 0 }

        mutating func record(_ entry: LedgerEntry) {
            for posting in entry.postings {
                let after = balance(posting.account) + posting.amount
                balances[posting.account] = after == 0 ? nil : after
            }
            accepted.append(entry)
            guard let job = entry.job else { return }
            switch entry.kind {
            case .reserve:
                reserver[job] = entry.postings[0].account.name
                open.append(job)
            case .settle:
                open.removeAll { $0 == job }
                if balance(.escrow(job: job)) > 0 { settledWithRemainder.append(job) }
            case .release:
                open.removeAll { $0 == job }
                settledWithRemainder.removeAll { $0 == job }
                released.append(job)
            default:
                break
            }
        }
    }

    /// The outcome the model predicts for an entry: accepted, or this
    /// violation.
    enum Expectation {
        case accepted
        case refused(LedgerViolation)
        case replayed
    }

    static let users = ["alice", "bob", "chandra", "dilnoza"]
    static let workers = ["gpu-01", "gpu-02", "cpu-03"]
    static let operations = 5_000
    static let at = "2026-12-03T15:00:00Z"

    @Test(
        "random operations keep every invariant and match a naive recomputation",
        arguments: [(UInt64(1), 80), (UInt64(0xD7A1), 80), (UInt64(42), 67), (UInt64(7), 100)])
    func randomOperations(seed: UInt64, workerPercent: Int) throws {
        let split = SpoolConfig.Split(
            workerPercent: workerPercent, platformPercent: 100 - workerPercent)
        var random = SeededGenerator(state: seed)
        var state = LedgerState(split: split)
        var model = Model()
        var tally: [String: Int] = [:]

        for step in 0..<Self.operations {
            let (label, entry, expectation) = Self.nextOperation(
                step: step, model: model, split: split, using: &random)
            let outcome: Expectation
            do {
                outcome = try state.apply(entry) ? .accepted : .replayed
            } catch {
                outcome = .refused(error)
            }
            switch (expectation, outcome) {
            case (.accepted, .accepted):
                model.record(entry)
                tally["\(label) accepted", default: 0] += 1
            case (.replayed, .replayed):
                tally["\(label)", default: 0] += 1
            case (.refused(let expected), .refused(let actual)):
                #expect(actual == expected, "step \(step): \(label)")
                tally["\(label) refused", default: 0] += 1
            default:
                Issue.record("step \(step) \(label): expected \(expectation), got \(outcome)")
                return
            }
            Self.checkTouched(entry, state, model, step: step)
            if step % 250 == 0 { Self.checkInvariants(state, model, step: step) }
        }

        Self.checkInvariants(state, model, step: Self.operations)
        try Self.checkFinal(state, model, split: split)

        // Every path was really taken, or the test proves little.
        for label in [
            "credit accepted", "reserve accepted", "reserve refused", "settle accepted",
            "settle refused", "release accepted", "release refused", "payout accepted",
            "payout refused", "replay", "conflict refused",
        ] {
            #expect(tally[label, default: 0] >= 20, "only \(tally[label, default: 0]) × \(label)")
        }
    }

    /// After every step: the accounts the entry names agree with the model and
    /// are not negative (cheap enough for every one of the thousands of steps).
    static func checkTouched(_ entry: LedgerEntry, _ state: LedgerState, _ model: Model, step: Int)
    {
        let wrong = entry.postings.map(\.account).filter { account in
            let balance = state.balance(account)
            return balance != model.balance(account) || (account != .world && balance < 0)
        }
        #expect(wrong.isEmpty, "step \(step): \(wrong)")
    }

    /// Every so often and at the end: the whole state against the model.
    static func checkInvariants(_ state: LedgerState, _ model: Model, step: Int) {
        #expect(state.total == 0, "step \(step)")
        #expect(state.balances == model.balances, "step \(step)")
        let negative = state.balances.filter { $0.key != .world && $0.value <= 0 }
        #expect(negative.isEmpty, "step \(step): \(negative)")
        #expect(state.entryCount == model.accepted.count)
    }

    /// The end state, recomputed three independent ways.
    static func checkFinal(_ state: LedgerState, _ model: Model, split: SpoolConfig.Split) throws {
        // 1. A straight sum of every accepted posting.
        var summed: [Account: Int64] = [:]
        for entry in model.accepted {
            #expect(entry.postings.reduce(0) { $0 + $1.amount } == 0, "entry \(entry.id)")
            for posting in entry.postings { summed[posting.account, default: 0] += posting.amount }
        }
        #expect(state.balances == summed.filter { $0.value != 0 })

        // 2. A fresh replay reaches the same balances; a second replay changes
        //    nothing.
        var replayed = try LedgerState(replaying: model.accepted, split: split)
        #expect(replayed.balances == state.balances)
        for entry in model.accepted {
            #expect(try replayed.apply(entry) == false)
        }
        #expect(replayed.balances == state.balances)

        // 3. Money inside the system is exactly what came in minus what went
        //    out.
        let inside = state.balances.filter { $0.key != .world }.values.reduce(0, +)
        #expect(inside == -state.balance(.world))
        for job in model.released {
            #expect(state.balance(.escrow(job: job)) == 0)
        }
    }
}
