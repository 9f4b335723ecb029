import Foundation
import GitKit

/// The worker node's main loop: recover, reap, claim, run, repeat.
///
/// Safe to start from cron every minute: a second start finds the lock and leaves; a start
/// after a crash first settles what the crashed run left behind (its container, its claim,
/// its undelivered records) before taking new work.
public final class WorkerLoop {
    public struct Options: Sendable {
        public var once = false
        public var pollSeconds: Double = 5
        public var maxJobs: Int?
        /// Leave as soon as a poll finds nothing to run (batch nodes, tests).
        public var untilIdle = false
        /// How long a job this worker ran stays final before an idle poll folds its refs.
        public var foldGraceSeconds = Spool.defaultFoldGrace

        public init(
            once: Bool = false, pollSeconds: Double = 5, maxJobs: Int? = nil,
            untilIdle: Bool = false, foldGraceSeconds: TimeInterval = Spool.defaultFoldGrace
        ) {
            self.once = once
            self.pollSeconds = pollSeconds
            self.maxJobs = maxJobs
            self.untilIdle = untilIdle
            self.foldGraceSeconds = foldGraceSeconds
        }
    }

    public struct Summary: Codable, Sendable {
        public var runs: [JobRunner.Outcome] = []
        public var recovered: [String] = []
        public var reaped: [ReapAction] = []
        /// Old jobs of this worker whose refs an idle poll folded into the archive.
        public var folded: [FoldAction] = []
    }

    let spool: Spool
    let worker: String
    let executor: DockerExecutor
    let stopRequested: @Sendable () -> Bool
    let log: (String) -> Void

    public init(
        spool: Spool, worker: String, executor: DockerExecutor = DockerExecutor(),
        stopRequested: @escaping @Sendable () -> Bool, log: @escaping (String) -> Void
    ) {
        self.spool = spool
        self.worker = worker
        self.executor = executor
        self.stopRequested = stopRequested
        self.log = log
    }

    public func run(_ options: Options) throws -> Summary {
        let lock = try WorkerLock(path: spool.localDirectory + "/worker.lock")
        defer { withExtendedLifetime(lock) {} }
        var summary = Summary()
        summary.recovered = try recover()

        let profile = (spool.settings.worker ?? WorkerSettings()).profile(name: worker)
        let runner = JobRunner(
            spool: spool, worker: worker, executor: executor, stopRequested: stopRequested,
            log: log)
        // Jobs this loop handed back for a fault of its own; another worker may do better.
        var handedBack = Set<String>()
        while !stopRequested() {
            // One poll: fetch main and list the remote's refs once, for reaping, claiming
            // and, when idle, folding.
            let claim: ClaimResult
            let refs: [String: ObjectID]
            do {
                try spool.sync()
                refs = try spool.remoteRefs()
                var claims = Spool.claims(in: refs)

                // Reaping is everyone's chore; a failure here must not stop the worker.
                do {
                    let reaped = try spool.reap(claims: claims)
                    for action in reaped { claims[action.job] = nil }
                    summary.reaped += reaped
                } catch {
                    log("reap failed: \(error)")
                }
                claim = try spool.claimNext(
                    profile: profile, excluding: handedBack, claims: claims)
            } catch let error as SyncError where !options.once {
                // A loop outlives a network blip: say so, wait, and try again.
                log("cannot claim: \(error); retrying in \(options.pollSeconds)s")
                pause(options.pollSeconds)
                continue
            }
            if let job = claim.job {
                log("claimed job \(job) (attempt \(claim.attempt ?? 1); \(claim.lost) lost races)")
                do {
                    let outcome = try runner.run(job: job)
                    if outcome.state == "handed-back" { handedBack.insert(job) }
                    summary.runs.append(outcome)
                } catch let error as ClaimError {
                    log("\(error)")
                } catch  where !options.once {
                    // The run broke on our side (disk, network): give the job back now
                    // rather than let its lease lapse, and keep serving.
                    log("job \(job): the run failed on this worker: \(error)")
                    handedBack.insert(job)
                    _ = try? recover()
                    pause(options.pollSeconds)
                }
            } else {
                log("no job to run: \(claim.reason ?? "")")
                summary.folded += foldWhileIdle(listed: refs, options)
            }
            if options.once { break }
            if let max = options.maxJobs, summary.runs.count >= max { break }
            if claim.job == nil {
                if options.untilIdle { break }
                pause(options.pollSeconds)
            }
        }
        return summary
    }

    /// Settles claims this worker holds from a run that died: delivers its records, removes
    /// its containers, and hands unfinished jobs back to the queue.
    func recover() throws -> [String] {
        var recovered: [String] = []
        let held = try spool.repository.references(glob: Spool.claimRefPrefix + "*")
        guard !held.isEmpty else { return [] }
        try spool.sync()
        for (ref, commit) in held {
            let id = String(ref.dropFirst(Spool.claimRefPrefix.count))
            guard let ticket = try? spool.claimTicket(at: commit), ticket.worker == worker else {
                continue
            }
            for container in (try? executor.containers(forJob: id)) ?? [] {
                log("job \(id): removing container \(container) left by a crashed run")
                try? executor.remove(container: container, graceSeconds: 0)
            }
            let state = try spool.snapshot().job(id)?.state
            if state?.isFinal ?? true {
                try? spool.releaseClaim(job: id)
                recovered.append(id)
                continue
            }
            // A claim that never got as far as running (the worker died between claiming
            // and starting, or a push met a lock) is no fault of the job: it spends no retry.
            let why =
                "this worker held the claim with no run going (its run died, or the job was "
                + "claimed with 'dtrain worker claim')"
            do {
                try spool.finish(
                    job: id, worker: worker,
                    ending: state == .claimed ? .stopped(why) : .handedBack(why))
                log("job \(id): handed back to the queue (held with no run going)")
            } catch let error as ClaimError {
                log("job \(id): \(error)")
                try? spool.repository.deleteReference(ref, expected: commit)
            }
            recovered.append(id)
        }
        return recovered
    }

    /// Folds a few old jobs this worker ran, so a lab without a gc cron still keeps the
    /// remote's refs few. Only refs already here are folded and nothing is downloaded (see
    /// `Spool.foldHeldJobs`); a failure costs only the chance, never the worker.
    private func foldWhileIdle(listed refs: [String: ObjectID], _ options: Options)
        -> [FoldAction]
    {
        do {
            let folded = try spool.foldHeldJobs(
                listed: refs, actor: worker, olderThan: options.foldGraceSeconds)
            for action in folded where !action.deleted.isEmpty {
                log("job \(action.job): folded into \(action.archive)")
            }
            return folded
        } catch {
            log("folding old jobs failed: \(error)")
            return []
        }
    }

    private func pause(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end, !stopRequested() {
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
