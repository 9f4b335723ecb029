import CGit2

/// Which files differ between two trees.
extension Repository {
    /// Paths of blobs added, modified (content or mode) or deleted between two
    /// trees (nil = empty tree), sorted. Subtrees whose ids are equal are
    /// skipped unread, so the cost follows the size of the change, not the size
    /// of the spool.
    public func changedPaths(from old: ObjectID?, to new: ObjectID) throws -> [String] {
        var paths: [String] = []
        try collectChanges(old: old, new: new, prefix: "", into: &paths)
        return paths.sorted()
    }

    /// Compares one directory level by name and recurses into differing
    /// subtrees.
    private func collectChanges(
        old: ObjectID?, new: ObjectID?, prefix: String, into paths: inout [String]
    ) throws(GitError) {
        if old == new { return }
        let oldEntries = try old.map { id throws(GitError) in try modedEntries(of: id) } ?? [:]
        let newEntries = try new.map { id throws(GitError) in try modedEntries(of: id) } ?? [:]
        let names = Set(oldEntries.keys).union(newEntries.keys)
        for name in names {
            let before = oldEntries[name]
            let after = newEntries[name]
            if let before, let after, before.id == after.id, before.mode == after.mode {
                continue
            }
            let path = prefix + name

            // A subtree on either side is walked; a file on either side is a
            // changed path.
            let oldTree = before.flatMap { $0.isTree ? $0.id : nil }
            let newTree = after.flatMap { $0.isTree ? $0.id : nil }
            if oldTree != nil || newTree != nil {
                try collectChanges(old: oldTree, new: newTree, prefix: path + "/", into: &paths)
            }
            let oldFile = before.map { !$0.isTree } ?? false
            let newFile = after.map { !$0.isTree } ?? false
            if oldFile || newFile { paths.append(path) }
        }
    }

    private struct ModedEntry {
        var id: ObjectID
        var mode: UInt32
        var isTree: Bool
    }

    /// One tree level keyed by name, with file modes
    /// (`git_tree_entry_filemode`).
    private func modedEntries(of id: ObjectID) throws(GitError) -> [String: ModedEntry] {
        let tree = try lookupTree(id)
        defer { git_tree_free(tree) }
        var result: [String: ModedEntry] = [:]
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index),
                let name = git_tree_entry_name(entry), let oid = git_tree_entry_id(entry)
            else { continue }
            result[String(cString: name)] = ModedEntry(
                id: ObjectID(oid), mode: git_tree_entry_filemode(entry).rawValue,
                isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE)
        }
        return result
    }
}
