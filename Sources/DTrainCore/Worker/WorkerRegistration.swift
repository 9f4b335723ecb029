import Foundation
import GitKit

/// A worker node as it described itself when it registered.
public struct WorkerRecord: Codable, Sendable, Equatable {
    public var name: String
    public var registeredAt: String
    public var os: String
    public var kernel: String
    public var cpuModel: String
    public var cpus: Double
    public var memoryBytes: Int64
    public var gpus: [String]
    public var docker: String?
    public var images: [String]
    public var minPrice: Int64
    public var labels: [String: String]
}

/// Who runs jobs: registration records under `workers/<name>/`, one per (re)registration.
///
/// Registering again adds a record instead of changing one, keeping `main` append-only; the
/// newest record describes the worker.
extension Spool {
    public static func workerRecordPath(_ name: String, at stamp: String) -> String {
        "workers/\(name)/\(stamp).json"
    }

    /// Detects this machine and records it as worker `name`.
    @discardableResult
    public func registerWorker(
        name: String, settings: WorkerSettings, executor: DockerExecutor = DockerExecutor()
    ) throws -> WorkerRecord {
        try Actor.check(name)
        let facts = MachineFacts.detect(executor: executor)
        let profile = settings.profile(name: name)
        let record = WorkerRecord(
            name: name, registeredAt: Timestamp.iso(), os: facts.os, kernel: facts.kernel,
            cpuModel: facts.cpuModel, cpus: profile.cpus, memoryBytes: profile.memoryBytes,
            gpus: facts.gpus, docker: facts.docker, images: facts.images,
            minPrice: profile.minPrice, labels: settings.labels ?? [:])
        try updateSettings { $0.worker = settings }
        let path = Self.workerRecordPath(
            name, at: Timestamp.compact(Date()) + "-" + Identifier.make().suffix(4))
        try write(actor: name, message: "Register worker \(name)") { _ in
            [try self.record(record, at: path)]
        }
        if settings.gpus == nil, !facts.gpus.isEmpty {
            try updateSettings { $0.worker?.gpus = facts.gpus.count }
        }
        return record
    }

    /// The newest registration of every worker.
    public func workers(at snapshot: SpoolSnapshot) throws -> [WorkerRecord] {
        var result: [WorkerRecord] = []
        for folder in try repository.entries(in: snapshot.tree, directory: "workers")
        where folder.isTree {
            // The newest by its own time: two registrations in one second may sort either
            // way by file name.
            let directory = "workers/" + folder.name
            let records = try repository.entries(in: snapshot.tree, directory: directory)
                .filter { !$0.isTree }
                // One malformed record (which `dtrain verify` names) must not hide the rest.
                .compactMap {
                    try? snapshot.read(WorkerRecord.self, at: directory + "/" + $0.name)
                }
            if let newest = records.max(by: { $0.registeredAt < $1.registeredAt }) {
                result.append(newest)
            }
        }
        return result
    }
}

/// What a worker can tell about the machine it runs on, without the network.
struct MachineFacts {
    var os = "unknown"
    var kernel = "unknown"
    var cpuModel = "unknown"
    var gpus: [String] = []
    var docker: String?
    var images: [String] = []

    static func detect(executor: DockerExecutor) -> MachineFacts {
        var facts = MachineFacts()
        if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
            let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") })
        {
            facts.os = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
        }
        if let version = try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)
        {
            facts.kernel = version.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            facts.cpuModel = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let listing = Self.run("nvidia-smi", ["-L"]) {
            facts.gpus = listing.split(separator: "\n").map(String.init).filter {
                $0.hasPrefix("GPU")
            }
        }
        facts.docker = executor.version()
        if facts.docker != nil,
            let images = Self.run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"])
        {
            facts.images = images.split(separator: "\n").map(String.init).filter {
                !$0.contains("<none>")
            }.sorted()
        }
        return facts
    }

    /// Runs a program found on PATH; nil when it is missing or fails.
    static func run(_ program: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
