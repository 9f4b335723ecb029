import DTrainCore
import Foundation
import Testing

/// The executor against a real Docker daemon and the real job image.
@Suite(
    "Docker executor (real Docker)", .serialized,
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct DockerExecutorTests {
    let executor = DockerExecutor()

    /// Runs a job and returns its outcome and its captured log.
    func run(_ spec: ContainerSpec, cap: Int = 1 << 20) throws -> (ContainerOutcome, LogBuffer) {
        let log = LogBuffer(capBytes: cap)
        let outcome = try executor.run(spec) { log.append($0) }
        log.finish(note: "\(outcome)")
        return (outcome, log)
    }

    @Test("the sklearn example trains and writes model.pkl and metrics.json")
    func sklearnDigits() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, example: "sklearn-digits")
        let output = root.appendingPathComponent("output")
        let spec = DockerFixture.spec(workspace: job, output: output, main: "train.py")

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(0), "log:\n\(log.displayText())")
        let model = try Data(contentsOf: output.appendingPathComponent("model.pkl"))
        #expect(model.count > 1000)
        let metrics = try JSONSerialization.jsonObject(
            with: Data(contentsOf: output.appendingPathComponent("metrics.json")))
        let accuracy = try #require((metrics as? [String: Any])?["accuracy"] as? Double)
        #expect(accuracy > 0.9)
        #expect(log.displayText().contains("epoch 20/20"))
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
    }

    @Test("a job exiting 3 is reported as exited(3) with its message")
    func exitCode() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, example: "fails")
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "fail.py")

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(3))
        let stderr = log.lines.filter { $0.stream == .stderr }.map(\.displayText)
        #expect(stderr.contains("fails: giving up on purpose (exit 3)"))
    }

    @Test("a job past its timeout is stopped, reported timedOut, and gone")
    func timeout() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, example: "sleeps")
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "sleep.py",
            timeout: 3)

        let started = Date()
        let (outcome, log) = try run(spec)
        let elapsed = Date().timeIntervalSince(started)

        #expect(outcome == .timedOut)
        #expect(elapsed < 3 + Double(spec.graceSeconds) + 15)
        #expect(log.displayText().contains("still sleeping: 1 s"))
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
        #expect(try DockerFixture.docker(["inspect", spec.containerName]) != 0)
    }

    @Test("the job sees no network interface but lo")
    func noNetwork() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let script = """
            import os
            print("interfaces:", ",".join(sorted(os.listdir("/sys/class/net"))))
            """
        let job = try DockerFixture.workspace(in: root, files: ["net.py": script])
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "net.py")

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(0))
        #expect(log.lines.map(\.displayText).contains("interfaces: lo"))
    }

    @Test("a fork bomb hits the pids limit and fails; the machine carries on")
    func forkBomb() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        // Every process forks until the kernel refuses; the first refusal in
        // the main process ends the job. The pids limit is what refuses.
        let script = """
            import os, sys, time
            main = os.getpid()
            forked = 0
            try:
                while True:
                    if os.fork() == 0:
                        forked = 0
                        continue
                    forked += 1
            except OSError as error:
                if os.getpid() != main:
                    time.sleep(2)
                    os._exit(0)
                print("fork refused after", forked, "children:", error.strerror, flush=True)
                sys.exit(1)
            """
        let job = try DockerFixture.workspace(in: root, files: ["bomb.py": script])
        var spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "bomb.py",
            timeout: 60)
        spec.pidsLimit = 32

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(1), "log:\n\(log.displayText())")
        #expect(log.displayText().contains("fork refused after"))
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
    }

    @Test("a 10 MB line, progress bars and bad UTF-8 leave a readable log in the cap")
    func hostileOutput() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let script = """
            import sys
            print("starting", flush=True)
            sys.stdout.write("x" * 10_000_000 + "\\n")
            for percent in range(0, 101):
                sys.stdout.write("\\rprogress %3d%%" % percent)
                sys.stdout.flush()
            sys.stdout.write("\\n")
            for line in range(2000):
                print("chatter line", line)
            sys.stdout.flush()
            sys.stdout.buffer.write(b"bad bytes \\xff\\xfe here\\n")
            print("done", flush=True)
            """
        let job = try DockerFixture.workspace(in: root, files: ["noisy.py": script])
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "noisy.py")
        let cap = 64 * 1024

        let (outcome, log) = try run(spec, cap: cap)
        let encoded = log.encoded()
        let shown = log.lines.map(\.displayText)

        #expect(outcome == .exited(0))
        #expect(encoded.count <= cap)
        #expect(shown.first == "starting")
        #expect(shown.contains("progress 100%"))
        #expect(!shown.contains { $0.contains("progress  50%") })
        #expect(shown.contains { $0.hasPrefix("[dtrain] [… ") && $0.contains("truncated") })
        #expect(shown.contains("bad bytes \u{FFFD}\u{FFFD} here"))
        #expect(shown.suffix(2) == ["done", "[dtrain] exit code 0"])
        let readBack = LogFormat.decode(encoded) == log.lines
        #expect(readBack)
    }

    @Test("a missing requirement with no wheelhouse exits 97 naming the package")
    func missingRequirement() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(
            in: root,
            files: [
                "main.py": "print('should not run')\n",
                "requirements.txt": "numpy\n# a comment\nno-such-dtrain-package>=1.0\n",
            ])
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "main.py")

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(EntryScript.missingRequirementExitCode))
        let text = log.displayText()
        #expect(text.contains("no-such-dtrain-package>=1.0"))
        #expect(!text.contains("numpy"))
        #expect(!text.contains("should not run"))
    }

    @Test("a version the image does not have is unmet; markers and met versions pass")
    func unmetVersion() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let requirements = """
            numpy>=1.0  # the image's numpy meets this
            scikit-learn[alldeps]>=0.1
            no-such-dtrain-package; python_version < "3"
            numpy==0.0.1

            """
        let job = try DockerFixture.workspace(
            in: root,
            files: ["main.py": "print('should not run')\n", "requirements.txt": requirements])
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "main.py")

        let (outcome, log) = try run(spec)

        #expect(outcome == .exited(EntryScript.missingRequirementExitCode))
        let text = log.displayText()
        #expect(text.contains("numpy==0.0.1 (the image has "), "\(text)")
        #expect(!text.contains("numpy>=1.0"), "\(text)")
        #expect(!text.contains("scikit-learn"), "\(text)")
        #expect(!text.contains("no-such-dtrain-package"), "\(text)")
        #expect(!text.contains("should not run"))
    }

    @Test("a leftover container of the same attempt is replaced, not a failure")
    func leftoverContainer() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, example: "fails")
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "fail.py")
        // What a worker that crashed between create and rm leaves behind.
        let created = try DockerFixture.docker([
            "create", "--name", spec.containerName, "--label", "dtrain.job=\(spec.jobID)",
            DockerFixture.image, "true",
        ])
        try #require(created == 0)

        let (outcome, _) = try run(spec)

        #expect(outcome == .exited(3))
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
    }

    @Test("containers(forJob:) finds a running job's container by its label")
    func findsRunningContainer() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, example: "sleeps")
        let spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "sleep.py",
            timeout: 60)

        // Run the job on a thread of its own, as a worker would.
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let executor = self.executor
        Thread.detachNewThread {
            outcome.value = try? executor.run(spec) { _ in }
            finished.signal()
        }
        var found: [String] = []
        for _ in 0..<60 where found.isEmpty {
            Thread.sleep(forTimeInterval: 0.5)
            found = try executor.containers(forJob: spec.jobID)
        }
        #expect(found == [spec.containerName])

        // What a restarted worker does with it: remove it, then it is gone.
        try executor.remove(container: spec.containerName, graceSeconds: 1)
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(outcome.value != .exited(0))
    }
    @Test("removes racing for one container all succeed, and it is gone")
    func racingRemoves() throws {
        let executor = self.executor
        for round in 0..<5 {
            // A container that has stopped but not yet been removed: the state in
            // which a run's own cleanup and a restarted worker meet, and Docker
            // answers the later `rm` with "removal already in progress".
            let name = "dtrain-test-race-\(UUID().uuidString.prefix(8))-\(round)"
            let created = try DockerFixture.docker([
                "create", "--name", name, "--network", "none", DockerFixture.image, "true",
            ])
            try #require(created == 0)

            let failures = FailureBox()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do throws(DockerError) {
                    try executor.remove(container: name, graceSeconds: 0)
                } catch {
                    failures.append("\(error)")
                }
            }

            #expect(failures.all.isEmpty, "round \(round)")
            #expect(try DockerFixture.docker(["inspect", name]) != 0)
        }
    }
}

/// Errors gathered from several threads, behind a lock.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var all: [String] { lock.withLock { stored } }

    func append(_ failure: String) { lock.withLock { stored.append(failure) } }
}

/// The outcome of a run on another thread, behind a lock.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ContainerOutcome?

    var value: ContainerOutcome? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
