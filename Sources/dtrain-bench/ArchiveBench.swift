import DTrainCore
import Foundation
import GitKit

/// Section 5: what folding finished jobs buys. On a spool of N finished jobs (each with its
/// payload and results ref, as workers leave them), the remote's ref count, one listing of
/// it and one claim, before and after `gc --older-than 0` folds them into archive refs.
///
/// The history is synthetic (see `SyntheticHistory`), the submitter and worker clones borrow
/// the remote's objects like the scale section's; the gc node is a real clone, so gc
/// downloads what it folds as it would on an admin node (synthetic jobs share one ZIP and
/// one log, so those downloads are smaller than a real spool's).
struct ArchiveBench {
    let options: BenchOptions
    let budget: Budget
    let zip: String

    func run(into report: inout BenchReport) {
        let size = options.archiveJobs
        // Only a hopeless size is skipped (measured on a 2-core VM: 25 s for 1,000 jobs,
        // 421 s for 10,000, most of it gc writing fsync'd trees); gc itself stops when the
        // budget runs out, and the report says how many jobs it left.
        guard budget.remaining > 15 + Double(size) * 0.025 else {
            report.notes.append(
                "archive: SKIPPED \(Format.count(size)) jobs: not enough budget left "
                    + "(\(Format.seconds(budget.remaining))); run --sections archive alone, "
                    + "or raise --budget")
            return
        }
        do {
            report.archive = try measure(size: size)
        } catch {
            report.notes.append("archive: \(Format.count(size)) jobs FAILED: \(error)")
        }
    }

    private func measure(size: Int) throws -> ArchiveFigures {
        let scratch = try ScratchDirectory(label: "archive\(size)")
        defer { scratch.remove() }
        let spool = try BenchSpool(in: scratch.path)
        let template = try BenchSpool.templateJob(in: scratch.file("template"), zip: zip)

        // The finished history, written straight into the remote.
        Progress.say("archive: writing \(Format.count(size)) finished jobs into the remote")
        let remote = try Repository.openExactly(at: spool.remote)
        let history = SyntheticHistory(repository: remote, template: template, zip: zip)
        let setupSeconds = try Stopwatch.time {
            try GitDurability.withoutFsync {
                try history.build(jobs: size, payloadRefs: true, finished: true)
            }
        }.seconds
        let submitter = try spool.borrowedClone("submitter")
        let worker = try spool.borrowedClone("worker")
        _ = try submitter.index()
        _ = try worker.index()

        // Before: every finished job still has its two refs.
        var figures = ArchiveFigures(jobs: size, setupSeconds: setupSeconds)
        figures.refsBefore = try remote.references(glob: "refs/*").count
        (figures.claimBeforeSeconds, figures.listBeforeSeconds) = try claims(submitter, worker)

        // gc on an admin node: a real clone with its index built, then runs of the default
        // batch until nothing is left (or the budget is).
        Progress.say("archive: cloning for gc, then gc --older-than 0")
        let admin = try spool.clone("gc")
        _ = try admin.index()
        let clock = Stopwatch()
        var left = size
        while left > 0, budget.remaining > 10 {
            let report = try admin.collectGarbage(olderThan: 0, actor: "admin")
            figures.gcRuns += 1
            figures.folded += report.folded.count
            left = report.remaining
        }
        figures.gcSeconds = clock.seconds
        if left > 0 { figures.gcUnfinished = left }

        // After.
        figures.refsAfter = try remote.references(glob: "refs/*").count
        figures.archiveRefs = try remote.references(glob: SpoolLayout.archiveRefPrefix + "*").count
        (figures.claimAfterSeconds, figures.listAfterSeconds) = try claims(submitter, worker)
        Progress.say(
            "archive: \(Format.count(size)) jobs: refs \(figures.refsBefore) -> "
                + "\(figures.refsAfter), claim \(Format.seconds(figures.claimBeforeSeconds)) -> "
                + "\(Format.seconds(figures.claimAfterSeconds))")
        return figures
    }

    /// Medians of one claim and one listing of the remote, each on a job the submitter has
    /// just published and the worker has just synced (as in the scale section).
    private func claims(_ submitter: Spool, _ worker: Spool) throws
        -> (claim: Double?, list: Double?)
    {
        var timings = Timings()
        for _ in 0..<options.samples where budget.remaining > 5 {
            let job = try BenchSpool.submitOne(submitter, zip: zip)
            try submitter.publish(job: job, actor: BenchSpool.owner)
            try submitter.sync()
            try worker.sync()
            _ = try worker.index()
            _ = try timings.time("claim") { try worker.claim(job: job, worker: "w") }
            _ = try timings.time("list") { try worker.remoteRefs() }
        }
        return (timings.median("claim"), timings.median("list"))
    }
}
