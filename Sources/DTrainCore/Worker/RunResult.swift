import Foundation
import GitKit

/// How one attempt of a job ended, kept beside its log and outputs on the results ref.
public struct RunResult: Codable, Sendable, Equatable {
    public var job: String
    public var attempt: Int
    public var worker: String
    /// `succeeded`, `failed`, `timed-out` or `handed-back`.
    public var outcome: String
    public var exitCode: Int32?
    public var reason: String?
    public var startedAt: String
    public var endedAt: String
    /// Bytes of log dropped from the middle to stay within the spool's cap.
    public var logTruncatedBytes: Int64
    public var outputFiles: Int
    public var outputBytes: Int64

    public init(
        job: String, attempt: Int, worker: String, outcome: String, exitCode: Int32?,
        reason: String?, startedAt: String, endedAt: String, logTruncatedBytes: Int64,
        outputFiles: Int, outputBytes: Int64
    ) {
        self.job = job
        self.attempt = attempt
        self.worker = worker
        self.outcome = outcome
        self.exitCode = exitCode
        self.reason = reason
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.logTruncatedBytes = logTruncatedBytes
        self.outputFiles = outputFiles
        self.outputBytes = outputBytes
    }

    public static let fileName = "result.json"
    public static let logName = "log.txt"
    public static let outputName = "output.zip"
}

/// The results ref of a finished attempt: written once by its runner, read by anyone.
///
/// Results live on their own ref, like payloads, so the branch every worker polls stays small;
/// `dtrain logs` and `dtrain output` fetch exactly the one they need. Once the job has been
/// final for a while, `dtrain gc` folds the ref into its month's archive and deletes it, so
/// the remote's ref list (downloaded whole on every connection) does not grow with every job
/// ever run; `readResult(of:)` then reads the archive (see `Spool.storedTree`).
extension Spool {
    public static let resultRefPrefix = "refs/dtrain/results/"

    public static func resultRef(job: String, attempt: Int) -> String {
        resultRefPrefix + "\(job)/\(attempt)"
    }

    /// Commits the result, log and outputs and pushes them create-only; returns the ref.
    public func publishResult(_ result: RunResult, log: Data, outputZip: String?) throws
        -> String
    {
        var changes: [TreeChange] = [
            .upsert(
                path: RunResult.fileName,
                blob: try repository.createBlob(
                    CanonicalJSON.encode(result))),
            .upsert(path: RunResult.logName, blob: try repository.createBlob(log)),
        ]
        if let outputZip {
            changes.append(
                .upsert(
                    path: RunResult.outputName,
                    blob: try repository.createBlob(
                        fromFile: outputZip)))
        }
        let tree = try repository.updateTree(nil, changes)
        let commit = try repository.createCommit(
            tree: tree, parents: [],
            message: "Result of job \(result.job), attempt \(result.attempt): \(result.outcome)",
            author: Actor.signature(result.worker))
        let ref = Self.resultRef(job: result.job, attempt: result.attempt)
        try repository.setReference(ref, to: commit, expected: nil, message: "dtrain result")
        if let url = settings.remote {
            guard try pushResult(commit, as: ref).isAccepted else {
                throw SyncError.refused(url: url, why: "\(ref) exists already")
            }
        }
        return ref
    }

    /// Only this run ever writes its results ref, so a lock on it was left by a killed
    /// process: wait until `RefLock` takes it for stale and removes it, rather than throw a
    /// finished run away.
    static let lockWait = RefLock.staleAfter + 15

    private func pushResult(_ commit: ObjectID, as ref: String) throws -> RefUpdateResult {
        let started = Date()
        while true {
            do {
                return try pushToRemote(commit, as: ref, expected: nil)
            } catch SyncError.remoteLocked where Date().timeIntervalSince(started) < Self.lockWait {
                Thread.sleep(forTimeInterval: 2)
            }
        }
    }

    /// The result, log and outputs of a finished job's last run, from wherever they are kept
    /// now (its results ref, or its month's archive once folded); nil when its final record
    /// names no result (cancelled, or ended before anything ran).
    public func readResult(of job: JobRecord) throws
        -> (result: RunResult, log: Data, output: Data?)?
    {
        guard let ref = job.records.last?.result else { return nil }
        let tree = try storedTree(ref, of: job)
        func file(_ name: String) throws -> Data? {
            try repository.entry(in: tree, path: name).map { try repository.blob($0.id) }
        }
        guard let json = try file(RunResult.fileName) else {
            throw SpoolError.malformed(path: ref, why: "no result.json")
        }
        return (
            try CanonicalJSON.decode(RunResult.self, from: json),
            try file(RunResult.logName) ?? Data(), try file(RunResult.outputName)
        )
    }

    /// The log pieces a running job's holder has pushed so far, in order.
    public func liveLog(job: String) throws -> [Data] {
        let ref = Self.claimRef(job: job)
        if settings.remote != nil {
            do {
                try fetchFromRemote(ref)
            } catch {
                // A claim ref deleted between the listing and the fetch: no live log.
                if try !remoteClaims().keys.contains(job) { return [] }
                throw error
            }
        }
        guard let commit = try repository.reference(ref) else { return [] }
        let tree = try repository.commit(commit).tree
        return try repository.entries(in: tree, directory: "log")
            .filter { !$0.isTree }
            .sorted { $0.name < $1.name }
            .map { try repository.blob($0.id) }
    }
}
