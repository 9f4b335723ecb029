import Foundation
import GitKit

/// Why talking to the remote failed, in words a user can act on.
public enum SyncError: DTrainError {
    case noRemote
    case unreachable(url: String, why: String)
    case refused(url: String, why: String)
    case gaveUp(attempts: Int)
    /// A ref of the remote (a repository on a path) stays locked: see `RefLock`.
    case remoteLocked(url: String, file: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .noRemote: .usage
        case .unreachable, .refused: .unreachable
        case .gaveUp, .remoteLocked: .conflict
        }
    }

    /// Nothing was delivered, but what was committed locally is kept and the next
    /// `dtrain sync` delivers it: the command that made it must not be repeated.
    public var keepsLocalWork: Bool {
        switch self {
        case .unreachable, .remoteLocked, .gaveUp: true
        case .noRemote, .refused: false
        }
    }

    public var description: String {
        switch self {
        case .noRemote:
            "this clone has no remote (make one with 'dtrain clone URL' or "
                + "'dtrain init DIR --remote URL')"
        case .unreachable(let url, let why):
            "cannot reach the remote \(url): \(why)"
        case .refused(let url, let why):
            "the remote \(url) refused: \(why)"
        case .gaveUp(let attempts):
            "the remote kept moving: gave up after \(attempts) attempts; run 'dtrain sync' again"
        case .remoteLocked(let url, let file):
            "the remote \(url) has \(file) locked (for \(Int(RefLock.age(of: file) ?? 0)) s). "
                + "If no dtrain or git command is writing to it, a killed one left it behind: "
                + "remove the file (dtrain does so itself once it is "
                + "\(Int(RefLock.staleAfter)) s old)"
        }
    }

    /// Classifies a libgit2 failure of a network operation.
    static func from(_ error: Error, url: String) -> SyncError {
        guard let error = error as? GitError else {
            return .unreachable(url: url, why: "\(error)")
        }
        if error.isAuthentication || error.isCertificate {
            return .refused(url: url, why: error.message)
        }

        // libgit2 calls a path that does not exist an "unsupported URL protocol",
        // which sends a user hunting in the wrong place; the commonest cause is a
        // shared disk that is not mounted.
        if let path = localPath(url), !FileManager.default.fileExists(atPath: path) {
            return .unreachable(url: url, why: "nothing at \(path) (is the shared disk mounted?)")
        }
        return .unreachable(url: url, why: error.message)
    }

    /// The folder a remote URL names on this machine, or nil for ssh remotes
    /// (`ssh://…`, `user@host:path`) and other schemes.
    /// The URL to remember for a remote: a relative local path becomes absolute, or it
    /// would mean another folder as soon as a command runs somewhere else.
    static func remembered(_ url: String) -> String {
        guard let path = localPath(url), !url.hasPrefix("file://"), !path.hasPrefix("/") else {
            return url
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func localPath(_ url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        if url.contains("://") { return nil }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }
        return url
    }
}

/// A local change that could not be delivered because the remote moved on, and why.
public struct DroppedChange: Codable, Sendable, Equatable {
    public var commit: String
    public var summary: String
    public var reason: String
}

/// What one `dtrain sync` did.
public struct SyncReport: Codable, Sendable {
    /// Local commits the remote accepted (after replaying them on its tip if it moved).
    public var delivered = 0
    /// Local commits that no longer made sense on the remote's tip.
    public var dropped: [DroppedChange] = []
    public var payloadsPushed = 0
    /// Refused pushes before the last one went through.
    public var refusedPushes = 0
    public var tip = ""
}
