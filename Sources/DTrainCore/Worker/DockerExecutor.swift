import Foundation

/// Runs one job attempt in a locked-down Docker container and reports how it
/// ended.
///
/// The container is made with `docker create` and run with `docker start
/// --attach`, so it exists (and carries its `dtrain.job` label) for its whole
/// life: a worker that crashed mid-job finds it again with
/// `containers(forJob:)` and removes it. Every run removes its container at the
/// end, whatever happened. See `ContainerArguments` for the sandbox and
/// `EntryScript` for what runs inside before the job's script.
public final class DockerExecutor: Sendable {
    private let cli: DockerCLI

    /// `dockerPath` is the client to run: a name looked up on `PATH`, or an
    /// absolute path.
    /// `commandTimeLimit` bounds each short `docker` command (see `DockerCLI.timeLimit`).
    public init(dockerPath: String = "docker", commandTimeLimit: TimeInterval = 120) {
        self.cli = DockerCLI(path: dockerPath, timeLimit: commandTimeLimit)
    }

    /// Runs the job to its end, its timeout, or a fault of the worker.
    ///
    /// `onLog` receives the job's stdout and stderr as they arrive, from
    /// background threads, one call at a time. Docker trouble (daemon down,
    /// image missing, a refused mount) comes back as `.workerFault`, not as a
    /// thrown error, so the caller can put the job back in the queue; only
    /// preparing the host's folders (creating the output directory, opening up
    /// the workspace's modes) throws.
    public func run(
        _ spec: ContainerSpec, onLog: @escaping @Sendable (LogChunk) -> Void
    ) throws -> ContainerOutcome {
        guard version() != nil else {
            return .workerFault("the Docker daemon does not answer (docker version failed)")
        }
        guard imagePresent(spec.image) else {
            return .workerFault(
                "job image \(spec.image) is missing; build it with examples/node/build-image.sh")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.workspace, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            return .workerFault("job workspace \(spec.workspace) is not a directory")
        }
        try prepareOutputDirectory(spec.outputDirectory)
        try makeReadable(workspace: spec.workspace)

        // A leftover of the same attempt (a crash between create and rm) blocks
        // the name.
        do throws(DockerError) {
            try remove(container: spec.containerName, graceSeconds: 0)
            let container = try cli.output(ContainerArguments.create(spec))
            defer { try? remove(container: container, graceSeconds: 0) }
            return try attach(container, spec: spec, onLog: onLog)
        } catch {
            return .workerFault(error.description)
        }
    }

