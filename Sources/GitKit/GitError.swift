import CGit2

/// A failed libgit2 call: its return code, libgit2's own error class and
/// message, and the name of the C function that failed, so a log line points at
/// the exact call.
///
/// This is GitKit's only error type. Callers branch on `isNotFound`, `isExists`
/// and `isModified` (the last two mean "lost a compare-and-swap race").
public struct GitError: Error, CustomStringConvertible {
    /// The `git_error_code` returned (negative), e.g. `GIT_EMODIFIED`.
    public var code: Int32
    /// libgit2's `git_error_t` class (`GIT_ERROR_REFERENCE`, `GIT_ERROR_SSH`,
    /// ...).
    public var klass: Int32
    public var message: String
    /// The libgit2 function that failed, e.g. `git_reference_create_matching`.
    public var function: String

    public init(code: Int32, klass: Int32 = 0, message: String, function: String) {
        self.code = code
        self.klass = klass
        self.message = message
        self.function = function
    }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// The object or reference already exists (e.g. a create-only ref was
    /// taken).
    public var isExists: Bool { code == GIT_EEXISTS.rawValue }
    /// A reference did not hold the value the caller expected.
    public var isModified: Bool { code == GIT_EMODIFIED.rawValue }
    /// Another writer held the ref's lock file at that instant. Ref updates
    /// say so with `GIT_ELOCKED`; `git_remote_fetch` (libgit2 1.5) updating a
    /// tracking ref says it only as a generic OS error naming the lock file.
    public var isLocked: Bool {
        code == GIT_ELOCKED.rawValue
            || (klass == Int32(GIT_ERROR_OS.rawValue)
                && (message.hasPrefix("failed to lock file")
                    || message.hasPrefix("failed to create locked file")))
    }
    /// Any way of losing a compare-and-swap on a ref: it exists or it moved.
    /// Callers re-read and retry (with jitter). A lock is not among them:
    /// `setReference` waits out a live writer's, so one that reaches a caller
    /// stays (`RefLock`), and retrying only spins.
    public var isLostRace: Bool { isExists || isModified }
    /// Authentication failed or was given up (ssh keys refused).
    public var isAuthentication: Bool { code == GIT_EAUTH.rawValue }
    /// The server's host key was unknown or did not match `known_hosts`.
    public var isCertificate: Bool { code == GIT_ECERTIFICATE.rawValue }

    public var description: String {
        "\(function) failed (\(code)): \(message)"
    }

    /// Builds the error from `git_error_last`, which is thread-local and
    /// overwritten by the next failing call: call this right after the failure,
    /// before any clean-up.
    static func last(code: Int32, function: String) -> GitError {
        guard let last = git_error_last(), let text = last.pointee.message else {
            return GitError(code: code, message: "no message from libgit2", function: function)
        }
        return GitError(
            code: code, klass: last.pointee.klass, message: String(cString: text),
            function: function)
    }
}

/// Checks a libgit2 return code: negative values become a `GitError` read at
/// once.
///
/// Returns the (non-negative) result so calls like `git_graph_descendant_of`
/// that answer with 0/1 can use it.
@discardableResult
func check(_ result: Int32, _ function: String) throws(GitError) -> Int32 {
    guard result >= 0 else { throw GitError.last(code: result, function: function) }
    return result
}
