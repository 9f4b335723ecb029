import CGit2
import Foundation

/// Trees built and read directly in the object database: no index, no working
/// tree.
extension Repository {
    /// The id of the empty tree, written to the object database
    /// (`git_treebuilder_write`).
    public func emptyTree() throws -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder), "git_treebuilder_write")
        return ObjectID(oid)
    }

    /// Applies changes to `base` (nil = empty tree) with
    /// `git_tree_create_updated`, which rewrites only the trees on the touched
    /// paths; every other subtree keeps its id.
    ///
    /// Intermediate trees are created; removing a path removes now-empty parent
    /// trees too. When the same path appears twice the later change wins, and
    /// removing a path that is not there is a no-op, so replaying a change set
    /// is harmless.
    // FIXME: with fsync on, every new tree is its own fsync'd loose file
    // (about 1-3 ms each here): a change set touching 10,000 directories takes
    // 10-30 s. Bulk imports would want an in-memory odb flushed as one pack.
    public func updateTree(_ base: ObjectID?, _ changes: [TreeChange]) throws -> ObjectID {
        for change in changes { try Self.validate(path: change.path) }

        // Keep the last change per path; libgit2 calls add+remove of one path
        // undefined.
        var latest: [String: TreeChange] = [:]
        for change in changes { latest[change.path] = change }

        // Drop removals of paths that are absent: libgit2 would fail on them.
        let baseTree = try base.map { id throws(GitError) in try lookupTree(id) }
        defer { if let baseTree { git_tree_free(baseTree) } }
        var effective: [TreeChange] = []
        for path in latest.keys.sorted() {
            guard let change = latest[path] else { continue }
            if case .remove = change {
                guard let baseTree, try Self.entryExists(in: baseTree, path: path) else {
                    continue
                }
            }
            effective.append(change)
        }
        if effective.isEmpty { return try base ?? emptyTree() }

        // libgit2 refuses a file replaced by a directory (or back) in one pass
        // ("D/F conflict"), so such a change set removes first, then upserts.
        if Self.replacesFileByDirectory(effective) {
            let removals = effective.filter { if case .remove = $0 { true } else { false } }
            let upserts = effective.filter { if case .remove = $0 { false } else { true } }
            let cleared = try updateTree(base, removals)
            return try updateTree(cleared, upserts)
        }
        return try apply(effective, to: baseTree)
    }

    /// One `git_tree_create_updated` call for changes already checked and
    /// de-duplicated.
    private func apply(_ effective: [TreeChange], to baseTree: OpaquePointer?) throws(GitError)
        -> ObjectID
    {
        // Build the C update list; the path strings live until the call
        // returns.
        var paths: [UnsafeMutablePointer<CChar>] = []
        defer { for path in paths { free(path) } }
        var updates: [git_tree_update] = []
        for change in effective {
            guard let path = strdup(change.path) else {
                throw GitError(code: -1, message: "out of memory", function: "strdup")
            }
            paths.append(path)
            var update = git_tree_update()
            update.path = UnsafePointer(path)
            switch change {
            case .upsert(_, let blob):
                update.action = GIT_TREE_UPDATE_UPSERT
                update.id = blob.oid
                update.filemode = GIT_FILEMODE_BLOB
            case .upsertTree(_, let tree):
                // libgit2 checks that the object exists and is a tree (strict object
                // creation, on by default).
                update.action = GIT_TREE_UPDATE_UPSERT
                update.id = tree.oid
                update.filemode = GIT_FILEMODE_TREE
            case .remove:
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            updates.append(update)
        }
        var oid = git_oid()
        try check(
            git_tree_create_updated(&oid, handle, baseTree, updates.count, &updates),
            "git_tree_create_updated")
        return ObjectID(oid)
    }

    /// The entry at `path` inside `tree` (`git_tree_entry_bypath`); nil if
    /// absent.
    public func entry(in tree: ObjectID, path: String) throws -> TreeEntry? {
        guard !path.isEmpty else { return nil }
        let root = try lookupTree(tree)
        defer { git_tree_free(root) }
        var found: OpaquePointer?
        let result = git_tree_entry_bypath(&found, root, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_tree_entry_bypath")
        defer { git_tree_entry_free(found) }
        guard let found else { throw Self.missing("git_tree_entry_bypath") }
        return Self.treeEntry(found)
    }

    /// The entries of the directory `directory` ("" = the root), in git's tree
    /// order. Returns [] when the directory does not exist or names a file.
    public func entries(in tree: ObjectID, directory: String) throws -> [TreeEntry] {
        var target = tree
        if !directory.isEmpty {
            guard let found = try entry(in: tree, path: directory), found.isTree else {
                return []
            }
            target = found.id
        }
        let subtree = try lookupTree(target)
        defer { git_tree_free(subtree) }
        return Self.entries(of: subtree)
    }

    // MARK: - Helpers shared with the diff and commit code

    /// Looks a tree up (`git_tree_lookup`); the caller frees it with
    /// `git_tree_free`.
    func lookupTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.oid
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
        guard let tree else { throw Self.missing("git_tree_lookup") }
        return tree
    }

    /// All entries of a loaded tree (`git_tree_entry_byindex`: borrowed, not
    /// freed).
    static func entries(of tree: OpaquePointer) -> [TreeEntry] {
        let count = git_tree_entrycount(tree)
        var result: [TreeEntry] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            result.append(treeEntry(entry))
        }
        return result
    }

    static func treeEntry(_ entry: OpaquePointer) -> TreeEntry {
        let name = git_tree_entry_name(entry).map { String(cString: $0) } ?? ""
        let id = git_tree_entry_id(entry).map { ObjectID($0) } ?? .zero
        return TreeEntry(
            name: name, id: id, isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE)
    }

    private static func entryExists(in tree: OpaquePointer, path: String) throws(GitError)
        -> Bool
    {
        var found: OpaquePointer?
        let result = git_tree_entry_bypath(&found, tree, path)
        if result == GIT_ENOTFOUND.rawValue { return false }
        try check(result, "git_tree_entry_bypath")
        git_tree_entry_free(found)
        return true
    }

    /// Whether a removed path is a directory prefix of an upserted one, or the
    /// reverse.
    private static func replacesFileByDirectory(_ changes: [TreeChange]) -> Bool {
        var removed: Set<String> = []
        var upserted: Set<String> = []
        for change in changes {
            if case .remove = change {
                removed.insert(change.path)
            } else {
                upserted.insert(change.path)
            }
        }
        func hasPrefix(in paths: Set<String>, _ path: String) -> Bool {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                if paths.contains(parts.joined(separator: "/")) { return true }
                parts = parts.dropLast()
            }
            return false
        }
        return upserted.contains { hasPrefix(in: removed, $0) }
            || removed.contains { hasPrefix(in: upserted, $0) }
    }

    /// Rejects paths libgit2 would misread: empty, absolute, `//`, `.` or `..`
    /// parts.
    private static func validate(path: String) throws(GitError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let bad = parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
        guard bad || path.utf8.contains(0) else { return }
        throw GitError(
            code: GIT_EINVALIDSPEC.rawValue, klass: Int32(GIT_ERROR_TREE.rawValue),
            message: "invalid tree path '\(path)'", function: "git_tree_create_updated")
    }
}
