import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// The claim protocol with real worker processes racing over a real bare remote.
@Suite("Claims, leases and reaping", .serialized)
struct ClaimTests {
    @Test("racing workers claim every job exactly once", arguments: [2, 4, 8])
    func race(workers: Int) throws {
        let shared = try SharedSpool(label: "race\(workers)")
        let jobs = try shared.publishJobs(12, as: "erin")
        let paths = try (0..<workers).map { index in
            _ = try shared.clone("w\(index)")
            return shared.directory.file("w\(index)")
        }

        // Every worker process claims until nothing is left, all at once.
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: workers) { index in
            var mine: [String] = []
            for _ in 0..<40 {
                guard
                    let result = try? Processes.dtrain(
                        ["worker", "claim"], spool: paths[index], as: "w\(index)")
                else { break }
                if result.status == 0 {
                    mine.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                } else if result.status == 3 {
                    if result.stderr.contains("no published job fits") { break }
                } else {
                    results.fail("w\(index): \(result.status) \(result.stderr)")
                    break
                }
            }
            results.add(mine)
        }

        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.claimed.sorted() == jobs.sorted())
        let checker = try shared.clone("checker")
        for job in jobs {
            let record = try #require(try checker.snapshot().job(job))
            #expect(record.state == .claimed)
            #expect(record.claims == 1)
        }
        let refs = try Processes.git(
            [
                "--git-dir", shared.remote, "for-each-ref", "--format=%(refname)",
                "refs/dtrain/claims",
            ])
        #expect(refs.stdout.split(separator: "\n").count == jobs.count)
        #expect(try shared.verifyRemote().violation == nil)
        #expect(try shared.fsck().status == 0)
    }

    @Test("a dead worker's claim is reaped, rerun elsewhere, and its late result refused")
    func reapAndFence() throws {
        let shared = try SharedSpool(lease: 1)
        let jobs = try shared.publishJobs(1, as: "frank")
        let dead = try shared.clone("dead")
        let alive = try shared.clone("alive")

        let first = try dead.claimNext(profile: .thisMachine(name: "dead"))
        #expect(first.job == jobs[0])
        try dead.markRunning(job: jobs[0], worker: "dead")

        // The observer sees the claim, then sees it unchanged a lease later.
        #expect(try alive.reap().isEmpty)
        Thread.sleep(forTimeInterval: 1.5)
        let actions = try alive.reap()
        #expect(actions == [ReapAction(job: jobs[0], kind: .requeued, worker: "dead")])

        let second = try alive.claimNext(profile: .thisMachine(name: "alive"))
        #expect(second.job == jobs[0])
        #expect(second.attempt == 2)
        try alive.markRunning(job: jobs[0], worker: "alive")

        // The dead worker wakes up and tries to report: fenced, nothing written.
        #expect(throws: ClaimError.self) {
            try dead.finish(job: jobs[0], worker: "dead", ending: .succeeded)
        }
        try alive.finish(job: jobs[0], worker: "alive", ending: .succeeded)

        let checker = try shared.clone("checker")
        let index = try checker.index()
        #expect(try checker.snapshot().job(jobs[0])?.state == .succeeded)
        #expect(try index.balance(.worker("alive")) == 1_600)
        #expect(try index.balance(.platform) == 400)
        #expect(try index.balance(.worker("dead")) == 0)
        #expect(try shared.verifyRemote().violation == nil)
        let refs = try Processes.git([
            "--git-dir", shared.remote, "for-each-ref", "refs/dtrain/claims",
        ])
        #expect(refs.stdout.isEmpty, "the finished job's claim ref is deleted")
    }

    @Test("a job whose leases keep lapsing fails and is refunded")
    func retryLimit() throws {
        let shared = try SharedSpool(lease: 1)
        let jobs = try shared.publishJobs(1, as: "gina", funds: 2_000)
        let worker = try shared.clone("flaky")
        let reaper = try shared.clone("reaper")
        for attempt in 1...SpoolConfig.standard.retryLimit {
            let claim = try worker.claimNext(profile: .thisMachine(name: "flaky"))
            #expect(claim.attempt == attempt)
            _ = try reaper.reap()
            Thread.sleep(forTimeInterval: 1.2)
            _ = try reaper.reap()
        }
        let checker = try shared.clone("checker")
        #expect(try checker.snapshot().job(jobs[0])?.state == .failed)
        #expect(try checker.index().balance(.user("gina")) == 2_000)
        #expect(try shared.verifyRemote().violation == nil)
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String] = []
    private var errors: [String] = []

    func add(_ claimed: [String]) {
        lock.lock()
        jobs += claimed
        lock.unlock()
    }

    func fail(_ message: String) {
        lock.lock()
        errors.append(message)
        lock.unlock()
    }

    var claimed: [String] {
        lock.lock()
        defer { lock.unlock() }
        return jobs
    }

    var failures: [String] {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }
}
