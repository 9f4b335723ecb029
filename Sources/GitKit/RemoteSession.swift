import CGit2
import Foundation

/// The state one network operation shares with libgit2's C callbacks, passed
/// to them as the `payload` pointer.
///
/// It counts credential attempts (libgit2 1.5 asks again after every refusal,
/// forever), checks host keys against known_hosts, collects per-ref push
/// statuses, and keeps a clear message for the error the callbacks caused.
/// One session per libgit2 call on one thread, hence not `Sendable`.
final class RemoteSession {
    let url: RemoteURL
    let credentials: Credentials
    private let keySources: [Credentials.KeySource]
    private var attempts = 0
    private var tried: [String] = []
    /// The clear error a callback recorded; preferred over libgit2's text.
    private(set) var failure: GitError?
    /// (ref, nil = accepted / the server's refusal reason), in arrival order.
    private(set) var pushStatuses: [(ref: String, status: String?)] = []
    /// Cuts a network call whose remote has gone silent; nil for local remotes.
    private let watchdog: StallWatchdog?

    init(url: String, credentials: Credentials) {
        self.url = RemoteURL(url)
        self.credentials = credentials
        self.keySources = credentials.keySources
        if case .local = self.url {
            watchdog = nil
        } else {
            watchdog = StallWatchdog()
        }
    }

