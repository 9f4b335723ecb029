import DTrainCore
import Foundation

/// Section 2, the floor: what the plain `git` command needs for the same atomic
/// step.
///
/// Each client lists the remote's claim refs, picks a job nobody holds at
/// random, makes a unique parentless commit and pushes it create-only
/// (`--force-with-lease=REF:` with an empty expected value: "must not exist"),
/// so receive-pack grants each ref to one client. No spool, no main branch:
/// only the ref creation dtrain's claim is built around.
struct GitFloorBench {
    let options: BenchOptions
    let budget: Budget
    let git: String

    private static let environment = [
        "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@dtrain.invalid",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@dtrain.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
    ]

    func run(into report: inout BenchReport) {
        for clients in options.workers {
            guard budget.remaining > 10 else {
                report.notes.append("git floor: SKIPPED \(clients) client(s): budget spent")
                continue
            }
            do {
                let figures = try race(clients: clients)
                report.gitFloor.append(figures)
                Progress.say(
                    "git floor: \(clients) client(s): \(figures.claimed) refs in "
                        + Format.seconds(figures.seconds))
            } catch {
                report.notes.append("git floor: \(clients) client(s) FAILED: \(error)")
            }
        }
    }

    private func race(clients: Int) throws -> RaceFigures {
        let scratch = try ScratchDirectory(label: "git\(clients)")
        defer { scratch.remove() }
        let remote = scratch.file("remote.git")
        try git(["init", "--bare", "-q", remote])
        let clones = try (0..<clients).map { index in
            let path = scratch.file("c\(index)")
            try git(["init", "-q", path])
            try git(["-C", path, "remote", "add", "origin", remote])
            try git(["-C", path, "hash-object", "-w", "-t", "tree", "/dev/null"])
            return path
        }
        let jobs = (0..<options.jobs).map { _ in Identifier.make() }

        // All clients at once, each until every job is held.
        let tally = RaceTally()
        let deadline = budget.remaining
        let cpuBefore = Stopwatch.childrenCPUSeconds()
        let clock = Stopwatch()
        DispatchQueue.concurrentPerform(iterations: clients) { index in
            claimUntilEmpty(clone: clones[index], jobs: jobs, tally: tally) {
                clock.seconds > deadline
            }
        }
        let seconds = clock.seconds
        let cpu = Stopwatch.childrenCPUSeconds() - cpuBefore
        var figures = tally.figures(
            tool: "git push (create-only ref)", workers: clients, jobs: jobs, seconds: seconds)
        figures.cpuSecondsPerClaim = figures.claimed > 0 ? cpu / Double(figures.claimed) : nil
        let refs = try Subprocess.run(
            git, ["--git-dir", remote, "for-each-ref", "--format=%(refname)", "refs/dtrain"])
        let held = refs.stdout.split(separator: "\n").count
        if held != figures.claimed {
            figures.anomalies.append("remote holds \(held) refs for \(figures.claimed) claims")
        }
        return figures
    }

    private func claimUntilEmpty(
        clone: String, jobs: [String], tally: RaceTally, outOfTime: () -> Bool
    ) {
        let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        for attempt in 0..<(jobs.count * 2 + 4) {
            if outOfTime() {
                tally.problem("\(clone): stopped, budget spent")
                return
            }
            do {
                // What is still free, as the remote advertises it.
                let clock = Stopwatch()
                let listed = try gitOutput(
                    ["-C", clone, "ls-remote", "origin", "refs/dtrain/claims/*"])
                let taken = Set(
                    listed.split(separator: "\n").compactMap { $0.split(separator: "/").last }
                        .map(String.init))
                guard let job = jobs.filter({ !taken.contains($0) }).randomElement() else {
                    return
                }

                // A unique commit, pushed only if the ref does not exist yet.
                let commit = try gitOutput([
                    "-C", clone, "commit-tree", emptyTree, "-m",
                    "Claim job \(job) (\(clone), try \(attempt), \(UUID().uuidString))",
                ]).trimmingCharacters(in: .whitespacesAndNewlines)
                let ref = "refs/dtrain/claims/\(job)"
                let push = try Subprocess.run(
                    git,
                    [
                        "-C", clone, "push", "-q", "--force-with-lease=\(ref):", "origin",
                        "\(commit):\(ref)",
                    ],
                    environment: Self.environment)
                if push.status == 0 {
                    tally.claimed(job, seconds: clock.seconds)
                } else {
                    tally.lost(1)
                }
            } catch {
                tally.problem("\(clone): \(error)")
                return
            }
        }
    }

    private func git(_ arguments: [String]) throws {
        _ = try gitOutput(arguments)
    }

    private func gitOutput(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run(git, arguments, environment: Self.environment)
        guard result.status == 0 else {
            throw BenchFailure("git \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout
    }
}

/// A step of the benchmark's own setup failed; the section is reported as
/// failed.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
