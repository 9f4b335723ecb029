import CGit2
import Foundation

/// An open git repository (`git_repository`), worked on without a working tree.
///
/// libgit2 handles must not be shared between threads, so this class is
/// deliberately not `Sendable`: open one `Repository` per thread or task. The
/// handle and the object database handle are owned here and freed in `deinit`.
public final class Repository {
    let handle: OpaquePointer
    /// The object database, kept open because blob streaming and existence
    /// checks use it.
    let database: OpaquePointer

    private init(handle: OpaquePointer) throws(GitError) {
        var odb: OpaquePointer?
        let result = git_repository_odb(&odb, handle)
        guard result >= 0, let odb else {
            let error = GitError.last(code: result, function: "git_repository_odb")
            git_repository_free(handle)
            throw error
        }
        self.handle = handle
        self.database = odb
    }

    deinit {
        git_odb_free(database)
        git_repository_free(handle)
    }

    /// Creates a new repository (`git_repository_init_ext`) with `main` as its
    /// first branch, making missing parent directories. Fails with `isExists`
    /// if one is already there.
    public static func create(at path: String, bare: Bool) throws -> Repository {
        try Libgit2.start()
        var options = git_repository_init_options()
        try check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "git_repository_init_options_init")
        var flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        if bare { flags |= GIT_REPOSITORY_INIT_BARE.rawValue }
        options.flags = flags
        var repository: OpaquePointer?
        let result = "main".withCString { head in
            options.initial_head = head
            return git_repository_init_ext(&repository, path, &options)
        }
        try check(result, "git_repository_init_ext")
        guard let repository else { throw missing("git_repository_init_ext") }
        return try Repository(handle: repository)
    }

    /// Opens the repository at `path`, or the one `path` lies inside
    /// (`git_repository_open_ext`, searching upwards like the git command
    /// does).
    public static func open(at path: String) throws -> Repository {
        try Libgit2.start()
        var repository: OpaquePointer?
        try check(git_repository_open_ext(&repository, path, 0, nil), "git_repository_open_ext")
        guard let repository else { throw missing("git_repository_open_ext") }
        return try Repository(handle: repository)
    }

    /// Opens exactly the repository at `path` without searching parent
    /// directories (`GIT_REPOSITORY_OPEN_NO_SEARCH`), as used when `path` names
    /// a remote.
    public static func openExactly(at path: String) throws -> Repository {
        try Libgit2.start()
        var repository: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        try check(
            git_repository_open_ext(&repository, path, flags, nil), "git_repository_open_ext")
        guard let repository else { throw missing("git_repository_open_ext") }
        return try Repository(handle: repository)
    }

    /// The `.git` directory (or the bare repository itself), without a trailing
    /// slash.
    public var gitDirectory: String {
        guard let path = git_repository_path(handle) else { return "" }
        let text = String(cString: path)
        return text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Whether the object database holds `id` (`git_odb_exists`); false on any
    /// error.
    public func hasObject(_ id: ObjectID) -> Bool {
        var oid = id.oid
        return git_odb_exists(database, &oid) == 1
    }

    /// The error for a libgit2 call that reported success but gave back no
    /// handle.
    static func missing(_ function: String) -> GitError {
        GitError(code: -1, message: "libgit2 returned no object", function: function)
    }
}

/// Repository handles are not thread-safe; this makes sharing one a
/// compile-time error.
@available(*, unavailable)
extension Repository: Sendable {}
