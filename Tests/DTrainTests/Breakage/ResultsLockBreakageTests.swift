import Foundation
import Testing

@testable import DTrainCore

/// Ref lock files on the remote (a `dtrain` or `git` killed with SIGKILL while
/// it wrote that ref) on a job's results or claim ref while a worker runs it.
///
/// Found by hand (breaker4), with `touch remote.git/refs/dtrain/results/JOB/1.lock`
/// while `dtrain worker run --once` ran JOB:
///
/// - the finished run's results are thrown away: the worker exits 7 with
///   "the remote … refused: refs/dtrain/results/JOB/1 exists already" (it does
///   not exist; a lock does, and is not named), the job stays `running` on
///   main, and the next pass hands it back ("held with no run going", which
///   counts toward the retry limit) and runs it all over again;
/// - with the lock on `refs/dtrain/claims/JOB.lock` instead, the next lease
///   renewal fails, the worker logs "our claim was reaped while it ran;
///   stopping without a word", kills the container and exits 0 "ran no job".
///   Nobody reaped anything: the job is left `running` with its claim ref
///   until the lease (300 s) lapses and two reaps take it back.
///
/// README: "dtrain waits 1.5 s for a live writer's lock, removes one older
/// than 60 s, otherwise names it"; work done is kept, not redone.
@Suite(
    "breakage: a ref lock on a running job's results or claim",
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct ResultsLockBreakageTests {
    @Test("a young lock on the results ref is named and the finished run is not redone")
    func resultsLock() throws {
        let shared = try SharedSpool(label: "brk-res-lock")
        try shared.admin.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let alice = try shared.clone("alice")
        let zip = shared.directory.file("quick.zip")
        try JobZips.write(["main.py": "print('done', flush=True)\n"], to: zip)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "main.py"), actor: "alice")
        try alice.publish(job: job.id, actor: "alice")
        try alice.sync()

        let folder = shared.remote + "/refs/dtrain/results/" + job.id
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true)
        let lock = folder + "/1.lock"
        try Data("0000000000000000000000000000000000000000\n".utf8).write(
            to: URL(fileURLWithPath: lock))

        let worker = try shared.clone("gpu-01")
        var message = ""
        do {
            _ = try WorkerLoop(
                spool: worker, worker: "gpu-01", stopRequested: { false }, log: { _ in }
            ).run(.init(once: true))
        } catch {
            message = "\(error)"
        }
        #expect(!message.contains("exists already"), "\(message)")

        // The lock goes away (its writer is gone; the worker outwaits it until
        // it is stale and removes it itself); a next pass, if one is needed,
        // delivers what the first run produced instead of running it again.
        try? FileManager.default.removeItem(atPath: lock)
        _ = try WorkerLoop(
            spool: worker, worker: "gpu-01", stopRequested: { false }, log: { _ in }
        ).run(.init(once: true))
        try worker.sync()
        let record = try worker.snapshot().requireJob(job.id)
        let claims = record.records.filter { $0.state == .claimed }.count
        #expect(record.state == .succeeded, "\(record.state)")
        #expect(claims == 1, "the job ran \(claims) times: \(record.records.map(\.state))")
    }
}
