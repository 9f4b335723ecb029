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
        return nil
    }()

    /// Pack files libgit2 keeps mapped at once
    /// (`GIT_OPT_SET_MWINDOW_FILE_LIMIT`).
    static let mappedPackLimit = 128

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
        guard let symbol = optionsFunction else { return -1 }
        return unsafeBitCast(symbol, to: IntOption.self)(option, value)
    }

    /// `git_libgit2_opts(option, size_t)`, same mechanism as above.
    static func setOption(_ option: Int32, size: Int) -> Int32 {
        typealias SizeOption = @convention(c) (Int32, Int) -> Int32
        guard let symbol = optionsFunction else { return -1 }
        return unsafeBitCast(symbol, to: SizeOption.self)(option, size)
    }

    /// `git_libgit2_opts(option, size_t *)`, for the GET options.
    static func getOption(_ option: Int32, size: inout Int) -> Int32 {
        typealias SizeQuery = @convention(c) (Int32, UnsafeMutablePointer<Int>) -> Int32
        guard let symbol = optionsFunction else { return -1 }
        return unsafeBitCast(symbol, to: SizeQuery.self)(option, &size)
    }

    /// The address of `git_libgit2_opts` in this process (`dlsym`).
    private static var optionsFunction: UnsafeMutableRawPointer? {
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(process) }
        return dlsym(process, "git_libgit2_opts")
    }
}
