import CGit2
import Foundation

/// Pushing one ref as a compare-and-swap on the remote.
extension Repository {
    /// Pushes ONE ref update and reports its per-ref status; a refused update
    /// is returned as `rejected`, never silently "ok".
    ///
    /// `localRef` is the commit to publish (nil = delete `remoteRef`).
    /// `expected` is the value the caller believes `remoteRef` has (nil = must
    /// not exist; for a delete, nil = whatever it is). The update succeeds only
    /// if the remote still holds `expected` — fast-forward or not.
    ///
    /// Local paths and `file://`: libgit2's local transport force-writes refs,
    /// so the objects are copied into the remote's object database here and
    /// the ref is moved with `git_reference_create_matching` under its lock.
    /// ssh: the advertised value is compared with `expected`, then
    /// receive-pack re-checks it under the ref's lock; its verdict arrives via
    /// the `push_update_reference` callback.
    public func push(
        url: String, localRef: ObjectID?, remoteRef: String, expected: ObjectID?,
        credentials: Credentials
    ) throws -> RefUpdateResult {
        if case .local(let path) = RemoteURL(url) {
            return try pushLocally(
                path: path, localRef: localRef, remoteRef: remoteRef, expected: expected)
        }
        return try pushOverNetwork(
            url: url, localRef: localRef, remoteRef: remoteRef, expected: expected,
            credentials: credentials, beforeUpload: nil)
    }

    /// The compare-and-swap done by hand on a repository on this machine.
    func pushLocally(
        path: String, localRef: ObjectID?, remoteRef: String, expected: ObjectID?
    ) throws -> RefUpdateResult {
        let remote = try Repository.openExactly(at: path)
        do {
            if let localRef {
                try copyObjects(reachableFrom: localRef, into: remote)
                try remote.setReference(
                    remoteRef, to: localRef, expected: expected, message: "dtrain: push")
            } else {
                try remote.deleteReference(remoteRef, expected: expected)
            }
        } catch let error as GitError where error.isLostRace || error.isLocked {
            return RefUpdateResult(
                ref: remoteRef, rejected: error.message, lockFile: error.lockFile)
        }
        return RefUpdateResult(ref: remoteRef, rejected: nil)
    }

    /// ssh (and other network transports) via `git_remote_push`.
    ///
    /// `beforeUpload` runs between reading the advertisement and uploading; a
    /// test uses it to move the remote ref mid-push.
    func pushOverNetwork(
        url: String, localRef: ObjectID?, remoteRef: String, expected: ObjectID?,
        credentials: Credentials, beforeUpload: (() -> Void)?
    ) throws -> RefUpdateResult {
        let session = RemoteSession(url: url, credentials: credentials)
        let remote = try openRemote(url)
        defer { git_remote_free(remote) }
        return try withConnection(remote, session, direction: GIT_DIRECTION_PUSH) {
            () throws(GitError) in

            // receive-pack checks against what it advertised: make sure
            // that is what the caller expects before sending anything.
            let advertised = try Self.advertisedReferences(remote)
                .first { $0.name == remoteRef }?.id
            if localRef == nil, expected == nil, advertised == nil {
                return RefUpdateResult(ref: remoteRef, rejected: nil)
            }
            if let expected, advertised != expected {
                let seen = advertised.map { "is at \($0)" } ?? "does not exist"
                return RefUpdateResult(
                    ref: remoteRef, rejected: "\(remoteRef) \(seen), expected \(expected)")
            }
            if expected == nil, localRef != nil, let advertised {
                return RefUpdateResult(
                    ref: remoteRef, rejected: "\(remoteRef) already exists at \(advertised)")
            }
            if let localRef, advertised == localRef {
                return RefUpdateResult(ref: remoteRef, rejected: nil)
            }
            beforeUpload?()

            // Forced refspec: the compare-and-swap above replaces git's
            // fast-forward rule, as on local remotes.
            guard let localRef else {
                return try upload(remote, session, refspec: ":\(remoteRef)", remoteRef: remoteRef)
            }
            return try withScratchReference(to: localRef) { scratch throws(GitError) in
                try upload(
                    remote, session, refspec: "+\(scratch):\(remoteRef)", remoteRef: remoteRef)
            }
        }
    }

    /// libgit2 1.5 resolves a push source only as a ref name, not a bare id:
    /// point a uniquely named local ref at `id` for the duration of `body`.
    private func withScratchReference<Result>(
        to id: ObjectID, _ body: (String) throws(GitError) -> Result
    ) throws(GitError) -> Result {
        let name = "refs/dtrain-push/\(UUID().uuidString)"
        do {
            try setReference(name, to: id, expected: nil, message: "dtrain: push source")
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(code: -1, message: "\(error)", function: "git_reference_create")
        }
        // A leftover scratch ref only keeps an object alive; never fail for it.
        defer { try? deleteReference(name, expected: id) }
        return try body(name)
    }

    /// `git_remote_push` of one refspec on a connected remote, reading the
    /// per-ref verdict from the status callback.
    private func upload(
        _ remote: OpaquePointer, _ session: RemoteSession, refspec: String, remoteRef: String
    ) throws(GitError) -> RefUpdateResult {
        var options = git_push_options()
        try check(
            git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)),
            "git_push_options_init")
        session.install(into: &options.callbacks)
        do {
            try withStringArray([refspec]) { array throws(GitError) in
                try session.perform("git_remote_push") {
                    git_remote_push(remote, &array, &options)
                }
            }
        } catch let refusal where refusal.code == GIT_ENONFASTFORWARD.rawValue {
            return RefUpdateResult(ref: remoteRef, rejected: refusal.message)
        }

        // No status for our ref means we cannot know what happened.
        guard let status = session.pushStatuses.last(where: { $0.ref == remoteRef }) else {
            return RefUpdateResult(
                ref: remoteRef,
                rejected: "the remote reported no status for \(remoteRef); list its refs "
                    + "to learn whether the update applied")
        }
        return RefUpdateResult(ref: remoteRef, rejected: status.status)
    }
}
