import Foundation
import Testing

@testable import DTrainCore

/// An admin pushes a broken `spool.json` while a user has work not delivered.
///
/// Found by hand: alice published a job offline; meanwhile a hand-edited
/// `spool.json` with a 120/-20 split reached the remote. Her `dtrain sync`
/// replayed the publish on the remote's tip, checking its ledger entry read the
/// broken settings, and the publish was dropped for good ("dropped 'Publish
/// job …': invalid spool.json"), although nothing was wrong with it. Once the
/// admin repaired the file, her publish was gone.
@Suite("breakage: a broken spool.json on the remote")
struct BrokenRemoteConfigBreakageTests {
    @Test("local work stays pending until the remote's settings are repaired")
    func pendingWorkSurvives() throws {
        let shared = try SharedSpool(label: "brk-config")
        try shared.admin.credit(user: "alice", amount: 10_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let alicePath = shared.directory.file("alice")
        let alice = try Spool.clone(url: shared.remote, into: alicePath, user: "alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        try alice.sync()

        // Alice publishes while the remote has moved on to a broken spool.json.
        try alice.publish(job: job.id, actor: "alice")
        let good = try shared.admin.snapshot().config()
        var broken = good
        broken.split = .init(workerPercent: 120, platformPercent: -20)
        try writeConfig(broken, message: "Hand-edited split")

        let refused = try Processes.dtrain(["sync"], spool: alicePath)
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("dtrain: error: invalid spool.json: split"))
        #expect(!refused.stdout.contains("dropped"), "\(refused.stdout)")
        let status = try Processes.dtrain(["status"], spool: alicePath)
        #expect(status.stdout.contains("Publish job \(job.id)"), "\(status.stdout)")

        // Repaired: the same sync now delivers the publish.
        try writeConfig(good, message: "Repair the split")
        let delivered = try Processes.dtrain(["sync"], spool: alicePath)
        #expect(delivered.status == 0, "\(delivered.stdout)\(delivered.stderr)")
        let reader = try shared.clone("reader")
        #expect(try reader.snapshot().requireJob(job.id).state == .published)
        #expect(try reader.index().balance(.escrow(job: job.id)) == job.price)

        // As a hand edit pushed with git would: on top of the remote's tip.
        func writeConfig(_ config: SpoolConfig, message: String) throws {
            try shared.admin.sync()
            try shared.admin.write(actor: "admin", message: message) { _ in
                [try shared.admin.record(config, at: SpoolLayout.configPath)]
            }
            let report = try shared.admin.sync()
            try #require(report.dropped.isEmpty && report.delivered == 1, "\(report)")
        }
    }
}
