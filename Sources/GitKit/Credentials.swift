import Foundation

/// How to authenticate to an ssh remote and how to trust its host key.
///
/// Keys are tried in order: the ssh-agent (only when `SSH_AUTH_SOCK` names a
/// live socket, since libgit2 1.5 fails hard without an agent), then the
/// explicit `privateKey`, or else `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`.
/// After `maxAttempts` refusals the operation stops with a clear error:
/// libgit2 would otherwise ask again forever.
public struct Credentials: Sendable {
    /// Private key file; nil = the agent, then the default key files.
    public var privateKey: String?
    /// Public key file; nil lets libssh2 derive it from the private key.
    public var publicKey: String?
    /// known_hosts file checked in `certificate_check`; nil =
    /// `~/.ssh/known_hosts` plus `/etc/ssh/ssh_known_hosts`. An unknown or
    /// mismatched host key is refused.
    public var knownHosts: String?
    /// Login name when the URL names none; nil = `$USER`, else `git`.
    public var user: String?
    /// How many keys may be refused before giving up.
    public var maxAttempts: Int
    /// Whether to offer the ssh-agent's keys first.
    public var useAgent: Bool

    public init(privateKey: String?, publicKey: String?, knownHosts: String?, user: String?) {
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.knownHosts = knownHosts
        self.user = user
        self.maxAttempts = 3
        self.useAgent = privateKey == nil
    }

    /// The agent and the usual key files, checked against `~/.ssh/known_hosts`.
    public static var `default`: Credentials {
        Credentials(privateKey: nil, publicKey: nil, knownHosts: nil, user: nil)
    }

    /// The user's home directory, from `$HOME` (as ssh itself does).
    static var home: String {
        ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    }

    /// The files consulted: the explicit one, or the user's and the system's
    /// (`/etc/ssh/ssh_known_hosts`), as OpenSSH reads them.
    var knownHostsPaths: [String] {
        if let knownHosts { return [knownHosts] }
        return [Credentials.home + "/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"]
    }

    /// The login to use when the URL has none.
    var defaultUser: String {
        user ?? ProcessInfo.processInfo.environment["USER"] ?? "git"
    }

    /// What the credential callback offers, in order: nil = the agent, else a
    /// (private, public) pair of key files that exist.
    var keySources: [KeySource] {
        var sources: [KeySource] = []
        if useAgent, Credentials.agentIsReachable { sources.append(.agent) }
        if let privateKey {
            sources.append(.file(privateKey: privateKey, publicKey: publicKey))
        } else {
            for name in ["id_ed25519", "id_rsa"] {
                let path = Credentials.home + "/.ssh/" + name
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let pub = path + ".pub"
                let hasPub = FileManager.default.fileExists(atPath: pub)
                sources.append(.file(privateKey: path, publicKey: hasPub ? pub : nil))
            }
        }
        return sources
    }

    enum KeySource: Equatable {
        case agent
        case file(privateKey: String, publicKey: String?)

        var label: String {
            switch self {
            case .agent: "ssh-agent"
            case .file(let privateKey, _): privateKey
            }
        }
    }

    /// Whether `SSH_AUTH_SOCK` names an existing socket.
    static var agentIsReachable: Bool {
        guard let socket = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"],
            !socket.isEmpty
        else { return false }
        var status = stat()
        return stat(socket, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
    }
}

extension Credentials {
    /// Whether this libgit2 was built with ssh (`git_libgit2_features` has
    /// `GIT_FEATURE_SSH`); without it, ssh URLs fail with libgit2's error.
    public static var sshSupported: Bool { Libgit2.supportsSSH }
}
