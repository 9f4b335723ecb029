import CGit2

/// Starts libgit2 once per process; every GitKit entry point calls this first.
///
/// `git_libgit2_init` is reference counted and cheap after the first call, but it must run
/// before any other libgit2 function, including `git_error_last`.
enum Libgit2 {
    static let ready: Bool = {
        git_libgit2_init()
        return true
    }()
}
