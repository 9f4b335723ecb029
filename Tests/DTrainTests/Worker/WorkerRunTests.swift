import ArchiveKit
import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// Whole jobs through real worker runs: real Docker containers, a real bare remote, the real
/// ledger. Skipped, loudly, where no Docker daemon or job image is available.
@Suite(
    "Worker runs in Docker", .serialized,
    .enabled(if: DockerFixture.ready, "needs a Docker daemon and dtrain/python:bookworm"))
struct WorkerRunTests {
    /// A shared spool with `user` funded, and `example` submitted and published as `user`.
    static func publish(
        _ example: String, main: String, in shared: SharedSpool, user: String = "alice",
        timeout: Int = 300, files: [String: String]? = nil
    ) throws -> String {
        try shared.admin.credit(user: user, amount: 100_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let submitter = try Spool.clone(
            url: shared.remote, into: shared.directory.file("sub-\(UUID().uuidString.prefix(6))"),
            user: user)
        let zip = shared.directory.file("\(example)-\(UUID().uuidString.prefix(6)).zip")
        if let files {
            try JobZips.write(files, to: zip)
        } else {
            let folder = DockerFixture.examples.appendingPathComponent(example).path
            _ = try ZipWriter.zipDirectory(at: folder, to: zip, maxBytes: 10 << 20)
        }
        let job = try submitter.submit(
            zipAt: zip,
            options: SubmitOptions(
                mainScript: main, timeoutSeconds: timeout,
                resources: .init(cpus: 1, memoryBytes: 1 << 30, gpus: 0)),
            actor: user)
        try submitter.publish(job: job.id, actor: user)
        try submitter.sync()
        return job.id
    }

    static func runOnce(_ worker: Spool, as name: String) throws -> WorkerLoop.Summary {
        try WorkerLoop(spool: worker, worker: name, stopRequested: { false }, log: { _ in })
            .run(.init(once: true))
    }

    @Test("the scikit-learn example trains; outputs come back; 80% / 20% is paid")
    func success() throws {
        let shared = try SharedSpool(label: "run-ok")
        let job = try Self.publish("sklearn-digits", main: "train.py", in: shared)
        let worker = try shared.clone("gpu-01")
        let summary = try Self.runOnce(worker, as: "gpu-01")
        #expect(summary.runs.map(\.state) == ["succeeded"])

        let reader = try shared.clone("reader")
        let record = try reader.snapshot().requireJob(job)
        #expect(record.state == .succeeded)
        let (result, log, output) = try #require(try reader.readResult(of: record))
        #expect(result.exitCode == 0)
        #expect(String(decoding: log, as: UTF8.self).contains("epoch 20/20"))
        let zip = shared.directory.file("out.zip")
        try #require(output).write(to: URL(fileURLWithPath: zip))
        let extracted = try ZipExtractor.safeExtract(
            zip: zip, into: shared.directory.file("out"),
            limits: .init(maxEntries: 10, maxUncompressedBytes: 10 << 20))
        #expect(Set(extracted.files.keys) == ["metrics.json", "model.pkl"])
        let metrics = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: shared.directory.file("out/metrics.json"))))
        #expect(((metrics as? [String: Any])?["accuracy"] as? Double ?? 0) > 0.9)

        let index = try reader.index()
        #expect(try index.balance(.worker("gpu-01")) == 1_600)
        #expect(try index.balance(.platform) == 400)
        #expect(try index.balance(.user("alice")) == 100_000 - 2_000)
        #expect(try index.balance(.escrow(job: job)) == 0)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a job exiting 3 fails and is refunded in full, log kept")
    func failure() throws {
        let shared = try SharedSpool(label: "run-fail")
        let job = try Self.publish("fails", main: "fail.py", in: shared)
        let worker = try shared.clone("gpu-01")
        _ = try Self.runOnce(worker, as: "gpu-01")

        let reader = try shared.clone("reader")
        let record = try reader.snapshot().requireJob(job)
        #expect(record.state == .failed)
        #expect(record.records.last?.note?.contains("status 3") == true)
        #expect(try reader.index().balance(.user("alice")) == 100_000)
        #expect(try reader.index().balance(.worker("gpu-01")) == 0)
        let log = try #require(try reader.readResult(of: record)).log
        #expect(!log.isEmpty)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a job past its timeout is stopped, timed out and refunded")
    func timeout() throws {
        let shared = try SharedSpool(label: "run-timeout")
        let job = try Self.publish("sleeps", main: "sleep.py", in: shared, timeout: 3)
        let worker = try shared.clone("gpu-01")
        let started = Date()
        _ = try Self.runOnce(worker, as: "gpu-01")
        #expect(Date().timeIntervalSince(started) < 60)

        let reader = try shared.clone("reader")
        #expect(try reader.snapshot().requireJob(job).state == .timedOut)
        #expect(try reader.index().balance(.user("alice")) == 100_000)
        #expect(try DockerExecutor().containers(forJob: job).isEmpty)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a job writing more output than allowed fails with a clear reason")
    func outputTooLarge() throws {
        let shared = try SharedSpool(label: "run-big", maxOutputBytes: 256 << 10)
        let job = try Self.publish(
            "big", main: "big.py", in: shared,
            files: [
                "big.py": """
                import os
                with open(os.path.join(os.environ["DTRAIN_OUTPUT"], "big.bin"), "wb") as f:
                    f.write(os.urandom(1 << 20))
                print("wrote 1 MiB")
                """
            ])
        let worker = try shared.clone("gpu-01")
        _ = try Self.runOnce(worker, as: "gpu-01")
        let record = try shared.clone("reader").snapshot().requireJob(job)
        #expect(record.state == .failed)
        // Caught when zipping, or (on a slow machine) by the watch while it still ran.
        #expect(record.records.last?.note?.contains("limit of \(256 << 10)") == true)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a job filling its output folder while it runs is stopped before it ends")
    func outputGrowsWhileRunning() throws {
        // Found by the third breaker: /output is a bind mount on the worker's disk with no
        // quota, and the limit was applied only when zipping, after the job ended.
        let shared = try SharedSpool(label: "run-fill", maxOutputBytes: 256 << 10)
        let job = try Self.publish(
            "fill", main: "fill.py", in: shared,
            files: [
                "fill.py": """
                import os, time
                with open(os.path.join(os.environ["DTRAIN_OUTPUT"], "fill.bin"), "wb") as f:
                    for i in range(600):
                        f.write(os.urandom(64 << 10))
                        f.flush()
                        time.sleep(0.1)
                print("wrote 37.5 MiB")
                """
            ])
        let worker = try shared.clone("gpu-01")
        let started = Date()
        _ = try Self.runOnce(worker, as: "gpu-01")

        #expect(Date().timeIntervalSince(started) < 40, "the job ran its course (60 s)")
        let record = try shared.clone("reader").snapshot().requireJob(job)
        #expect(record.state == .failed)
        #expect(record.records.last?.note?.contains("while it ran") == true)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a claim that never got as far as running is handed back without spending a retry")
    func claimNeverRan() throws {
        let shared = try SharedSpool(label: "run-claimed")
        let job = try Self.publish(
            "quick", main: "quick.py", in: shared, files: ["quick.py": "print('done')\n"])
        _ = try shared.clone("gpu-01")
        let path = shared.directory.file("gpu-01")
        let claimed = try Processes.dtrain(["worker", "claim"], spool: path, as: "gpu-01")
        try #require(claimed.status == 0, "\(claimed.stderr)")

        // The next pass finds the claim with no run behind it, hands the job back, and
        // then runs it like any other.
        let worker = try Spool.open(at: path)
        _ = try Self.runOnce(worker, as: "gpu-01")
        try worker.sync()
        let record = try worker.snapshot().requireJob(job)
        let handBack = record.records.first { $0.state == .published && $0.seq > 2 }
        #expect(handBack?.countsTowardRetries == false, "\(record.records)")
        #expect(record.countedClaims <= 1, "\(record.records.map(\.state))")
    }

    @Test("a worker killed mid-job and restarted: one outcome, one settlement")
    func crashAndRestart() throws {
        let shared = try SharedSpool(label: "run-crash")
        let job = try Self.publish(
            "slow", main: "slow.py", in: shared,
            files: [
                "slow.py": """
                import time
                for i in range(6):
                    print("tick", i, flush=True)
                    time.sleep(1)
                """
            ])
        _ = try shared.clone("gpu-01")
        let path = shared.directory.file("gpu-01")

        // Start a real worker process and SIGKILL it once the job is running.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Processes.dtrainPath)
        process.arguments = ["worker", "run", "--once", "--spool", path, "--as", "gpu-01"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watcher = try shared.clone("watcher")
        var running = false
        for _ in 0..<100 where !running {
            Thread.sleep(forTimeInterval: 0.3)
            try watcher.sync()
            running = try watcher.snapshot().requireJob(job).state == .running
        }
        try #require(running, "the job never started running")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        // The restart removes the orphaned container, hands the job back, and runs it again.
        let restarted = try Processes.dtrain(
            ["worker", "run", "--once"], spool: path, as: "gpu-01")
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stderr.contains("handed back"))

        let reader = try shared.clone("reader")
        let record = try reader.snapshot().requireJob(job)
        #expect(record.state == .succeeded)
        #expect(record.claims == 2)
        #expect(record.price == 1_000)
        #expect(try reader.index().balance(.worker("gpu-01")) == 800)
        #expect(try reader.index().balance(.platform) == 200)
        #expect(try DockerExecutor().containers(forJob: job).isEmpty)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a worker fault (the job's image is missing) hands the job back uncharged")
    func workerFault() throws {
        let shared = try SharedSpool(label: "run-fault")
        try shared.admin.credit(user: "alice", amount: 5_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let submitter = try shared.clone("alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let job = try submitter.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py", image: "dtrain/absent:1"),
            actor: "alice")
        try submitter.publish(job: job.id, actor: "alice")
        try submitter.sync()

        let worker = try shared.clone("gpu-01")
        let summary = try Self.runOnce(worker, as: "gpu-01")
        #expect(summary.runs.first?.state == "handed-back")
        #expect(summary.runs.first?.reason?.contains("dtrain/absent:1") == true)
        let reader = try shared.clone("reader")
        let record = try reader.snapshot().requireJob(job.id)
        #expect(record.state == .published)
        #expect(try reader.index().balance(.escrow(job: job.id)) == record.price)
        #expect(try reader.index().balance(.worker("gpu-01")) == 0)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("a 10 MB line and progress bars reach `dtrain logs` readable and within the cap")
    func hostileLog() throws {
        let shared = try SharedSpool(label: "run-log")
        let job = try Self.publish(
            "noisy", main: "noisy.py", in: shared,
            files: [
                "noisy.py": """
                import sys
                for i in range(0, 101, 10):
                    sys.stdout.write("\\rprogress %3d%%" % i)
                    sys.stdout.flush()
                print()
                sys.stdout.write("x" * (10 * 1024 * 1024) + "\\n")
                sys.stdout.buffer.write(b"bad utf8: \\xff\\xfe\\n")
                print("done", flush=True)
                """
            ])
        let worker = try shared.clone("gpu-01")
        #expect(try Self.runOnce(worker, as: "gpu-01").runs.first?.state == "succeeded")

        let reader = try shared.clone("reader")
        let logs = try Processes.dtrain(["logs", job], spool: reader.path)
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("progress 100%"))
        #expect(!logs.stdout.contains("progress  10%"), "progress bars collapse to the last one")
        #expect(logs.stdout.contains("done"))
        #expect(logs.stdout.contains("bad utf8"))
        #expect(logs.stdout.utf8.count < Int(SpoolConfig.standard.limits.maxLogBytes) + 4_096)

        // --json: one object per line, for scripts.
        let json = try Processes.dtrain(["logs", job, "--json"], spool: reader.path)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(objects.count > 2)
        #expect(objects.allSatisfy { $0?["time"] != nil && $0?["stream"] != nil })
        #expect(objects.contains { $0?["text"] == "done" && $0?["stream"] == "stdout" })
    }

    @Test("a second worker run on the same clone exits at once")
    func lock() throws {
        let shared = try SharedSpool(label: "run-lock")
        _ = try shared.clone("gpu-01")
        let path = shared.directory.file("gpu-01")
        let held = try WorkerLock(path: path + "/.git/dtrain/worker.lock")
        let result = try Processes.dtrain(["worker", "run", "--once"], spool: path, as: "gpu-01")
        #expect(result.status == 6)
        #expect(result.stderr.contains("another worker run is active"))

        // Routine under cron: a timestamped line in the worker's log, not an error.
        #expect(!result.stderr.contains("error:"), "\(result.stderr)")
        #expect(result.stderr.range(of: #"^\d{4}-\d\d-\d\dT"#, options: .regularExpression) != nil)

        // Scripts asking for JSON get JSON on stdout here too.
        let json = try Processes.dtrain(
            ["worker", "run", "--once", "--json"], spool: path, as: "gpu-01")
        #expect(json.status == 6)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
        #expect((object as? [String: String])?["busy"]?.contains("another worker run") == true)
        withExtendedLifetime(held) {}
    }

    @Test("two workers on two clones run four jobs between them")
    func twoWorkers() throws {
        let shared = try SharedSpool(label: "run-two")
        var jobs: [String] = []
        for _ in 0..<4 {
            jobs.append(try Self.publish("fails", main: "fail.py", in: shared))
        }
        let paths = try ["w-a", "w-b"].map { name in
            _ = try shared.clone(name)
            return shared.directory.file(name)
        }
        let statuses = StatusBox()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let name = ["w-a", "w-b"][index]
            let result = try? Processes.dtrain(
                ["worker", "run", "--until-idle", "--poll", "1s"], spool: paths[index],
                as: name)
            statuses.add(result?.status ?? -1)
        }
        #expect(statuses.all == [0, 0])
        let reader = try shared.clone("reader")
        for job in jobs {
            #expect(try reader.snapshot().requireJob(job).state == .failed)
        }
        #expect(try reader.index().balance(.user("alice")) == 4 * 100_000)
        #expect(try shared.verifyRemote().violation == nil)
    }
}

private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32] = []

    func add(_ value: Int32) { lock.withLock { values.append(value) } }
    var all: [Int32] { lock.withLock { values } }
}
