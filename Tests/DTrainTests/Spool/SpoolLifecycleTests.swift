import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// The spool through its library API: every change a real commit in a real repository.
@Suite("Spool lifecycle")
struct SpoolLifecycleTests {
    let directory: TemporaryDirectory
    let spool: Spool

    init() throws {
        directory = try TemporaryDirectory("spool")
        spool = try Spool.create(
            at: directory.file("spool"), config: .standard, actor: "admin")
    }

    @Test("submit writes a draft with manifest, quote and payload ref")
    func submitDraft() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")

        let stored = try #require(try spool.snapshot().job(job.id))
        #expect(stored.state == .draft)
        #expect(stored.manifest.owner == "alice")
        #expect(stored.quote?.price == 2_000)
        let payload = try #require(try spool.repository.reference(stored.manifest.payload.ref))
        let tree = try spool.repository.commit(payload).tree
        let blob = try #require(
            try spool.repository.entry(in: tree, path: SpoolLayout.payloadPath(job.id)))
        #expect(blob.id.hex == stored.manifest.payload.blob)
        #expect(try spool.repository.blob(blob.id) == Data(contentsOf: URL(fileURLWithPath: zip)))
    }

    @Test("publish reserves the price; cancel releases it in full")
    func publishAndCancel() throws {
        try spool.credit(user: "alice", amount: 5_000, memo: "grant", actor: "admin")
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")

        try spool.publish(job: job.id, actor: "alice")
        let index = try spool.index()
        #expect(try index.balance(.user("alice")) == 3_000)
        #expect(try index.balance(.escrow(job: job.id)) == 2_000)
        #expect(try index.job(job.id)?.state == .published)

        try spool.cancel(job: job.id, actor: "alice", reason: "changed my mind")
        let after = try spool.index()
        #expect(try after.balance(.user("alice")) == 5_000)
        #expect(try after.balance(.escrow(job: job.id)) == 0)
        #expect(try after.job(job.id)?.state == .cancelled)
        #expect(try verify().violation == nil)
    }

    @Test("publishing without enough funds fails and leaves a draft and no entry")
    func insufficientFunds() throws {
        try spool.credit(user: "alice", amount: 1_999, memo: nil, actor: "admin")
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        let before = try spool.snapshot().commit

        let error = #expect(throws: SpoolError.self) {
            try spool.publish(job: job.id, actor: "alice")
        }
        #expect(error?.exitStatus == .insufficientFunds)
        #expect("\(error!)".contains("holds INR 19.99"))
        #expect("\(error!)".contains("needs INR 20.00"))
        #expect(try spool.snapshot().commit == before)
        #expect(try spool.snapshot().job(job.id)?.state == .draft)
    }

    @Test("illegal transitions are refused with a clear error")
    func illegalTransitions() throws {
        try spool.credit(user: "alice", amount: 10_000, memo: nil, actor: "admin")
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        try spool.cancel(job: job.id, actor: "alice", reason: nil)

        #expect(throws: SpoolError.illegalTransition(job: job.id, from: .cancelled, to: .published))
        {
            try spool.publish(job: job.id, actor: "alice")
        }
        #expect(throws: SpoolError.self) {
            try spool.cancel(job: job.id, actor: "alice", reason: nil)
        }
    }

    @Test("only the owner or an admin may change a job; only admins credit")
    func permissions() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        #expect(throws: SpoolError.self) {
            try spool.cancel(job: job.id, actor: "bob", reason: nil)
        }
        #expect(throws: SpoolError.self) {
            try spool.credit(user: "bob", amount: 100, memo: nil, actor: "bob")
        }
        try spool.cancel(job: job.id, actor: "admin", reason: "spam")
    }

    @Test("a worker cannot pay out more than it holds")
    func payoutLimits() throws {
        #expect(throws: SpoolError.self) {
            try spool.payout(amount: 1, memo: nil, actor: "gpu-01")
        }
    }

    @Test("reindex from scratch gives identical answers")
    func reindexIdentical() throws {
        try spool.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        let zip = try JobZips.sklearnZip(in: directory)
        for round in 0..<6 {
            let job = try spool.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
            if round % 2 == 0 { try spool.publish(job: job.id, actor: "alice") }
            if round % 3 == 0 { try spool.cancel(job: job.id, actor: "alice", reason: nil) }
        }
        let index = try spool.index()
        let jobs = try index.jobs()
        let balances = try index.balances().map { "\($0.account)=\($0.balance)" }
        let history = try index.movements(of: .user("alice"))

        try FileManager.default.removeItem(atPath: spool.localDirectory + "/index.sqlite")
        let fresh = try Spool.open(at: spool.path)
        let rebuilt = try fresh.index()
        #expect(try rebuilt.jobs() == jobs)
        #expect(try rebuilt.balances().map { "\($0.account)=\($0.balance)" } == balances)
        #expect(try rebuilt.movements(of: .user("alice")) == history)
        #expect(jobs.count == 6)
    }

    func verify() throws -> SpoolVerifier.Report {
        var verifier = SpoolVerifier(repository: spool.repository)
        return try verifier.run(tip: spool.snapshot().commit)
    }
}
