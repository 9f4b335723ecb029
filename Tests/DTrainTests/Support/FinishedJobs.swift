import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// Finished jobs without Docker: the same core calls a worker's run makes, in its order.
extension SharedSpool {
    /// Publishes `count` jobs as `user` and runs each to `succeeded` on the clone `worker`:
    /// claim, fetch the payload, start, publish a result with its own log and output ZIP,
    /// finish. Returns the worker's clone, which holds every ref it fetched or wrote.
    func finishJobs(_ count: Int, worker name: String = "w1", as user: String = "alice")
        throws -> (worker: Spool, jobs: [String])
    {
        let jobs = try publishJobs(count, as: user)
        let worker = try clone(name)
        for job in jobs {
            try finish(job, on: worker, as: name)
        }
        return (worker, jobs)
    }

    /// Runs one published job to `succeeded` on `worker`.
    func finish(_ job: String, on worker: Spool, as name: String) throws {
        let attempt = try #require(try worker.claim(job: job, worker: name))
        _ = try worker.readPayload(of: worker.snapshot().requireJob(job))
        try worker.markRunning(job: job, worker: name)
        let output = directory.file("output-\(job).zip")
        try JobZips.write(["metrics.json": "{\"job\": \"\(job)\"}\n"], to: output)
        let now = Timestamp.iso()
        let result = RunResult(
            job: job, attempt: attempt, worker: name, outcome: "succeeded", exitCode: 0,
            reason: nil, startedAt: now, endedAt: now, logTruncatedBytes: 0, outputFiles: 1,
            outputBytes: 20)
        let log = LogFormat.encode([
            LogLine(stream: .stdout, time: Date(), bytes: Array("training \(job)".utf8))
        ])
        let ref = try worker.publishResult(result, log: log, outputZip: output)
        try worker.finish(job: job, worker: name, ending: .succeeded, result: ref)
    }

    /// The names of the remote's refs under `prefix`, as git itself lists them.
    func remoteRefNames(_ prefix: String) throws -> [String] {
        let listed = try Processes.git(
            ["--git-dir", remote, "for-each-ref", "--format=%(refname)", prefix])
        try #require(listed.status == 0, "\(listed.stderr)")
        return listed.stdout.split(separator: "\n").map(String.init)
    }
}
