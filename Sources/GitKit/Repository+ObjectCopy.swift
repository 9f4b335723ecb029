import CGit2

/// Copying objects between two repositories on this machine, the first half
/// of a local push.
extension Repository {
    /// Writes into `remote` every object reachable from `tip` that it lacks.
    ///
    /// The commits to send are found by walking back from `tip` until the walk meets
    /// commits the remote already has, so the cost follows what is new, not how many refs
    /// the remote holds (a spool remote holds a ref per job). Their trees are walked the
    /// same way: a tree the remote has comes with everything below it and is skipped
    /// whole, so a commit grafting trees the remote holds under other refs (an archive of
    /// finished jobs) sends none of their bytes again.
    ///
    /// Small sets are copied as loose objects (`git_odb_read` here, `git_odb_write`
    /// there), children before parents, so an object present in `remote` always has its
    /// whole closure there. Like git's `receive.unpackLimit`, sets of 100 objects or more
    /// travel as one pack instead (`git_packbuilder` into `git_odb_write_pack`: one file
    /// and one fsync rather than hundreds), and so does everything when the remote shares
    /// no history with us.
    // FIXME: libgit2 has no gc/repack, so loose objects and small packs pile
    // up in a remote fed thousands of pushes; run `git gc` there now and then.
    func copyObjects(reachableFrom tip: ObjectID, into remote: Repository) throws(GitError) {
        if remote.hasObject(tip) { return }
        let (commits, boundary) = try missingCommits(from: tip, in: remote)
        var objects: [ObjectID] = []
        var seen = Set<ObjectID>()
        for commit in commits {
            try collectMissing(tree: tree(of: commit), in: remote, seen: &seen, into: &objects)
            objects.append(commit)
        }
        if boundary.isEmpty || objects.count >= Self.packThreshold {
            try packObjects(objects, into: remote)
        } else {
            for object in objects { try copyObject(object, into: remote) }
        }
    }

    /// The commits reachable from `tip` that `remote` lacks, parents before children, and
    /// the commits the remote has where the walk stopped.
    ///
    /// A commit the remote has comes with its whole history (objects are only ever written
    /// after everything they point at), so the walk never needs to go past one.
    private func missingCommits(from tip: ObjectID, in remote: Repository) throws(GitError)
        -> (missing: [ObjectID], boundary: [ObjectID])
    {
        var missing: [ObjectID] = []
        var boundary: [ObjectID] = []
        var seen: Set<ObjectID> = [tip]
        // Post-order: a commit is emitted once all of its parents have been.
        var stack: [(id: ObjectID, expanded: Bool)] = [(tip, false)]
        while let (id, expanded) = stack.popLast() {
            if expanded {
                missing.append(id)
                continue
            }
            stack.append((id, true))
            for parent in try parents(of: id) where !seen.contains(parent) {
                seen.insert(parent)
                if remote.hasObject(parent) {
                    boundary.append(parent)
                } else {
                    stack.append((parent, false))
                }
            }
        }
        return (missing, boundary)
    }

    private func parents(of id: ObjectID) throws(GitError) -> [ObjectID] {
        let commit = try lookupCommit(id)
        defer { git_commit_free(commit) }
        return (0..<git_commit_parentcount(commit)).compactMap { index in
            git_commit_parent_id(commit, index).map { ObjectID($0) }
        }
    }

    private func tree(of commit: ObjectID) throws(GitError) -> ObjectID {
        let handle = try lookupCommit(commit)
        defer { git_commit_free(handle) }
        guard let tree = git_commit_tree_id(handle) else {
            throw Self.missing("git_commit_tree_id")
        }
        return ObjectID(tree)
    }

    /// Appends to `objects` what of the tree `id` the remote lacks, each object after
    /// everything it points at; `seen` spares walking a shared subtree twice.
    private func collectMissing(
        tree id: ObjectID, in remote: Repository, seen: inout Set<ObjectID>,
        into objects: inout [ObjectID]
    ) throws(GitError) {
        guard seen.insert(id).inserted, !remote.hasObject(id) else { return }
        let tree = try lookupTree(id)
        let entries = Self.entries(of: tree)
        git_tree_free(tree)
        for entry in entries {
            if entry.isTree {
                try collectMissing(tree: entry.id, in: remote, seen: &seen, into: &objects)
            } else if seen.insert(entry.id).inserted, hasObject(entry.id),
                !remote.hasObject(entry.id)
            {
                // Entries that are in neither (submodule commits) are skipped.
                objects.append(entry.id)
            }
        }
        objects.append(id)
    }

    /// One object, byte for byte; the id written must equal the id read.
    private func copyObject(_ id: ObjectID, into remote: Repository) throws(GitError) {
        var oid = id.oid
        var object: OpaquePointer?
        try check(git_odb_read(&object, database, &oid), "git_odb_read")
        defer { git_odb_object_free(object) }
        guard let object else { throw Self.missing("git_odb_read") }
        var written = git_oid()
        try check(
            git_odb_write(
                &written, remote.database, git_odb_object_data(object),
                git_odb_object_size(object), git_odb_object_type(object)),
            "git_odb_write")
        guard ObjectID(written) == id else {
            throw GitError(
                code: GIT_EMISMATCH.rawValue, klass: Int32(GIT_ERROR_ODB.rawValue),
                message: "copied \(id) but the remote stored \(ObjectID(written))",
                function: "git_odb_write")
        }
    }
}
