import DTrainCore
import Foundation
import GitKit

/// Section 3: one submit and one claim on a spool that already holds many jobs.
///
/// The history is synthetic (see `SyntheticHistory`), written into the bare remote; the
/// clones borrow the remote's objects (see `BenchSpool.borrowedClone`) instead of copying
/// hundreds of thousands of them. Everything timed after that is real dtrain: the index's
/// first build, then `submit`, `publish`, `sync`, and `claim(job:worker:)` over the remote.
struct ScaleBench {
    let options: BenchOptions
    let budget: Budget
    let zip: String

    func run(into report: inout BenchReport) {
        // Seconds per synthetic job seen so far, to skip sizes that cannot finish in time.
        var secondsPerJob: Double?
        for size in options.sizes.sorted() {
            if let secondsPerJob, secondsPerJob * Double(size) * 1.5 > budget.remaining {
                let guess = Format.seconds(secondsPerJob * Double(size))
                report.notes.append(
                    "scale: SKIPPED \(Format.count(size)) jobs: setup alone would take ~\(guess)"
                        + ", more than the budget left (\(Format.seconds(budget.remaining)))")
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
        let template = try templateJob(in: scratch.file("template"))

        // The synthetic history, written straight into the remote.
        Progress.say("scale: writing \(Format.count(size)) jobs into the remote")
        let remote = try Repository.openExactly(at: spool.remote)
        let history = SyntheticHistory(repository: remote, template: template, zip: zip)
        let (built, buildSeconds) = try Stopwatch.time {
            try history.build(jobs: size, payloadRefs: options.payloadRefs)
        }
        let submitter = try spool.borrowedClone("submitter")
        let worker = try spool.borrowedClone("worker")

        // The index's first build, on its own.
        Progress.say("scale: first index build over \(Format.count(size)) jobs")
        let indexSeconds = try Stopwatch.time { _ = try submitter.index() }.seconds
        _ = try worker.index()
        let indexBytes = Self.fileBytes(submitter.localDirectory + "/index.sqlite")
        var figures = ScaleFigures(
            jobs: size, payloadRefs: built.payloadRefs, buildSeconds: buildSeconds,
            objectsWritten: built.objects, indexFirstBuildSeconds: indexSeconds,
            indexBytes: indexBytes, samples: 0)

        // Steady state: submit, publish, deliver; the worker syncs and claims the new job.
        var timings: [String: [Double]] = [:]
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let (value, seconds) = try Stopwatch.time(body)
            timings[name, default: []].append(seconds)
            return value
        }
        Progress.say("scale: \(options.samples) submit/claim samples")
        for _ in 0..<options.samples where budget.remaining > 5 {
            let job = try timed("submit") {
                try submitter.submit(
                    zipAt: zip, options: SubmitOptions(mainScript: "train.py"),
                    actor: BenchSpool.owner)
            }
            try timed("publish") { _ = try submitter.publish(job: job.id, actor: BenchSpool.owner) }
            try timed("deliver") { _ = try submitter.sync() }
            try timed("workerSync") { _ = try worker.sync() }
            try timed("indexCatchUp") { _ = try worker.index() }
            let attempt = try timed("claim") { try worker.claim(job: job.id, worker: "worker") }
            if attempt != 1 {
                notes.append("scale \(size): claim of \(job.id) gave attempt \(attempt ?? 0)")
            }
            try timed("listRemote") { _ = try worker.remoteClaims() }
            try timed("idleFetch") { try worker.fetchMain() }
            figures.samples += 1
        }
        figures.submitSeconds = Samples.median(timings["submit"] ?? [])
        figures.publishSeconds = Samples.median(timings["publish"] ?? [])
        figures.deliverSeconds = Samples.median(timings["deliver"] ?? [])
        figures.workerSyncSeconds = Samples.median(timings["workerSync"] ?? [])
        figures.indexCatchUpSeconds = Samples.median(timings["indexCatchUp"] ?? [])
        figures.claimSeconds = Samples.median(timings["claim"] ?? [])
        figures.listRemoteSeconds = Samples.median(timings["listRemote"] ?? [])
        figures.idleFetchSeconds = Samples.median(timings["idleFetch"] ?? [])
        Progress.say(
            "scale: \(Format.count(size)) jobs: submit \(Format.seconds(figures.submitSeconds))"
                + ", claim \(Format.seconds(figures.claimSeconds))")
        return figures
    }

    /// A SQLite file's size with its write-ahead log (where fresh pages live until a
    /// checkpoint).
    private static func fileBytes(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = try? FileManager.default.attributesOfItem(atPath: file)[.size]
            return total + ((size as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// One real job submitted on a throwaway spool: the record every synthetic job copies.
    private func templateJob(in path: String) throws -> JobRecord {
        let spool = try Spool.create(at: path, config: .standard, actor: "admin")
        return try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: BenchSpool.owner)
    }
}
