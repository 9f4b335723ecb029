import ArchiveKit
import Foundation

/// Runs one claimed job to its end: unpack, start the container, stream the log back while
/// it runs, return the outputs, and write the outcome (which settles or releases the escrow).
///
/// Every write about the job first renews the claim's lease, so a runner whose claim was
/// reaped (it was too slow, or presumed dead) stops at its next push and writes nothing more.
public final class JobRunner {
    let spool: Spool
    let worker: String
    let executor: DockerExecutor
    let log: (String) -> Void
    /// Set from a signal handler: hand the job back at the next tick.
    let stopRequested: @Sendable () -> Bool

    public init(
        spool: Spool, worker: String, executor: DockerExecutor = DockerExecutor(),
        stopRequested: @escaping @Sendable () -> Bool = { false },
        log: @escaping (String) -> Void
    ) {
        self.spool = spool
        self.worker = worker
        self.executor = executor
        self.stopRequested = stopRequested
        self.log = log
    }

    /// What happened to the job, for the caller's summary.
    public struct Outcome: Codable, Sendable {
        public var job: String
        public var attempt: Int
        public var state: String
        public var reason: String?
        public var result: String?
    }

    /// Runs `job`, which this worker has just claimed.
    public func run(job id: String) throws -> Outcome {
        let snapshot = try spool.snapshot()
        let job = try snapshot.requireJob(id)
        let config = try snapshot.config()
        let settings = spool.settings.worker ?? WorkerSettings()
        let attempt = job.attempt
        let directory = spool.localDirectory + "/runs/\(id)-\(attempt)"
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // A manifest written around `dtrain submit` may name an image docker would
        // read as an option; that is the job's fault, never retried.
        guard ImageReference.isValid(job.manifest.image) else {
            return try end(
                job, attempt: attempt,
                .failed("its image '\(job.manifest.image)' is not a Docker image name"))
        }

        // Unpack with the same rules as at submission; a ZIP that fails now fails the job.
        let workspace = directory + "/workspace"
        let output = directory + "/output"
        log("job \(id) attempt \(attempt): fetching its payload")
        do {
            try unpack(job, into: directory, workspace: workspace, limits: config.limits)
        } catch let error as ZipOperationError {
            return try end(
                job, attempt: attempt, .failed("the job's ZIP cannot be unpacked: \(error)"))
        }

        // Start, and tell everyone.
        try spool.markRunning(job: id, worker: worker)
        let started = Date()
        let profile = settings.profile(name: worker)
        let spec = ContainerSpec(
            image: job.manifest.image, jobID: id, attempt: attempt, workspace: workspace,
            outputDirectory: output, wheelhouse: settings.wheelhouse,
            mainScript: job.manifest.payload.root + job.manifest.main,
            cpus: min(job.manifest.resources.cpus, profile.cpus),
            memoryBytes: min(job.manifest.resources.memoryBytes, profile.memoryBytes),
            gpus: job.manifest.resources.gpus, timeoutSeconds: job.manifest.timeoutSeconds)
        log("job \(id): running in \(spec.image) as \(spec.containerName)")
        let buffer = LogBuffer(capBytes: Int(config.limits.maxLogBytes))
        let outcome = try runContainer(spec, buffer: buffer, settings: settings, config: config)

        // Decide the ending, then return the log and the outputs.
        guard let containerOutcome = outcome?.outcome else {
            log("job \(id): our claim was reaped while it ran; stopping without a word")
            throw ClaimError.fenced(job: id)
        }
        buffer.finish(note: "\(containerOutcome)")
        var ending: RunEnding
        var exitCode: Int32?
        switch containerOutcome {
        case .exited(0):
            ending = .succeeded
            exitCode = 0
        case .exited(let code):
            exitCode = code
            ending = .failed(
                code == EntryScript.missingRequirementExitCode
                    ? "a required package is missing (see the log)" : "exited with status \(code)")
        case .timedOut:
            ending = .timedOut("ran past its timeout of \(job.manifest.timeoutSeconds)s")
        case .workerFault(let why):
            ending = .handedBack("worker fault: \(why)")
        }
        if let overflow = outcome?.outputOverflowBytes {
            ending = .failed(
                "its output reached \(overflow) bytes while it ran, past the spool's limit of "
                    + "\(config.limits.maxOutputBytes); stopped")
        } else if stopRequested(), ending != .succeeded {
            ending = .stopped("the worker was stopped")
        }

        var summary: DirectoryZipSummary?
        let outputZip = directory + "/output.zip"
        if FileManager.default.fileExists(atPath: output), !ending.isHandBack {
            // Zipped under the rules `dtrain output` unpacks with, so what a job is paid
            // for can always be fetched.
            let zipped = try ZipWriter.zipDirectory(
                at: output, to: outputZip, maxBytes: config.limits.maxOutputBytes,
                maxEntries: config.limits.maxEntries)
            summary = zipped
            for note in Self.leftOutNotes(zipped) { buffer.note(note) }
            if zipped.isTruncated, ending == .succeeded {
                let left = zipped.omittedForSize.prefix(3).joined(separator: ", ")
                ending = .failed(
                    "its output exceeds the spool's limit of \(config.limits.maxOutputBytes) "
                        + "bytes (left out: \(left))")
            } else if !zipped.omittedForCount.isEmpty, ending == .succeeded {
                ending = .failed(
                    "its output holds more than the spool's limit of "
                        + "\(config.limits.maxEntries) files and folders")
            }
        }
        if ending.isHandBack {
            return try end(job, attempt: attempt, ending)
        }
        let result = RunResult(
            job: id, attempt: attempt, worker: worker, outcome: Self.word(ending),
            exitCode: exitCode, reason: Self.reason(ending), startedAt: Timestamp.iso(started),
            endedAt: Timestamp.iso(), logTruncatedBytes: buffer.truncatedBytes,
            outputFiles: summary?.storedFiles.count ?? 0, outputBytes: summary?.storedBytes ?? 0)
        guard try spool.renewLease(job: id, logPiece: buffer.takeNewLines()) else {
            throw ClaimError.fenced(job: id)
        }
        let ref = try spool.publishResult(
            result, log: buffer.encoded(),
            outputZip: FileManager.default.fileExists(atPath: outputZip) ? outputZip : nil)
        return try end(job, attempt: attempt, ending, result: ref)
    }

