import GitKit

/// What a job is: written once at submission as `manifest.json` and never changed.
public struct JobManifest: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var id: String
    public var name: String
    public var owner: String
    public var createdAt: String
    /// The main script, relative to the ZIP's root.
    public var main: String
    public var image: String
    public var timeoutSeconds: Int
    public var resources: Resources
    public var payload: Payload

    public struct Resources: Codable, Sendable, Equatable {
        public var cpus: Double
        public var memoryBytes: Int64
        public var gpus: Int

        public init(cpus: Double, memoryBytes: Int64, gpus: Int) {
            self.cpus = cpus
            self.memoryBytes = memoryBytes
            self.gpus = gpus
        }

        public static let standard = Resources(cpus: 1, memoryBytes: 2 << 30, gpus: 0)

        /// Docker refuses a smaller `--memory` ("Minimum memory limit allowed is
        /// 6MB"), so a job asking for less could never start on any worker.
        public static let minimumMemoryBytes: Int64 = 6 << 20
    }

    /// Where the ZIP's bytes are: a blob on the job's payload ref, fetched only by its runner.
    public struct Payload: Codable, Sendable, Equatable {
        public var ref: String
        public var blob: String
        public var bytes: Int64
        /// The single folder wrapping everything in the ZIP, or "".
        public var root: String
        public var files: Int
        public var inflatedBytes: Int64
    }
}

/// One fact in a job's life: the job entered `state`. Immutable once committed.
public struct StateRecord: Codable, Sendable, Equatable {
    public var job: String
    /// 1 for the draft, then one more for each transition.
    public var seq: Int
    public var state: JobState
    public var at: String
    public var by: String
    /// Why, in words a person reads in `dtrain show` (e.g. the reason a job failed).
    public var note: String?
    /// The worker that claimed or ran the job, on the records where it matters.
    public var worker: String?
    /// Which run of the job this is; grows when a lapsed lease puts the job back in the queue.
    public var attempt: Int?
    /// The ledger entry written in the same commit (reserve, settle, release), if any.
    public var entry: String?
    /// On a final record written by a worker: the ref holding the run's log and outputs.
    public var result: String?
    /// `false` on a hand-back that must not count toward the retry limit: the worker's own
    /// owner stopped it (SIGTERM, a reboot). Absent means the claim counts.
    public var countsTowardRetries: Bool?

    public init(
        job: String, seq: Int, state: JobState, at: String, by: String, note: String? = nil,
        worker: String? = nil, attempt: Int? = nil, entry: String? = nil, result: String? = nil,
        countsTowardRetries: Bool? = nil
    ) {
        self.job = job
        self.seq = seq
        self.state = state
        self.at = at
        self.by = by
        self.note = note
        self.worker = worker
        self.attempt = attempt
        self.entry = entry
        self.result = result
        self.countsTowardRetries = countsTowardRetries
    }

    public var fileName: String { SpoolLayout.stateFileName(seq: seq, state: state) }
}
