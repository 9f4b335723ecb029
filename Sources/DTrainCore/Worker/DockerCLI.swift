import Foundation

/// The `docker` command-line client, run through Foundation's `Process`.
///
/// dtrain talks to Docker only through its CLI: the socket API would need an
/// HTTP client over a Unix socket, which Foundation does not offer on Linux,
/// and the CLI is what the person at the worker uses to look at the same
/// containers.
struct DockerCLI: Sendable {
    /// What a finished command printed, and how it exited.
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The client's path as given (`docker`, or an absolute path).
    let path: String
    /// How long one short command (`inspect`, `rm`, `ps`…) may take before the client is
    /// killed; a `stop` gets its grace period on top. A hung daemon would otherwise hold a
    /// worker, and its lock, until someone noticed.
    var timeLimit: TimeInterval = 120

    init(path: String, timeLimit: TimeInterval = 120) {
        self.path = path
        self.timeLimit = timeLimit
    }

    /// The executable, found on `PATH` when `path` has no slash; nil when there
    /// is none.
    var executableURL: URL? {
        if path.contains("/") {
            return FileManager.default.isExecutableFile(atPath: path)
                ? URL(fileURLWithPath: path) : nil
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(path)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate)
            }
        }
        return nil
    }

    /// Runs `docker <arguments>` to the end and returns what it printed,
    /// whatever its status; throws when the client outlives `timeLimit`.
    func run(_ arguments: [String]) throws(DockerError) -> Result {
        let process = try launch(arguments)
        let stdout = process.standardOutput as? Pipe
        let stderr = process.standardError as? Pipe

        // The watch: SIGKILL the client past its time; its pipes then close.
        let limit = timeLimit + Self.graceSeconds(arguments)
        let killed = Flag()
        let watch = DispatchWorkItem {
            guard process.isRunning else { return }
            killed.raise()
            kill(process.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watch)
        defer { watch.cancel() }

        // Read stderr on a second thread so neither pipe can fill up and stall
        // the client.
        let errorBytes = ByteCollector()
        let readers = DispatchGroup()
        if let stderr {
            PipeReader.start(stderr, group: readers) { errorBytes.append($0) }
        }
        let outData = stdout?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        readers.wait()
        process.waitUntilExit()
        if killed.isRaised {
            throw DockerError(
                command: arguments.first ?? "", status: nil,
                message: "the docker client did not finish within \(Int(limit)) s and was "
                    + "killed; is dockerd hung? ('systemctl status docker')")
        }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errorBytes.bytes, as: UTF8.self))
    }

    /// Runs `docker <arguments>` and returns its trimmed stdout, or throws what
    /// it said.
    func output(_ arguments: [String]) throws(DockerError) -> String {
        let result = try run(arguments)
        try Self.check(result, arguments)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `docker <arguments>` with stdout and stderr on pipes the caller
    /// reads. `onExit` is set before the client starts, so no exit can be
    /// missed.
    func launch(
        _ arguments: [String], onExit: (@Sendable (Process) -> Void)? = nil
    ) throws(DockerError) -> Process {
        let command = arguments.first ?? ""
        guard let url = executableURL else {
            throw Self.check(launchFailure: "no executable '\(path)' found", command: command)
        }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = onExit
        do {
            try process.run()
        } catch {
            throw Self.check(launchFailure: "\(error)", command: command)
        }
        return process
    }

    /// The `--time N` of a `docker stop`: the daemon may rightly take that long first.
    static func graceSeconds(_ arguments: [String]) -> TimeInterval {
        guard arguments.first == "stop", let flag = arguments.firstIndex(of: "--time"),
            flag + 1 < arguments.count, let seconds = TimeInterval(arguments[flag + 1])
        else { return 0 }
        return seconds
    }

    /// The single place a failed `docker` command becomes a `DockerError`.
    static func check(_ result: Result, _ arguments: [String]) throws(DockerError) {
        guard result.status != 0 else { return }
        throw DockerError(
            command: arguments.first ?? "",
            status: result.status,
            message: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The error for a client that did not start, from the same helper family
    /// as `check`.
    static func check(launchFailure reason: String, command: String) -> DockerError {
        DockerError(command: command, status: nil, message: reason)
    }
}

/// A one-way switch shared with the watch's queue.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}
