import Foundation
import Testing

@testable import DTrainCore

/// A job no worker can ever run, such as one naming an image none of them has.
///
/// Found by hand: `dtrain submit job.zip --main train.py --image nope:1`, then
/// `dtrain worker run`. Every claim ended in a hand-back ("job image nope:1 is
/// missing"), which put the job straight back in the queue; hand-backs did
/// not count towards the spool's retry limit, so the job cycled through the
/// workers for ever, three commits on `main` per round, its price locked in
/// escrow.
@Suite("breakage: hand-back loops")
struct HandBackLoopBreakageTests {
    @Test("after retryLimit hand-backs the job fails and its escrow is refunded")
    func handBacksAreBounded() throws {
        let shared = try SharedSpool(label: "brk-handback")
        let limit = try shared.admin.snapshot().config().retryLimit
        try shared.admin.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let alice = try shared.clone("alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try alice.submit(
            zipAt: zip,
            options: SubmitOptions(mainScript: "train.py", image: "dtrain/no-such-image:never"),
            actor: "alice")
        try alice.publish(job: job.id, actor: "alice")
        try alice.sync()

        let worker = try shared.clone("gpu-01")
        var states: [String] = []
        for _ in 0..<(limit + 1) {
            let summary = try WorkerLoop(
                spool: worker, worker: "gpu-01", stopRequested: { false }, log: { _ in }
            ).run(.init(once: true))
            states += summary.runs.map(\.state)
        }
        // `limit` claims, the last one reported as what it wrote; then nothing is
        // left to claim.
        #expect(states == Array(repeating: "handed-back", count: limit - 1) + ["failed"])

        let record = try worker.snapshot().requireJob(job.id)
        #expect(record.state == .failed)
        #expect(record.claims == limit)
        #expect(record.records.last?.note?.contains("retry limit reached") == true)
        #expect(try worker.index().balance(.escrow(job: job.id)) == 0)
        #expect(try worker.index().balance(.user("alice")) == 100_000)
        #expect(try shared.verifyRemote().violation == nil)
    }
}
