import CGit2
import Foundation

/// libgit2's process-wide fsync switch (`GIT_OPT_ENABLE_FSYNC_GITDIR`), which
/// GitKit turns on at start-up so an acknowledged ledger entry survives a power
/// cut.
///
/// The benchmark turns it off only while it writes a synthetic history (setup
/// that no user ever pays; a million fsyncs would take most of the budget) and
/// back on before anything is timed, so every measured dtrain operation runs as
/// in production.
enum GitDurability {
    static func withoutFsync<T>(_ body: () throws -> T) throws -> T {
        try set(fsync: false)
        defer { try? set(fsync: true) }
        return try body()
    }

    /// `git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, int)`, through CGit2's shim.
    private static func set(fsync enabled: Bool) throws {
        let status = dtrain_git_opts_int(
            Int32(GIT_OPT_ENABLE_FSYNC_GITDIR.rawValue), enabled ? 1 : 0)
        guard status >= 0 else {
            throw BenchFailure("git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR) returned \(status)")
        }
    }
}
