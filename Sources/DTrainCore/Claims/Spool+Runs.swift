import Foundation
import GitKit

/// How a run ended, as the worker holding the claim reports it.
public enum RunEnding: Sendable, Equatable {
    case succeeded
    case failed(String)
    case timedOut(String)
    /// A fault of the worker, not the job (Docker down, image missing, disk full): the job
    /// goes back to the queue and no money moves.
    case handedBack(String)
    /// No fault of the job: the worker's owner stopped it (SIGTERM, a reboot), or its claim
    /// never got as far as running. Back to the queue, no money moves, and unlike a fault it
    /// does not count toward the retry limit, as Slurm and HTCondor do not count a job
    /// requeued off a node going down.
    case stopped(String)

    public var isHandBack: Bool {
        switch self {
        case .handedBack, .stopped: true
        case .succeeded, .failed, .timedOut: false
        }
    }
}

/// What the claim holder writes on `main` as its run goes on. Every step first renews the
/// lease: a holder whose claim was reaped learns it there and writes nothing (fencing).
extension Spool {
    /// claimed → running.
    public func markRunning(job id: String, worker: String) throws {
        try requireHeldClaim(job: id)
        try write(actor: worker, message: "Worker \(worker) starts job \(id)") { snapshot in
            let job = try snapshot.requireJob(id)
            return try changes(
                for: job.transition(
                    to: .running, by: worker, worker: worker, attempt: job.attempt))
        }
        try deliver(expecting: "starts job \(id)")
    }

    /// Ends the run: the final record and its settle or release in one commit, delivered,
    /// then the claim ref is deleted (the record on main now says everything it did).
    ///
    /// - Returns: the ending written, which is a failure for a hand-back past the retry limit.
    @discardableResult
    public func finish(
        job id: String, worker: String, ending: RunEnding, result: String? = nil
    ) throws -> RunEnding {
        try requireHeldClaim(job: id)
        var written = ending
        try write(actor: worker, message: Self.finishMessage(id, worker, ending)) { snapshot in
            let job = try snapshot.requireJob(id)
            let escrow = try ledgerBalance(.escrow(job: id), at: snapshot)
            let owner = job.manifest.owner
            let config = try snapshot.config()
            let now = Timestamp.iso()
            let (state, note, entries): (JobState, String?, [LedgerEntry]) =
                switch ending {
                case .succeeded:
                    (
                        .succeeded, nil,
                        [
                            LedgerEntry.settle(
                                job: id, worker: worker, price: escrow,
                                split: config.split, by: worker, at: now)
                        ]
                    )
                case .failed(let why):
                    (
                        .failed, why,
                        [.release(job: id, user: owner, amount: escrow, by: worker, at: now)]
                    )
                case .timedOut(let why):
                    (
                        .timedOut, why,
                        [.release(job: id, user: owner, amount: escrow, by: worker, at: now)]
                    )
                case .handedBack(let why) where job.countedClaims >= config.retryLimit:
                    // Handed back by as many claims as the retry limit allows (an
                    // image no worker has, say): fail and refund, or it would cycle
                    // through the workers for ever, three commits a round.
                    (
                        .failed,
                        "\(why); handed back \(job.countedClaims) times, retry limit reached",
                        [.release(job: id, user: owner, amount: escrow, by: worker, at: now)]
                    )
                case .handedBack(let why), .stopped(let why):
                    (.published, why, [])
                }
            if ending.isHandBack, state == .failed { written = .failed(note ?? "") }
            try checkLedger(entries, at: snapshot, reservations: [id: owner])
            let stopped = if case .stopped = ending { true } else { false }
            let record = try job.transition(
                to: state, by: worker, note: note, worker: worker, attempt: job.attempt,
                entry: entries.first?.id, result: result,
                countsTowardRetries: stopped ? false : nil)
            return try changes(for: record, entries: entries)
        }
        try deliver(expecting: "job \(id)")
        try releaseClaim(job: id)
        return written
    }

    static func finishMessage(_ job: String, _ worker: String, _ ending: RunEnding) -> String {
        switch ending {
        case .succeeded: "Job \(job) succeeded on \(worker); settle escrow"
        case .failed(let why): "Job \(job) failed on \(worker): \(why); release escrow"
        case .timedOut(let why): "Job \(job) timed out on \(worker): \(why); release escrow"
        case .handedBack(let why), .stopped(let why):
            "Worker \(worker) hands job \(job) back: \(why)"
        }
    }

    /// Renews the lease or throws: the claim was reaped, so the run must stop here.
    func requireHeldClaim(job id: String) throws {
        guard try renewLease(job: id) else { throw ClaimError.fenced(job: id) }
    }

    /// Syncs and throws if the commit naming `what` was dropped on the way.
    func deliver(expecting what: String) throws {
        let report = try sync()
        if let dropped = report.dropped.first(where: { $0.summary.contains(what) }) {
            throw ClaimError.overtaken(summary: dropped.summary, reason: dropped.reason)
        }
    }
}

extension JobRecord {
    /// The attempt of the newest claim, 0 if never claimed.
    public var attempt: Int {
        records.last(where: { $0.state == .claimed })?.attempt ?? 0
    }

    /// How many times the job has been claimed.
    public var claims: Int { records.filter { $0.state == .claimed }.count }

    /// Claims that count toward the spool's retry limit: all but those ended by a stopped
    /// worker handing the job back.
    public var countedClaims: Int {
        claims - records.filter { $0.countsTowardRetries == false }.count
    }
}

/// Why a claim holder may not go on.
public enum ClaimError: DTrainError {
    case fenced(job: String)
    case overtaken(summary: String, reason: String)

    public var exitStatus: ExitStatus { .conflict }

    public var description: String {
        switch self {
        case .fenced(let job):
            "the claim on job \(job) is no longer ours (its lease lapsed and it was reaped); "
                + "nothing more is written about it"
        case .overtaken(let summary, let reason):
            "'\(summary)' was not delivered: \(reason)"
        }
    }
}
