import Foundation

/// What a worker offers: a job is eligible only if it fits.
public struct WorkerProfile: Codable, Sendable, Equatable {
    public var name: String
    public var cpus: Double
    public var memoryBytes: Int64
    public var gpus: Int
    /// The least a job must pay (minor units) for this worker to take it.
    public var minPrice: Int64

    public init(name: String, cpus: Double, memoryBytes: Int64, gpus: Int, minPrice: Int64) {
        self.name = name
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.gpus = gpus
        self.minPrice = minPrice
    }

    /// This machine as it is: all its cores and memory, no GPUs unless told.
    public static func thisMachine(name: String) -> WorkerProfile {
        WorkerProfile(
            name: name, cpus: Double(ProcessInfo.processInfo.activeProcessorCount),
            memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory), gpus: 0, minPrice: 0)
    }

    public func fits(_ job: JobSummary) -> Bool {
        job.price >= minPrice && job.cpus <= cpus && job.memoryBytes <= memoryBytes
            && job.gpus <= gpus
    }
}

/// The content of a claim ref's commits: who holds the job, for which attempt, and a beat
/// counter the holder bumps to renew its lease.
///
/// Every claim commit is unique (the nonce), so after a lost reply a worker can tell from the
/// remote's refs whether its own claim is the one that landed.
public struct ClaimTicket: Codable, Sendable, Equatable {
    public var job: String
    public var worker: String
    public var attempt: Int
    public var claimedAt: String
    public var nonce: String
    /// 0 for the claim itself, then one more per renewal.
    public var beat: Int
    public var renewedAt: String

    public static let fileName = "claim.json"
}

/// What one claim attempt came to.
public struct ClaimResult: Codable, Sendable, Equatable {
    /// The job now held, or nil when none could be had.
    public var job: String?
    public var attempt: Int?
    /// Jobs this worker could have run.
    public var eligible: Int
    /// Claims lost to other workers on the way (each learnt in one round trip).
    public var lost: Int
    /// Why nothing was claimed, when nothing was.
    public var reason: String?
}