    /// Wires the callbacks into libgit2's struct; `self` must outlive the call
    /// that uses them (see `perform`).
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, userFromURL, allowed, payload in
            guard let out, let payload else { return GIT_ERROR.rawValue }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            session.watchdog?.noteActivity()
            let user = userFromURL.map { String(cString: $0) }
            return session.acquireCredential(out, user: user, allowed: allowed)
        }
        callbacks.certificate_check = { cert, _, _, payload in
            guard let cert, let payload else { return GIT_ECERTIFICATE.rawValue }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            session.watchdog?.noteActivity()
            return session.checkCertificate(cert)
        }
        callbacks.push_update_reference = { refname, status, payload in
            guard let payload else { return 0 }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            let ref = refname.map { String(cString: $0) } ?? ""
            session.pushStatuses.append((ref, status.map { String(cString: $0) }))
            return 0
        }

        // Signs of life while objects move, for the watchdog.
        callbacks.transfer_progress = { _, payload in
            RemoteSession.noteActivity(payload)
        }
        callbacks.sideband_progress = { _, _, payload in
            RemoteSession.noteActivity(payload)
        }
        callbacks.pack_progress = { _, _, _, payload in
            RemoteSession.noteActivity(payload)
        }
        callbacks.push_transfer_progress = { _, _, _, payload in
            RemoteSession.noteActivity(payload)
        }
    }

    private static func noteActivity(_ payload: UnsafeMutableRawPointer?) -> Int32 {
        guard let payload else { return 0 }
        Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue().watchdog?
            .noteActivity()
        return 0
    }

    /// Runs a libgit2 call that uses the installed callbacks, keeping `self`
    /// alive for it, and turns a failure into the clearest error available.
    func perform(_ function: String, _ call: () -> Int32) throws(GitError) {
        watchdog?.start()
        let result = withExtendedLifetime(self) { call() }
        watchdog?.stop()
        guard result < 0 else { return }
        let reported = GitError.last(code: result, function: function)
        if let watchdog, watchdog.hasFired {
            throw GitError(
                code: result, klass: Int32(GIT_ERROR_NET.rawValue),
                message: "\(place) said nothing for \(Int(watchdog.limit)) s; gave up "
                    + "(DTRAIN_NETWORK_STALL_SECONDS sets the limit)",
                function: function)
        }
        if var failure {
            failure.function = function
            throw failure
        }
        throw reported
    }

    // MARK: - Credentials

    /// Offers the next key, or gives up with a clear error after the last one
    /// or `maxAttempts` refusals.
    private func acquireCredential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>,
        user urlUser: String?, allowed: UInt32
    ) -> Int32 {
        let user = urlUser ?? credentials.defaultUser
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue == 0 {
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
                return git_credential_username_new(out, user)
            }
            return give(
                up: GIT_EAUTH.rawValue,
                "the server at \(place) offers no ssh key authentication (allowed types "
                    + "\(allowed)); dtrain authenticates with ssh keys only")
        }

        // Next key source, within the attempt budget.
        attempts += 1
        guard attempts <= credentials.maxAttempts, attempts <= keySources.count else {
            let list =
                tried.isEmpty ? "no key (no agent, no key file)" : tried.joined(separator: ", ")
            return give(
                up: GIT_EAUTH.rawValue,
                "ssh authentication as '\(user)' to \(place) failed after trying \(list); "
                    + "authorise one of these keys on the server or pass another key file")
        }
        let source = keySources[attempts - 1]
        tried.append(source.label)
        switch source {
        case .agent:
            return git_credential_ssh_key_from_agent(out, user)
        case .file(let privateKey, let publicKey):
            return git_credential_ssh_key_new(out, user, publicKey, privateKey, nil)
        }
    }

    // MARK: - Host keys

    /// Accepts an ssh host key only if known_hosts lists it for this host and
    /// port; other certificate kinds (https) keep libgit2's own verdict
    /// (`GIT_PASSTHROUGH`).
    private func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>) -> Int32 {
        guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            return GIT_PASSTHROUGH.rawValue
        }
        guard case .ssh(_, let host, let port) = url else {
            return give(up: GIT_ECERTIFICATE.rawValue, "unexpected ssh host key for \(place)")
        }
        let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self)
        let key = hostKey.pointee
        guard key.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = key.hostkey,
            key.hostkey_len > 0
        else {
            return give(
                up: GIT_ECERTIFICATE.rawValue,
                "libgit2 gave no raw host key for \(place); cannot check known_hosts")
        }
        let bytes = Array(UnsafeRawBufferPointer(start: raw, count: key.hostkey_len))
        let files = credentials.knownHostsPaths
        let file = files[0]

        // Compare with known_hosts and explain any refusal.
        let portOption = port == 22 ? "" : "-p \(port) "
        let described = "\(Self.keyType(bytes)) key \(Self.fingerprint(key))"
        switch KnownHosts(paths: files).verdict(host: host, port: port, hostKey: bytes) {
        case .trusted:
            return 0
        case .unknown:
            return give(
                up: GIT_ECERTIFICATE.rawValue,
                "ssh host \(place) is unknown: its \(described) is not in \(file); if you "
                    + "trust it, run: ssh-keyscan \(portOption)\(host) >> \(file)")
        case .mismatch:
            return give(
                up: GIT_ECERTIFICATE.rawValue,
                "ssh host key MISMATCH for \(place): it sent \(described), which \(file) "
                    + "does not list for it; someone may be intercepting the connection")
        case .revoked:
            return give(
                up: GIT_ECERTIFICATE.rawValue,
                "ssh host \(place) presented a revoked \(described) (see \(file))")
        }
    }

    /// Records the clear error for `perform` and returns `code` to libgit2,
    /// which then abandons the operation.
    private func give(up code: Int32, _ message: String) -> Int32 {
        let klass = Int32(GIT_ERROR_SSH.rawValue)
        failure = GitError(code: code, klass: klass, message: message, function: "")
        return code
    }

    /// `host:port` or `user@host:port` for messages.
    private var place: String {
        guard case .ssh(let user, let host, let port) = url else { return "the remote" }
        return (user.map { $0 + "@" } ?? "") + "\(host):\(port)"
    }

    /// The algorithm name that opens an ssh wire-format key (`ssh-ed25519`).
    private static func keyType(_ blob: [UInt8]) -> String {
        guard blob.count >= 4 else { return "unknown" }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, 4 + length <= blob.count else { return "unknown" }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// OpenSSH's `SHA256:` fingerprint when libgit2 supplies the hash.
    private static func fingerprint(_ key: git_cert_hostkey) -> String {
        guard key.type.rawValue & GIT_CERT_SSH_SHA256.rawValue != 0 else { return "" }
        var hash = key.hash_sha256
        let bytes = withUnsafeBytes(of: &hash) { Data($0) }
        let text = bytes.base64EncodedString().replacingOccurrences(of: "=", with: "")
        return "SHA256:" + text
    }
}
