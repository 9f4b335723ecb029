import Foundation
import Testing

@testable import DTrainCore

/// `dtrain worker run --help`: "SIGINT or SIGTERM stops the loop; a running job is
/// stopped and handed back to the queue."
///
/// Found by hand (breaker3): each such hand-back counts as one of the job's
/// claims, so the third time a node's owner stops the worker (a reboot, a
/// `systemctl restart` to deploy a new dtrain, a laptop closed) while the same
/// job runs, the job is written `failed` ("the worker was stopped; handed back
/// 3 times, retry limit reached") and the user's job is dead though nothing was
/// wrong with it. The loop that stopped also re-claims the job it just handed
/// back at its next start, so one node's restarts alone exhaust the limit. A
/// stop by the node's owner is not the job's fault; Slurm requeues a job on a
/// node shutdown and HTCondor vacates it, neither counts it as a failure.
@Suite(
    "breakage: stopping a worker fails the job",
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct StoppedWorkerBreakageTests {
    @Test("a job whose worker was stopped retryLimit times is still queued")
    func stopsDoNotFailTheJob() throws {
        let shared = try SharedSpool(label: "brk-stop")
        let limit = try shared.admin.snapshot().config().retryLimit
        try shared.admin.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let alice = try shared.clone("alice")
        let zip = shared.directory.file("sleep.zip")
        try JobZips.write(
            ["sleep.py": "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n"],
            to: zip)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "sleep.py"), actor: "alice")
        try alice.publish(job: job.id, actor: "alice")
        try alice.sync()

        let worker = try shared.clone("gpu-01")
        var states: [String] = []
        for _ in 0..<limit {
            // SIGTERM a few seconds into the run, as systemd would on a restart.
            let stop = StopFlag()
            DispatchQueue.global().asyncAfter(deadline: .now() + 4) { stop.raise() }
            let summary = try WorkerLoop(
                spool: worker, worker: "gpu-01", stopRequested: { stop.isRaised },
                log: { _ in }
            ).run(.init(once: true))
            states += summary.runs.map(\.state)
        }
        #expect(states == Array(repeating: "handed-back", count: limit), "\(states)")

        let record = try worker.snapshot().requireJob(job.id)
        #expect(
            record.state == .published,
            "after \(limit) stops: \(record.state), \(record.records.last?.note ?? "")")
        #expect(try worker.index().balance(.escrow(job: job.id)) == job.quote?.price)
    }
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}
