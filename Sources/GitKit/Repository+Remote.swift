import CGit2
import Foundation

/// Talking to other repositories: fetch and listing refs.
///
/// URL forms: a plain path, `file://`, `ssh://user@host:port/path` and
/// scp-like `user@host:path`. Every call makes its own connection.
// libgit2 1.5 has no timeout of its own; `StallWatchdog` gives up on a remote
// that stays silent (see there for what it does not cover).
extension Repository {
    /// Fetches `refspecs` (e.g. `+refs/heads/*:refs/remotes/origin/*`) from
    /// `url` (`git_remote_create_anonymous`, or `git_remote_lookup` when `url`
    /// names a configured remote, then `git_remote_fetch`). Tags are not
    /// followed; `prune` deletes local refs under the refspecs' destinations
    /// that the remote no longer has.
    // FIXME: libgit2 1.5 still writes FETCH_HEAD although update_fetchhead is
    // 0; harmless, but two fetches into one repository race on that file.
    // FIXME: libgit2 1.5's local transport (path and file:// remotes) packs
    // what every advertised ref reaches, not only what the refspecs want
    // (measured: fetching one ref brought another ref's commit along). So on
    // a shared-disk remote a fetch of main that finds anything new also
    // downloads every new payload, result and archive into the clone; over
    // ssh only what was asked for comes. Bites disk use of clones of a busy path remote; copying
    // the wanted objects by hand, as push does, would fix it.
    /// The tracking refs are written under their lock files, like `setReference`:
    /// a lock that changes hands is waited out and a stale one removed (`RefLock`).
    public func fetch(
        url: String, refspecs: [String], credentials: Credentials, prune: Bool = false
    ) throws {
        try RefLock.waitingOut {
            try fetchOnce(url: url, refspecs: refspecs, credentials: credentials, prune: prune)
        }
    }

    private func fetchOnce(
        url: String, refspecs: [String], credentials: Credentials, prune: Bool
    ) throws {
        let session = RemoteSession(url: url, credentials: credentials)
        let remote = try openRemote(url)
        defer { git_remote_free(remote) }

        // Options: our callbacks, no tags, prune as asked.
        var options = git_fetch_options()
        try check(
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)),
            "git_fetch_options_init")
        session.install(into: &options.callbacks)
        options.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
        options.update_fetchhead = 0
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE

        try withStringArray(refspecs) { array throws(GitError) in
            try session.perform("git_remote_fetch") {
                git_remote_fetch(remote, &array, &options, "dtrain: fetch")
            }
        }
    }

    /// Creates a bare repository at `path` and fetches `refspecs` from `url`
    /// into it: a clone without a working tree. If the fetch fails, the new
    /// directory is removed again so a retry starts clean.
    public static func clone(
        url: String, to path: String, refspecs: [String], credentials: Credentials
    ) throws -> Repository {
        let repository = try create(at: path, bare: true)
        do {
            try repository.fetch(url: url, refspecs: refspecs, credentials: credentials)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return repository
    }

    /// Lists the remote's refs (`git_remote_connect` + `git_remote_ls`): one
    /// round trip. Peeled tag entries (`^{}`) are left out; sorted by name.
    public func remoteReferences(
        url: String, credentials: Credentials
    ) throws -> [(name: String, id: ObjectID)] {
        let session = RemoteSession(url: url, credentials: credentials)
        let remote = try openRemote(url)
        defer { git_remote_free(remote) }
        return try withConnection(remote, session, direction: GIT_DIRECTION_FETCH) {
            () throws(GitError) in try Self.advertisedReferences(remote)
        }
    }

    // MARK: - Helpers shared with push

    /// An in-memory remote for `url` (`git_remote_create_anonymous`), or the
    /// configured remote of that name (`git_remote_lookup`).
    func openRemote(_ url: String) throws(GitError) -> OpaquePointer {
        var remote: OpaquePointer?
        var valid: Int32 = 0
        // Failing either call just means "not a configured remote's name".
        if git_remote_name_is_valid(&valid, url) >= 0, valid == 1,
            git_remote_lookup(&remote, handle, url) == 0, let remote
        {
            return remote
        }
        try check(git_remote_create_anonymous(&remote, handle, url), "git_remote_create_anonymous")
        guard let remote else { throw Self.missing("git_remote_create_anonymous") }
        return remote
    }

    /// Connects (`git_remote_connect`) with the session's callbacks, runs
    /// `body`, and always disconnects.
    func withConnection<Result>(
        _ remote: OpaquePointer, _ session: RemoteSession, direction: git_direction,
        _ body: () throws(GitError) -> Result
    ) throws(GitError) -> Result {
        var callbacks = git_remote_callbacks()
        try check(
            git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)),
            "git_remote_init_callbacks")
        session.install(into: &callbacks)
        try session.perform("git_remote_connect") {
            git_remote_connect(remote, direction, &callbacks, nil, nil)
        }
        defer { git_remote_disconnect(remote) }
        return try withExtendedLifetime(session) { () throws(GitError) in try body() }
    }

    /// The ref advertisement of a connected remote (`git_remote_ls`).
    static func advertisedReferences(_ remote: OpaquePointer) throws(GitError)
        -> [(name: String, id: ObjectID)]
    {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check(git_remote_ls(&heads, &count, remote), "git_remote_ls")
        var result: [(name: String, id: ObjectID)] = []
        for index in 0..<count {
            guard let head = heads?[index], let name = head.pointee.name else { continue }
            let text = String(cString: name)
            if text.hasSuffix("^{}") { continue }
            result.append((text, ObjectID(head.pointee.oid)))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Passes `strings` as a `git_strarray` whose C strings live for the call.
    func withStringArray<Result>(
        _ strings: [String], _ body: (inout git_strarray) throws(GitError) -> Result
    ) throws(GitError) -> Result {
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        defer { for pointer in pointers { free(pointer) } }
        for string in strings {
            guard let copy = strdup(string) else {
                throw GitError(code: -1, message: "out of memory", function: "strdup")
            }
            pointers.append(copy)
        }
        return try pointers.withUnsafeMutableBufferPointer { buffer throws(GitError) in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return try body(&array)
        }
    }
}
