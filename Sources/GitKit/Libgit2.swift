import CGit2
import Foundation

/// Process-wide libgit2 set-up; every GitKit entry point calls
/// `Libgit2.start()` first.
///
/// `git_libgit2_init` is reference counted and cheap after the first call, but
/// it must run before any other libgit2 function, including `git_error_last`.
/// It is never shut down: repositories may outlive any scope that could balance
/// the count.
enum Libgit2 {
    /// The outcome of the one-time set-up, computed on first use (thread-safe
    /// `static let`).
    private static let startup: GitError? = {
        let count = git_libgit2_init()
        guard count >= 0 else {
            return GitError.last(code: count, function: "git_libgit2_init")
        }

        // The ledger and the claims live in refs and objects: a power cut must
        // not turn an acknowledged commit into a truncated file, so fsync the
        // git dir.
        let fsync = setOption(Int32(GIT_OPT_ENABLE_FSYNC_GITDIR.rawValue), 1)
        guard fsync >= 0 else {
            return GitError.last(code: fsync, function: "git_libgit2_opts")
        }

        // Every fetch leaves a pack and libgit2 cannot repack: bound how many
        // stay mapped, or a long-running worker runs out of descriptors.
        let limit = setOption(Int32(GIT_OPT_SET_MWINDOW_FILE_LIMIT.rawValue), size: mappedPackLimit)
        guard limit >= 0 else {
            return GitError.last(code: limit, function: "git_libgit2_opts")
        }

        // A lab's shared remote is a bare repository on a shared disk, usually owned by
        // whoever created it. libgit2 1.5 refuses to open a repository owned by another
        // user (GIT_EOWNER), which would stop every other member pushing. git's own guard
        // exists because the CLI runs hooks and commands named in a repository's config;
        // libgit2, and so dtrain, runs none, so the check protects nothing here.
        let owners = setOption(Int32(GIT_OPT_SET_OWNER_VALIDATION.rawValue), 0)
        guard owners >= 0 else {
            return GitError.last(code: owners, function: "git_libgit2_opts")
        }

        // libgit2 caches only trees under 4 KiB. A spool's `jobs/` and `ledger/` trees
        // (256 shards) are larger, so every path lookup inflated them again: most of
        // the index's first build went there.
        let trees = dtrain_git_opts_cache_limit(
            Int32(GIT_OBJECT_TREE.rawValue), cachedTreeLimit)
        guard trees >= 0 else {
            return GitError.last(code: trees, function: "git_libgit2_opts")
        }
        return nil
    }()

    /// Pack files libgit2 keeps mapped at once
    /// (`GIT_OPT_SET_MWINDOW_FILE_LIMIT`).
    static let mappedPackLimit = 128

    /// The largest tree libgit2 keeps in its object cache
    /// (`GIT_OPT_SET_CACHE_OBJECT_LIMIT`); the cache as a whole stays bounded by
    /// libgit2's own total (256 MiB).
    static let cachedTreeLimit = 1 << 20

    /// Makes sure libgit2 is initialised; throws if initialisation itself
    /// failed.
    static func start() throws(GitError) {
        if let failure = startup { throw failure }
    }

    /// Whether this libgit2 was built with ssh support
    /// (`git_libgit2_features`).
    static var supportsSSH: Bool {
        _ = try? start()
        return git_libgit2_features() & Int32(GIT_FEATURE_SSH.rawValue) != 0
    }

    /// `git_libgit2_opts(option, int)`, through CGit2's shim: Swift cannot call the
    /// variadic function itself.
    static func setOption(_ option: Int32, _ value: Int32) -> Int32 {
        dtrain_git_opts_int(option, value)
    }

    /// `git_libgit2_opts(option, size_t)`.
    static func setOption(_ option: Int32, size: Int) -> Int32 {
        dtrain_git_opts_size(option, size)
    }

    /// `git_libgit2_opts(option, size_t *)`, for the GET options.
    static func getOption(_ option: Int32, size: inout Int) -> Int32 {
        dtrain_git_opts_get_size(option, &size)
    }
}
