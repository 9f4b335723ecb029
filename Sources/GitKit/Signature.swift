import CGit2
import Foundation

/// Who made a commit and when; used as both author and committer.
///
/// Times are stored in whole seconds at UTC offset 0: wall clocks of different
/// machines are not compared by dtrain anyway, and a fixed offset keeps
/// identical commits identical.
public struct Signature: Sendable {
    public var name: String
    public var email: String
    public var time: Date

    public init(name: String, email: String, time: Date = Date()) {
        self.name = name
        self.email = email
        self.time = time
    }

    /// Calls `body` with a libgit2 signature (`git_signature_new`) freed right
    /// after.
    func withGitSignature<Result>(
        _ body: (UnsafePointer<git_signature>) throws(GitError) -> Result
    ) throws(GitError) -> Result {
        var signature: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(time.timeIntervalSince1970.rounded(.down))
        try check(git_signature_new(&signature, name, email, seconds, 0), "git_signature_new")
        defer { git_signature_free(signature) }
        guard let signature else {
            throw GitError(
                code: -1, message: "no signature returned", function: "git_signature_new")
        }
        return try body(signature)
    }
}