    /// Lines for the job's log naming what the outputs do not carry, so nothing a job wrote
    /// vanishes without a word.
    static func leftOutNotes(_ summary: DirectoryZipSummary) -> [String] {
        func names(_ paths: [String]) -> String {
            let shown = paths.prefix(50).map { $0.debugDescription }.joined(separator: ", ")
            return paths.count > 50 ? shown + " and \(paths.count - 50) more" : shown
        }
        var notes: [String] = []
        if !summary.skippedNonRegular.isEmpty {
            notes.append(
                "left out of the outputs (symlinks and special files are never kept): "
                    + names(summary.skippedNonRegular))
        }
        if !summary.skippedNames.isEmpty {
            notes.append(
                "left out of the outputs (names that would not unpack as themselves: a "
                    + "backslash, a drive letter, macOS metadata): " + names(summary.skippedNames))
        }
        if !summary.omittedForCount.isEmpty {
            notes.append(
                "left out of the outputs (past the entry limit): "
                    + names(summary.omittedForCount))
        }
        return notes
    }

    private func end(
        _ job: JobRecord, attempt: Int, _ ending: RunEnding, result: String? = nil
    ) throws -> Outcome {
        let written = try spool.finish(
            job: job.id, worker: worker, ending: ending, result: result)
        let state = Self.word(written)
        log("job \(job.id): \(state)" + (Self.reason(written).map { " (\($0))" } ?? ""))
        return Outcome(
            job: job.id, attempt: attempt, state: state, reason: Self.reason(written),
            result: result)
    }

