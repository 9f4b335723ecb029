import DTrainCore
import Foundation
import GitKit

/// Section 3: one submit and one claim on a spool that already holds many jobs.
///
/// The history is synthetic (see `SyntheticHistory`), written into the bare
/// remote; the clones borrow the remote's objects (see
/// `BenchSpool.borrowedClone`) instead of copying hundreds of thousands of
/// them. Everything timed after that is real dtrain: the index's first build,
/// then `submit`, `publish`, `sync`, and `claim(job:worker:)` over the remote.
struct ScaleBench {
    let options: BenchOptions
    let budget: Budget
    let zip: String

    func run(into report: inout BenchReport) {
        // Seconds per job of a whole size (history, index, samples), to skip
        // sizes that cannot finish in time. Before any size has run: 4 ms, about
        // a third of what a 2-core VM measured, so only hopeless sizes are
        // skipped.
        var secondsPerJob = 0.004
        for size in options.sizes.sorted() {
            if secondsPerJob * Double(size) * 1.5 > budget.remaining {
                let guess = Format.seconds(secondsPerJob * Double(size))
                report.notes.append(
                    "scale: SKIPPED \(Format.count(size)) jobs: it would take ~\(guess)"
                        + ", more than the budget left (\(Format.seconds(budget.remaining)));"
                        + " raise --budget to run it")
                continue
            }
            guard budget.remaining > 15 else {
                report.notes.append("scale: SKIPPED \(Format.count(size)) jobs: budget spent")
                continue
            }
            do {
                let clock = Stopwatch()
                let figures = try measure(size: size, notes: &report.notes)
                report.scale.append(figures)
                secondsPerJob = clock.seconds / Double(size)
            } catch {
                report.notes.append("scale: \(Format.count(size)) jobs FAILED: \(error)")
            }
        }
    }

    private func measure(size: Int, notes: inout [String]) throws -> ScaleFigures {
        let scratch = try ScratchDirectory(label: "scale\(size)")
        defer { scratch.remove() }
        let spool = try BenchSpool(in: scratch.path)
        let template = try BenchSpool.templateJob(in: scratch.file("template"), zip: zip)

        // The synthetic history, written straight into the remote.
        Progress.say("scale: writing \(Format.count(size)) jobs into the remote")
        let remote = try Repository.openExactly(at: spool.remote)
        let history = SyntheticHistory(repository: remote, template: template, zip: zip)
        let (built, buildSeconds) = try Stopwatch.time {
            try GitDurability.withoutFsync {
                try history.build(jobs: size, payloadRefs: options.payloadRefs)
            }
        }
        let submitter = try spool.borrowedClone("submitter")
        let worker = try spool.borrowedClone("worker")

        // The index's first build, on its own.
        Progress.say("scale: first index build over \(Format.count(size)) jobs")
        let cpuBefore = Stopwatch.processCPUSeconds()
        let indexSeconds = try Stopwatch.time { _ = try submitter.index() }.seconds
        let indexCPUSeconds = Stopwatch.processCPUSeconds() - cpuBefore
        _ = try worker.index()
        let indexBytes = Self.fileBytes(submitter.localDirectory + "/index.sqlite")
        var figures = ScaleFigures(
            jobs: size, payloadRefs: built.payloadRefs, buildSeconds: buildSeconds,
            objectsWritten: built.objects, indexFirstBuildSeconds: indexSeconds,
            indexFirstBuildCPUSeconds: indexCPUSeconds,
            indexBytes: indexBytes, samples: 0)

        // Steady state, each sample: submit, publish and deliver on an idle
        // remote; the worker syncs and claims that job; then a submit delivered
        // after the claim moved the remote (its commits are replayed on the new
        // tip).
        var timings = Timings()
        Progress.say("scale: \(options.samples) submit/claim samples")
        for sample in 0..<options.samples where budget.remaining > 5 {
            try submitter.sync()
            let job = try timings.time("submit") { try BenchSpool.submitOne(submitter, zip: zip) }
            try timings.time("publish") {
                _ = try submitter.publish(job: job, actor: BenchSpool.owner)
            }
            try timings.time("deliver") { _ = try submitter.sync() }
            try timings.time("workerSync") { _ = try worker.sync() }
            try timings.time("indexCatchUp") { _ = try worker.index() }
            let attempt = try timings.time("claim") { try worker.claim(job: job, worker: "w") }
            if attempt != 1 {
                notes.append("scale \(size): claim of \(job) gave attempt \(attempt ?? 0)")
            }
            try timings.time("createRef") { try createRef(from: worker, sample: sample) }
            try timings.time("listRemote") { _ = try worker.remoteClaims() }
            try timings.time("idleFetch") { try worker.fetchMain() }

            // Replays rebuild things; once per size is enough to show what they
            // cost.
            if sample == 0, budget.remaining < indexSeconds * 2 {
                notes.append(
                    "scale \(size): SKIPPED the sync after replay: it rebuilds the index "
                        + "(~\(Format.seconds(indexSeconds))) and the budget is nearly spent")
            } else if sample == 0 {
                let late = try BenchSpool.submitOne(submitter, zip: zip)
                try submitter.publish(job: late, actor: BenchSpool.owner)
                try timings.time("deliverReplay") { _ = try submitter.sync() }
            }
            figures.samples += 1
        }
        figures.submitSeconds = timings.median("submit")
        figures.publishSeconds = timings.median("publish")
        figures.deliverSeconds = timings.median("deliver")
        figures.deliverAfterReplaySeconds = timings.median("deliverReplay")
        figures.workerSyncSeconds = timings.median("workerSync")
        figures.indexCatchUpSeconds = timings.median("indexCatchUp")
        figures.claimSeconds = timings.median("claim")
        figures.createRefSeconds = timings.median("createRef")
        figures.listRemoteSeconds = timings.median("listRemote")
        figures.idleFetchSeconds = timings.median("idleFetch")
        Progress.say(
            "scale: \(Format.count(size)) jobs: submit \(Format.seconds(figures.submitSeconds))"
                + ", claim \(Format.seconds(figures.claimSeconds))")
        return figures
    }

    /// Creates one new ref on the remote, the atomic step of a claim, on its
    /// own (`Repository.push` of a fresh parentless commit, expecting no ref).
    private func createRef(from spool: Spool, sample: Int) throws {
        let repository = spool.repository
        let commit = try repository.createCommit(
            tree: repository.emptyTree(), parents: [],
            message: "dtrain-bench ref \(sample) \(UUID().uuidString)",
            author: Actor.signature(BenchSpool.owner))
        let result = try repository.push(
            url: spool.remoteURL(), localRef: commit, remoteRef: "refs/dtrain/bench/\(sample)",
            expected: nil, credentials: spool.credentials)
        guard result.isAccepted else {
            throw BenchFailure("the remote refused a new ref: \(result.rejected ?? "")")
        }
    }

    /// A SQLite file's size with its write-ahead log (where fresh pages live
    /// until a checkpoint).
    private static func fileBytes(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = try? FileManager.default.attributesOfItem(atPath: file)[.size]
            return total + ((size as? NSNumber)?.int64Value ?? 0)
        }
    }
}
