import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// `dtrain verify` must catch commits written by hand that break the rules.
@Suite("Spool verifier")
struct SpoolVerifierTests {
    let directory: TemporaryDirectory
    let spool: Spool

    init() throws {
        directory = try TemporaryDirectory("verify")
        spool = try Spool.create(at: directory.file("spool"), config: .standard, actor: "admin")
        try spool.credit(user: "alice", amount: 5_000, memo: nil, actor: "admin")
    }

    /// Commits `changes` on main bypassing every check, as a careless script might.
    func forge(_ message: String, _ changes: (SpoolSnapshot) throws -> [TreeChange]) throws
        -> ObjectID
    {
        let base = try spool.snapshot()
        let tree = try spool.repository.updateTree(base.tree, changes(base))
        let commit = try spool.repository.createCommit(
            tree: tree, parents: [base.commit], message: message,
            author: Signature(name: "mallory", email: "m@example.invalid"))
        try spool.repository.setReference(
            SpoolLayout.mainRef, to: commit, expected: base.commit, message: message)
        return commit
    }

    func verify() throws -> SpoolVerifier.Report {
        var verifier = SpoolVerifier(repository: spool.repository)
        return try verifier.run(tip: spool.snapshot().commit)
    }

    @Test("a sound history verifies")
    func sound() throws {
        let report = try verify()
        #expect(report.violation == nil)
        #expect(report.entries == 1)
        #expect(report.total == 0)
    }

    @Test("an unbalanced entry is named with its commit")
    func unbalanced() throws {
        let bad = try forge("Free money") { _ in
            var entry = LedgerEntry.credit(
                user: "mallory", amount: 100, by: "mallory", memo: nil, at: Timestamp.iso(),
                id: "credit-forged")
            entry.postings[0].amount = -1
            return [try spool.record(entry, at: SpoolLayout.ledgerPath(entry: entry.id))]
        }
        let violation = try #require(try verify().violation)
        #expect(violation.commit == bad.hex)
        #expect(violation.rule.contains("credit-forged"))
    }

    @Test("changing a committed record is caught")
    func rewrittenRecord() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        let bad = try forge("Cheaper") { snapshot in
            var quote = try #require(
                try snapshot.read(Quote.self, at: SpoolLayout.quotePath(job.id)))
            quote.price = 1
            return [try spool.record(quote, at: SpoolLayout.quotePath(job.id))]
        }
        let violation = try #require(try verify().violation)
        #expect(violation.commit == bad.hex)
        #expect(violation.rule.contains("immutable"))
    }

    @Test("publishing without a reserve is caught")
    func publishWithoutReserve() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        let bad = try forge("Publish for free") { snapshot in
            let record = try snapshot.requireJob(job.id).transition(to: .published, by: "alice")
            return [
                try spool.record(
                    record,
                    at: SpoolLayout.statePath(
                        job.id, seq: record.seq, state: .published))
            ]
        }
        let violation = try #require(try verify().violation)
        #expect(violation.commit == bad.hex)
        #expect(violation.rule.contains("reserve"))
    }

    @Test("an overdraft written by hand is caught")
    func overdraft() throws {
        let bad = try forge("Overspend") { _ in
            let entry = LedgerEntry.payout(
                worker: "mallory", amount: 10, by: "mallory", memo: nil, at: Timestamp.iso(),
                id: "payout-forged")
            return [try spool.record(entry, at: SpoolLayout.ledgerPath(entry: entry.id))]
        }
        let violation = try #require(try verify().violation)
        #expect(violation.commit == bad.hex)
    }
}
