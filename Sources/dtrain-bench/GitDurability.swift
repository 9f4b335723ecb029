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

    /// `git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, int)`, reached through
    /// `dlsym` because Swift cannot call a variadic C function.
    // FIXME: calls a variadic function through a two-int prototype, which is
    // what a C caller does on Linux x86-64 and AArch64 but not on Apple arm64.
    private static func set(fsync enabled: Bool) throws {
        typealias IntOption = @convention(c) (Int32, Int32) -> Int32
        guard let process = dlopen(nil, RTLD_NOW) else {
            throw BenchFailure("dlopen(NULL) failed: cannot reach git_libgit2_opts")
        }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "git_libgit2_opts") else {
            throw BenchFailure("git_libgit2_opts is not in this process")
        }
        let function = unsafeBitCast(symbol, to: IntOption.self)
        let status = function(Int32(GIT_OPT_ENABLE_FSYNC_GITDIR.rawValue), enabled ? 1 : 0)
        guard status >= 0 else {
            throw BenchFailure("git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR) returned \(status)")
        }
    }
}
