import Foundation
import Testing

@testable import DTrainCore

/// A job the worker settles as succeeded must have outputs its owner can fetch.
///
/// Found by hand (breaker3): the worker zips `/output` checking only its size
/// (`maxOutputBytes`), but `dtrain output` unpacks with the spool's entry cap
/// (`maxEntries`) and refuses names that collide once a backslash is read as a
/// folder separator. A job that wrote 12,000 small files, or both `a/b` and a
/// file named `a\b`, succeeded, the owner paid (escrow settled 80/20), and
/// `dtrain output JOB` then failed with exit 1 ("the ZIP has more than 10000
/// entries", "entry 'a/b' appears more than once") and unpacked nothing. The
/// outputs are only reachable by hand with `git show` and `unzip`.
@Suite(
    "breakage: outputs a succeeded job cannot return",
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct OutputRoundTripBreakageTests {
    /// Runs `script` as a job on a spool whose entry cap is `maxEntries`, then
    /// fetches its outputs with the real command line.
    private func runAndFetch(script: String, maxEntries: Int = 10_000) throws
        -> (
            job: String, state: JobState, output: ProcessResult, target: String,
            holder: TemporaryDirectory
        )
    {
        let directory = try TemporaryDirectory("brk-output")
        let remote = directory.file("remote.git")
        let made = try Processes.git(["init", "--bare", "-q", "-b", "main", remote])
        try #require(made.status == 0, "\(made.stderr)")
        var config = SpoolConfig.standard
        config.admins = ["admin"]
        config.limits.maxEntries = maxEntries
        let admin = try Spool.create(at: directory.file("admin"), config: config, actor: "admin")
        try admin.updateSettings { $0.user = "admin" }
        try admin.publish(to: remote)
        try admin.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        try admin.sync()

        let alice = try Spool.clone(url: remote, into: directory.file("alice"), user: "alice")
        let zip = directory.file("job.zip")
        try JobZips.write(["main.py": script], to: zip)
        let job = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "main.py"), actor: "alice")
        try alice.publish(job: job.id, actor: "alice")
        try alice.sync()

        let worker = try Spool.clone(url: remote, into: directory.file("worker"), user: "gpu-01")
        _ = try WorkerLoop(
            spool: worker, worker: "gpu-01", stopRequested: { false }, log: { _ in }
        ).run(.init(once: true))

        let target = directory.file("out")
        let output = try Processes.dtrain(
            ["output", job.id, "-o", target], spool: directory.file("alice"))
        let state = try alice.snapshot().requireJob(job.id).state
        return (job.id, state, output, target, directory)
    }

    @Test("more output files than maxEntries: either the job fails, or its outputs unpack")
    func manyFiles() throws {
        let script = """
            import os
            o = os.environ["DTRAIN_OUTPUT"]
            for i in range(25):
                open(os.path.join(o, "f%02d.txt" % i), "w").write("x")
            print("wrote 25 files")
            """
        let run = try runAndFetch(script: script, maxEntries: 20)
        if run.state == .succeeded {
            #expect(
                run.output.status == 0,
                "the owner paid for a succeeded job whose outputs 'dtrain output' refuses: \(run.output.stderr)"
            )
        } else {
            #expect(run.state == .failed)
        }
    }

    @Test("a file named with a backslash next to a real folder of the same name")
    func backslashCollision() throws {
        let script = #"""
            import os
            o = os.environ["DTRAIN_OUTPUT"]
            os.makedirs(os.path.join(o, "a"))
            open(os.path.join(o, "a", "b"), "w").write("folder a, file b\n")
            open(os.path.join(o, "a\\b"), "w").write("one file named a-backslash-b\n")
            print("ok")
            """#
        let run = try runAndFetch(script: script)
        if run.state == .succeeded {
            #expect(
                run.output.status == 0,
                "the owner paid for a succeeded job whose outputs 'dtrain output' refuses: \(run.output.stderr)"
            )
            let kept = try? String(contentsOfFile: run.target + "/a/b", encoding: .utf8)
            #expect(kept == "folder a, file b\n")
        } else {
            #expect(run.state == .failed)
        }
    }

    @Test("a name with terminal escapes is printed escaped; a second unpack is refused")
    func escapesAndRefill() throws {
        let script = #"""
            import os
            o = os.environ["DTRAIN_OUTPUT"]
            open(os.path.join(o, "\x1b]0;pwned\x07.txt"), "w").write("x")
            open(os.path.join(o, "uni\u202egnp.exe"), "w").write("x")
            """#
        let run = try runAndFetch(script: script)
        #expect(run.state == .succeeded)
        #expect(run.output.status == 0, "\(run.output.stderr)")
        #expect(!run.output.stdout.contains("\u{1B}"), "a raw escape reached the terminal")
        #expect(run.output.stdout.contains("\\u{1B}]0;pwned\\u{07}.txt"), "\(run.output.stdout)")
        #expect(run.output.stdout.contains("uni\\u{202E}gnp.exe"), "\(run.output.stdout)")

        // Unpacking into a folder that already holds files is refused as input (exit 4).
        let again = try Processes.dtrain(
            ["output", run.job, "-o", run.target], spool: run.holder.file("alice"))
        #expect(again.status == 4, "\(again.stderr)")
        let file = run.holder.file("a-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let onFile = try Processes.dtrain(
            ["output", run.job, "-o", file], spool: run.holder.file("alice"))
        #expect(onFile.status == 4, "\(onFile.stderr)")
        #expect(!onFile.stderr.contains("NSCocoaErrorDomain"), "\(onFile.stderr)")
    }
}
