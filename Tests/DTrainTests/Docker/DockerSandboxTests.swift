import Foundation
import Testing

@testable import DTrainCore

/// What a job may and may not do inside its container, offline installs from a
/// wheelhouse, and the faults that are the worker's rather than the job's.
@Suite(
    "Docker sandbox (real Docker)", .serialized,
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct DockerSandboxTests {
    let executor = DockerExecutor()

    func run(_ spec: ContainerSpec) throws -> (ContainerOutcome, [String]) {
        let log = LogBuffer(capBytes: 1 << 20)
        let outcome = try executor.run(spec) { log.append($0) }
        log.finish(note: "\(outcome)")
        return (outcome, log.lines.map(\.displayText))
    }

    @Test("the job runs unprivileged on a read-only root, writing only where it may")
    func confinement() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let script = """
            import os
            def writable(path):
                try:
                    with open(path, "w") as f:
                        f.write("x")
                    return "yes"
                except OSError:
                    return "no"
            status = open("/proc/self/status").read().splitlines()
            fields = dict(line.split(":\\t", 1) for line in status if ":\\t" in line)
            print("uid", os.getuid(), "gid", os.getgid())
            print("caps", fields["CapEff"].strip(), "nnp", fields["NoNewPrivs"].strip())
            print("root", writable("/etc/dtrain-probe"))
            print("job", writable("/job/probe"))
            print("beside", writable(os.path.join(os.path.dirname(__file__), "probe")))
            print("output", writable("/output/probe"))
            print("env", os.environ["DTRAIN_OUTPUT"], os.environ["PYTHONUNBUFFERED"])
            """
        let job = try DockerFixture.workspace(in: root, files: ["probe.py": script])
        // As an archive might leave it: readable by its owner only.
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o600], ofItemAtPath: job.path + "/probe.py")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: job.path)
        let output = root.appendingPathComponent("out")
        let spec = DockerFixture.spec(workspace: job, output: output, main: "probe.py")

        let (outcome, shown) = try run(spec)

        let user = ContainerArguments.jobUser
        #expect(outcome == .exited(0), "log: \(shown)")
        #expect(shown.contains("uid \(user.uid) gid \(user.gid)"))
        #expect(shown.contains("caps 0000000000000000 nnp 1"))
        #expect(shown.contains("root no"))
        #expect(shown.contains("job no"))
        #expect(shown.contains("beside yes"))
        #expect(shown.contains("output yes"))
        #expect(shown.contains("env /output 1"))
        #expect(FileManager.default.fileExists(atPath: output.path + "/probe"))
        #expect(!FileManager.default.fileExists(atPath: job.path + "/probe"))
    }

    @Test("a job over its memory limit is killed, and the log says why")
    func outOfMemory() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let script = """
            blocks = []
            for step in range(64):
                blocks.append(b"x" * (16 << 20))
                print("holding", (step + 1) * 16, "MB", flush=True)
            """
        let job = try DockerFixture.workspace(in: root, files: ["hog.py": script])
        var spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "hog.py")
        spec.memoryBytes = 96 << 20

        let (outcome, shown) = try run(spec)

        #expect(outcome == .exited(137), "log: \(shown)")
        #expect(shown.contains("holding 16 MB"))
        #expect(!shown.contains("holding 1024 MB"))
        #expect(shown.contains { $0.contains("exceeding its memory limit of 100663296 bytes") })
        #expect(shown.last == "[dtrain] exit code 137 (killed by signal 9)")
    }

    @Test("a requirement missing from the image is installed from the wheelhouse")
    func wheelhouse() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let wheels = root.appendingPathComponent("wheels")
        try FileManager.default.createDirectory(at: wheels, withIntermediateDirectories: true)
        try Self.makeWheel(in: wheels)
        let job = try DockerFixture.workspace(
            in: root,
            files: [
                "main.py": "import dtrain_probe\nprint('probe says', dtrain_probe.VALUE)\n",
                "requirements.txt": "scikit-learn\ndtrain-probe==1.0\n",
            ])
        var spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "main.py")
        spec.wheelhouse = wheels.path

        let (outcome, shown) = try run(spec)

        #expect(outcome == .exited(0), "log: \(shown)")
        #expect(shown.contains("probe says 42"))
        #expect(shown.contains { $0.contains("installing from /wheelhouse: dtrain-probe") })
    }

    @Test("a missing image is the worker's fault, naming the fix")
    func missingImage() throws {
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, files: ["main.py": "print(1)\n"])
        var spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "main.py")
        spec.image = "dtrain/no-such-image:never"

        let (outcome, _) = try run(spec)

        guard case .workerFault(let why) = outcome else {
            Issue.record("expected a worker fault, got \(outcome)")
            return
        }
        #expect(why.contains("dtrain/no-such-image:never"))
        #expect(why.contains("build-image.sh"))
    }

    @Test("a container Docker refuses to start is the worker's fault and is removed")
    func refusedStart() throws {
        let runtimes = try? DockerCLI(path: "docker").output([
            "info", "--format", "{{json .Runtimes}}",
        ])
        if runtimes?.contains("nvidia") == true {
            try Test.cancel("this machine has a GPU runtime, so --gpus 1 would start")
        }
        let root = try DockerFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DockerFixture.workspace(in: root, files: ["main.py": "print(1)\n"])
        var spec = DockerFixture.spec(
            workspace: job, output: root.appendingPathComponent("out"), main: "main.py")
        spec.gpus = 1

        let (outcome, _) = try run(spec)

        guard case .workerFault(let why) = outcome else {
            Issue.record("expected a worker fault, got \(outcome)")
            return
        }
        #expect(why.contains("did not start"))
        #expect(try executor.containers(forJob: spec.jobID).isEmpty)
    }

    /// Writes `dtrain_probe-1.0-py3-none-any.whl`, a real wheel (a ZIP with
    /// dist-info and a hashed RECORD), using the host's python3.
    static func makeWheel(in directory: URL) throws {
        let script = """
            import base64, hashlib, sys, zipfile
            files = {
                "dtrain_probe/__init__.py": b"VALUE = 42\\n",
                "dtrain_probe-1.0.dist-info/METADATA":
                    b"Metadata-Version: 2.1\\nName: dtrain-probe\\nVersion: 1.0\\n",
                "dtrain_probe-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\n"
                    b"Generator: dtrain-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            record = ""
            for name, data in files.items():
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
                record += "%s,sha256=%s,%d\\n" % (name, digest.rstrip(b"=").decode(), len(data))
            record += "dtrain_probe-1.0.dist-info/RECORD,,\\n"
            files["dtrain_probe-1.0.dist-info/RECORD"] = record.encode()
            path = sys.argv[1] + "/dtrain_probe-1.0-py3-none-any.whl"
            with zipfile.ZipFile(path, "w") as wheel:
                for name, data in files.items():
                    wheel.writestr(name, data)
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, directory.path]
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "python3 could not write the test wheel")
    }
}

/// Faults that need no Docker at all.
@Suite("Docker executor without Docker")
struct DockerAbsentTests {
    @Test("no docker client is a worker fault, and version() is nil")
    func noClient() throws {
        let executor = DockerExecutor(dockerPath: "/nonexistent/docker")
        #expect(executor.version() == nil)
        #expect(!executor.imagePresent("dtrain/python:bookworm"))
        let spec = ContainerSpec(
            image: "dtrain/python:bookworm", jobID: "j", attempt: 1, workspace: "/",
            outputDirectory: "/nonexistent", mainScript: "main.py", timeoutSeconds: 5)
        let outcome = try executor.run(spec) { _ in }
        guard case .workerFault(let why) = outcome else {
            Issue.record("expected a worker fault, got \(outcome)")
            return
        }
        #expect(why.contains("does not answer"))
        #expect(throws: DockerError.self) { try executor.containers(forJob: "j") }
    }

    @Test("the create command line carries the whole sandbox")
    func createArguments() {
        var spec = ContainerSpec(
            image: "img", jobID: "job/7 x", attempt: 2, workspace: "/w,1", outputDirectory: "/o",
            mainScript: "train.py", cpus: 1.5, memoryBytes: 1 << 30, timeoutSeconds: 60)
        let plain = ContainerArguments.create(spec).joined(separator: " ")
        for flag in [
            "--name dtrain-job-7-x-2", "--label dtrain.job=job/7 x", "--label dtrain.attempt=2",
            "--init", "--network none", "--read-only", "--cap-drop ALL",
            "--security-opt no-new-privileges", "--pids-limit 256", "--cpus 1.5",
            "--memory 1073741824 --memory-swap 1073741824",
            "--mount type=bind,\"source=/w,1\",target=/job,readonly",
            "--mount type=bind,source=/o,target=/output ", "--env DTRAIN_OUTPUT=/output",
            "--env PYTHONUNBUFFERED=1", "img python3 -c",
        ] {
            #expect(plain.contains(flag), "missing \(flag)")
        }
        #expect(!plain.contains("--gpus"))
        #expect(!plain.contains("target=/wheelhouse"))
        #expect(ContainerArguments.create(spec).last == "train.py")

        spec.gpus = 2
        spec.wheelhouse = "/wheels"
        let gpu = ContainerArguments.create(spec).joined(separator: " ")
        #expect(gpu.contains("--gpus 2"))
        #expect(gpu.contains("source=/wheels,target=/wheelhouse,readonly"))
    }
}