    /// Names of the containers, running or not, labelled with this job (any
    /// attempt).
    public func containers(forJob jobID: String) throws(DockerError) -> [String] {
        let names = try cli.output([
            "ps", "--all", "--no-trunc", "--filter",
            "label=\(ContainerArguments.jobLabel)=\(jobID)",
            "--format", "{{.Names}}",
        ])
        return names.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Stops a container (SIGTERM, `graceSeconds` to exit), kills it, removes
    /// it, and confirms with `docker inspect` that it is gone. A container
    /// already gone is fine.
    public func remove(container: String, graceSeconds: Int = 10) throws(DockerError) {
        do throws(DockerError) {
            _ = try cli.output(["stop", "--time", "\(graceSeconds)", container])
        } catch {
            // Already gone: nothing to stop, nothing to remove. Being removed
            // by another caller: the wait below decides.
            if error.isNoSuchObject { return }
            guard error.isRemovalInProgress else { throw error }
        }

        // stop already killed it after the grace; kill covers a stop that gave
        // up early.
        _ = try? cli.output(["kill", container])
        do throws(DockerError) {
            _ = try cli.output(["rm", "--force", "--volumes", container])
        } catch {
            // Removed, or being removed, by someone else between the two calls
            // is fine: the wait below decides.
            guard error.isNoSuchObject || error.isRemovalInProgress else { throw error }
        }

        // Only Docker saying "no such container" proves it is gone. A removal
        // started by another caller may still be finishing, so give it a while.
        var inspect = try cli.run(["inspect", "--format", "{{.Id}}", container])
        for _ in 0..<100 where inspect.status == 0 {
            Thread.sleep(forTimeInterval: 0.1)
            inspect = try cli.run(["inspect", "--format", "{{.Id}}", container])
        }
        let gone = inspect.status != 0 && inspect.stderr.contains("No such")
        guard !gone else { return }
        let failure =
            inspect.status != 0
            ? inspect
            : DockerCLI.Result(
                status: 1, stdout: "", stderr: "container \(container) still exists after rm")
        try DockerCLI.check(failure, ["inspect", container])
    }

    /// Whether the image is in the local store (`docker image inspect`); never
    /// pulls.
    public func imagePresent(_ image: String) -> Bool {
        (try? cli.run(["image", "inspect", "--format", "{{.Id}}", "--", image]).status) == 0
    }

    /// The daemon's version, or nil when the client is missing or no daemon
    /// answers.
    public func version() -> String? {
        guard let result = try? cli.run(["version", "--format", "{{.Server.Version}}"]),
            result.status == 0
        else { return nil }
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return version.isEmpty ? nil : version
    }

    /// Starts the created container attached, streams its output, enforces the
    /// timeout.
    private func attach(
        _ container: String, spec: ContainerSpec,
        onLog: @escaping @Sendable (LogChunk) -> Void
    ) throws(DockerError) -> ContainerOutcome {
        // One lock around the callback: stdout and stderr readers never call it
        // together.
        let serial = NSLock()
        let deliver: @Sendable (LogChunk.Stream, [UInt8]) -> Void = { stream, bytes in
            serial.withLock { onLog(LogChunk(stream: stream, time: Date(), bytes: bytes)) }
        }
        let exited = DispatchSemaphore(value: 0)
        let client = try cli.launch(["start", "--attach", container]) { _ in exited.signal() }
        let readers = DispatchGroup()
        if let stdout = client.standardOutput as? Pipe {
            PipeReader.start(stdout, group: readers) { deliver(.stdout, $0) }
        }
        if let stderr = client.standardError as? Pipe {
            PipeReader.start(stderr, group: readers) { deliver(.stderr, $0) }
        }

        // Past the timeout: stop with grace, kill, and make sure the container
        // is gone.
        let deadline = DispatchTime.now() + .seconds(max(0, spec.timeoutSeconds))
        if exited.wait(timeout: deadline) == .timedOut {
            try remove(container: container, graceSeconds: spec.graceSeconds)
            if exited.wait(timeout: .now() + .seconds(30)) == .timedOut {
                // Still attached to a container that is gone: the daemon is
                // wedged. Cut the client loose so the worker can go on.
                client.terminate()
            }
            readers.wait()
            return .timedOut
        }
        readers.wait()

        // The client's status mixes Docker's errors with the job's; inspect
        // tells apart.
        let state = try cli.output([
            "inspect", "--format", "{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.State.Error}}",
            container,
        ])
        let fields = state.split(separator: "|", maxSplits: 2).map(String.init)
        let error = fields.count > 2 ? fields[2] : ""
        guard error.isEmpty, let code = Int32(fields.first ?? "") else {
            return .workerFault("container \(container) did not start: \(error)")
        }

        // An OOM kill looks like any SIGKILL (137); say why in the job's log.
        if fields.count > 1 && fields[1] == "true" {
            let limit = spec.memoryBytes.map { " of \($0) bytes" } ?? ""
            let note = "the job was killed for exceeding its memory limit\(limit)\n"
            deliver(.dtrain, Array(note.utf8))
        }
        return .exited(code)
    }

    /// Lets the job's user read the whole workspace (`a+rX`): an archive may
    /// carry modes like 0600 that would lock the job out of its own files.
    private func makeReadable(workspace: String) throws {
        let files = FileManager.default
        let paths =
            [workspace]
            + (files.enumerator(atPath: workspace)?.allObjects ?? [])
            .compactMap { $0 as? String }.map { "\(workspace)/\($0)" }
        for path in paths {
            let attributes = try files.attributesOfItem(atPath: path)
            guard let type = attributes[.type] as? FileAttributeType, type != .typeSymbolicLink,
                let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value
            else { continue }
            let searchable = type == .typeDirectory || mode & 0o100 != 0
            let wanted = mode | 0o444 | (searchable ? 0o111 : 0)
            guard wanted != mode else { continue }
            try files.setAttributes([.posixPermissions: wanted], ofItemAtPath: path)
        }
    }

    /// Creates the output directory and lets the job's user write it (see
    /// `jobUser`).
    private func prepareOutputDirectory(_ path: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        let user = ContainerArguments.jobUser
        guard user.uid != getuid() else { return }
        try files.setAttributes(
            [.ownerAccountID: user.uid, .groupOwnerAccountID: user.gid, .posixPermissions: 0o755],
            ofItemAtPath: path)
    }
}
