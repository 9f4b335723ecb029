import Foundation

/// Settings of one clone, kept beside its git data and never committed.
///
/// Who is acting, which remote to meet at and how to run an optional second price scorer are
/// choices of the person or machine holding the clone, not facts everyone must share.
public struct LocalSettings: Codable, Sendable, Equatable {
    public var user: String?
    public var remote: String?
    public var secondScorer: SecondScorer?
    /// ssh private key for the remote; nil = the agent, then `~/.ssh/id_ed25519`, `id_rsa`.
    public var sshKey: String?
    /// known_hosts file the remote's host key must be in; nil = `~/.ssh/known_hosts`.
    public var knownHosts: String?
    /// Set on worker nodes by `dtrain worker register`.
    public var worker: WorkerSettings?

    public init(user: String? = nil, remote: String? = nil, secondScorer: SecondScorer? = nil) {
        self.user = user
        self.remote = remote
        self.secondScorer = secondScorer
    }

    static func load(from path: String) throws -> LocalSettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            return LocalSettings()
        }
        do {
            return try CanonicalJSON.decode(LocalSettings.self, from: data)
        } catch {
            // Not a spool record: the clone's own file, which a person can fix by hand.
            throw SpoolError.malformed(
                path: path,
                why: "this clone's settings are not valid JSON of the expected shape "
                    + "(\(Self.reason(error))); fix the file by hand: it holds only the "
                    + "user, the remote and the worker and scorer settings, and deleting it "
                    + "forgets them (the spool itself is in git and is not touched)")
        }
    }

    /// DecodingError's own description is a dump; the key and the problem are what help.
    private static func reason(_ error: Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let context)?: context.debugDescription
        case .keyNotFound(let key, _)?: "'\(key.stringValue)' is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            context.codingPath.map(\.stringValue).joined(separator: ".") + ": "
                + context.debugDescription
        default: "\(error)"
        }
    }

    func save(to path: String) throws {
        try CanonicalJSON.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
