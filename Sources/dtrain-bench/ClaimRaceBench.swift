import DTrainCore
import Foundation

/// Section 1: worker PROCESSES running the real `dtrain worker claim` race for
/// published jobs over one local bare remote, each from its own clone, as
/// workers on separate machines would (minus the network).
struct ClaimRaceBench {
    let options: BenchOptions
    let budget: Budget
    let dtrain: String
    let zip: String

    func run(into report: inout BenchReport) {
        for workers in options.workers {
            guard budget.remaining > 20 else {
                report.notes.append("claims: SKIPPED \(workers) worker(s): budget spent")
                continue
            }
            do {
                let figures = try race(workers: workers)
                report.claimRaces.append(figures)
                Progress.say(
                    "claims: \(workers) worker(s): \(figures.claimed) claims in "
                        + Format.seconds(figures.seconds))
            } catch {
                report.notes.append("claims: \(workers) worker(s) FAILED: \(error)")
            }
        }
    }

    /// One race on a fresh spool: every worker claims until no published job is
    /// left.
    private func race(workers: Int) throws -> RaceFigures {
        let scratch = try ScratchDirectory(label: "claims\(workers)")
        defer { scratch.remove() }
        Progress.say("claims: publishing \(options.jobs) jobs for \(workers) worker(s)")
        let spool = try BenchSpool(in: scratch.path)
        let jobs = try spool.publishJobs(options.jobs, zip: zip)
        let paths = try (0..<workers).map { index in
            _ = try spool.clone("w\(index)")
            return scratch.file("w\(index)")
        }

        // All workers at once; each loops until told nothing is left (or out of
        // time).
        let tally = RaceTally()
        let deadline = budget.remaining
        let cpuBefore = Stopwatch.childrenCPUSeconds()
        let clock = Stopwatch()
        DispatchQueue.concurrentPerform(iterations: workers) { index in
            claimUntilEmpty(spool: paths[index], worker: "w\(index)", tally: tally) {
                clock.seconds > deadline
            }
        }
        var figures = tally.figures(
            tool: "dtrain worker claim", workers: workers, jobs: jobs, seconds: clock.seconds)
        let cpu = Stopwatch.childrenCPUSeconds() - cpuBefore
        figures.cpuSecondsPerClaim = figures.claimed > 0 ? cpu / Double(figures.claimed) : nil
        return figures
    }

    /// One worker's loop of `dtrain worker claim --json`.
    private func claimUntilEmpty(
        spool: String, worker: String, tally: RaceTally, outOfTime: () -> Bool
    ) {
        // Each job is claimed at most once, so this bounds the loop even if
        // exit codes lie.
        for _ in 0..<(options.jobs * 2 + 4) {
            if outOfTime() {
                tally.problem("\(worker): stopped, budget spent")
                return
            }
            let result: SubprocessResult
            do {
                result = try Subprocess.run(
                    dtrain, ["worker", "claim", "--json", "--spool", spool, "--as", worker])
            } catch {
                tally.problem("\(worker): could not start dtrain: \(error)")
                return
            }
            guard
                let claim = try? CanonicalJSON.decode(
                    ClaimResult.self, from: Data(result.stdout.utf8))
            else {
                tally.problem("\(worker): exit \(result.status), no JSON: \(result.stderr)")
                return
            }
            tally.lost(claim.lost)
            if result.status == 0, let job = claim.job {
                tally.claimed(job, seconds: result.seconds)
            } else if claim.eligible == 0 {
                return
            } else if result.status != ExitStatus.notFound.rawValue {
                tally.problem("\(worker): exit \(result.status): \(result.stderr)")
                return
            }
        }
    }
}
