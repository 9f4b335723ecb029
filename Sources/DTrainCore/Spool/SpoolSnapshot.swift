import Foundation
import GitKit

/// The spool as of one commit: reads config, jobs and records straight from git objects.
public struct SpoolSnapshot {
    public let repository: Repository
    public let commit: ObjectID
    public let tree: ObjectID

    init(repository: Repository, commit: ObjectID) throws {
        self.repository = repository
        self.commit = commit
        self.tree = try repository.commit(commit).tree
    }

    /// Decodes the JSON file at `path`, or nil when there is none.
    public func read<T: Decodable>(_ type: T.Type, at path: String) throws -> T? {
        guard let entry = try repository.entry(in: tree, path: path), !entry.isTree else {
            return nil
        }
        let data = try repository.blob(entry.id)
        do {
            return try CanonicalJSON.decode(type, from: data)
        } catch {
            throw SpoolError.malformed(path: path, why: "\(error)")
        }
    }

    public func exists(_ path: String) throws -> Bool {
        try repository.entry(in: tree, path: path) != nil
    }

    public func config() throws -> SpoolConfig {
        guard let config = try read(SpoolConfig.self, at: SpoolLayout.configPath) else {
            throw SpoolError.malformed(path: SpoolLayout.configPath, why: "missing")
        }
        try config.validate()
        return config
    }

    /// A job's manifest, quote and state records, or nil if no such job exists.
    public func job(_ id: String) throws -> JobRecord? {
        guard Identifier.isValid(id),
            let manifest = try read(JobManifest.self, at: SpoolLayout.manifestPath(id))
        else { return nil }
        let quote = try read(Quote.self, at: SpoolLayout.quotePath(id))
        let directory = SpoolLayout.stateDirectory(id)
        var records: [StateRecord] = []
        for entry in try repository.entries(in: tree, directory: directory) where !entry.isTree {
            let path = directory + "/" + entry.name
            guard let record = try read(StateRecord.self, at: path) else { continue }
            guard record.fileName == entry.name, record.job == id else {
                throw SpoolError.malformed(path: path, why: "record does not match its name")
            }
            records.append(record)
        }
        records.sort { $0.seq < $1.seq }
        return JobRecord(manifest: manifest, quote: quote, records: records)
    }

    /// Like `job(_:)` but throws `jobNotFound` instead of returning nil.
    public func requireJob(_ id: String) throws -> JobRecord {
        guard let job = try job(id) else { throw SpoolError.jobNotFound(id) }
        return job
    }

    public func ledgerEntry(_ id: String) throws -> LedgerEntry? {
        try read(LedgerEntry.self, at: SpoolLayout.ledgerPath(entry: id))
    }
}

/// Everything committed about one job.
public struct JobRecord: Sendable {
    public var manifest: JobManifest
    public var quote: Quote?
    /// Ordered by sequence number; the last one names the current state.
    public var records: [StateRecord]

    public var id: String { manifest.id }
    public var state: JobState { records.last?.state ?? .draft }
    public var seq: Int { records.last?.seq ?? 0 }
    public var price: Int64 { quote?.price ?? 0 }

    /// The record that moves this job to `next`, checked against the state machine.
    public func transition(
        to next: JobState, by actor: String, note: String? = nil, worker: String? = nil,
        attempt: Int? = nil, entry: String? = nil, result: String? = nil,
        countsTowardRetries: Bool? = nil, at date: Date = Date()
    ) throws -> StateRecord {
        guard state.canMove(to: next) else {
            throw SpoolError.illegalTransition(job: id, from: state, to: next)
        }
        return StateRecord(
            job: id, seq: seq + 1, state: next, at: Timestamp.iso(date), by: actor, note: note,
            worker: worker, attempt: attempt, entry: entry, result: result,
            countsTowardRetries: countsTowardRetries)
    }
}
