import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// Clones meeting at a bare remote on disk: delivery, replay, offline work.
@Suite("Sync over a bare remote")
struct SyncTests {
    @Test("a job submitted on one clone reaches another")
    func delivery() throws {
        let shared = try SharedSpool()
        let alice = try shared.clone("alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        let report = try alice.sync()
        #expect(report.delivered == 1)
        #expect(report.payloadsPushed == 1)

        let bob = try shared.clone("bob")
        #expect(try bob.snapshot().job(job.id)?.state == .draft)
        // Fetching main never brings payloads; the worker fetches one when it runs it.
        #expect(try bob.repository.reference(SpoolLayout.payloadRef(job: job.id)) == nil)
        try bob.fetchPayload(job: job.id)
        #expect(try bob.repository.reference(SpoolLayout.payloadRef(job: job.id)) != nil)
        #expect(try shared.fsck().status == 0)
    }

    @Test(
        "a shared remote owned by another user still takes pushes",
        .enabled(if: getuid() == 0, "needs root to hand the remote to another user"))
    func remoteOwnedByAnotherUser() throws {
        let shared = try SharedSpool()
        let chown = try Processes.run("/bin/chown", ["-R", "65534:65534", shared.remote])
        try #require(chown.status == 0, "\(chown.stderr)")
        let alice = try shared.clone("alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        #expect(try alice.sync().delivered == 1)
        #expect(try shared.clone("bob").snapshot().job(job.id) != nil)
    }

    @Test("interleaved writers on two clones lose nothing")
    func interleaved() throws {
        let shared = try SharedSpool()
        let one = try shared.clone("one")
        let two = try shared.clone("two")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        var ids: [String] = []

        // Each clone commits while the other's commits land on the remote in between.
        for round in 0..<4 {
            let first = try one.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py", name: "one-\(round)"),
                actor: "one")
            let second = try two.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py", name: "two-\(round)"),
                actor: "two")
            ids += [first.id, second.id]
            try one.sync()
            let report = try two.sync()
            #expect(report.dropped.isEmpty)
        }
        try one.sync()
        let checker = try shared.clone("checker")
        for id in ids {
            #expect(try checker.snapshot().job(id) != nil, "job \(id) was lost")
        }
        #expect(try shared.verifyRemote().violation == nil)
        #expect(try shared.fsck().status == 0)
    }

    @Test("two clones spending the same funds: one publish lands, the other is dropped")
    func doubleSpend() throws {
        let shared = try SharedSpool()
        try shared.admin.credit(user: "carol", amount: 2_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let laptop = try shared.clone("laptop")
        let desktop = try shared.clone("desktop")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let first = try laptop.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "carol")
        let second = try desktop.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "carol")

        // Both publish offline against the same 20.00; then both deliver.
        try laptop.publish(job: first.id, actor: "carol")
        try desktop.publish(job: second.id, actor: "carol")
        let landed = try laptop.sync()
        let refused = try desktop.sync()
        #expect(landed.dropped.isEmpty)
        #expect(refused.dropped.count == 1)
        #expect(refused.dropped.first?.reason.contains("insufficient funds") == true)

        let checker = try shared.clone("checker")
        #expect(try checker.snapshot().job(first.id)?.state == .published)
        #expect(try checker.snapshot().job(second.id)?.state == .draft)
        #expect(try checker.index().balance(.user("carol")) == 0)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("offline: submit works locally and sync delivers it later")
    func offline() throws {
        let shared = try SharedSpool()
        let alice = try shared.clone("alice")
        let moved = shared.directory.file("away.git")
        try FileManager.default.moveItem(atPath: shared.remote, toPath: moved)

        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        #expect(try alice.pendingCommits().count == 1)
        #expect(throws: SyncError.self) { try alice.sync() }
        #expect(try alice.snapshot().job(job.id)?.state == .draft)

        try FileManager.default.moveItem(atPath: moved, toPath: shared.remote)
        let report = try alice.sync()
        #expect(report.delivered == 1)
        #expect(try alice.pendingCommits().isEmpty)
        #expect(try shared.clone("bob").snapshot().job(job.id) != nil)
    }

    @Test("a cancel and a claim racing: the later one is dropped, never merged")
    func cancelVersusClaim() throws {
        let shared = try SharedSpool()
        let ids = try shared.publishJobs(1, as: "dave")
        let owner = try shared.clone("dave")
        let worker = try shared.clone("gpu-01")

        // The owner cancels offline; meanwhile the worker claims on the remote.
        try owner.cancel(job: ids[0], actor: "dave", reason: "wrong data")
        let claimed = try worker.claim(job: ids[0], worker: "gpu-01")
        #expect(claimed == 1)
        let report = try owner.sync()
        #expect(report.dropped.count == 1)
        #expect(report.dropped[0].reason.contains("claimed"))
        #expect(try shared.verifyRemote().violation == nil)
    }
}

/// A spool that worked alone for a while and then gets a shared remote.
@Suite("Adding a remote later")
struct AddRemoteTests {
    @Test("config remote publishes main and every payload; others clone and run from it")
    func addRemote() throws {
        let directory = try TemporaryDirectory("add-remote")
        let spool = directory.file("lab")
        _ = try Processes.dtrain(["init", spool, "--as", "admin"])
        _ = try Processes.dtrain(["credit", "ann", "100"], spool: spool)
        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "ann")
        let object = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8))
        let id = try #require((object as? [String: Any])?["id"] as? String)
        _ = try Processes.dtrain(["publish", id], spool: spool, as: "ann")

        let remote = directory.file("shared.git")
        let added = try Processes.dtrain(["config", "remote", remote], spool: spool)
        #expect(added.status == 0, "\(added.stderr)")
        let again = try Processes.dtrain(["config", "remote", remote], spool: spool)
        #expect(again.status != 0)

        let worker = try Spool.clone(url: remote, into: directory.file("worker"), user: "w")
        #expect(try worker.snapshot().job(id)?.state == .published)
        try worker.fetchPayload(job: id)
        #expect(try worker.repository.reference(SpoolLayout.payloadRef(job: id)) != nil)
        #expect(try worker.claim(job: id, worker: "w") == 1)
        let fsck = try Processes.git(["--git-dir", remote, "fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }
}

/// Remotes named by a relative path keep meaning the same folder from anywhere.
@Suite("Relative remote paths")
struct RelativeRemoteTests {
    @Test("init and clone with a relative remote; sync from another folder still reaches it")
    func relative() throws {
        let directory = try TemporaryDirectory("relative")
        let made = try Processes.run(
            Processes.dtrainPath, ["init", "a", "--remote", "shared/x.git", "--as", "admin"],
            in: directory.path)
        try #require(made.status == 0, "\(made.stderr)")
        let cloned = try Processes.run(
            Processes.dtrainPath, ["clone", "shared/x.git", "b", "--as", "bob"],
            in: directory.path)
        try #require(cloned.status == 0, "\(cloned.stderr)")

        let credit = try Processes.run(
            Processes.dtrainPath, ["credit", "bob", "5", "--spool", directory.file("a")], in: "/")
        #expect(credit.status == 0, "\(credit.stderr)")
        let synced = try Processes.run(
            Processes.dtrainPath, ["sync", "--spool", directory.file("b")], in: "/")
        #expect(synced.status == 0, "\(synced.stderr)")
        let wallet = try Processes.run(
            Processes.dtrainPath, ["wallet", "bob", "--spool", directory.file("b")], in: "/")
        #expect(wallet.stdout.contains("INR 5.00"), "\(wallet.stdout)\(wallet.stderr)")
    }
}
