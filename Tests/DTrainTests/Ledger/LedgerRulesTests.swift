import Testing

@testable import DTrainCore

/// Every rule of `LedgerState.apply`, each broken on purpose, with the error it
/// must produce, and a state that is left untouched by the refusal.
@Suite("Ledger rules")
struct LedgerRulesTests {
    static let at = "2026-12-03T15:00:00Z"

    /// alice holds 10 000; job j1 is reserved by her for 4 000.
    static func funded() throws -> LedgerState {
        var state = LedgerState()
        try state.apply(.credit(user: "alice", amount: 10_000, by: "admin", at: at, id: "c1"))
        try state.apply(.reserve(job: "j1", user: "alice", price: 4_000, by: "alice", at: at))
        return state
    }

    /// Applies `entry` to a copy and returns the violation; records an issue if
    /// the entry was accepted or if the refusal changed anything.
    static func violation(
        _ entry: LedgerEntry, in state: LedgerState,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> LedgerViolation? {
        var copy = state
        do {
            try copy.apply(entry)
        } catch {
            #expect(copy.balances == state.balances, sourceLocation: sourceLocation)
            #expect(copy.entryCount == state.entryCount, sourceLocation: sourceLocation)
            return error
        }
        Issue.record("entry \(entry.id) was accepted", sourceLocation: sourceLocation)
        return nil
    }

    static func entry(
        _ kind: EntryKind, id: String = "e1", job: String? = nil, _ postings: [(Account, Int64)]
    ) -> LedgerEntry {
        LedgerEntry(
            id: id, kind: kind, at: at, by: "admin", job: job,
            postings: postings.map { Posting(account: $0.0, amount: $0.1) })
    }

    @Test("a whole job: credit, reserve, settle, release, payout")
    func lifecycle() throws {
        var state = try Self.funded()
        let split = SpoolConfig.Split(workerPercent: 80, platformPercent: 20)
        let settle = LedgerEntry.settle(
            job: "j1", worker: "gpu-01", price: 3_333, split: split, by: "gpu-01", at: Self.at)
        #expect(try state.apply(settle))
        #expect(state.balance(.worker("gpu-01")) == 2_666)
        #expect(state.balance(.platform) == 667)
        #expect(state.balance(.escrow(job: "j1")) == 667)

        try state.apply(.release(job: "j1", user: "alice", amount: 667, by: "gpu-01", at: Self.at))
        try state.apply(
            .payout(worker: "gpu-01", amount: 2_666, by: "admin", at: Self.at, id: "p1"))
        #expect(state.balance(.escrow(job: "j1")) == 0)
        #expect(state.balance(.user("alice")) == 6_667)
        #expect(state.balance(.world) == -10_000 + 2_666)
        #expect(state.total == 0)
        #expect(state.reservation(job: "j1") == "alice")
        #expect(state.balances[.escrow(job: "j1")] == nil, "zero balances are left out")
        #expect(state.entryCount == 5)
    }

    @Test("rounding: the worker share rounds down and a zero side is left out")
    func rounding() throws {
        var state = LedgerState()
        try state.apply(.credit(user: "u", amount: 100, by: "admin", at: Self.at, id: "c"))
        try state.apply(.reserve(job: "tiny", user: "u", price: 1, by: "u", at: Self.at))
        let settle = LedgerEntry.settle(
            job: "tiny", worker: "w", price: 1, split: state.split, by: "w", at: Self.at)
        #expect(settle.postings.map(\.account) == [.escrow(job: "tiny"), .platform])
        try state.apply(settle)
        #expect(state.balance(.platform) == 1)
        #expect(state.balance(.worker("w")) == 0)

        // The whole price to the worker: the platform posting disappears
        // instead.
        var generous = LedgerState(split: .init(workerPercent: 100, platformPercent: 0))
        try generous.apply(.credit(user: "u", amount: 9, by: "admin", at: Self.at, id: "c"))
        try generous.apply(.reserve(job: "j", user: "u", price: 9, by: "u", at: Self.at))
        try generous.apply(
            .settle(job: "j", worker: "w", price: 9, split: generous.split, by: "w", at: Self.at))
        #expect(generous.balance(.worker("w")) == 9)
        #expect(generous.balance(.platform) == 0)
    }

    @Test("replaying an identical entry is a no-op; a changed one is a conflict")
    func replays() throws {
        var state = try Self.funded()
        let reserve = LedgerEntry.reserve(
            job: "j1", user: "alice", price: 4_000, by: "alice", at: Self.at)
        #expect(try state.apply(reserve) == false)
        #expect(state.balance(.user("alice")) == 6_000)

        let twice = LedgerEntry.reserve(
            job: "j1", user: "alice", price: 4_000, by: "alice", at: "2026-12-03T15:00:01Z")
        let violation = Self.violation(twice, in: state)
        #expect(violation == .conflictingReplay(entry: "reserve-j1"))
        #expect(violation?.exitStatus == .conflict)
    }

    @Test("malformed entries are refused before anything else")
    func malformed() throws {
        let state = try Self.funded()
        let good: [(Account, Int64)] = [(.world, -5), (.user("bob"), 5)]
        var cases: [LedgerEntry] = [
            Self.entry(.credit, id: "", good), Self.entry(.credit, id: "a/b", good),
            Self.entry(.credit, id: "a b", good), Self.entry(.credit, job: "j9", good),
            Self.entry(
                .reserve, id: "reserve-j2", [(.user("alice"), -5), (.escrow(job: "j2"), 5)]),
            Self.entry(
                .reserve, id: "reserve-j3", job: "j2",
                [(.user("alice"), -5), (.escrow(job: "j2"), 5)]),
        ]
        for at in ["", "yesterday", "2026-12-03T15:00:00+05:30", "2026-12-03 15:00:00Z"] {
            var entry = Self.entry(.credit, good)
            entry.at = at
            cases.append(entry)
        }
        var anonymous = Self.entry(.credit, good)
        anonymous.by = ""
        cases.append(anonymous)

        for entry in cases {
            guard case .malformed(let id, _)? = Self.violation(entry, in: state) else {
                Issue.record("entry \(entry) was not refused as malformed")
                continue
            }
            #expect(id == entry.id)
        }
        var fractional = Self.entry(.credit, good)
        fractional.at = "2026-12-03T15:00:00.250Z"
        var copy = state
        #expect(try copy.apply(fractional), "fractional seconds in UTC are fine")
    }

    @Test("double entry: two or more postings, none zero, no account twice, sum zero")
    func doubleEntry() throws {
        let state = try Self.funded()
        #expect(
            Self.violation(Self.entry(.credit, [(.user("bob"), 5)]), in: state)
                == .tooFewPostings(entry: "e1", count: 1))
        #expect(
            Self.violation(Self.entry(.credit, []), in: state)
                == .tooFewPostings(entry: "e1", count: 0))
        #expect(
            Self.violation(Self.entry(.credit, [(.world, 0), (.user("bob"), 0)]), in: state)
                == .zeroAmount(entry: "e1", account: .world))
        #expect(
            Self.violation(
                Self.entry(.credit, [(.world, -5), (.user("bob"), 2), (.user("bob"), 3)]),
                in: state) == .duplicateAccount(entry: "e1", account: .user("bob")))
        #expect(
            Self.violation(Self.entry(.credit, [(.world, -5), (.user("bob"), 6)]), in: state)
                == .unbalanced(entry: "e1", sum: 1))
        #expect(
            Self.violation(Self.entry(.credit, [(.world, -5), (.user(""), 5)]), in: state)
                == .malformedAccount(entry: "e1", account: .user("")))
        #expect(
            Self.violation(Self.entry(.credit, [(.world, -5), (.user("a\nb"), 5)]), in: state)
                == .malformedAccount(entry: "e1", account: .user("a\nb")))
    }

    @Test("amounts beyond 64 bits are refused, never trapped on")
    func overflow() throws {
        var state = LedgerState()
        #expect(
            Self.violation(
                Self.entry(.credit, [(.user("a"), .max), (.user("b"), .max), (.world, 2)]),
                in: state) == .overflow(entry: "e1", account: .user("b")))
        #expect(
            Self.violation(Self.entry(.credit, [(.world, .min), (.user("u"), .min)]), in: state)
                == .overflow(entry: "e1", account: .world))

        try state.apply(.credit(user: "u", amount: .max, by: "admin", at: Self.at, id: "c1"))
        #expect(
            Self.violation(
                .credit(user: "v", amount: 2, by: "admin", at: Self.at, id: "c2"), in: state)
                == .overflow(entry: "c2", account: .world))
        try state.apply(.reserve(job: "big", user: "u", price: .max, by: "u", at: Self.at))
        let settle = Self.entry(
            .settle, id: "settle-big", job: "big",
            [(.escrow(job: "big"), -.max), (.platform, .max)])
        #expect(
            Self.violation(settle, in: state)
                == .overflow(entry: "settle-big", account: .escrow(job: "big")))
    }
}
