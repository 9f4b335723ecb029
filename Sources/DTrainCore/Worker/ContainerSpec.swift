import Foundation

/// Everything `DockerExecutor` needs to run one attempt of one job in a
/// container.
///
/// Paths are on the host. The job sees its extracted files read-only at `/job`
/// (and a writable copy as its working directory, see `EntryScript`), writes
/// results to `/output`, and may install its requirements offline from
/// `/wheelhouse`.
public struct ContainerSpec: Sendable, Equatable {
    public var image: String
    public var jobID: String
    /// Starts at 1; part of the container's name so a retry never collides with
    /// a leftover.
    public var attempt: Int
    /// Host directory holding the extracted job, mounted read-only at `/job`.
    public var workspace: String
    /// Host directory mounted read-write at `/output` (the job reads
    /// `DTRAIN_OUTPUT`).
    public var outputDirectory: String
    /// Host directory of wheels, mounted read-only at `/wheelhouse` for offline
    /// `pip`.
    public var wheelhouse: String?
    /// The script to run, relative to `/job`.
    public var mainScript: String
    /// CPU share (`--cpus`); nil leaves the container unlimited.
    public var cpus: Double?
    /// Memory cap (`--memory`, with swap equal so the job cannot page out);
    /// nil: unlimited.
    public var memoryBytes: Int64?
    /// GPUs to pass through (`--gpus N`); 0 passes none and adds no flag at
    /// all.
    public var gpus: Int
    /// Most processes and threads the job may have (`--pids-limit`): stops fork
    /// bombs.
    public var pidsLimit: Int
    /// Wall-clock limit from `docker start`; then `docker stop` with
    /// `graceSeconds`.
    public var timeoutSeconds: Int
    /// How long the job has to exit after SIGTERM before it is killed.
    public var graceSeconds: Int
    /// Size of the `/tmp` tmpfs, which also holds the writable copy of the job
    /// and any packages installed from the wheelhouse. Counted against
    /// `memoryBytes` when used.
    public var scratchBytes: Int64

    public init(
        image: String, jobID: String, attempt: Int, workspace: String, outputDirectory: String,
        wheelhouse: String? = nil, mainScript: String, cpus: Double? = nil,
        memoryBytes: Int64? = nil, gpus: Int = 0, pidsLimit: Int = 256,
        timeoutSeconds: Int, graceSeconds: Int = 10, scratchBytes: Int64 = 1 << 30
    ) {
        self.image = image
        self.jobID = jobID
        self.attempt = attempt
        self.workspace = workspace
        self.outputDirectory = outputDirectory
        self.wheelhouse = wheelhouse
        self.mainScript = mainScript
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.gpus = gpus
        self.pidsLimit = pidsLimit
        self.timeoutSeconds = timeoutSeconds
        self.graceSeconds = graceSeconds
        self.scratchBytes = scratchBytes
    }

    /// `dtrain-<job>-<attempt>`, with characters Docker refuses in names
    /// replaced by `-`.
    public var containerName: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        let safeID = String(jobID.map { allowed.contains($0) ? $0 : "-" })
        return "dtrain-\(safeID)-\(attempt)"
    }
}
