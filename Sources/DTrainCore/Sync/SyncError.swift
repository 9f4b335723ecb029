import GitKit

/// Why talking to the remote failed, in words a user can act on.
public enum SyncError: DTrainError {
    case noRemote
    case unreachable(url: String, why: String)
    case refused(url: String, why: String)
    case gaveUp(attempts: Int)

    public var exitStatus: ExitStatus {
        switch self {
        case .noRemote: .usage
        case .unreachable, .refused: .unreachable
        case .gaveUp: .conflict
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
        return .unreachable(url: url, why: error.message)
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