    private func unpack(
        _ job: JobRecord, into directory: String, workspace: String,
        limits: SpoolConfig.Limits
    ) throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: directory)
        // Private to this worker: other users of the machine have no business in a job's
        // files. Docker (root) mounts the workspace itself, so the job still sees it.
        try manager.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let zip = directory + "/job.zip"
        try spool.readPayload(of: job).write(to: URL(fileURLWithPath: zip))
        _ = try ZipExtractor.safeExtract(zip: zip, into: workspace, limits: limits.extraction)
    }

    /// How a container run ended, and whether the output folder outgrew the spool's limit.
    struct ContainerRun {
        var outcome: ContainerOutcome
        /// Set when the run was stopped because its output passed `maxOutputBytes`.
        var outputOverflowBytes: Int64?
    }

    /// Runs the container on a background thread while this one pushes the log, renews the
    /// lease and watches the output folder (a bind mount with no quota of its own: unwatched,
    /// a job could fill the worker's disk). Returns nil when the claim was lost (the
    /// container is then removed).
    // FIXME: the output folder is measured every two seconds, so a fast writer can pass the
    // limit by what it writes in that time; a size-capped mount would bound it exactly.
    private func runContainer(
        _ spec: ContainerSpec, buffer: LogBuffer, settings: WorkerSettings, config: SpoolConfig
    ) throws -> ContainerRun? {
        let box = OutcomeBox()
        let pending = PendingBytes()
        let executor = self.executor
        let thread = Thread {
            let outcome: ContainerOutcome
            do {
                outcome = try executor.run(spec) { chunk in
                    buffer.append(chunk)
                    pending.add(chunk.bytes.count)
                }
            } catch {
                outcome = .workerFault("\(error)")
            }
            box.set(outcome)
        }
        thread.start()

        // Push the log every few seconds, or sooner when much has piled up.
        let interval = settings.logIntervalSeconds ?? 3
        let renewEvery = max(1, Double(config.leaseSeconds) / 3)
        var lastPush = Date()
        var lastMeasure = Date()
        var overflow: Int64?
        var stopping = false
        while box.value == nil {
            Thread.sleep(forTimeInterval: 0.2)
            if stopRequested(), !stopping {
                stopping = true
                log("job \(spec.jobID): stop requested; stopping the container")
                try? executor.remove(container: spec.containerName, graceSeconds: 5)
            }
            if !stopping, Date().timeIntervalSince(lastMeasure) >= 2 {
                lastMeasure = Date()
                let used = Self.bytesUnder(spec.outputDirectory)
                if used > config.limits.maxOutputBytes {
                    stopping = true
                    overflow = used
                    log("job \(spec.jobID): output at \(used) bytes, past the limit; stopping")
                    try? executor.remove(container: spec.containerName, graceSeconds: 0)
                }
            }
            let since = Date().timeIntervalSince(lastPush)
            let due = (since >= interval && pending.value > 0) || pending.value >= 256 << 10
            guard due || since >= renewEvery else { continue }
            pending.reset()
            lastPush = Date()
            let piece = buffer.takeNewLines()
            let held: Bool
            do {
                held = try spool.renewLease(job: spec.jobID, logPiece: piece)
            } catch {
                // The remote is briefly unreachable: keep running, the lease has slack.
                log("job \(spec.jobID): could not push the log (\(error)); will retry")
                continue
            }
            if !held {
                try? executor.remove(container: spec.containerName, graceSeconds: 0)
                while box.value == nil { Thread.sleep(forTimeInterval: 0.1) }
                return nil
            }
        }
        return box.value.map { ContainerRun(outcome: $0, outputOverflowBytes: overflow) }
    }

    /// The bytes of the regular files below `folder`, symlinks not followed.
    static func bytesUnder(_ folder: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
        var total: Int64 = 0
        while let name = walker.nextObject() as? String {
            var status = stat()
            guard lstat(folder + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG
            else { continue }
            total += Int64(status.st_size)
        }
        return total
    }

    static func word(_ ending: RunEnding) -> String {
        switch ending {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .timedOut: "timed-out"
        case .handedBack, .stopped: "handed-back"
        }
    }

    static func reason(_ ending: RunEnding) -> String? {
        switch ending {
        case .succeeded: nil
        case .failed(let why), .timedOut(let why), .handedBack(let why), .stopped(let why): why
        }
    }
}

/// The container's outcome, handed from the runner thread to the pushing one.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: ContainerOutcome?

    func set(_ value: ContainerOutcome) { lock.withLock { outcome = value } }
    var value: ContainerOutcome? { lock.withLock { outcome } }
}

/// Log bytes received since the last push.
private final class PendingBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ bytes: Int) { lock.withLock { count += bytes } }
    func reset() { lock.withLock { count = 0 } }
    var value: Int { lock.withLock { count } }
}
