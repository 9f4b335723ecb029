import Foundation
import GitKit

/// Meeting other clones at a git remote: clone, publish, fetch.
extension Spool {
    /// Where this clone last saw the remote's `main`.
    public static let trackingRef = "refs/remotes/origin/main"

    public func remoteURL() throws -> String {
        guard let url = settings.remote else { throw SyncError.noRemote }
        return url
    }

    /// ssh keys and known hosts from the clone's settings, else the usual files.
    public var credentials: Credentials {
        let environment = ProcessInfo.processInfo.environment
        let key = settings.sshKey ?? environment["DTRAIN_SSH_KEY"]
        let knownHosts = settings.knownHosts ?? environment["DTRAIN_KNOWN_HOSTS"]
        return Credentials(
            privateKey: key, publicKey: nil, knownHosts: knownHosts, user: nil)
    }

    /// Makes a clone of the spool at `url` in `path`: only `main` is fetched, never payloads.
    public static func clone(url given: String, into path: String, user: String?) throws
        -> Spool
    {
        let url = SyncError.remembered(given)
        let gitDirectory = path + "/.git"
        if FileManager.default.fileExists(atPath: gitDirectory) {
            throw SpoolError.alreadyASpool(path)
        }
        try makeFolder(path)
        let repository = try Repository.create(at: gitDirectory, bare: true)
        let spool = try Spool(repository: repository, path: path)
        try spool.updateSettings {
            $0.remote = url
            $0.user = user
        }
        do {
            try spool.fetchMain()
            guard let tip = try repository.reference(trackingRef) else {
                throw SyncError.refused(url: url, why: "it holds no dtrain spool (no main)")
            }
            try repository.setReference(
                SpoolLayout.mainRef, to: tip, expected: nil, message: "dtrain clone")
            _ = try spool.snapshot().config()
        } catch {
            try? FileManager.default.removeItem(atPath: gitDirectory)
            throw error
        }
        return spool
    }

    /// Publishes this spool to an empty remote and remembers it as this clone's remote.
    /// A local path that does not exist yet becomes a new bare repository first, so a lab
    /// needs no git command to set up its shared remote.
    public func publish(to given: String) throws {
        let url = SyncError.remembered(given)
        let tip = try snapshot().commit
        // Any local path, relative ones like "shared/spool.git" included.
        if let path = SyncError.localPath(url), !FileManager.default.fileExists(atPath: path) {
            _ = try Repository.create(at: path, bare: true)
        }
        if settings.remote != nil {
            throw SpoolError.stateConflict(
                "this clone already meets at \(settings.remote ?? ""); it has one remote")
        }

        // Refuse a remote that already holds a spool before anything else is sent.
        let remoteRefs: [(name: String, id: ObjectID)]
        do {
            remoteRefs = try repository.remoteReferences(url: url, credentials: credentials)
        } catch {
            throw SyncError.from(error, url: url)
        }
        if remoteRefs.contains(where: { $0.name == SpoolLayout.mainRef }) {
            throw SyncError.refused(url: url, why: "it already holds a main branch")
        }

        // Payloads before main, so main never names a ZIP the remote lacks (a spool that
        // worked alone for a while has some).
        for (ref, id) in try repository.references(glob: SpoolLayout.payloadRefPrefix + "*") {
            _ = try pushToRemote(id, as: ref, expected: nil, url: url)
        }
        let result = try pushToRemote(tip, as: SpoolLayout.mainRef, expected: nil, url: url)
        guard result.isAccepted else {
            throw SyncError.refused(
                url: url, why: "it already holds a main branch (\(result.rejected ?? ""))")
        }
        try moveTrackingRef(to: tip)
        try updateSettings { $0.remote = url }
    }

    /// Pushes one ref update to this clone's remote (or `url`); libgit2 failures become
    /// `SyncError`s a user can act on. A refused update is a result, not an error.
    func pushToRemote(
        _ commit: ObjectID?, as remoteRef: String, expected: ObjectID?, url: String? = nil
    ) throws -> RefUpdateResult {
        let url = try url ?? remoteURL()
        let result: RefUpdateResult
        do {
            result = try repository.push(
                url: url, localRef: commit, remoteRef: remoteRef, expected: expected,
                credentials: credentials)
        } catch {
            throw SyncError.from(error, url: url)
        }
        // A lock that stayed is no answer about the ref: retrying at once only meets it
        // again, and reading it as "moved" or "taken" would mislead (a claim holder would
        // think itself reaped).
        if let file = result.lockFile { throw SyncError.remoteLocked(url: url, file: file) }
        return result
    }

    /// Fetches `ref` from the remote into `local` (the same name unless told), forced: it is
    /// the remote's. A lock on this clone's copy is GitKit's to wait out (`RefLock`), and one
    /// that stays is named, never blamed on the remote. A ref the remote does not have is no error: it
    /// simply does not appear here (libgit2 skips a refspec that matches nothing).
    func fetchFromRemote(_ ref: String, into local: String? = nil) throws {
        try fetchFromRemote(refspecs: ["+\(ref):\(local ?? ref)"])
    }

    /// Fetches several refs under their own names in one round trip.
    func fetchFromRemote(refs: [String]) throws {
        guard !refs.isEmpty else { return }
        try fetchFromRemote(refspecs: refs.map { "+\($0):\($0)" })
    }

    private func fetchFromRemote(refspecs: [String]) throws {
        let url = try remoteURL()
        do {
            try repository.fetch(url: url, refspecs: refspecs, credentials: credentials)
        } catch {
            // A lock on this clone's own copy of a ref that stayed is never the remote's
            // fault; GitKit has already waited out a live one.
            throw SpoolError.fromLock(error) ?? SyncError.from(error, url: url)
        }
    }

    /// Every ref on the remote, by name; one round trip, no objects downloaded.
    public func remoteRefs() throws -> [String: ObjectID] {
        let url = try remoteURL()
        do {
            return Self.byName(
                try repository.remoteReferences(url: url, credentials: credentials))
        } catch {
            throw SyncError.from(error, url: url)
        }
    }

    /// A list of refs as a dictionary by name (a listing names each ref once).
    static func byName(_ refs: [(name: String, id: ObjectID)]) -> [String: ObjectID] {
        Dictionary(refs.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }

    /// Fetches the remote's `main` into the tracking ref; one round trip.
    public func fetchMain() throws {
        try fetchFromRemote(SpoolLayout.mainRef, into: Self.trackingRef)
    }

    /// Fetches one job's payload ref, and only that, for the worker about to run it.
    public func fetchPayload(job: String) throws {
        try fetchFromRemote(SpoolLayout.payloadRef(job: job))
    }

    /// Local commits the remote has not accepted yet, oldest first.
    public func pendingCommits() throws -> [CommitInfo] {
        guard settings.remote != nil, let tip = try repository.reference(SpoolLayout.mainRef)
        else { return [] }
        let remote = try repository.reference(Self.trackingRef)
        return try repository.commits(from: tip, excluding: remote).map {
            try repository.commit($0)
        }
    }
}
