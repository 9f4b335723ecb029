import Foundation

/// What a worker node offers and how it runs jobs, set by `dtrain worker register`.
public struct WorkerSettings: Codable, Sendable, Equatable {
    public var cpus: Double?
    public var memoryBytes: Int64?
    public var gpus: Int?
    public var minPrice: Int64?
    /// A folder of wheels mounted read-only for offline `pip install`.
    public var wheelhouse: String?
    public var labels: [String: String]?
    /// Seconds between log pushes while a job runs.
    public var logIntervalSeconds: Double?

    public init() {}

    /// The profile claims are judged by: configured values, else this machine's.
    public func profile(name: String) -> WorkerProfile {
        var profile = WorkerProfile.thisMachine(name: name)
        if let cpus { profile.cpus = cpus }
        if let memoryBytes { profile.memoryBytes = memoryBytes }
        if let gpus { profile.gpus = gpus }
        if let minPrice { profile.minPrice = minPrice }
        return profile
    }
}
