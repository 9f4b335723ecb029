import Foundation

/// Every figure of one run, as `--json` prints it. Seconds throughout; nil =
/// not measured.
struct BenchReport: Codable, Sendable {
    var startedAt: String
    var quick: Bool
    var budgetSeconds: Double
    var claimRaces: [RaceFigures] = []
    var gitFloor: [RaceFigures] = []
    var scale: [ScaleFigures] = []
    var worker: WorkerFigures?
    var archive: ArchiveFigures?
    /// Everything skipped or gone wrong, in words: a figure missing is always
    /// explained here.
    var notes: [String] = []
    var totalSeconds: Double = 0
    var peakResidentKiB: Int?
    var peakChildResidentKiB: Int?
}

/// One race of `workers` clients over `jobs` jobs.
struct RaceFigures: Codable, Sendable {
    var tool: String
    var workers: Int
    var jobs: Int
    var claimed: Int
    var seconds: Double
    /// Claims that the remote accepted, per wall-clock second.
    var claimsPerSecond: Double
    /// Pushes of a claim ref the remote refused, per successful claim.
    var refusedPerClaim: Double
    /// The median time of one whole successful claim by one client.
    var medianClaimSeconds: Double?
    /// CPU seconds the clients' processes used per successful claim (their
    /// last calls, which found nothing left, included): on a 2-core machine, 2
    /// divided by this caps claims per second.
    var cpuSecondsPerClaim: Double?
    /// Claims the remote holds twice, or jobs left unclaimed: each would be a
    /// bug.
    var anomalies: [String]
}

/// Submit and claim costs on a spool that already holds `jobs` jobs.
struct ScaleFigures: Codable, Sendable {
    var jobs: Int
    var payloadRefs: Int
    /// Writing the synthetic history straight into the remote (setup, not
    /// dtrain's cost).
    var buildSeconds: Double
    var objectsWritten: Int
    /// The first `Spool.index()` of a fresh clone: SQLite built from the whole
    /// tree.
    var indexFirstBuildSeconds: Double
    /// CPU seconds of this process during that build (the rest was waiting).
    var indexFirstBuildCPUSeconds: Double
    var indexBytes: Int64
    /// Medians over the samples.
    var submitSeconds: Double?
    var publishSeconds: Double?
    /// `Spool.sync()` of the submitter delivering one submit + publish.
    var deliverSeconds: Double?
    /// The same after another clone moved the remote: the commits are replayed
    /// first.
    var deliverAfterReplaySeconds: Double?
    /// `Spool.sync()` of the worker picking the new job up, then the index
    /// catching up.
    var workerSyncSeconds: Double?
    var indexCatchUpSeconds: Double?
    /// `Spool.claim(job:worker:)`: claim ref push, `claimed` on main, sync.
    var claimSeconds: Double?
    /// `Repository.push` creating one ref on the remote: a claim's atomic step
    /// alone.
    var createRefSeconds: Double?
    /// The remote's ref advertisement alone (`Spool.remoteClaims()`).
    var listRemoteSeconds: Double?
    /// A fetch of main with nothing new (`Spool.fetchMain()`).
    var idleFetchSeconds: Double?
    var samples: Int
}

/// A spool of `jobs` finished jobs before and after `gc --older-than 0`.
struct ArchiveFigures: Codable, Sendable {
    var jobs: Int
    /// Writing the synthetic history (setup, not dtrain's cost).
    var setupSeconds: Double
    /// Refs on the remote (main, payloads, results, claims, archives).
    var refsBefore = 0
    var refsAfter = 0
    var archiveRefs = 0
    /// Medians: `Spool.claim(job:worker:)`, and one listing of the remote's refs.
    var claimBeforeSeconds: Double?
    var claimAfterSeconds: Double?
    var listBeforeSeconds: Double?
    var listAfterSeconds: Double?
    /// Every `collectGarbage` run (500 jobs each) until nothing was left.
    var gcSeconds: Double = 0
    var gcRuns = 0
    var folded = 0
    /// Jobs still unfolded when the budget ran out.
    var gcUnfinished: Int?
}
