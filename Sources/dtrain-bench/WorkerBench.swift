import ArchiveKit
import DTrainCore
import Foundation

/// What starting a job and following its log cost, next to bare Docker.
struct WorkerFigures: Codable, Sendable {
    /// Launching `dtrain worker run --once` to the job's first line of Python.
    var startMedianSeconds: Double?
    var startWorstSeconds: Double?
    /// Launching a bare `docker run --rm` of the same image to its first line of Python.
    var dockerMedianSeconds: Double?
    var dockerWorstSeconds: Double?
    /// A line printed in the container to the same line printed by `dtrain logs --follow`
    /// on another clone.
    var logLatencyMedianSeconds: Double?
    var logLatencyWorstSeconds: Double?
    var logLines: Int
    var logIntervalSeconds: Double
    var samples: Int
}

/// Section 4: the worker's overhead. The job prints the host's clock (a container shares
/// the kernel's clock), so both figures are differences of one clock.
struct WorkerBench {
    let options: BenchOptions
    let budget: Budget
    let dtrain: String

    static let image = "dtrain/python:bookworm"

    func run(into report: inout BenchReport) {
        guard DockerExecutor().imagePresent(Self.image) else {
            report.notes.append(
                "worker: SKIPPED: no Docker daemon or no image \(Self.image) (make image)")
            return
        }
        do {
            report.worker = try measure()
        } catch {
            report.notes.append("worker: FAILED: \(error)")
        }
    }

    private func measure() throws -> WorkerFigures {
        let scratch = try ScratchDirectory(label: "worker")
        defer { scratch.remove() }
        let shared = try BenchSpool(in: scratch.path)
        try shared.admin.credit(
            user: BenchSpool.owner, amount: 10_000_000, memo: "bench funds", actor: "admin")
        try shared.admin.sync()
        let submitter = try shared.clone("submitter")
        let worker = try shared.clone("worker")
        var settings = WorkerSettings()
        settings.logIntervalSeconds = 1
        try worker.updateSettings { $0.worker = settings }
        let samples = options.quick ? 2 : options.samples

        // Start: the worker process from launch to the job's first line.
        Progress.say("worker: start overhead, \(samples) runs")
        let starter = "import time\nprint('START %.6f' % time.time(), flush=True)\n"
        var starts: [Double] = []
        for _ in 0..<samples where !budget.isExhausted {
            let job = try publish(starter, from: submitter, in: scratch)
            let launched = Date().timeIntervalSince1970
            let run = try Subprocess.run(
                dtrain, ["worker", "run", "--once", "--spool", worker.path, "--as", "w1"])
            guard run.status == 0 else { throw BenchFailure("worker run: \(run.stderr)") }
            try worker.sync()
            guard let stored = try worker.readResult(of: worker.snapshot().requireJob(job)),
                let printed = Self.stamp(after: "START", in: stored.log)
            else { throw BenchFailure("job \(job) printed no START line") }
            starts.append(printed - launched)
        }

        // The floor: a bare docker run of the same image doing the same.
        var bare: [Double] = []
        for _ in 0..<samples where !budget.isExhausted {
            let launched = Date().timeIntervalSince1970
            let run = try Subprocess.run(
                "/usr/bin/env",
                [
                    "docker", "run", "--rm", "--network", "none", Self.image, "python3", "-c",
                    starter,
                ])
            guard let printed = Self.stamp(after: "START", in: Data(run.stdout.utf8)) else {
                throw BenchFailure("docker run printed no START line: \(run.stderr)")
            }
            bare.append(printed - launched)
        }

        // Latency: a job printing its clock twice a second, followed from another clone.
        Progress.say("worker: log latency")
        let ticker = """
            import time
            for i in range(16):
                print('TICK %.6f' % time.time(), flush=True)
                time.sleep(0.5)
            """
        let job = try publish(ticker, from: submitter, in: scratch)
        let reader = try shared.clone("reader")
        let workerProcess = try Subprocess.start(
            dtrain, ["worker", "run", "--once", "--spool", worker.path, "--as", "w1"])
        var latencies: [Double] = []
        try Subprocess.stream(dtrain, ["logs", job, "--follow", "--spool", reader.path]) {
            line in
            guard let stamp = Self.stamp(after: "TICK", in: Data(line.utf8)) else { return }
            latencies.append(Date().timeIntervalSince1970 - stamp)
        }
        workerProcess.waitUntilExit()

        return WorkerFigures(
            startMedianSeconds: Samples.median(starts), startWorstSeconds: starts.max(),
            dockerMedianSeconds: Samples.median(bare), dockerWorstSeconds: bare.max(),
            logLatencyMedianSeconds: Samples.median(latencies),
            logLatencyWorstSeconds: latencies.max(), logLines: latencies.count,
            logIntervalSeconds: 1, samples: starts.count)
    }

    private func publish(_ source: String, from submitter: Spool, in scratch: ScratchDirectory)
        throws -> String
    {
        let zip = scratch.file("job-\(UUID().uuidString.prefix(6)).zip")
        let writer = try ZipWriter(path: zip)
        try writer.addFile("main.py", contents: Data(source.utf8))
        try writer.close()
        let job = try submitter.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "main.py"), actor: BenchSpool.owner)
        try submitter.publish(job: job.id, actor: BenchSpool.owner)
        try submitter.sync()
        return job.id
    }

    /// The number after `marker` in a log (stored lines or plain text), as seconds.
    static func stamp(after marker: String, in data: Data) -> Double? {
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: marker + " ") else { return nil }
        let number = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }
}
