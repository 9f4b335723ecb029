import Foundation
import GitKit

/// A spool: a git repository whose `main` branch is the queue, the job records and the ledger.
///
/// Every change is one commit built straight from blobs and trees (no working tree), then
/// published by moving `main` with a compare-and-swap, so two processes on one clone can never
/// lose each other's commits. Clone-local files (settings, the SQLite index) live in
/// `<git dir>/dtrain/`, outside anything committed.
public final class Spool {
    public let repository: Repository
    /// The folder the user named (the spool's home), for messages.
    public let path: String
    /// `<git dir>/dtrain`: local settings, the index, locks.
    public let localDirectory: String
    public private(set) var settings: LocalSettings
    /// Opened on first use: commands that never read the index never pay for it.
    private var openedIndex: SpoolIndex?

    private var settingsPath: String { localDirectory + "/settings.json" }

    init(repository: Repository, path: String) throws {
        self.repository = repository
        self.path = path
        self.localDirectory = repository.gitDirectory.trimmingSuffix("/") + "/dtrain"
        try FileManager.default.createDirectory(
            atPath: localDirectory, withIntermediateDirectories: true)
        self.settings = try LocalSettings.load(from: localDirectory + "/settings.json")
    }

    /// Creates a spool at `path`: a bare git repository in `path/.git` whose first commit
    /// holds `spool.json`. Bare, because dtrain never needs a working tree and a stale one
    /// would only mislead a person looking at the folder.
    public static func create(at path: String, config: SpoolConfig, actor: String) throws -> Spool {
        try config.validate()
        try Actor.check(actor)
        let gitDirectory = path + "/.git"
        if FileManager.default.fileExists(atPath: gitDirectory) {
            throw SpoolError.alreadyASpool(path)
        }
        try makeFolder(path)
        let repository = try Repository.create(at: gitDirectory, bare: true)
        let spool = try Spool(repository: repository, path: path)

        let blob = try repository.createBlob(CanonicalJSON.encode(config))
        let tree = try repository.updateTree(
            nil, [.upsert(path: SpoolLayout.configPath, blob: blob)])
        let commit = try repository.createCommit(
            tree: tree, parents: [],
            message: "Create spool (format \(config.formatVersion), \(config.currency.code))",
            author: Actor.signature(actor))
        try repository.setReference(
            SpoolLayout.mainRef, to: commit, expected: nil, message: "dtrain init")
        return spool
    }

    /// Makes `path` and its parents before libgit2 does, because libgit2's own words for a
    /// folder it cannot make ("directory exists" when a file is in the way) send people
    /// looking in the wrong place.
    static func makeFolder(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) {
                guard isFolder.boolValue else {
                    throw SpoolError.cannotCreate(path: path, why: "\(prefix) is not a folder")
                }
                continue
            }
            guard mkdir(prefix, 0o777) == 0 || errno == EEXIST else {
                let why = String(cString: strerror(errno))
                let place = prefix.hasSuffix(path) ? "" : "\(prefix): "
                throw SpoolError.cannotCreate(path: path, why: place + why)
            }
        }
    }

    /// Opens the spool at `path` (the folder holding `.git`, or a bare repository itself).
    public static func open(at path: String) throws -> Spool {
        let repository: Repository
        do {
            repository = try Repository.open(at: path)
        } catch {
            throw SpoolError.notASpool(path)
        }
        let spool = try Spool(repository: repository, path: path)
        guard try spool.repository.reference(SpoolLayout.mainRef) != nil else {
            throw SpoolError.notASpool(path)
        }
        return spool
    }

    var indexPath: String { localDirectory + "/index.sqlite" }

    func openIndex() throws -> SpoolIndex {
        if let openedIndex { return openedIndex }
        let index = try SpoolIndex(path: indexPath, repository: repository)
        openedIndex = index
        return index
    }

    /// Closes and deletes the index file with its WAL companions; the next use rebuilds it.
    func discardIndex() throws {
        openedIndex = nil
        for path in ["", "-wal", "-shm"].map({ indexPath + $0 })
        where FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    public func updateSettings(_ change: (inout LocalSettings) -> Void) throws {
        var next = settings
        change(&next)
        try next.save(to: settingsPath)
        settings = next
    }

    /// The tip of `main` as a readable snapshot.
    public func snapshot() throws -> SpoolSnapshot {
        guard let tip = try repository.reference(SpoolLayout.mainRef) else {
            throw SpoolError.notASpool(path)
        }
        return try SpoolSnapshot(repository: repository, commit: tip)
    }

    /// How many times a local compare-and-swap on `main` is retried before giving up.
    static let localRetries = 20

    /// Writes one commit on `main`: `build` reads the current tip and returns the files to add
    /// (or throws to refuse); the commit is published with a compare-and-swap and `build` runs
    /// again on the new tip if another process moved `main` in between.
    ///
    /// - Returns: the new commit, or nil when `build` had nothing to write (a replay).
    @discardableResult
    public func write(
        actor: String, message: String,
        _ build: (SpoolSnapshot) throws -> [TreeChange]
    ) throws -> ObjectID? {
        let signature = try Actor.signature(actor)
        for attempt in 0..<Self.localRetries {
            // Jitter, so processes that collided do not collide again at once.
            if attempt > 0 { Backoff.sleep(attempt: attempt, cap: 0.5) }
            let base = try snapshot()
            let changes = try build(base)
            guard !changes.isEmpty else { return nil }

            let tree = try repository.updateTree(base.tree, changes)
            let commit = try repository.createCommit(
                tree: tree, parents: [base.commit], message: message, author: signature)
            do {
                try repository.setReference(
                    SpoolLayout.mainRef, to: commit, expected: base.commit, message: message)
                return commit
            } catch let error as GitError where error.isLostRace {
                // Another process moved main first.
                continue
            } catch {
                throw SpoolError.fromLock(error) ?? error
            }
        }
        throw SpoolError.contention(message)
    }

    /// The files of one transition: its state record and the ledger entries that go with it.
    public func changes(for record: StateRecord, entries: [LedgerEntry] = []) throws
        -> [TreeChange]
    {
        let path = SpoolLayout.statePath(record.job, seq: record.seq, state: record.state)
        return try [self.record(record, at: path)]
            + entries.map { try self.record($0, at: SpoolLayout.ledgerPath(entry: $0.id)) }
    }

    /// Adds a blob for a JSON record and returns the change that puts it at `path`.
    public func record<T: Encodable>(_ value: T, at path: String) throws -> TreeChange {
        .upsert(path: path, blob: try repository.createBlob(CanonicalJSON.encode(value)))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// Who is acting, and how that becomes a git author.
public enum Actor {
    public static func check(_ name: String) throws {
        guard Identifier.isValid(name) else { throw SpoolError.invalidName(name) }
    }

    public static func signature(_ name: String) throws -> Signature {
        try check(name)
        return Signature(name: name, email: "\(name)@dtrain.invalid")
    }
}
