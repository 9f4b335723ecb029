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
        return nil
    }()

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

    /// `git_libgit2_opts(option, Int32)`, which Swift cannot import because it
    /// is variadic.
    ///
    /// The symbol is looked up at run time and called through a two-`int` C
    /// function type. On the Linux x86-64 and AArch64 calling conventions,
    /// integer arguments of a variadic call travel in the same registers as
    /// fixed ones, so this is what a C caller does.
    // FIXME: relies on the platform ABI above; a `static inline` helper in
    // CGit2's shim.h would be portable. Bites on a platform where variadics
    // differ (Apple arm64).
    static func setOption(_ option: Int32, _ value: Int32) -> Int32 {
        typealias IntOption = @convention(c) (Int32, Int32) -> Int32
        guard let process = dlopen(nil, RTLD_NOW) else { return -1 }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "git_libgit2_opts") else { return -1 }
        let function = unsafeBitCast(symbol, to: IntOption.self)
        return function(option, value)
    }
}
